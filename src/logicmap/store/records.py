"""Writing and reading imported sources and records (every query of the records stage).

An import writes through one :class:`ImportWriter`: a single transaction that
is committed when the whole import succeeded and rolled back on any error.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Iterable, Iterator

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from logicmap.errors import NotFoundError
from logicmap.records.record import FIELDS, Provenance, Record, RecordProblem
from logicmap.records.rows import FLAT_COLUMNS, flat_record, stored_provenance
from logicmap.records.source import RecordOrigin, SkipEntry, SourceInfo, SourceSummary
from logicmap.store.database import Store, claim_write_lock, id_chunks
from logicmap.store.tables import RecordRow, SkippedRecord, Source, SourceFile


#: PostgreSQL advisory-lock key that serialises imports into one database.
IMPORT_LOCK = 0x6C6D_0001


class ImportWriter:
    """The store side of one import: every file's source row, records and skip report in one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self) -> None:
        """Take the import lock now, so a check made next (was this file imported before?) still
        holds when the import commits (see :func:`~logicmap.store.database.claim_write_lock`)."""
        claim_write_lock(self._session, IMPORT_LOCK)

    def source_with_sha256(self, sha256: str) -> SourceSummary | None:
        """An earlier import of the same bytes, seen from inside this transaction."""
        row = self._session.scalars(select(Source).where(Source.sha256 == sha256)).first()
        return None if row is None else _summary(row)

    def start_source(self, info: SourceInfo, search_date: str | None, search_string: str | None) -> int:
        """Insert the row of a file being imported; returns its id."""
        return _start_source(self._session, info, search_date, search_string)

    def add_records(self, source_id: int, records: list[Record]) -> int:
        """Insert one batch of a file's records; returns the count."""
        return _add_records(self._session, source_id, records)

    @property
    def takes_flat_records(self) -> bool:
        """True when :meth:`add_flat_records` may be used (SQLite)."""
        return _takes_flat(self._session)

    def add_flat_records(self, source_id: int, rows: list[tuple[int, tuple]]) -> int:
        """Insert one batch of ``(position, flat record)`` pairs (see :mod:`logicmap.records.rows`); returns the count."""
        return _add_flat(self._session, source_id, rows)

    def finish_source(
        self, source_id: int, records: int, problems: list[RecordProblem], skipped: int,
        database: str | None, compressed_original: Iterable[bytes] | None,
    ) -> None:
        """Store the file's skip report, final counts, database and compressed original (in parts)."""
        _add_skipped(self._session, source_id, problems)
        _finish_source(self._session, source_id, records, skipped, database, compressed_original)


@contextmanager
def import_transaction(project: Store) -> Iterator[ImportWriter]:
    """An :class:`ImportWriter` whose writes are committed together, or not at all."""
    with project.session() as session:
        yield ImportWriter(session)


def _start_source(
    session: Session, info: SourceInfo, search_date: str | None = None, search_string: str | None = None
) -> int:
    """Insert the row of a file being imported; returns its id."""
    source = Source(
        name=info.name,
        sha256=info.sha256,
        format=info.format,
        database=info.database,
        search_date=search_date,
        search_string=search_string,
        record_count=0,
        skipped_count=0,
        encoding=info.encoding,
        size_bytes=info.size_bytes,
        warnings=list(info.warnings),
        imported_at=datetime.now(UTC).replace(tzinfo=None),
    )
    session.add(source)
    session.flush()
    return source.id


def _finish_source(
    session: Session,
    source_id: int,
    records: int,
    skipped: int,
    database: str | None,
    compressed_original: Iterable[bytes] | None,
) -> None:
    """Set a source's final counts and database, and keep its compressed original, one row per part."""
    source = session.get(Source, source_id)
    source.record_count, source.skipped_count, source.database = records, skipped, database
    session.flush()
    for part, compressed in enumerate(compressed_original or ()):
        session.execute(insert(SourceFile), [{"source_id": source_id, "part": part, "compressed": compressed}])


def _add_skipped(session: Session, source_id: int, problems: list[RecordProblem]) -> None:
    """Store the skip report of a file."""
    if problems:
        session.execute(insert(SkippedRecord), [_skipped_row(source_id, p) for p in problems])


def _record_row(record_id: int, source_id: int, record: Record) -> dict:
    row = {name: getattr(record, name) for name in FIELDS}
    row.update(
        id=record_id,
        source_id=source_id,
        position=record.position,
        line=record.line,
        source_record_id=record.source_id,
        label=record.label,
        extra=record.extra,
        provenance=stored_provenance(record),
    )
    return row


def _next_record_id(session: Session) -> int:
    """First free record id; PostgreSQL's table is locked so concurrent imports queue."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE records IN SHARE ROW EXCLUSIVE MODE"))
    return (session.scalar(select(func.max(RecordRow.id))) or 0) + 1


def _add_records(session: Session, source_id: int, records: list[Record]) -> int:
    """Insert records with explicit ids (a plain executemany, no RETURNING); returns the count."""
    if not records:
        return 0
    if _takes_flat(session):
        return _add_flat(session, source_id, [(r.position, flat_record(r)) for r in records])
    first = _next_record_id(session)
    connection = session.connection()
    rows = [_record_row(first + i, source_id, r) for i, r in enumerate(records)]
    connection.execute(insert(RecordRow.__table__), rows)
    if connection.dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('records', 'id'), :last)"),
            {"last": first + len(rows) - 1},
        )
    return len(rows)


def _takes_flat(session: Session) -> bool:
    """True when records are stored as flat tuples (:func:`_add_flat`: SQLite)."""
    return session.get_bind().dialect.name == "sqlite"


def _add_flat(session: Session, source_id: int, rows: list[tuple[int, tuple]]) -> int:
    """Insert ``(position, flat record)`` pairs into SQLite; returns the count.

    The bulk of an import: rows go as tuples straight to the driver's executemany
    (SQLAlchemy's per-row parameter processing cost a third of the storing).
    """
    if not rows:
        return 0
    first = _next_record_id(session)
    session.connection().exec_driver_sql(
        _SQLITE_INSERT, [(first + i, source_id, position, *flat) for i, (position, flat) in enumerate(rows)]
    )
    return len(rows)


_COLUMNS = ("id", "source_id", "position", "line", "source_record_id", *FLAT_COLUMNS[2:])
_SQLITE_INSERT = f"INSERT INTO records ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _skipped_row(source_id: int, problem: RecordProblem) -> dict:
    return {
        "source_id": source_id,
        "position": problem.position,
        "line": problem.line,
        "source_record_id": problem.source_id,
        "field": problem.field,
        "reason": problem.message,
    }


def _summary(row: Source) -> SourceSummary:
    return SourceSummary(
        id=row.id, file=row.name, format=row.format, database=row.database, records=row.record_count,
        skipped=row.skipped_count, sha256=row.sha256, search_date=row.search_date,
        search_string=row.search_string, imported_at=row.imported_at,
    )


def list_sources(project: Store) -> list[SourceSummary]:
    """Every imported source, oldest first."""
    with project.session() as session:
        return [_summary(row) for row in session.scalars(select(Source).order_by(Source.id))]


def update_source(project: Store, source_id: int, *, database: str | None, search_date: str | None) -> SourceSummary:
    """Set a source's database name and search date (None or "" clears one); :class:`NotFoundError` if unknown."""
    with project.session() as session:
        row = session.get(Source, source_id)
        if row is None:
            raise NotFoundError(f"no source {source_id}")
        row.database, row.search_date = database or None, search_date or None
        session.flush()
        return _summary(row)


def count_records(project: Store) -> int:
    """Number of imported records."""
    with project.session() as session:
        return session.scalar(select(func.count(RecordRow.id))) or 0


def _skip_entry(row: SkippedRecord) -> SkipEntry:
    return SkipEntry(
        source_id=row.source_id, position=row.position, line=row.line,
        source_record_id=row.source_record_id, field=row.field, reason=row.reason,
    )


def skipped_records(project: Store, source_id: int | None = None) -> list[SkipEntry]:
    """The skip report, optionally for one source."""
    query = select(SkippedRecord).order_by(SkippedRecord.source_id, SkippedRecord.position, SkippedRecord.id)
    if source_id is not None:
        query = query.where(SkippedRecord.source_id == source_id)
    with project.session() as session:
        return [_skip_entry(row) for row in session.scalars(query)]


def row_to_record(row: RecordRow) -> Record:
    """A stored row as a :class:`~logicmap.records.record.Record` with its provenance."""
    record = Record(
        position=row.position,
        line=row.line,
        source_id=row.source_record_id,
        label=row.label,
        extra=dict(row.extra or {}),
    )
    for name in FIELDS:
        setattr(record, name, getattr(row, name))
    record.authors = list(row.authors or [])
    record.keywords = list(row.keywords or [])
    for name, (tag, line, original) in (row.provenance or {}).items():
        value = getattr(record, name, None)
        record.provenance[name] = Provenance(tag, line, value if original is None else original)
    return record


def get_record(project: Store, record_id: int) -> Record:
    """One stored record; raises :class:`NotFoundError` for an unknown id."""
    with project.session() as session:
        row = session.get(RecordRow, record_id)
        if row is None:
            raise NotFoundError(f"no record {record_id}")
        return row_to_record(row)


def get_records(project: Store, record_ids: list[int]) -> list[Record]:
    """Stored records by id, in the order given; raises :class:`NotFoundError` for an unknown id."""
    with project.session() as session:
        rows = {row.id: row for chunk in id_chunks(record_ids)
                for row in session.scalars(select(RecordRow).where(RecordRow.id.in_(chunk)))}
        missing = [i for i in record_ids if i not in rows]
        if missing:
            raise NotFoundError(f"no record {missing[0]}")
        return [row_to_record(rows[i]) for i in record_ids]


def iter_records(project: Store, source_id: int | None = None) -> Iterator[tuple[int, Record]]:
    """``(record id, Record)`` pairs in import order."""
    query = select(RecordRow).order_by(RecordRow.id)
    if source_id is not None:
        query = query.where(RecordRow.source_id == source_id)
    with project.session() as session:
        for row in session.scalars(query).yield_per(2000):
            yield row.id, row_to_record(row)


def _light_record(row) -> Record:
    record = Record(position=row.position)
    for name in FIELDS:
        setattr(record, name, getattr(row, name))
    record.authors = list(row.authors or [])
    record.keywords = list(row.keywords or [])
    return record


def _light_query():
    return select(RecordRow.id, RecordRow.position, *(getattr(RecordRow, name) for name in FIELDS))


def iter_record_fields(project: Store, chunk: int = 5000) -> Iterator[tuple[int, Record]]:
    """``(record id, Record)`` in import order with the canonical fields only (no provenance, extra
    or label): what comparing and merging need, read several times faster than :func:`iter_records`."""
    last = 0
    while True:
        with project.session() as session:
            rows = session.execute(_light_query().where(RecordRow.id > last).order_by(RecordRow.id).limit(chunk)).all()
        if not rows:
            return
        for row in rows:
            yield row.id, _light_record(row)
        last = rows[-1].id


def iter_abstracts(project: Store, chunk: int = 20000) -> Iterator[str | None]:
    """Every record's abstract in import order, read a chunk at a time (the abstract column only)."""
    last = 0
    while True:
        with project.session() as session:
            rows = session.execute(select(RecordRow.id, RecordRow.abstract).where(RecordRow.id > last)
                                   .order_by(RecordRow.id).limit(chunk)).all()
        if not rows:
            return
        yield from (abstract for _, abstract in rows)
        last = rows[-1].id


def record_fields(project: Store, record_ids: list[int]) -> dict[int, Record]:
    """Record id -> the record's canonical fields (as :func:`iter_record_fields`); unknown ids left out."""
    with project.session() as session:
        return get_record_fields(session, record_ids)


def get_record_fields(session: Session, record_ids: list[int]) -> dict[int, Record]:
    """Record id -> the record's canonical fields (as :func:`iter_record_fields`), inside an open session."""
    found: dict[int, Record] = {}
    for chunk in id_chunks(record_ids):
        query = _light_query().where(RecordRow.id.in_(chunk))
        found.update((row.id, _light_record(row)) for row in session.execute(query))
    return found


def record_origins(project: Store) -> list[RecordOrigin]:
    """The origin of every stored record, in record id order."""
    query = (
        select(RecordRow.id, RecordRow.source_id, Source.name, RecordRow.source_record_id, RecordRow.position)
        .join(Source, Source.id == RecordRow.source_id)
        .order_by(RecordRow.id)
    )
    with project.session() as session:
        return [
            RecordOrigin(record_id, source_id, name, own_id or str(position))
            for record_id, source_id, name, own_id, position in session.execute(query)
        ]


def record_provenance(project: Store, record_id: int) -> dict[str, tuple[str, str, int | None, object]]:
    """Per-field origin of one record: field -> (source name, tag, line, original value)."""
    with project.session() as session:
        row = session.get(RecordRow, record_id)
        if row is None:
            raise NotFoundError(f"no record {record_id}")
        record = row_to_record(row)
        name = row.source.name
    return {
        field_name: (name, prov.tag, prov.line, prov.original)
        for field_name, prov in record.provenance.items()
    }
