"""A cheap mark of everything the project's model, report and PRISMA views are built from, so
those views can be cached and rebuilt only when the project has changed.

:func:`change_mark` reads, in one query, per table: its row count and, per integer key and
timestamp column, the largest value and how many are set (a new row, an undo, a review or a
withdrawn code all move one of them); the small key/value tables (project settings, sources,
whose rows are edited in place) are read whole. Any other process's writes show too: the mark
comes from the database, not from this process. Tables of accounts, web sessions, the audit
log and caches are left out: they change on every request and no view is built from them.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import DateTime, Integer, func, select

from logicmap.store.database import Store
from logicmap.store.tables import Base, ProjectSetting, Source

#: Tables no model, report or PRISMA view reads.
IGNORED = frozenset({"users", "web_sessions", "audit_events", "text_embeddings", "suggestion_feedback"})
#: Small tables edited in place: read whole.
WHOLE = (ProjectSetting, Source)


def _aggregates():
    """(label, SQL aggregate) for every table the views are built from."""
    for table in Base.metadata.sorted_tables:
        if table.name in IGNORED:
            continue
        yield f"{table.name}.rows", select(func.count()).select_from(table).scalar_subquery()
        for column in table.columns:
            if isinstance(column.type, DateTime) or (isinstance(column.type, Integer) and column.primary_key):
                yield f"{table.name}.{column.name}.max", select(func.max(column)).scalar_subquery()
                yield f"{table.name}.{column.name}.set", select(func.count(column)).scalar_subquery()


def change_mark(store: Store) -> str:
    """A short digest that changes whenever the data the model and report views read changes."""
    labels, columns = zip(*_aggregates())
    digest = hashlib.blake2b(digest_size=12)
    with store.session() as session:
        digest.update(repr(tuple(session.execute(select(*columns)).one())).encode())
        for table in WHOLE:
            rows = session.execute(select(table.__table__).order_by(*table.__table__.primary_key.columns)).all()
            digest.update(repr([tuple(row) for row in rows]).encode())
    return digest.hexdigest()
