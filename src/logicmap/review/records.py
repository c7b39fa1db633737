"""``review.records``: importing search exports, listing sources, exporting records.

An import is all-or-nothing: every file is written in one store transaction,
records stream into it in batches as they are read (memory stays flat on large
files), and any refusal rolls the whole transaction back. With ``skip_bad`` the
good records are imported and each bad one is reported (and kept in the
project's skip report). Each original file is compressed on a second thread
while its records are parsed (into a temporary file), and stored with them in parts.
A large RIS file going into SQLite is parsed in parts by worker processes
(:mod:`logicmap.records.range_worker`) while this process stores their records.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from logicmap.errors import ImportRefused, NotFoundError
from logicmap.records.export import write_records
from logicmap.records.intake import (
    DatabaseNames,
    FileResult,
    FlatBatches,
    ImportReport,
    Progress,
    RecordBatches,
    database_names,
    fewer_collections,
    repeat_refusal,
)
from logicmap.records.original import CompressedOriginal
from logicmap.records.range_worker import RangeWorkers, WorkerFailed
from logicmap.records.ranges import WORKERS, can_read_in_ranges
from logicmap.records.reading import DEFAULT_MAX_BYTES, OpenedFile, open_file
from logicmap.records.record import Record
from logicmap.records.source import RecordOrigin, SkipEntry, SourceSummary
from logicmap.store.database import Store
from logicmap.store.records import (
    ImportWriter,
    count_records,
    get_record,
    get_records,
    import_transaction,
    iter_abstracts,
    iter_record_fields,
    iter_records,
    list_sources,
    record_fields,
    record_origins,
    record_provenance,
    skipped_records,
    update_source,
)


@dataclass(frozen=True)
class _Options:
    """What the caller said about every file of one import (the database names are per file)."""

    search_date: str | None
    search_string: str | None
    skip_bad: bool
    progress: Progress | None


class RecordsStage:
    """The project's imported sources and records."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def import_files(
        self,
        paths: Iterable[Path | str],
        *,
        fmt: str | None = None,
        database: DatabaseNames = None,
        search_date: str | None = None,
        search_string: str | None = None,
        skip_bad: bool = False,
        again: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import files in one transaction: all of them, or (on any error) nothing.

        ``database`` names the database each file came from: one name for one file, or
        one name per file in the order of ``paths`` (None or "" where the file's own
        database tags should tell, e.g. RIS ``DB``/``DP``; PubMed formats are PubMed).
        Raises :class:`~logicmap.errors.ImportFormatError` for an unreadable file
        and :class:`~logicmap.errors.ImportRefused` for bad records (unless
        ``skip_bad``) or a file imported before (unless ``again``).
        """
        paths = [Path(p) for p in paths]
        databases = database_names([p.name for p in paths], database)
        options = _Options(search_date, search_string, skip_bad, progress)
        seen: dict[str, str] = {}
        results: list[FileResult] = []
        with fewer_collections(), ThreadPoolExecutor(max_workers=1) as compressor, \
                import_transaction(self._store) as writer:
            writer.claim()
            for index, path in enumerate(paths):
                _report(progress, "read", path.name, index, len(paths))
                opened = open_file(path, fmt=fmt, max_bytes=max_bytes)
                if not again:
                    self._refuse_repeat(writer, opened, seen)
                original = CompressedOriginal(opened.doc)
                try:  # zlib releases the GIL: the original is compressed while records parse
                    compressed = compressor.submit(original.compress)
                    results.append(_import_one(writer, opened, compressed, original, databases[index], options))
                finally:  # on an error, the thread stops reading the file before it is closed
                    original.stop()
                    compressed.cancel() or compressed.exception()
                    original.close()
        _report(progress, "done", "", len(paths), len(paths))
        return ImportReport(results)

    def _refuse_repeat(self, writer: ImportWriter, opened: OpenedFile, seen: dict[str, str]) -> None:
        """Refuse a file whose bytes are earlier in this import or in the project."""
        name, sha = opened.info.name, opened.info.sha256
        if sha in seen:
            raise repeat_refusal(name, f"same content as {seen[sha]} in this import")
        seen[sha] = name
        earlier = writer.source_with_sha256(sha)
        if earlier is not None:
            raise repeat_refusal(
                name, f"already imported as source {earlier.id} ({earlier.file}, {earlier.imported_at:%Y-%m-%d %H:%M})"
            )

    def sources(self) -> list[SourceSummary]:
        """Every imported source, oldest first."""
        return list_sources(self._store)

    def edit_source(self, source_id: int, *, database: str | None, search_date: str | None) -> SourceSummary:
        """Name a source's database and the date its search was run (blank clears); returns it as stored.

        Raises :class:`~logicmap.errors.NotFoundError` for an unknown source and
        :class:`~logicmap.errors.ImportRefused` for a name or date over 200 characters.
        """
        database, search_date = (database or "").strip(), (search_date or "").strip()
        if len(database) > 200 or len(search_date) > 200:
            raise ImportRefused(f"source {source_id}: database name and search date take at most 200 characters",
                                reason="source_details")
        return update_source(self._store, source_id, database=database or None, search_date=search_date or None)

    def count(self) -> int:
        """Number of imported records."""
        return count_records(self._store)

    def get(self, record_id: int) -> Record:
        """One record as imported (normalised, with provenance); :class:`NotFoundError` if unknown."""
        return get_record(self._store, record_id)

    def get_many(self, record_ids: list[int]) -> list[Record]:
        """Records by id, in the order given; :class:`NotFoundError` if one is unknown."""
        return get_records(self._store, record_ids)

    def fields_of(self, record_ids: list[int]) -> dict[int, Record]:
        """Record id -> the record's canonical fields only (no provenance or extras), read in a few
        queries however many are asked for; :class:`NotFoundError` if one is unknown."""
        found = record_fields(self._store, record_ids)
        missing = next((i for i in record_ids if i not in found), None)
        if missing is not None:
            raise NotFoundError(f"no record {missing}")
        return found

    def iter(self, source_id: int | None = None) -> Iterator[tuple[int, Record]]:
        """``(record id, Record)`` pairs in import order."""
        return iter_records(self._store, source_id)

    def iter_fields(self) -> Iterator[tuple[int, Record]]:
        """``(record id, Record)`` in import order with the canonical fields only (no provenance or
        extras): several times faster than :meth:`iter`, for comparing a whole library."""
        return iter_record_fields(self._store)

    def abstracts(self) -> Iterator[str | None]:
        """Every record's abstract in import order, read lazily a chunk at a time."""
        return iter_abstracts(self._store)

    def origins(self) -> list[RecordOrigin]:
        """Where every record came from (source, file name, own id), in record id order."""
        return record_origins(self._store)

    def skipped(self, source_id: int | None = None) -> list[SkipEntry]:
        """The skip report, optionally of one source."""
        return skipped_records(self._store, source_id)

    def provenance(self, record_id: int) -> dict:
        """Per-field origin of one record: field -> (source name, tag, line, original value)."""
        return record_provenance(self._store, record_id)

    def export(self, fmt: str, output: Path | str) -> int:
        """Write every imported record as ``fmt`` (ris, csv, bibtex) to ``output`` ('-' = stdout); returns the count.

        ``review.dedupe.export`` writes one merged record per study instead.
        """
        return write_records((record for _, record in self.iter()), fmt, output)


def _import_one(writer: ImportWriter, opened: OpenedFile, compressed: Future[int], original: CompressedOriginal,
                database: str | None, options: _Options) -> FileResult:
    """Stream one file's checked records into the open transaction (``database``: the name given for it)."""
    info = opened.info
    source_id = writer.start_source(info, options.search_date, options.search_string)
    stored = 0
    with _record_batches(writer, opened, options.skip_bad) as (batches, add):
        for batch in batches:
            stored += add(source_id, batch)
            _report(options.progress, "records", info.name, stored, 0)
    refusal = batches.refusal()
    if refusal is not None:
        raise refusal
    database = batches.database(database)
    compressed.result()
    writer.finish_source(source_id, stored, batches.bad, batches.skipped, database, original.parts())
    return FileResult(
        file=info.name, format=info.format, records=stored, skipped=batches.skipped, database=database,
        source_id=source_id, warnings=info.warnings, skipped_problems=batches.bad,
    )


def _report(progress: Progress | None, stage: str, name: str, done: int, total: int) -> None:
    if progress:
        progress(stage, name, done, total)


@contextmanager
def _record_batches(writer: ImportWriter, opened: OpenedFile, skip_bad: bool) -> Iterator[tuple]:
    """A file's good records in batches, and the writer's method that stores such a batch.

    A large RIS file going into SQLite is read in parts by worker processes
    (parse, normalise, check, flatten) while this process stores what they give
    back; any other file is read here.
    """
    if writer.takes_flat_records and can_read_in_ranges(opened):
        try:
            workers = RangeWorkers(WORKERS)
        except WorkerFailed:
            pass  # no worker processes here: read the file in this process
        else:
            with workers:
                yield FlatBatches(opened, workers.results, skip_bad=skip_bad), writer.add_flat_records
            return
    yield RecordBatches(opened, skip_bad=skip_bad), writer.add_records
