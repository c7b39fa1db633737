"""Importing into a real project (``review.records``): transactions, skip reports, bad input."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from sqlalchemy import select

from logicmap.api import ImportFormatError, ImportRefused, Review
from logicmap.store import open_store
from logicmap.store.tables import RecordRow, SourceFile

GOOD_RIS = (
    "TY  - JOUR\nID  - r1\nTI  - Peer support and personal recovery\nAU  - Cook, Judith A.\n"
    "PY  - 2012\nDO  - https://doi.org/10.1176/APPI.PS.201100125\nER  - \n\n"
    "TY  - JOUR\nID  - r2\nTI  - Recovery colleges: a pilot\nAU  - Perkins, Rachel\nPY  - 2018\nER  - \n"
)
BAD_SECOND_RECORD = (
    "TY  - JOUR\nID  - a\nTI  - First good record\nER  - \n\n"
    "TY  - JOUR\nID  - b\nPY  - 2011\nER  - \n\n"
    "TY  - JOUR\nID  - c\nTI  - Third good record\nER  - \n"
)


@pytest.fixture
def project(project_location):
    with Review.create(project_location) as review:
        yield review.records


@pytest.fixture
def store(project_location, project):
    """The same project's store, to look at the rows an import wrote."""
    with open_store(project_location) as store:
        yield store


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_import_stores_records_provenance_and_original(project, store, tmp_path):
    path = write(tmp_path, "search.ris", GOOD_RIS)
    report = project.import_files([path], database="PubMed", search_date="2024-05-01")
    assert report.to_json() == {"files": [{"file": "search.ris", "format": "ris", "records": 2, "skipped": 0}], "records": 2}
    (source,) = project.sources()
    assert (source.database, source.search_date, source.records) == ("PubMed", "2024-05-01", 2)
    with store.session() as session:
        row = session.scalars(select(RecordRow).order_by(RecordRow.id)).first()
        assert row.doi == "10.1176/appi.ps.201100125"
        assert row.authors == ["Cook, Judith A."]
        assert (row.year, row.line, row.source_record_id) == (2012, 1, "r1")
        parts = session.scalars(select(SourceFile).where(SourceFile.source_id == source.id)).all()
        assert zlib.decompress(b"".join(p.compressed for p in parts)) == GOOD_RIS.encode()
        provenance = project.provenance(row.id)
    assert provenance["doi"] == ("search.ris", "DO", 6, "https://doi.org/10.1176/APPI.PS.201100125")
    assert provenance["title"][2] == 3


def test_bad_record_refuses_whole_import(project, tmp_path):
    good = write(tmp_path, "good.ris", GOOD_RIS)
    bad = write(tmp_path, "bad.ris", BAD_SECOND_RECORD)
    with pytest.raises(ImportRefused) as refused:
        project.import_files([good, bad])
    assert "bad.ris, line 6, record 2, id b" in refused.value.problems[0]
    assert "no title, abstract, DOI or PMID" in refused.value.problems[0]
    assert project.count() == 0 and project.sources() == []


def test_skip_bad_imports_good_records_and_reports_each_skipped(project, tmp_path):
    bad = write(tmp_path, "bad.ris", BAD_SECOND_RECORD)
    report = project.import_files([bad], skip_bad=True)
    assert report.to_json()["files"][0] == {"file": "bad.ris", "format": "ris", "records": 2, "skipped": 1}
    (skipped,) = project.skipped()
    assert (skipped.position, skipped.line, skipped.source_record_id) == (2, 6, "b")
    assert project.count() == 2


def test_reimport_of_same_file_needs_again(project, tmp_path):
    path = write(tmp_path, "search.ris", GOOD_RIS)
    project.import_files([path])
    copy = write(tmp_path, "renamed.ris", GOOD_RIS)
    with pytest.raises(ImportRefused, match="already imported as source 1 ") as refused:
        project.import_files([copy])
    assert refused.value.reason == "imported_before"
    project.import_files([copy], again=True)
    assert project.count() == 4


def test_duplicate_record_ids_are_reported(project, tmp_path):
    content = GOOD_RIS.replace("ID  - r2", "ID  - r1")
    path = write(tmp_path, "dupes.ris", content)
    with pytest.raises(ImportRefused) as refused:
        project.import_files([path])
    assert "duplicate record id 'r1' (first at line 1)" in refused.value.problems[0]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.ris", b"", "file is empty"),
        ("blank.ris", b"\n\n  \n", "file is empty"),
        ("paper.ris", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is a PDF document, not a search export"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        ("binary.ris", b"TY  - JOUR\nTI  - x\x00\x01\x02\nER  - \n", "binary content"),
        ("notes.txt", b"Just some notes about the search\nnothing else\n", "unrecognised format"),
    ],
)
def test_unreadable_files_get_clear_messages(project, tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(ImportFormatError) as error:
        project.import_files([path])
    assert message in str(error.value)
    assert str(error.value).startswith(name)
    assert project.count() == 0


def test_truncated_file_is_refused_with_line(project, tmp_path):
    truncated = GOOD_RIS + "\nTY  - JOUR\nID  - r3\nTI  - Cut off in the middle of"
    path = write(tmp_path, "cut.ris", truncated)
    with pytest.raises(ImportRefused) as refused:
        project.import_files([path])
    assert "cut.ris, line 16, record 3" in refused.value.problems[0]
    assert "truncated" in refused.value.problems[0]


def test_oversized_file_is_refused_with_hint(project, tmp_path):
    path = write(tmp_path, "huge.ris", GOOD_RIS * 2000)
    with pytest.raises(ImportFormatError, match=r"huge.ris: file is 475 KB, over the 98 KB limit .*--max-size"):
        project.import_files([path], max_bytes=100_000)


def test_missing_file_is_named(project, tmp_path):
    with pytest.raises(ImportFormatError, match="nowhere.ris: file not found"):
        project.import_files([tmp_path / "nowhere.ris"])


def test_encodings_utf16_and_latin1(project, store, tmp_path):
    text = GOOD_RIS.replace("Peer support", "Peer support in Zürich")
    utf16 = write(tmp_path, "utf16.ris", text.encode("utf-16"))
    latin = write(tmp_path, "latin.ris", text.replace("r1", "x1").replace("r2", "x2").encode("latin-1"))
    report = project.import_files([utf16, latin])
    assert report.records == 4
    assert report.files[1].warnings and "not valid UTF-8" in report.files[1].warnings[0]
    with store.session() as session:
        titles = session.scalars(select(RecordRow.title)).all()
    assert titles.count("Peer support in Zürich and personal recovery") == 2


def test_provenance_covers_every_stored_field(project, tmp_path):
    project.import_files([write(tmp_path, "s.ris", GOOD_RIS)])
    provenance = project.provenance(1)
    assert sorted(provenance) == ["authors", "doi", "title", "type", "year"]
    assert provenance["authors"] == ("s.ris", "AU", 4, ["Cook, Judith A."])
    assert provenance["year"] == ("s.ris", "PY", 5, "2012")


FORMATS = Path(__file__).parents[1] / "data" / "formats"


def test_each_file_takes_its_own_database_name_in_order(project, tmp_path):
    ris_file = write(tmp_path, "search.ris", GOOD_RIS)
    medline = FORMATS / "medline" / "biopython-pubmed_result2.txt"
    embase = FORMATS / "ris" / "asreview-embase.ris"
    project.import_files([ris_file, medline, embase], database=["PsycINFO", None, ""])
    assert [(s.file, s.database) for s in project.sources()] == [
        ("search.ris", "PsycINFO"),                   # named by the caller
        ("biopython-pubmed_result2.txt", "PubMed"),   # a PubMed format
        ("asreview-embase.ris", "Embase"),            # the commonest of the records' own DB tags
    ]


def test_a_file_without_any_database_name_keeps_none(project, tmp_path):
    project.import_files([write(tmp_path, "mine.ris", GOOD_RIS)])
    assert [s.database for s in project.sources()] == [None]


@pytest.mark.parametrize("given", ["Embase", ["Embase"], ["Embase", "PubMed", "Scopus"]])
def test_database_names_that_do_not_pair_with_the_files_are_refused(project, tmp_path, given):
    paths = [write(tmp_path, "a.ris", GOOD_RIS), write(tmp_path, "b.ris", GOOD_RIS.replace("r1", "x1"))]
    with pytest.raises(ImportRefused, match=r"database names? for 2 files \(a.ris, b.ris\)") as refused:
        project.import_files(paths, database=given)
    assert refused.value.reason == "database_names" and project.count() == 0


def test_a_large_original_is_kept_in_parts_that_join_to_its_bytes(project, store, tmp_path, monkeypatch):
    from logicmap.records import original

    monkeypatch.setattr(original, "PART_SIZE", 64)  # a tiny part size stands for a file of gigabytes
    text = "".join(GOOD_RIS.replace("r1", f"r1-{i}").replace("r2", f"r2-{i}") + "\n" for i in range(20))
    path = write(tmp_path, "many.ris", "\ufeff" + text.replace("\n", "\r\n"))
    report = project.import_files([path])
    assert report.records == 40
    (source,) = project.sources()
    with store.session() as session:
        parts = session.scalars(
            select(SourceFile).where(SourceFile.source_id == source.id).order_by(SourceFile.part)
        ).all()
    assert len(parts) > 5 and all(len(p.compressed) <= 64 for p in parts)
    assert zlib.decompress(b"".join(p.compressed for p in parts)) == path.read_bytes()
    assert project.get(40).line == 19 * 15 + 9  # 15 lines a copy: CRLF lines streamed from disk count as an editor's
