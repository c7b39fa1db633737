"""RIS reader and writer.

Reading applies rispy's tag-line rule (``RisParser.parse_line``) but assembles
records itself, because rispy 0.10's record assembly silently drops
the first record of a file with a byte-order mark, a truncated last record and
repeated title tags, and it does not keep line numbers. Here every record keeps
the line of its ``TY`` tag and every value the line it starts on and its tag.

Tolerated dialect quirks: text outside records (Ovid's ``1.`` numbering and
``Link to the Ovid Full Text`` lines, Cochrane's ``Record #3 of 18`` headers),
``ER  -`` without a trailing space, Cochrane's two spaces after the dash, blank
lines inside records (Citavi), untagged continuation lines (wrapped text; one
keyword per line after a single ``KW`` in Rayyan/EndNote exports).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from logicmap.records.formats.ris_tags import (
    SPLIT_CONTINUATION_TAGS,
    Entry,
    map_entries,
    split_line,
)
from logicmap.records.record import Document, ImportFormatError, ParsedRecord, Record

TRUNCATED = "truncated record: no ER line before end of file"
UNTERMINATED = "record has no ER line before the next TY line (line {line})"


class _Chunk:
    """The entries of one record while it is being read."""

    __slots__ = ("line", "entries", "problems")

    def __init__(self, line: int) -> None:
        self.line = line
        self.entries: list[Entry] = []
        self.problems: list[str] = []

    def continue_last(self, text: str, line: int) -> None:
        """An untagged line: another value of a list tag, else wrapped text."""
        last = self.entries[-1]
        if last.tag in SPLIT_CONTINUATION_TAGS:
            self.entries.append(Entry(last.tag, text, line))
        elif last.value:
            last.value = f"{last.value}\n{text}"
        else:
            last.value = text


def read(doc: Document) -> list[ParsedRecord]:
    """Read every RIS record of ``doc`` (``TY`` to ``ER``) into parsed records.

    A record cut off at the end of the file is kept with a problem so the import
    can refuse or skip it. Raises :class:`ImportFormatError` when the document
    holds no ``TY`` line at all.
    """
    return list(iter_read(doc))


def iter_read(doc: Document) -> Iterator[ParsedRecord]:
    """Like :func:`read`, one record at a time (memory stays flat on huge files)."""
    position = 0
    for parsed in parse_lines(doc.iter_line_lists()):
        position = parsed.position
        yield parsed
    if position == 0:
        raise ImportFormatError(doc.name, NO_RECORDS, line=1)


NO_RECORDS = "no RIS records found (no 'TY  - ' line)"


def parse_lines(line_lists: Iterable[list[str]], first_line: int = 1) -> Iterator[ParsedRecord]:
    """The records of consecutive lists of lines, the first line numbered ``first_line``.

    Positions count from 1 in what is given: a part of a file cut just after an
    ``ER`` line reads as it would in the whole file, but for its positions.
    """
    position = 0
    for chunk in _chunks(line_lists, first_line):
        position += 1
        parsed = ParsedRecord(position=position, line=chunk.line)
        map_entries(chunk.entries, parsed)
        for message in chunk.problems:
            parsed.problem(None, message)
        yield parsed


def _chunks(line_lists: Iterable[list[str]], first_line: int = 1) -> Iterator[_Chunk]:
    """Group lines (given in consecutive lists) into records; lines outside ``TY``..``ER`` are ignored.

    The common two-letter tag line is split inline (this loop runs once per line
    of the file); :func:`split_line` handles everything else with the same rule.
    After an ``ER`` line no record is open, whatever came before: the file can be
    cut there and its parts read apart.
    """
    current: _Chunk | None = None
    entries: list[Entry] = []
    done = first_line - 1
    for lines in line_lists:
        for number, line in enumerate(lines, done + 1):
            tag = line[:2]
            if line[2:5] == "  -" and tag.isupper() and tag[0].isalpha():
                value = line[6:].strip()
            else:
                tag, value = split_line(line)
            if tag is None:
                if value and current is not None:
                    current.continue_last(value, number)
            elif tag == "TY":
                if current is not None:
                    current.problems.append(UNTERMINATED.format(line=number))
                    yield current
                current = _Chunk(number)
                entries = current.entries
                entries.append(Entry(tag, value, number))
            elif current is None:
                continue
            elif tag == "ER":
                yield current
                current = None
            else:
                entries.append(Entry(tag, value, number))
        done += len(lines)
    if current is not None:
        current.problems.append(TRUNCATED)
        yield current


# --------------------------------------------------------------------- writer


def _one_line(value: object) -> str:
    """A value on one line (RIS values cannot hold line breaks)."""
    return " ".join(str(value).split())


def _split_pages(pages: str) -> tuple[str, str | None]:
    """``"12-19"`` -> ``("12", "19")``; a single page (or ``"22-22"``) stays in SP.

    The reader joins SP and EP with a hyphen unless they are equal, so this split
    reads back to the same pages value.
    """
    start, dash, end = pages.partition("-")
    if dash and start and end and start != end:
        return start, end
    return pages, None


def record_lines(record: Record) -> list[tuple[str, str]]:
    """The ``(tag, value)`` pairs of one record in standard RIS order."""
    pairs: list[tuple[str, object]] = [("TY", record.type or "GEN"), ("TI", record.title)]
    pairs += [("AU", author) for author in record.authors]
    pairs += [("PY", record.year), ("T2", record.journal), ("JO", record.journal),
              ("VL", record.volume), ("IS", record.issue)]
    if record.pages:
        start, end = _split_pages(_one_line(record.pages))
        pairs += [("SP", start), ("EP", end)]
    pairs += [("DO", record.doi),
              ("U1", f"{record.pmid} [PMID]" if record.pmid else None),
              ("SN", record.issn), ("SN", record.isbn)]
    pairs += [("KW", keyword) for keyword in record.keywords]
    pairs += [("LA", record.language), ("UR", record.url), ("AB", record.abstract),
              ("ID", record.source_id)]
    out = [(tag, _one_line(value)) for tag, value in pairs if value not in (None, "")]
    return [(tag, value) for tag, value in out if value]


def write(records: Iterable[Record], fh: TextIO) -> int:
    """Write records as standard RIS to ``fh``; returns the number written.

    The PMID goes into ``U1`` as ``"<pmid> [PMID]"`` (the Dimensions convention
    the reader maps back to ``pmid``), the source id into ``ID``, and a record
    without a type is written as ``TY  - GEN``.
    """
    count = 0
    for record in records:
        for tag, value in record_lines(record):
            fh.write(f"{tag}  - {value}\n")
        fh.write("ER  - \n\n")
        count += 1
    return count
