"""Importing search exports into a project: read, check, normalise, store.

An import is all-or-nothing: everything is written in one transaction, records
stream into it in batches as they are read (memory stays flat on large files),
and any refusal rolls the whole transaction back. With ``skip_bad`` the good
records are imported and each bad one is reported (and kept in the store's skip
report).
"""

from __future__ import annotations

from logicmap.errors import ImportRefused

import csv
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy.orm import Session

from logicmap.records.record import ImportFormatError, Record, RecordProblem
from logicmap.records.reading import (
    DEFAULT_MAX_BYTES,
    DatabaseGuess,
    OpenedFile,
    check_records,
    guess_database,
    human_size,
    iter_checked,
    iter_parsed,
    open_file,
    prepare_file,
)
from logicmap.store.database import Store
from logicmap.store.records import add_records, add_skipped, find_source_by_sha256, finish_source, start_source

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FileResult",
    "ImportFormatError",
    "ImportRefused",
    "ImportReport",
    "check_records",
    "guess_database",
    "human_size",
    "import_files",
    "prepare_file",
]

#: progress(stage, file name, done, total)
Progress = Callable[[str, str, int, int], None]
_BATCH = 2000


@dataclass
class FileResult:
    """What one file contributed to an import."""

    file: str
    format: str
    records: int
    skipped: int
    database: str | None = None
    source_id: int | None = None
    warnings: list[str] = field(default_factory=list)
    skipped_problems: list[RecordProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of :func:`import_files`."""

    files: list[FileResult]

    @property
    def records(self) -> int:
        """Records imported in total."""
        return sum(f.records for f in self.files)

    def write_skipped_csv(self, path: Path | str) -> int:
        """Write every skipped record (file, record, line, id, field, reason) as CSV; returns the row count."""
        rows = [
            [result.file, p.position, p.line, p.source_id, p.field, p.message]
            for result in self.files
            for p in result.skipped_problems
        ]
        with Path(path).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["file", "record", "line", "id", "field", "reason"])
            writer.writerows(rows)
        return len(rows)

    def to_json(self) -> dict:
        """The stable JSON summary other tools rely on."""
        return {
            "files": [
                {"file": f.file, "format": f.format, "records": f.records, "skipped": f.skipped}
                for f in self.files
            ],
            "records": self.records,
        }


@dataclass
class _Options:
    database: str | None
    search_date: str | None
    search_string: str | None
    skip_bad: bool
    again: bool
    progress: Progress | None


def import_files(
    project: Store,
    paths: Iterable[Path | str],
    *,
    fmt: str | None = None,
    database: str | None = None,
    search_date: str | None = None,
    search_string: str | None = None,
    skip_bad: bool = False,
    again: bool = False,
    keep_original: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> ImportReport:
    """Import files into ``project`` in one transaction.

    Raises :class:`ImportFormatError` for an unreadable file and
    :class:`ImportRefused` for bad records (unless ``skip_bad``) or a file
    imported before (unless ``again``). Nothing is stored when either is raised.
    """
    paths = [Path(p) for p in paths]
    options = _Options(database, search_date, search_string, skip_bad, again, progress)
    results: list[FileResult] = []
    seen: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=1) as compressor, project.session() as session:
        for index, path in enumerate(paths):
            if progress:
                progress("read", path.name, index, len(paths))
            opened = open_file(path, fmt=fmt, max_bytes=max_bytes)
            _refuse_repeat(project, opened, seen, again)
            # zlib releases the GIL: the original is compressed while records parse
            compressed = compressor.submit(zlib.compress, opened.doc.data, 1) if keep_original else None
            results.append(_import_one(session, opened, compressed, options))
    if progress:
        progress("done", "", len(paths), len(paths))
    return ImportReport(results)


def _import_one(
    session: Session, opened: OpenedFile, compressed: Future[bytes] | None, options: _Options
) -> FileResult:
    """Stream one file's checked records into the open transaction."""
    info = opened.info
    source_id = start_source(session, info, options.search_date, options.search_string)
    guess = DatabaseGuess(opened.format)
    batch: list[Record] = []
    bad: list[RecordProblem] = []
    stored = 0
    for record, problems in iter_checked(iter_parsed(opened)):
        if problems:
            bad.extend(problems)
            continue
        guess.add(record)
        if bad and not options.skip_bad:
            continue  # refused anyway: keep reading only to report every problem
        batch.append(record)
        if len(batch) >= _BATCH:
            stored += add_records(session, source_id, batch)
            batch = []
            if options.progress:
                options.progress("records", info.name, stored, 0)
    if bad and not options.skip_bad:
        lines = [p.describe(info.name) for p in bad]
        raise ImportRefused(
            f"{len(lines)} problem(s) in {info.name}; nothing imported", lines, reason="bad_records"
        )
    stored += add_records(session, source_id, batch)
    add_skipped(session, source_id, bad)
    skipped = len({p.position for p in bad})
    database = options.database or guess.result()
    finish_source(session, source_id, stored, skipped, database, compressed.result() if compressed else None)
    return FileResult(
        file=info.name, format=info.format, records=stored, skipped=skipped, database=database,
        source_id=source_id, warnings=info.warnings, skipped_problems=bad,
    )


def _refuse_repeat(project: Store, opened: OpenedFile, seen: dict[str, str], again: bool) -> None:
    if again:
        return
    name, sha = opened.info.name, opened.info.sha256
    if sha in seen:
        raise ImportRefused(f"{name}: same content as {seen[sha]} in this import", reason="imported_before")
    seen[sha] = name
    earlier = find_source_by_sha256(project, sha)
    if earlier is not None:
        raise ImportRefused(
            f"{name}: already imported as source {earlier.id} ({earlier.name}, "
            f"{earlier.imported_at:%Y-%m-%d %H:%M})", reason="imported_before"
        )
