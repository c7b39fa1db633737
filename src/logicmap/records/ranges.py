"""A large RIS file read in parts: cut at record ends, each part parsed, checked and flattened apart.

After an ``ER`` line no record is open whatever came before, so a RIS file cut
just after ``ER`` lines reads part by part exactly as it reads whole, except
that positions count from each part's start and a record id seen in one part
may repeat in another. :func:`record_ranges` cuts the file (in the importing
process), :func:`read_range` reads one part (in a worker process: see
:mod:`logicmap.records.range_worker`) into flat records (:mod:`logicmap.records.rows`),
and :class:`~logicmap.records.intake.FlatBatches` puts the parts back together
in order (file positions, record ids repeated across parts, the database guess).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

from logicmap.records.formats.ris import parse_lines
from logicmap.records.normalise import check_record, normalise_record
from logicmap.records.reading import OpenedFile, record_votes
from logicmap.records.record import RecordProblem, unify_line_ends
from logicmap.records.rows import flat_record

#: Bytes of a file per part (a part ends at the first record end after this many bytes).
RANGE_BYTES = 4 * 2**20
#: Files smaller than this are read in the importing process (starting workers costs more).
MIN_BYTES = 24 * 2**20
#: Worker processes reading a file's parts while the importing process stores records.
WORKERS = 2


class RangeJob(NamedTuple):
    """One part of a file: bytes ``start``..``end``, its first line's number, whether it starts the text."""

    path: str
    encoding: str
    start: int
    end: int
    line: int
    first: bool
    votes: bool = False


@dataclass
class RangeResult:
    """A part's records in order: the flat record of each good one (None for a bad one).

    ``bad`` maps the index of each bad record to ``(source id, line, the reader's
    problems, the check's reasons)``; ``votes`` holds each record's database votes
    (:func:`~logicmap.records.reading.record_votes`) when the job asked for them.
    """

    rows: list[tuple | None] = field(default_factory=list)
    bad: dict[int, tuple[str | None, int | None, list[RecordProblem], tuple[str, ...]]] = field(default_factory=dict)
    votes: list[tuple[str, ...]] | None = None


def can_read_in_ranges(opened: OpenedFile) -> bool:
    """True for a streamed UTF-8 RIS file large enough to be worth reading in parts."""
    doc = opened.doc
    return (opened.format == "ris" and doc.streamed and doc.encoding == "utf-8"
            and opened.info.size_bytes >= MIN_BYTES)


def record_ranges(opened: OpenedFile, size: int | None = None) -> Iterator[RangeJob]:
    """The file cut into parts of about ``size`` bytes (:data:`RANGE_BYTES`), each ending just after an ``ER`` line."""
    size = size or RANGE_BYTES
    doc = opened.doc
    path, encoding = str(doc.path), doc.encoding or "utf-8"
    start, line, pending = doc.bom_length, 1, b""
    with Path(path).open("rb") as fh:
        fh.seek(start)
        while True:
            block = fh.read(size)
            data = pending + block if pending else block
            cut = _after_last_end(data) if block else len(data)
            if cut is None:
                pending = data
                continue
            if cut:
                yield RangeJob(path, encoding, start, start + cut, line, start == doc.bom_length)
            if not block:
                return
            line += _line_breaks(data, cut)
            start, pending = start + cut, data[cut:]


def _after_last_end(data: bytes) -> int | None:
    """The offset just after the last whole ``ER`` line of ``data`` (None if it has none).

    The ``ER`` line must hold no bare carriage return (that would end the line
    early), so that the cut falls exactly at a line break of the text.
    """
    stop = len(data)
    while (found := data.rfind(b"\nER  -", 0, stop)) >= 0:
        end = data.find(b"\n", found + 1)
        if end >= 0 and data.find(b"\r", found + 1, end - 1) < 0:
            return end + 1
        stop = found
    return None


def _line_breaks(data: bytes, stop: int) -> int:
    """Line breaks (LF, CRLF or a bare CR) in ``data[:stop]``; ``stop`` is never inside a CRLF."""
    breaks = data.count(b"\n", 0, stop)
    if data.find(b"\r", 0, stop) >= 0:
        breaks += data.count(b"\r", 0, stop) - data.count(b"\r\n", 0, stop)
    return breaks


def read_range(job: RangeJob) -> RangeResult:
    """Parse, normalise, check and flatten the records of one part of a file."""
    with Path(job.path).open("rb") as fh:
        fh.seek(job.start)
        text = fh.read(job.end - job.start).decode(job.encoding)
    if job.first:
        text = text.lstrip("\ufeff")
    result = RangeResult(votes=[] if job.votes else None)
    rows, bad, votes = result.rows, result.bad, result.votes
    for index, parsed in enumerate(parse_lines([unify_line_ends(text).split("\n")], job.line)):
        record = normalise_record(parsed)
        reasons = () if parsed.problems else tuple(check_record(record))
        if parsed.problems or reasons:
            rows.append(None)
            bad[index] = (parsed.source_id, parsed.line, parsed.problems, reasons)
        else:
            rows.append(flat_record(record))
        if votes is not None:
            votes.append(record_votes(record))
    return result
