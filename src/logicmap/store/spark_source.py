"""Record texts read by Spark executors straight from a project store, one query per partition.

:class:`RecordPartitions` is the ``read(k, n)`` of
:class:`~logicmap.screening.distributed.SparkScreening`: a small picklable object
holding the store's URL. Each executor that runs partition ``k`` of ``n`` opens
its own connection and streams ``id, title, abstract`` of the records with
``id % n = k`` (server-side cursor on PostgreSQL), so no record passes through
the driver and no JDBC driver jar is needed; the executors need logicmap with
the ``[postgres]`` extra and network access to the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from logicmap.store.database import database_url, make_engine
from logicmap.store.tables import RecordRow

#: Rows fetched per round trip while streaming a partition.
FETCH_ROWS = 5000


@dataclass(frozen=True)
class RecordPartitions:
    """``read(k, n)``: ``(record id, "title abstract")`` of the records with ``id % n == k``."""

    location: str

    def __call__(self, k: int, n: int) -> Iterator[tuple[int, str]]:
        engine = make_engine(database_url(self.location))
        query = (
            select(RecordRow.id, RecordRow.title, RecordRow.abstract)
            .where(RecordRow.id % n == k)
            .order_by(RecordRow.id)
            .execution_options(stream_results=True, yield_per=FETCH_ROWS)
        )
        try:
            with engine.connect() as connection:
                for record_id, title, abstract in connection.execute(query):
                    yield record_id, f"{title or ''} {abstract or ''}".strip()
        finally:
            engine.dispose()
