"""Reading one export file: size and format checks, decoding, parsing, checking.

Nothing here touches the project store; :mod:`logicmap.records.intake` batches
the checked records and the records stage streams them into the store.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from logicmap.records.detect import detect_format
from logicmap.records.encoding import binary_kind, document_from_bytes, scan_utf8_file
from logicmap.records.formats import BINARY_FORMATS, READERS, reader_module
from logicmap.records.record import Document, ImportFormatError, ParsedRecord, Record, RecordProblem
from logicmap.records.normalise import check_record, normalise_record
from logicmap.records.source import SourceInfo

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
#: Records looked at to guess which database a file came from.
_GUESS_SAMPLE = 500


def human_size(size: int) -> str:
    """A byte count as ``"1.2 MB"`` / ``"340 KB"``."""
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


@dataclass
class OpenedFile:
    """A file decoded and recognised, ready to parse."""

    path: Path
    format: str
    doc: Document
    info: SourceInfo


def open_file(path: Path | str, *, fmt: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> OpenedFile:
    """Check size, recognise the format and the encoding, checksum the bytes.

    A UTF-8 text file is scanned block by block and left on disk (its document is
    streamed); any other file is read whole and decoded.
    """
    path = Path(path)
    name = path.name
    if path.is_dir():
        raise ImportFormatError(str(path), "is a directory, not a file")
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ImportFormatError(str(path), "file not found") from exc
    if size > max_bytes:
        raise ImportFormatError(
            name,
            f"file is {human_size(size)}, over the {human_size(max_bytes)} limit",
            hint="split the export, or raise the limit with --max-size",
        )
    if fmt is not None and fmt not in READERS:
        raise ImportFormatError(name, f"unknown format {fmt!r}; known: {', '.join(READERS)}")
    scanned = None if fmt in BINARY_FORMATS else scan_utf8_file(path)
    if scanned is not None:
        doc = Document(name=name, data=None, encoding="utf-8", path=path, bom_length=scanned.bom_length)
        fmt = fmt or detect_format(scanned.head, doc.head(), name)
        sha256, size = scanned.sha256, scanned.size
    else:
        data = path.read_bytes()
        doc, fmt = _read_whole(path, data, fmt)
        sha256, size = hashlib.sha256(data).hexdigest(), len(data)
    info = SourceInfo(
        name=name, sha256=sha256, format=fmt, size_bytes=size, encoding=doc.encoding, warnings=list(doc.warnings),
    )
    return OpenedFile(path, fmt, doc, info)


def _read_whole(path: Path, data: bytes, fmt: str | None) -> tuple[Document, str]:
    """A file that cannot be streamed (binary, UTF-16, not UTF-8): its document and format."""
    name = path.name
    binary = fmt in BINARY_FORMATS or binary_kind(data) is not None
    doc = document_from_bytes(data, name, path=path, binary=binary)
    fmt = fmt or detect_format(data, doc.head(), name)
    if fmt in BINARY_FORMATS and doc.encoding is not None:
        doc = document_from_bytes(data, name, path=path, binary=True)
    elif fmt not in BINARY_FORMATS and doc.encoding is None:
        raise ImportFormatError(name, f"{binary_kind(data)}, not a {READERS[fmt][1]} file", line=1)
    return doc, fmt


def iter_parsed(opened: OpenedFile) -> Iterator[ParsedRecord]:
    """The file's records as the reader finds them (streamed where the reader can)."""
    module = reader_module(opened.format)
    reader = getattr(module, "iter_read", None) or module.read
    count = 0
    for parsed in reader(opened.doc):
        count += 1
        yield parsed
    if count == 0:
        raise ImportFormatError(opened.info.name, f"no records found in this {READERS[opened.format][1]} file")


def iter_checked(parsed: Iterable[ParsedRecord]) -> Iterator[tuple[Record, list[RecordProblem]]]:
    """Normalise each record and list its problems (empty for a good record)."""
    first_seen: dict[str, int | None] = {}
    for item in parsed:
        problems = list(item.problems)
        note_record_id(first_seen, item.position, item.line, item.source_id, problems)
        record = normalise_record(item)
        if not problems:
            problems = [
                RecordProblem(item.position, item.line, None, reason, item.source_id)
                for reason in check_record(record)
            ]
        yield record, problems


def note_record_id(first_seen: dict[str, int | None], position: int, line: int | None, source_id: str | None,
                   problems: list[RecordProblem]) -> None:
    """Add to ``problems`` the repeat of ``source_id`` seen before in the file (unless a duplicate
    is among them already) and remember the line where each id was first seen."""
    if not source_id:
        return
    if source_id in first_seen and not any("duplicate" in p.message for p in problems):
        message = f"duplicate record id {source_id!r} (first at line {first_seen[source_id]})"
        problems.append(RecordProblem(position, line, "id", message, source_id))
    first_seen.setdefault(source_id, line)


def check_records(parsed: Iterable[ParsedRecord]) -> tuple[list[Record], list[RecordProblem]]:
    """Normalise records; return the good ones and the problems of the bad ones."""
    good: list[Record] = []
    bad: list[RecordProblem] = []
    for record, problems in iter_checked(parsed):
        if problems:
            bad.extend(problems)
        else:
            good.append(record)
    return good, bad


class DatabaseGuess:
    """Votes for the database/platform a file came from, from its records' tags."""

    _FIXED = {"medline": "PubMed", "pubmed_xml": "PubMed", "wos_tagged": "Web of Science"}
    _KEYS = ("DB", "DP", "database", "Source", "remote-database-name")

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.votes: Counter[str] = Counter()
        self.seen = 0

    @property
    def wants_more(self) -> bool:
        """False once enough records were looked at (or the format alone tells)."""
        return self.seen < _GUESS_SAMPLE and self.fmt not in self._FIXED

    def add(self, record: Record) -> None:
        """Count one record's hints (only the first few hundred are looked at)."""
        if self.wants_more:
            self.add_votes(record_votes(record))

    def add_votes(self, votes: tuple[str, ...]) -> None:
        """Count one record's hints given as :func:`record_votes` (only the first few hundred count)."""
        if self.wants_more:
            self.seen += 1
            self.votes.update(votes)

    def result(self) -> str | None:
        """The best guess, or None."""
        if self.fmt in self._FIXED:
            return self._FIXED[self.fmt]
        if not self.votes:
            return "Ovid" if self.fmt == "ovid_tagged" else None
        return self.votes.most_common(1)[0][0]


def record_votes(record: Record) -> tuple[str, ...]:
    """The database names a record's tags vote for (its ``DB``/``DP``/... values; WoS ids)."""
    votes = []
    for key in DatabaseGuess._KEYS:
        value = record.extra.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and 1 < len(item) < 60:
                votes.append(item.strip())
    if record.source_id and str(record.source_id).startswith("WOS:"):
        votes.append("Web of Science")
    return tuple(votes)


def guess_database(fmt: str, records: Iterable[Record]) -> str | None:
    """The database/platform a file came from, from its format and tags."""
    guess = DatabaseGuess(fmt)
    for record in records:
        guess.add(record)
    return guess.result()


@dataclass
class PreparedFile:
    """A file read and checked in memory (for tools and tests; imports stream)."""

    path: Path
    info: SourceInfo
    records: list[Record]
    bad: list[RecordProblem]


def prepare_file(path: Path | str, *, fmt: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> PreparedFile:
    """Read, normalise and check one file without touching the store."""
    opened = open_file(path, fmt=fmt, max_bytes=max_bytes)
    records, bad = check_records(iter_parsed(opened))
    opened.info.database = guess_database(opened.format, records)
    return PreparedFile(opened.path, opened.info, records, bad)
