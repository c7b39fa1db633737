"""A cheap mark of everything the project's model, report and PRISMA views are built from, so
those views can be cached and rebuilt only when the project has changed.

:func:`change_mark` reads, in one query, per table: its row count and, per integer key and
timestamp column, the largest value and how many are set (a new row, an undo, a review or a
withdrawn code all move one of them); the small key/value tables (project settings, sources,
whose rows are edited in place) are read whole. Any other process's writes show too: the mark
comes from the database, not from this process. Tables of accounts, web sessions, the audit
log and caches are left out: they change on every request and no view is built from them.
:func:`change_marks` gives, from the same query, marks of chosen tables too: the logic model reads
screening decisions only through the included studies, which it marks itself; the records to
screen change only with the records and the merges.
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
#: What the logic model is built from besides the included studies: every table but the decisions.
MODEL_INPUTS = frozenset(t.name for t in Base.metadata.sorted_tables) - {"screening_decisions"}
#: What the records to screen at title/abstract are read from: the records and their merges.
SCREENING_RECORDS = frozenset({"records", "clusters", "cluster_members"})


def _aggregates():
    """(table name, SQL aggregate) for every table the views are built from."""
    for table in Base.metadata.sorted_tables:
        if table.name in IGNORED:
            continue
        yield table.name, select(func.count()).select_from(table).scalar_subquery()
        for column in table.columns:
            if isinstance(column.type, DateTime) or (isinstance(column.type, Integer) and column.primary_key):
                yield table.name, select(func.max(column)).scalar_subquery()
                yield table.name, select(func.count(column)).scalar_subquery()


def change_marks(store: Store, *parts: frozenset[str]) -> tuple[str, ...]:
    """The whole project's mark, then one mark per set of table names in ``parts`` (of those tables
    alone), all from one query: short digests that change whenever the data they cover changes."""
    tables, columns = zip(*_aggregates())
    with store.session() as session:
        values = session.execute(select(*columns)).one()
        whole = [repr([tuple(row) for row in session.execute(
            select(table.__table__).order_by(*table.__table__.primary_key.columns)).all()]) for table in WHOLE]
    marks = [_digest([repr(tuple(values))] + whole)]
    for part in parts:
        picked = tuple(v for name, v in zip(tables, values) if name in part)
        marks.append(_digest([repr(picked)] + [w for table, w in zip(WHOLE, whole) if table.__tablename__ in part]))
    return tuple(marks)


def change_mark(store: Store) -> str:
    """A short digest that changes whenever the data the model and report views read changes."""
    return change_marks(store)[0]


def _digest(texts: list[str]) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for text in texts:
        digest.update(text.encode())
    return digest.hexdigest()
