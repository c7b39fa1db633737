"""Importing search exports into a project: read, check, normalise, store.

An import is all-or-nothing: every file is read and checked before anything is
written, and everything is written in one transaction. With ``skip_bad`` the
good records are imported and each bad one is reported (and kept in the store's
skip report).
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from logicmap.records.detect import detect_format
from logicmap.records.encoding import binary_kind, document_from_bytes
from logicmap.records.formats import BINARY_FORMATS, READERS, reader_module
from logicmap.records.model import ImportFormatError, ParsedRecord, Record, RecordProblem
from logicmap.records.normalise import check_record, normalise_record
from logicmap.store.project import Project
from logicmap.store.records import SourceInfo, find_source_by_sha256, save_source

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
#: progress(stage, file name, done, total)
Progress = Callable[[str, str, int, int], None]


class ImportRefused(Exception):
    """The import was refused; ``problems`` lists every bad record found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class PreparedFile:
    """A file read and checked, ready to store."""

    path: Path
    info: SourceInfo
    data: bytes
    records: list[Record]
    bad: list[RecordProblem]
    compressed: Future[bytes] | None = None


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

    def to_json(self) -> dict:
        """The stable JSON summary other tools rely on."""
        return {
            "files": [
                {"file": f.file, "format": f.format, "records": f.records, "skipped": f.skipped}
                for f in self.files
            ],
            "records": self.records,
        }


def human_size(size: int) -> str:
    """A byte count as ``"1.2 MB"`` / ``"340 KB"``."""
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def read_file(
    path: Path, *, fmt: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, list[ParsedRecord], SourceInfo, bytes]:
    """Read one file: ``(format, parsed records, source info, bytes)``."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ImportFormatError(str(path), "file not found") from exc
    if path.is_dir():
        raise ImportFormatError(str(path), "is a directory, not a file")
    if size > max_bytes:
        raise ImportFormatError(
            name,
            f"file is {human_size(size)}, over the {human_size(max_bytes)} limit",
            hint="split the export, or raise the limit with --max-size",
        )
    data = path.read_bytes()
    if fmt is not None and fmt not in READERS:
        raise ImportFormatError(name, f"unknown format {fmt!r}; known: {', '.join(READERS)}")
    binary = fmt in BINARY_FORMATS or binary_kind(data) is not None
    doc = document_from_bytes(data, name, path=path, binary=binary)
    fmt = fmt or detect_format(data, doc.text, name)
    if fmt in BINARY_FORMATS and doc.text is not None:
        doc = document_from_bytes(data, name, path=path, binary=True)
    elif fmt not in BINARY_FORMATS and doc.text is None:
        raise ImportFormatError(name, f"{binary_kind(data)}, not a {READERS[fmt][1]} file", line=1)
    parsed = reader_module(fmt).read(doc)
    info = SourceInfo(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        size_bytes=len(data),
        encoding=doc.encoding,
        warnings=list(doc.warnings),
    )
    return fmt, parsed, info, data


def check_records(parsed: list[ParsedRecord]) -> tuple[list[Record], list[RecordProblem]]:
    """Normalise records; return the good ones and the problems of the bad ones."""
    good: list[Record] = []
    bad: list[RecordProblem] = []
    first_seen: dict[str, int | None] = {}
    for item in parsed:
        problems = list(item.problems)
        if item.source_id:
            if item.source_id in first_seen and not any("duplicate" in p.message for p in problems):
                problems.append(
                    RecordProblem(
                        item.position,
                        item.line,
                        "id",
                        f"duplicate record id {item.source_id!r} (first at line {first_seen[item.source_id]})",
                        item.source_id,
                    )
                )
            first_seen.setdefault(item.source_id, item.line)
        record = normalise_record(item)
        if not problems:
            for reason in check_record(record):
                problems.append(RecordProblem(item.position, item.line, None, reason, item.source_id))
        if problems:
            bad.extend(problems)
        else:
            good.append(record)
    return good, bad


def guess_database(fmt: str, records: Iterable[Record]) -> str | None:
    """The database/platform a file came from, from its format and tags."""
    fixed = {"medline": "PubMed", "pubmed_xml": "PubMed", "wos_tagged": "Web of Science"}
    if fmt in fixed:
        return fixed[fmt]
    votes: Counter[str] = Counter()
    for record in records:
        for key in ("DB", "DP", "database", "Source", "remote-database-name"):
            value = record.extra.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and 1 < len(item) < 60:
                    votes[item.strip()] += 1
        if record.source_id and str(record.source_id).startswith("WOS:"):
            votes["Web of Science"] += 1
    if not votes:
        return "Ovid" if fmt == "ovid_tagged" else None
    return votes.most_common(1)[0][0]


def prepare_file(path: Path, *, fmt: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> PreparedFile:
    """Read, normalise and check one file without touching the store."""
    fmt, parsed, info, data = read_file(path, fmt=fmt, max_bytes=max_bytes)
    if not parsed:
        raise ImportFormatError(info.name, f"no records found in this {READERS[fmt][1]} file")
    records, bad = check_records(parsed)
    info.database = guess_database(fmt, records)
    return PreparedFile(Path(path), info, data, records, bad)


def import_files(
    project: Project,
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
    with ThreadPoolExecutor(max_workers=1) as compressor:
        prepared = _prepare_all(
            project, paths, compressor if keep_original else None,
            fmt=fmt, database=database, search_date=search_date, search_string=search_string,
            skip_bad=skip_bad, again=again, max_bytes=max_bytes, progress=progress,
        )
        return _store_all(project, prepared, progress)


def _prepare_all(
    project: Project,
    paths: list[Path],
    compressor: ThreadPoolExecutor | None,
    *,
    fmt: str | None,
    database: str | None,
    search_date: str | None,
    search_string: str | None,
    skip_bad: bool,
    again: bool,
    max_bytes: int,
    progress: Progress | None,
) -> list[PreparedFile]:
    """Read and check every file; refuse the whole import on the first bad one."""
    prepared: list[PreparedFile] = []
    seen: dict[str, str] = {}
    for index, path in enumerate(paths):
        if progress:
            progress("read", path.name, index, len(paths))
        item = prepare_file(path, fmt=fmt, max_bytes=max_bytes)
        _refuse_repeat(project, item, seen, again)
        if item.bad and not skip_bad:
            lines = [p.describe(item.info.name) for p in item.bad]
            raise ImportRefused(
                f"{len(lines)} problem(s) in {item.info.name}; nothing imported "
                f"(fix the file, or pass --skip-bad to import the good records)",
                lines,
            )
        item.info.database = database or item.info.database
        item.info.search_date = search_date
        item.info.search_string = search_string
        if compressor is not None:  # zlib releases the GIL: compress while the next file parses
            item.compressed = compressor.submit(zlib.compress, item.data, 1)
        prepared.append(item)
    return prepared


def _store_all(project: Project, prepared: list[PreparedFile], progress: Progress | None) -> ImportReport:
    """Write every prepared file in one transaction."""
    results = []
    with project.session() as session:
        for index, item in enumerate(prepared):
            if progress:
                progress("store", item.info.name, index, len(prepared))
            compressed = item.compressed.result() if item.compressed else None
            source_id = save_source(session, item.info, item.records, item.bad, compressed)
            results.append(
                FileResult(
                    file=item.info.name,
                    format=item.info.format,
                    records=len(item.records),
                    skipped=len({p.position for p in item.bad}),
                    database=item.info.database,
                    source_id=source_id,
                    warnings=item.info.warnings,
                    skipped_problems=item.bad,
                )
            )
    if progress:
        progress("done", "", len(prepared), len(prepared))
    return ImportReport(results)


def _refuse_repeat(project: Project, item: PreparedFile, seen: dict[str, str], again: bool) -> None:
    if again:
        return
    sha = item.info.sha256
    if sha in seen:
        raise ImportRefused(f"{item.info.name}: same content as {seen[sha]} in this import; pass --again to import it twice")
    seen[sha] = item.info.name
    earlier = find_source_by_sha256(project, sha)
    if earlier is not None:
        raise ImportRefused(
            f"{item.info.name}: already imported as source {earlier.id} ({earlier.name}, "
            f"{earlier.imported_at:%Y-%m-%d %H:%M}); pass --again to import it again"
        )
