"""Downgrades never delete a reviewer's work: they refuse while the tables they drop hold rows."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


class DowngradeRefused(RuntimeError):
    """A downgrade would drop rows (records, decisions, codings ...)."""


def refuse_if_data(revision: str, *tables: str) -> None:
    """Raise :class:`DowngradeRefused` when any of ``tables`` holds a row."""
    bind = op.get_bind()
    held = []
    for table in tables:
        if sa.inspect(bind).has_table(table):
            count = bind.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            if count:
                held.append(f"{table} ({count} rows)")
    if held:
        raise DowngradeRefused(
            f"downgrade below revision {revision} refused: it would delete {', '.join(held)}; "
            "back the project up and export what you need first"
        )


def drop_column(table: str, column: str) -> None:
    """Drop a column without rebuilding the table.

    Alembic's batch mode rebuilds an SQLite table (create, copy, DROP, rename), and the
    DROP of a parent table with foreign keys on cascades to every child row; SQLite
    3.35+ drops a plain column in place.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    else:
        op.drop_column(table, column)
