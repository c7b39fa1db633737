"""Delimited text (CSV/TSV) reader and ASReview-compatible CSV writer.

Reads comma-, semicolon-, tab- and pipe-delimited exports: Scopus, Zotero, Embase
(with its ``SEARCH QUERY`` preamble, also as re-saved by Excel with ``;``), PubMed,
Lens.org, RefWorks, Rayyan, Covidence, Cochrane, CINAHL, Google Scholar, OpenAlex,
Abstrackr, Web of Science tab-delimited (two-letter column codes) and ASReview
datasets with inclusion labels. The delimiter is the one under which an early row
is recognised as a bibliographic header (a title or abstract column), which also
skips any preamble above the header. Column mapping lives in
:mod:`logicmap.records.formats.columns` and is shared with the XLSX reader.

Line numbers are those of the decoded text; a record spanning several lines
(quoted cells with line breaks) starts at the line where its row begins.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TextIO

from logicmap.records.formats.columns import (
    ColumnMap,
    DuplicateIds,
    build_column_map,
    describe_columns,
    finish_labels,
    paused_gc,
    header_score,
    record_from_row,
    split_authors,
    split_keywords,
)
from logicmap.records.record import Document, ImportFormatError, ParsedRecord, Record
from logicmap.safe_text import SafeCsvWriter, from_spreadsheet_cell

DELIMITERS = ("\t", ",", ";", "|")
#: Rows searched for the header (preambles are a few lines long).
MAX_PREAMBLE_ROWS = 30
_SAMPLE_CHARS = 256 * 1024
_FIELD_LIMIT = 1 << 30

#: Columns of the written CSV, in order (``label_included`` is appended when used).
WRITE_COLUMNS = (
    "record_id", "title", "abstract", "authors", "year", "journal", "volume", "issue",
    "pages", "doi", "pmid", "isbn", "issn", "keywords", "language", "type", "url",
)
LABEL_COLUMN = "label_included"


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(start line, cells)`` for every row, blank lines included (as ``[]``)."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    previous = 0
    for cells in reader:
        yield previous + 1, cells
        previous = reader.line_num


def _header_candidate(text: str, delimiter: str) -> tuple[int, int, list[str]] | None:
    """``(score, row index, cells)`` of the first recognisable header row, or None."""
    try:
        for index, (_, cells) in enumerate(_rows(text, delimiter)):
            if index >= MAX_PREAMBLE_ROWS:
                return None
            score = header_score(cells)
            if score:
                return score, index, cells
    except csv.Error:
        return None
    return None


def detect_layout(doc: Document) -> tuple[str, int]:
    """The delimiter and the 0-based row index of the header row.

    Raises :class:`ImportFormatError` when no row near the top has a title or
    abstract column under any delimiter.
    """
    text = doc.text or ""
    sample = text[:_SAMPLE_CHARS]
    best: tuple[int, int, str] | None = None
    for delimiter in DELIMITERS:
        found = _header_candidate(sample, delimiter)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], found[1], delimiter)
    if best is None:
        line, cells = _first_nonblank_row(sample)
        raise ImportFormatError(
            doc.name,
            f"no title/abstract column found in the header (columns: {describe_columns(cells)})",
            line=line,
        )
    return best[2], best[1]


def _first_nonblank_row(text: str) -> tuple[int | None, list[str]]:
    widest: tuple[int | None, list[str]] = (None, [])
    for delimiter in DELIMITERS:
        try:
            for line, cells in _rows(text, delimiter):
                if any(c.strip() for c in cells):
                    if len(cells) > len(widest[1]):
                        widest = (line, cells)
                    break
        except csv.Error:
            continue
    return widest


def read(doc: Document) -> list[ParsedRecord]:
    """Read a delimited-text export into parsed records (one per data row)."""
    if doc.text is None:
        raise ImportFormatError(doc.name, "binary file, not delimited text")
    delimiter, header_index = detect_layout(doc)
    rows = _rows(doc.text, delimiter)
    try:
        for index, (line, cells) in enumerate(rows):
            if index == header_index:
                return _read_body(doc, build_column_map(cells), rows)
    except csv.Error as exc:
        raise ImportFormatError(doc.name, f"malformed delimited text: {exc}") from exc
    return []


def _is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _read_body(
    doc: Document, cmap: ColumnMap, rows: Iterator[tuple[int, list[str]]]
) -> list[ParsedRecord]:
    """Turn the rows after the header into records, checking row widths and ids."""
    records: list[ParsedRecord] = []
    ids = DuplicateIds()
    header_width = len(cmap.names)
    width: int | None = header_width
    with paused_gc():
        for line, cells in rows:
            if _is_blank(cells):
                continue
            if len(cells) == 1 and header_width > 1:
                # A lone text line between rows separates sections (Abstrackr writes
                # "citations that are not yet labeled by anyone" before narrower rows).
                doc.warnings.append(
                    f"{doc.name}: line {line}: skipped non-record line {cells[0][:80]!r}"
                )
                width = None
                continue
            if width is None:
                width = min(len(cells), header_width)
            cells = [from_spreadsheet_cell(c) for c in cells]
            record = record_from_row(cells, cmap, len(records) + 1, line)
            if len(cells) != width:
                _note_ragged(record, cells, cmap, width)
            ids.check(record)
            records.append(record)
    finish_labels(records, cmap, doc)
    return records


def _note_ragged(record: ParsedRecord, cells: list[str], cmap: ColumnMap, width: int) -> None:
    """Flag a row whose cell count differs from the header; keep surplus cells as extra."""
    for index in range(len(cmap.names), len(cells)):
        if cells[index].strip():
            record.extra[f"column {index + 1}"] = cells[index]
    record.problem(
        None,
        f"line {record.line}: row has {len(cells)} cells but the header has {width} "
        "(ragged row: a stray delimiter or quote?)",
    )


def _joined(values: list[str], splitter) -> str:
    """Join list values with ``"; "`` so that ``splitter`` gives them back.

    A single value that the reader would split further (``"Liu R., Adler D."`` as
    one name) gets a trailing ``;``, which forces a plain ``;`` split on reading.
    """
    text = "; ".join(values)
    if text and splitter(text) != values:
        text += ";"
    return text


def _row(record: Record, with_label: bool) -> list[str]:
    values = record.values()
    row = [record.source_id or ""]
    for name in WRITE_COLUMNS[1:]:
        value = values[name]
        if name == "authors":
            row.append(_joined(value, split_authors))
        elif name == "keywords":
            row.append(_joined(value, split_keywords))
        else:
            row.append("" if value is None else str(value))
    if with_label:
        row.append("" if record.label is None else str(record.label))
    return row


def write(records: Iterable[Record], fh: TextIO) -> int:
    """Write records as an ASReview-compatible CSV; returns the number written.

    Columns are :data:`WRITE_COLUMNS` plus ``label_included`` when any record has
    a label. Formula-like values (``=``, ``+``, ``-``, ``@`` ...) get a leading
    apostrophe so a spreadsheet shows them as text; the reader removes it again. Authors and keywords are joined with ``"; "``. Limits: a value that is
    exactly a missing-value marker (``NA``, ``null``, ``None``) reads back as empty.
    """
    records = list(records)
    with_label = any(r.label is not None for r in records)
    writer = SafeCsvWriter(fh, lineterminator="\n")
    writer.writerow(list(WRITE_COLUMNS) + ([LABEL_COLUMN] if with_label else []))
    for record in records:
        writer.writerow(_row(record, with_label))
    return len(records)
