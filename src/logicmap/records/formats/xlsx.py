"""Excel XLSX reader (openpyxl, read-only mode).

The first worksheet with a recognisable bibliographic header row is read. Title
rows and search-query preambles above the header (Lens.org's ``_baseline`` row,
Embase's ``SEARCH QUERY`` rows) are skipped as in the delimited-text reader, with
which the column mapping is shared (:mod:`logicmap.records.formats.columns`).
``line`` is the spreadsheet row number.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence

from logicmap.records.formats.columns import (
    ColumnMap,
    DuplicateIds,
    build_column_map,
    describe_columns,
    finish_labels,
    paused_gc,
    header_score,
    record_from_row,
)
from logicmap.records.record import Document, ImportFormatError, ParsedRecord

#: Rows searched for the header on each sheet.
MAX_PREAMBLE_ROWS = 30


def cell_to_text(value: object) -> str:
    """A cell value as the text a user sees (``2024.0`` -> ``"2024"``, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open_workbook(doc: Document, *, data_only: bool = True):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(doc.data), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ImportFormatError(doc.name, f"not a readable XLSX workbook: {exc}") from exc


def _sheet_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row number, cell texts)`` for every row of a worksheet."""
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [cell_to_text(v) for v in values]


def read(doc: Document) -> list[ParsedRecord]:
    """Read the first worksheet holding bibliographic records."""
    workbook = _open_workbook(doc)
    try:
        first_row: tuple[int | None, list[str]] = (None, [])
        for sheet in workbook.worksheets:
            rows = _sheet_rows(sheet)
            found = _find_header(rows)
            if isinstance(found, ColumnMap):
                empty: dict[int, set[int]] = {}
                records = _read_body(doc, found, rows, empty)
                _flag_unsaved_formulas(doc, workbook.worksheets.index(sheet), records, found, empty)
                return records
            if found[1] and not first_row[1]:
                first_row = found
        line, cells = first_row
        raise ImportFormatError(
            doc.name,
            f"no title/abstract column found in the header (columns: {describe_columns(cells)})",
            line=line,
        )
    finally:
        workbook.close()


def _flag_unsaved_formulas(doc: Document, sheet_index: int, records: list[ParsedRecord], cmap: ColumnMap,
                           empty: dict[int, set[int]]) -> None:
    """Make a record bad where a cell holds a formula without a saved value.

    openpyxl reads such a cell as empty (a workbook written by a program, never
    opened in Excel), so the title or abstract would be stored empty without a word.
    """
    by_row = {r.line: r for r in records}
    if not any(empty.values()):
        return
    workbook = _open_workbook(doc, data_only=False)
    try:
        sheet = workbook.worksheets[sheet_index]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            record = by_row.get(number)
            if record is None:
                continue
            for index, value in enumerate(values[: len(cmap.names)]):
                if isinstance(value, str) and value.startswith("=") and index in empty.get(number, ()):
                    record.problem(
                        None, f"row {number}: column {cmap.names[index]!r} holds a formula with no saved value "
                        f"({value[:40]}); open and save the file in a spreadsheet program, or paste values")
    finally:
        workbook.close()


def _find_header(rows: Iterator[tuple[int, list[str]]]) -> ColumnMap | tuple[int | None, list[str]]:
    """The header's column map, or ``(row, cells)`` of the first non-empty row when none."""
    first: tuple[int | None, list[str]] = (None, [])
    for count, (number, cells) in enumerate(rows):
        if count >= MAX_PREAMBLE_ROWS:
            break
        if not any(c.strip() for c in cells):
            continue
        if first[0] is None:
            first = (number, cells)
        if header_score(cells):
            return build_column_map(_trim(cells))
    return first


def _trim(cells: Sequence[str]) -> list[str]:
    """Drop empty trailing cells (sheets report a used range wider than the header)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return list(cells[:end])


def _read_body(
    doc: Document, cmap: ColumnMap, rows: Iterator[tuple[int, list[str]]], empty: dict[int, set[int]]
) -> list[ParsedRecord]:
    """Records from the rows below the header; filled cells beyond it are a problem.

    ``empty`` receives, per row, the header columns whose cells read as empty.
    """
    records: list[ParsedRecord] = []
    ids = DuplicateIds()
    width = len(cmap.names)
    with paused_gc():
        for number, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            record = record_from_row(cells, cmap, len(records) + 1, number)
            empty[number] = {i for i in range(min(width, len(cells))) if not cells[i].strip()}
            surplus = [i for i in range(width, len(cells)) if cells[i].strip()]
            if surplus:
                for index in surplus:
                    record.extra[f"column {index + 1}"] = cells[index]
                record.problem(
                    None,
                    f"row {number}: {len(surplus)} filled cell(s) right of the last header column",
                )
            ids.check(record)
            records.append(record)
    finish_labels(records, cmap, doc)
    return records
