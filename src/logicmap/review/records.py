"""``review.records``: importing search exports, listing sources, exporting records."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from logicmap.records.export import export_records
from logicmap.records.importer import DEFAULT_MAX_BYTES, ImportReport, Progress, import_files
from logicmap.records.record import Record
from logicmap.store.database import Store
from logicmap.store.records import (
    count_records,
    get_record,
    iter_records,
    list_sources,
    record_provenance,
    skipped_records,
)


class RecordsStage:
    """The project's imported sources and records."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def import_files(
        self,
        paths: Iterable[Path | str],
        *,
        fmt: str | None = None,
        database: str | None = None,
        search_date: str | None = None,
        search_string: str | None = None,
        skip_bad: bool = False,
        again: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import files in one transaction (all or nothing; see :func:`~logicmap.records.importer.import_files`)."""
        return import_files(
            self._store, paths, fmt=fmt, database=database, search_date=search_date,
            search_string=search_string, skip_bad=skip_bad, again=again, max_bytes=max_bytes,
            progress=progress,
        )

    def sources(self):
        """Every imported source, oldest first."""
        return list_sources(self._store)

    def count(self) -> int:
        """Number of imported records."""
        return count_records(self._store)

    def get(self, record_id: int) -> Record:
        """One record as imported (normalised, with provenance); :class:`NotFoundError` if unknown."""
        return get_record(self._store, record_id)

    def iter(self, source_id: int | None = None) -> Iterator[tuple[int, Record]]:
        """``(record id, Record)`` pairs in import order."""
        return iter_records(self._store, source_id)

    def skipped(self, source_id: int | None = None):
        """The skip report, optionally of one source."""
        return skipped_records(self._store, source_id)

    def provenance(self, record_id: int) -> dict:
        """Per-field origin of one record: field -> (source name, tag, line, original value)."""
        return record_provenance(self._store, record_id)

    def export(self, fmt: str, output: Path | str, *, deduplicated: bool = False) -> int:
        """Write the records as ``fmt`` (ris, csv, bibtex) to ``output`` ('-' = stdout); returns the count."""
        return export_records(self._store, fmt, output, deduplicated=deduplicated)
