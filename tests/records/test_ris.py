"""RIS reader and writer: real exports of many tools, rispy traps, round trips."""

from __future__ import annotations

import io

import pytest
from tests.support import TESTS_DATA, manifest_counts, shared_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logicmap.records.encoding import document_from_bytes, load_document
from logicmap.records.formats import ris
from logicmap.records.record import Document, ImportFormatError, ParsedRecord, Record
from logicmap.records.normalise import normalise_record

LOCAL = TESTS_DATA / "formats" / "ris"
RIS_FILES = sorted(path for path in manifest_counts() if path.startswith("formats/ris/"))


def read_path(path) -> list[ParsedRecord]:
    return ris.read(load_document(path))


def read_bytes(data: bytes, name: str = "inline.ris") -> list[ParsedRecord]:
    return ris.read(document_from_bytes(data, name))


def normalised(records: list[ParsedRecord]) -> list[Record]:
    return [normalise_record(record) for record in records]


def round_trip(records: list[Record]) -> list[Record]:
    """Write normalised records as RIS, read them back and normalise again."""
    out = io.StringIO()
    assert ris.write(records, out) == len(records)
    return normalised(read_bytes(out.getvalue().encode("utf-8"), "written.ris"))


def shared_record(relative: str, index: int = 0) -> Record:
    return normalised(read_path(shared_path(relative)))[index]


# ------------------------------------------------------- every shared RIS file


@pytest.mark.parametrize("relative", RIS_FILES)
def test_shared_file_count_titles_and_no_problems(relative):
    records = read_path(shared_path(relative))
    assert len(records) == manifest_counts()[relative]
    assert [r.position for r in records] == list(range(1, len(records) + 1))
    for record in normalised(records):
        assert record.title, f"record at line {record.line} has no title"
    assert not [p for r in records for p in r.problems]


@pytest.mark.parametrize("relative", RIS_FILES)
def test_shared_file_round_trip(relative):
    first = normalised(read_path(shared_path(relative)))
    second = round_trip(first)
    assert [r.values() for r in second] == [r.values() for r in first]


def test_every_ris_file_is_in_the_manifest():
    folder = shared_path("formats/ris")
    listed = {path.rsplit("/", 1)[1] for path in RIS_FILES}
    assert {p.name for p in folder.iterdir()} == listed


# ------------------------------------------------------- dialect spot checks


def test_cinahl_doi_in_l3_and_second_abstract_in_extra():
    records = read_path(shared_path("formats/ris/cff-cinahl.ris"))
    first = normalise_record(records[0])
    assert first.doi == "10.1371/journal.pone.0298242"
    assert first.provenance["doi"].tag == "L3"
    assert first.abstract.startswith("Dinosauria debuted on Earth's stage")
    assert records[0].extra["AB"].startswith("Copyright of PLoS ONE")
    assert first.authors[:2] == ["Curry Rogers, Kristina", "Martínez, Ricardo N."]


def test_dimensions_pmid_from_u1_and_blank_first_line():
    record = shared_record("formats/ris/citesource-dimensions_246.ris")
    assert record.line == 2
    assert record.source_id == "pub.1149029839"
    assert record.pmid == "35957633"
    assert record.journal == "European Journal of Psychotraumatology"
    assert record.doi == "10.1080/20008198.2022.2087980"


def test_wos_bom_and_bare_cr_line_breaks():
    record = shared_record("formats/ris/asysd-wos_test.ris")
    assert record.line == 1  # the BOM record is kept
    assert record.title == (
        "Microangiography of the humeral condyle in Cocker Spaniel and non-Cocker Spaniel dogs"
    )
    # "WE  - ...<CR>AN  - WOS:..." only becomes a tag line when the bare CR breaks the line
    assert record.source_id == "WOS:000082252000006"
    assert record.authors == ["Larsen, LJ", "Roush, JK", "McLaughlin, RM", "Cash, WC"]
    assert (record.year, record.pages, record.issn) == (1999, "134-137", "0932-0814")


def test_ovid_psycinfo_doi_url_numbered_lines_and_no_pages_placeholder():
    records = read_path(shared_path("formats/ris/asreview-ovid_psycinfo.ris"))
    record = normalise_record(records[0])
    assert record.line == 2
    assert record.source_id == "2019-65183-001"
    assert record.doi == "10.1002/cpp.2398"
    assert record.year == 2019
    assert record.pages is None  # "SP  - No" / "EP  - Specified"
    assert "NL" not in records[0].extra  # the tag after ER is outside the record


def test_apa_psycnet_pmid_tag_and_two_issns():
    record = shared_record("formats/ris/colrev-apa_psycinfo_dummy.ris")
    assert record.line == 5
    assert record.pmid == "33355555"
    assert record.issn == "1999-7777; 0222-6666"
    assert record.pages == "1023-1095"


def test_endnote_pubmed_accession_number_is_pmid():
    record = shared_record("formats/ris/reflib-blue-light.ris")
    assert record.pmid == "29657938"
    assert record.provenance["pmid"].tag == "AN"
    assert record.source_id == "895"
    assert record.extra["C2"] == "PMC5887696"


def test_citavi_blank_lines_inside_record_and_book():
    records = read_path(shared_path("formats/ris/asreview-citavi_ris_issue_1099.txt"))
    assert records[0].extra["U3"] == "Cited By :9\nExport Date: 12 May 2022\nArticle"
    book = normalise_record(records[1])
    assert (book.type, book.line, book.issn) == ("BOOK", 31, "1865-0929")
    assert records[1].extra["A2"] == ["Babur O.", "Denil J.", "Vogel-Heuser B."]


def test_endnote_isbns_classified_from_sn():
    records = normalised(read_path(shared_path("formats/ris/asysd-endnote_ris_export.txt")))
    isbns = [r.isbn for r in records if r.isbn]
    assert "978-131750096-4 (ISBN); 978-113888701-5 (ISBN)" in isbns
    assert all(r.issn is None for r in records if r.isbn)


def test_untagged_second_url_is_kept_in_extra():
    parsed = read_path(shared_path("formats/ris/synthesisr-citesource_issue_24.ris"))[0]
    assert parsed.fields["url"].value == (
        "https://app.dimensions.ai/details/publication/pub.1143865007"
    )
    assert parsed.extra["UR"].startswith("https://environmentalevidencejournal")


# ------------------------------------------------------- bundled files (no shared data needed)


@pytest.mark.parametrize(
    ("name", "count"),
    [("asreview-embase.ris", 6), ("cff-eric_ovid.ris", 10),
     ("cff-cochrane_endnote.ris", 3), ("asreview-rayyan_ris_issue_992.txt", 19)],
)
def test_bundled_file_counts_titles_and_round_trip(name, count):
    records = normalised(read_path(LOCAL / name))
    assert len(records) == count
    assert all(r.title for r in records)
    assert [r.values() for r in round_trip(records)] == [r.values() for r in records]


def test_bundled_files_listed_in_sources():
    sources = (LOCAL / "SOURCES.md").read_text(encoding="utf-8")
    for path in LOCAL.iterdir():
        if path.name != "SOURCES.md":
            assert f"| {path.name} |" in sources


def test_embase_bom_first_record_with_lines():
    assert (LOCAL / "asreview-embase.ris").read_bytes().startswith(b"\xef\xbb\xbf")
    parsed = read_path(LOCAL / "asreview-embase.ris")[0]
    assert parsed.line == 1
    assert (parsed.fields["title"].tag, parsed.fields["title"].line) == ("T1", 24)
    record = normalise_record(parsed)
    assert record.title == (
        "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert record.authors == ["Liu, R.", "Adler, D.G."]
    assert (record.year, record.journal) == (2014, "Endoscopic Ultrasound")
    assert record.doi == "10.4103/2303-9027.138783"
    assert record.extra["JO"] == "Endoscopic Ultrasound"


def test_ovid_eric_numbered_lines():
    records = normalised(read_path(LOCAL / "cff-eric_ovid.ris"))
    first = records[0]
    assert (first.line, first.source_id) == (2, "EJ389705")
    assert first.title == "Creationism and the Dinosaur Boom"
    assert first.authors == ["Stokes, William Lee"]
    assert (first.year, first.pages) == (1989, "24-26")
    assert all(r.doi is None for r in records)  # ERIC gives no DOIs


def test_cochrane_headers_two_space_separator_and_pubmed_c3():
    records = normalised(read_path(LOCAL / "cff-cochrane_endnote.ris"))
    first = records[0]
    assert (first.line, first.type, first.source_id) == (5, "JOUR", "CN-00778158")
    assert first.title.startswith("The Incredible Years Therapeutic Dinosaur Programme")
    assert first.authors[0] == "Bywater, T"
    assert (first.year, first.journal, first.pmid) == (2011, "Trials", "21314913")
    assert first.doi == "10.1186/1745-6215-12-39"


def test_rayyan_untagged_keywords_are_separate():
    parsed = read_path(LOCAL / "asreview-rayyan_ris_issue_992.txt")
    keywords = parsed[0].fields["keywords"]
    assert (keywords.tag, keywords.line) == ("KW", 4)
    assert len(keywords.value) == 13
    assert keywords.value[:2] == ["Health Facility Administration", "Joint Commission"]
    assert sum(1 for r in normalised(parsed) if r.doi) == 3
    assert parsed[0].source_id == "1"  # ID wins over AN
    assert parsed[0].extra["AN"] == "rayyan-264552525"


# ------------------------------------------------------- rispy 0.10 traps and errors


def test_trap_bom_first_record_kept():
    data = b"\xef\xbb\xbfTY  - JOUR\r\nTI  - First\r\nER  - \r\n\r\nTY  - JOUR\r\nTI  - Second\r\nER  - \r\n"
    records = normalised(read_bytes(data))
    assert [r.title for r in records] == ["First", "Second"]
    assert records[0].line == 1


def test_trap_bom_left_in_text_still_read():
    text = "\ufeffTY  - JOUR\nTI  - First\nER  - \n"
    records = ris.read(Document(name="bom.ris", data=text.encode(), text=text))
    assert [r.fields["title"].value for r in records] == ["First"]


def test_trap_truncated_last_record_reported():
    data = b"TY  - JOUR\nTI  - Complete\nER  - \n\nTY  - JOUR\nTI  - Cut off\nAU  - Doe, J"
    records = read_bytes(data)
    assert len(records) == 2
    assert records[0].problems == []
    (problem,) = records[1].problems
    assert problem.message == ris.TRUNCATED
    assert (problem.position, problem.line) == (2, 5)
    assert records[1].fields["title"].value == "Cut off"


def test_missing_er_before_next_ty_reported():
    records = read_bytes(b"TY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\nER  - \n")
    assert [r.fields["title"].value for r in records] == ["One", "Two"]
    assert "line 3" in records[0].problems[0].message
    assert records[1].problems == []


def test_trap_repeated_title_kept_in_extra():
    data = b"TY  - JOUR\nTI  - Main title\nTI  - Second title\nT1  - Third title\nER  - \n"
    (parsed,) = read_bytes(data)
    assert (parsed.fields["title"].value, parsed.fields["title"].line) == ("Main title", 2)
    assert parsed.extra == {"TI": "Second title", "T1": "Third title"}


def test_er_without_space_at_end_of_file_without_newline():
    (parsed,) = read_bytes(b"TY  - JOUR\nTI  - x\nER  -")
    assert parsed.problems == []


def test_no_ty_line_is_a_format_error():
    with pytest.raises(ImportFormatError) as info:
        read_bytes(b"PMID- 123\nTI  - Not RIS\n", "medline.ris")
    assert info.value.file == "medline.ris"
    assert info.value.line == 1
    assert "no RIS records found" in str(info.value)


def test_wrapped_lines_and_source_id_fallbacks():
    data = (b"TY  - JOUR\nAN  - A-1\nU1  - U-1\nAB  - First line\nsecond line\nSP  - 5\n"
            b"EP  - 9\nSN  - 978-0-306-40615-7\nER  - \n"
            b"TY  - JOUR\nU1  - 123 [PMID]\nU1  - plain-9\nSN  - 12345678\nER  - \n")
    first, second = read_bytes(data)
    assert first.source_id == "A-1"
    assert first.extra == {"U1": "U-1"}
    assert first.fields["abstract"].value == "First line\nsecond line"
    assert first.fields["pages"].value == "5-9"
    assert first.fields["isbn"].value == "978-0-306-40615-7"
    assert second.source_id == "plain-9"
    assert second.fields["pmid"].value == "123"
    assert normalise_record(second).issn == "1234-5678"


# ------------------------------------------------------- writer


def test_writer_output_and_pmid_round_trip():
    record = Record(position=1, source_id="rec-1", title="A title", authors=["Doe, Jane"],
                    year=2020, journal="J", pages="3-7", doi="10.1000/xyz", pmid="42",
                    keywords=["a", "b"], type="JOUR")
    out = io.StringIO()
    assert ris.write([record], out) == 1
    text = out.getvalue()
    assert text.startswith("TY  - JOUR\nTI  - A title\nAU  - Doe, Jane\nPY  - 2020\n")
    assert "SP  - 3\nEP  - 7\n" in text and "U1  - 42 [PMID]\n" in text
    assert text.endswith("ID  - rec-1\nER  - \n\n")
    (back,) = round_trip([record])
    assert back.values() == record.values()
    assert back.source_id == "rec-1"


def test_writer_flattens_line_breaks_and_defaults_type():
    record = Record(position=1, title="Two\nlines", abstract="a\r\nb")
    out = io.StringIO()
    ris.write([record], out)
    assert out.getvalue().splitlines()[:3] == ["TY  - GEN", "TI  - Two lines", "AB  - a b"]


# ------------------------------------------------------- property: write -> read is stable

_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_TRICKY = st.sampled_from([
    "  leading and trailing  ", "dash  - inside", "ER  - not an end", "x\nTY  - JOUR\ny",
    "multi\nline\r\nabstract\rtext", "Ünïcödé – ✓ 漢字 😀", "&amp; <i>italic</i>", "-", "",
])
_TEXT = st.one_of(_TRICKY, st.text(_CHARS, max_size=40))
_DIGITS = st.text("0123456789", min_size=1, max_size=8)


@st.composite
def parsed_records(draw) -> ParsedRecord:
    """A parsed record with generated raw values for every canonical field."""
    parsed = ParsedRecord(position=1, line=1, source_id=draw(st.none() | _DIGITS))
    raw = {
        "title": draw(_TEXT), "abstract": draw(_TEXT), "journal": draw(_TEXT),
        "volume": draw(_TEXT), "issue": draw(_TEXT), "language": draw(_TEXT),
        "url": draw(_TEXT), "year": str(draw(st.integers(1500, 2099))),
        "type": draw(st.sampled_from(["JOUR", "BOOK", "CHAP", "CONF", "GEN"])),
        "authors": draw(st.lists(_TEXT, max_size=4)),
        "keywords": draw(st.lists(_TEXT, max_size=4)),
        "pages": draw(st.one_of(_TEXT, st.builds("{}-{}".format, _DIGITS, _DIGITS))),
        "doi": draw(st.builds("10.{}/{}".format, st.text("0123456789", min_size=4, max_size=6),
                              st.text("abcXYZ019.-_()", min_size=1, max_size=12))),
        "pmid": draw(_DIGITS),
        "issn": draw(st.builds("{}-{}".format, st.text("0123456789", min_size=4, max_size=4),
                               st.text("0123456789X", min_size=4, max_size=4))),
        "isbn": draw(st.builds("978{}".format, st.text("0123456789", min_size=10, max_size=10))),
    }
    for name, value in raw.items():
        parsed.set(name, value, name.upper(), 1)
    return parsed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(parsed_records(), min_size=1, max_size=3))
def test_property_round_trip(parsed):
    first = [normalise_record(p) for p in parsed]
    second = round_trip(first)
    assert [r.values() for r in second] == [r.values() for r in first]
    assert [r.source_id for r in second] == [r.source_id for r in first]
