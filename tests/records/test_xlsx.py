"""Tests for the XLSX reader."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from tests.support import TESTS_DATA, manifest_counts, shared_path
from openpyxl import Workbook

from logicmap.records.encoding import load_document
from logicmap.records.formats import reader_module, tabular, xlsx
from logicmap.records.record import Document, ImportFormatError
from logicmap.records.normalise import normalise_record

LOCAL = TESTS_DATA / "formats" / "xlsx"


def workbook_bytes(*sheets: tuple[str, list[list[object]]]) -> bytes:
    """An in-memory workbook; each sheet given as (title, rows)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_bytes(data: bytes, name: str = "test.xlsx"):
    doc = Document(name=name, data=data)
    return xlsx.read(doc), doc


def test_registered_as_xlsx_reader():
    assert reader_module("xlsx") is xlsx


def test_eppi_reviewer_workbook_with_include_flags():
    records = xlsx.read(load_document(LOCAL / "cff-eppireviewer.xlsx", binary=True))
    assert len(records) == 10
    first = normalise_record(records[0])
    assert first.line == 2
    assert first.source_id == "102199191"
    assert first.title.startswith("A juvenile bird with possible crown-group affinities")
    assert first.year == 2024
    assert first.extra == {"ShortTitle": "Brownstein (2024)"}
    assert [r.label for r in records].count(1) == 8  # 'I' flags
    assert [r.label for r in records].count(0) == 2  # 'E' flags
    assert records[-1].line == 11
    assert not any(r.problems for r in records)


def test_title_row_above_header_and_row_numbers():
    data = workbook_bytes(
        ("Sheet", [["_baseline"], ["Title", "Year", "DOI"], ["A", 2001.0, "10.1234/a"], [], ["B", 2002, None]])
    )
    records, _ = read_bytes(data)
    assert [r.line for r in records] == [3, 5]
    assert records[0].fields["year"].value == "2001"
    assert normalise_record(records[0]).doi == "10.1234/a"


def test_first_sheet_with_a_header_is_read():
    data = workbook_bytes(("notes", [["read me"], ["nothing here"]]), ("data", [["title", "label_included"], ["A", 1], ["B", 0]]))
    records, _ = read_bytes(data)
    assert [r.label for r in records] == [1, 0]


def test_cell_values_become_text():
    assert xlsx.cell_to_text(None) == ""
    assert xlsx.cell_to_text(2024.0) == "2024"
    assert xlsx.cell_to_text(1.5) == "1.5"
    assert xlsx.cell_to_text(True) == "TRUE"
    assert xlsx.cell_to_text(dt.datetime(2024, 3, 4)) == "2024-03-04"
    assert xlsx.cell_to_text(dt.datetime(2024, 3, 4, 5, 6)) == "2024-03-04T05:06:00"


def test_cells_right_of_the_header_are_a_problem():
    data = workbook_bytes(("Sheet", [["Title", "Year"], ["A", 2001, "stray"]]))
    records, _ = read_bytes(data)
    assert records[0].extra["column 3"] == "stray"
    assert records[0].problems[0].line == 2


def test_duplicate_ids_and_bad_labels():
    data = workbook_bytes(("Sheet", [["id", "title", "included"], ["1", "A", "I"], ["1", "B", "?"]]))
    records, _ = read_bytes(data)
    messages = [p.message for p in records[1].problems]
    assert "duplicate record id 1 (first at line 2)" in messages
    assert any("unrecognised inclusion label '?'" in m for m in messages)


def test_no_header_raises():
    data = workbook_bytes(("Sheet", [[], ["name", "price"], ["apple", 1]]))
    with pytest.raises(ImportFormatError) as info:
        read_bytes(data, "fruit.xlsx")
    assert info.value.line == 2
    assert "no title/abstract column found in the header (columns: name, price)" in str(info.value)


def test_not_a_workbook_raises():
    with pytest.raises(ImportFormatError, match="not a readable XLSX workbook"):
        read_bytes(b"PK\x03\x04 broken zip", "broken.xlsx")


# --- shared files --------------------------------------------------------------------

SHARED_XLSX = sorted(path for path in manifest_counts() if path.startswith("formats/xlsx/"))


@pytest.mark.parametrize("relative", SHARED_XLSX)
def test_shared_file_record_count(relative):
    records = xlsx.read(load_document(shared_path(relative), binary=True))
    assert len(records) == manifest_counts()[relative]
    assert not [p for r in records for p in r.problems]


#: path -> (record index, sheet row, title start, DOI, first two authors, year)
SPOT_CHECKS = {
    "formats/xlsx/cff-lens_baseline.xlsx": (0, 3, "The Value of Radiologic Interventions", "10.1007/s11307-012-0572-0", ["Blomberg, Björn A.", "Moghbel, Mateen"], 2012),
    # MANIFEST says "header on row 3 after dropping empty rows"; in the sheet it is row 4
    "formats/xlsx/cff-embase.xlsx": (0, 5, "Cellular structure of dinosaur scales", "10.1038/s41467-024-48400-3", ["Yang, Z.", "Jiang, B."], 2024),
    "formats/xlsx/cff-eppireviewer.xlsx": (9, 11, "Erratum: Correction: A juvenile bird", None, [], 2024),
}


@pytest.mark.parametrize("relative", sorted(SPOT_CHECKS))
def test_shared_file_spot_check(relative):
    index, line, title, doi, authors, year = SPOT_CHECKS[relative]
    rec = normalise_record(xlsx.read(load_document(shared_path(relative), binary=True))[index])
    assert rec.line == line
    assert rec.title.startswith(title)
    assert rec.doi == doi
    assert rec.authors[: len(authors)] == authors
    assert rec.year == year


def test_lens_baseline_same_dois_in_csv_tsv_and_xlsx():
    dois = {}
    for relative in ("formats/csv/cff-lens_baseline.csv", "formats/tsv/cff-lens_baseline.tsv"):
        dois[relative] = [normalise_record(r).doi for r in tabular.read(load_document(shared_path(relative)))]
    relative = "formats/xlsx/cff-lens_baseline.xlsx"
    dois[relative] = [
        normalise_record(r).doi for r in xlsx.read(load_document(shared_path(relative), binary=True))
    ]
    csv_dois, tsv_dois, xlsx_dois = dois.values()
    assert len(csv_dois) == 100 and None not in csv_dois and len(set(csv_dois)) == 100
    assert csv_dois == tsv_dois == xlsx_dois


@pytest.mark.parametrize("stem", ["cff-embase", "cff-lens_baseline"])
def test_xlsx_gives_the_same_records_as_the_csv_export(stem):
    book = load_document(shared_path(f"formats/xlsx/{stem}.xlsx"), binary=True)
    text = load_document(shared_path(f"formats/csv/{stem}.csv"))
    from_xlsx = [normalise_record(r).values() for r in xlsx.read(book)]
    from_csv = [normalise_record(r).values() for r in tabular.read(text)]
    assert from_xlsx == from_csv
