"""Web of Science, Ovid and EndNote/Refer tagged readers.

The WoS (GPL-3) and Ovid (no licence) shared files are not copied into this
repository; offline tests use small hand-written snippets in the same layout with
invented values, and the real files are tested when ../shared is present.
"""

from __future__ import annotations

import pytest
from tests.support import TESTS_DATA, manifest_counts, shared_path

from logicmap.records.encoding import document_from_bytes, load_document
from logicmap.records.formats import ovid_tagged, refer, wos_tagged
from logicmap.records.formats.tagged import DASH_TAG, Syntax, split_blocks
from logicmap.records.record import ImportFormatError
from logicmap.records.normalise import normalise_record

LOCAL_REFER = TESTS_DATA / "formats" / "refer" / "colrev-ais_endnote_tagged.txt"

#: The MANIFEST counted '%0' lines (2) in the AIS Refer file, but it holds 6
#: blank-line-separated records, each starting with '%T' (lines 1, 17, 27, 37,
#: 50, 61); only the first and fifth carry a '%0' type line.
REFER_STARTS = [1, 17, 27, 37, 50, 61]

READERS = {
    "synthesisr-wos.ciw": wos_tagged,
    "synthesisr-wos_plaintext.txt": wos_tagged,
    "synthesisr-wos_zoological_record.txt": wos_tagged,
    "knh-ovid_embase_endnote_r3001-3002.cgi": ovid_tagged,
    "knh-ovid_embase_citavi_r3001-3002.ovd": ovid_tagged,
    "colrev-ais_endnote_tagged.txt": refer,
}

#: file -> first record: (start line, source id, title, DOI, first author, year), read off the files.
FIRST_RECORDS = {
    "synthesisr-wos.ciw": (
        3, "WOS:000514379300001", "Soil fauna diversity at different stages of reed restoration "
        "in a lakeshore wetland at Lake Taihu, China", "10.1080/20964129.2020.1722034",
        "Li, Wei", 2020),
    "synthesisr-wos_plaintext.txt": (
        3, "WOS:000514379300001", "Soil fauna diversity at different stages of reed restoration "
        "in a lakeshore wetland at Lake Taihu, China", "10.1080/20964129.2020.1722034",
        "Li, Wei", 2020),
    "synthesisr-wos_zoological_record.txt": (
        3, "ZOOREC:ZOOR15512090342", "Nest site selection and nest survival of Black-backed "
        "Woodpeckers after wildfire.", None, "Stillman, Andrew N.", 2019),
    "knh-ovid_embase_endnote_r3001-3002.cgi": (
        1, "621381829", "Quality of life in patients with primary ciliary dyskinesia: A "
        "systematic review.", "10.1186/s12919-018-0099-8", "Behan, L.", 2018),
    "knh-ovid_embase_citavi_r3001-3002.ovd": (
        1, "621381829", "Quality of life in patients with primary ciliary dyskinesia: A "
        "systematic review.", "10.1186/s12919-018-0099-8", "Behan, L.", 2018),
    "colrev-ais_endnote_tagged.txt": (
        1, None, "How Trust Leads to Commitment on Microsourcing Platforms: Unraveling the "
        "Effects of Governance and Third-Party Mechanisms on Triadic Microsourcing "
        "Relationships", None, "Guo, Wenbo", 2021),
}


def _read_shared(name: str):
    doc = load_document(shared_path(f"formats/other/{name}"))
    return doc, READERS[name].read(doc)


def _doc(text: str, name: str = "x.txt"):
    return document_from_bytes(text.encode("utf-8"), name)


# --- every shared file -------------------------------------------------------


def test_every_manifest_other_file_is_tested():
    counts = manifest_counts()
    if not counts:
        pytest.skip("needs ../shared/data/formats/MANIFEST.md")
    listed = sorted(k.rsplit("/", 1)[1] for k in counts if k.startswith("formats/other/"))
    assert listed == sorted(READERS)


@pytest.mark.parametrize("name", sorted(READERS))
def test_shared_file_record_count(name):
    _, records = _read_shared(name)
    key = f"formats/other/{name}"
    expected = manifest_counts()[key]  # corrections applied by tests.support
    assert len(records) == expected
    assert all(not r.problems for r in records)


def test_manifest_undercounts_the_refer_file():
    """Documents the MANIFEST discrepancy (see MANIFEST_CORRECTIONS)."""
    doc, records = _read_shared("colrev-ais_endnote_tagged.txt")
    assert manifest_counts()["formats/other/colrev-ais_endnote_tagged.txt"] == 6
    assert sum(line.startswith("%0 ") for line in doc.lines()) == 2
    assert [r.line for r in records] == REFER_STARTS
    assert [r.line for r in records if "type" in r.fields] == [1, 50]


@pytest.mark.parametrize("name", sorted(READERS))
def test_shared_file_first_record(name):
    _, records = _read_shared(name)
    line, source_id, title, doi, first_author, year = FIRST_RECORDS[name]
    first = records[0]
    assert (first.line, first.source_id) == (line, source_id)
    assert first.fields["title"].value == title
    record = normalise_record(first)
    assert (record.doi, record.authors[0], record.year) == (doi, first_author, year)


@pytest.mark.parametrize("name", [n for n, r in READERS.items() if r is wos_tagged])
def test_wos_records_start_at_pt_and_keep_ut(name):
    doc, records = _read_shared(name)
    pt_lines = [n for n, text in enumerate(doc.lines(), start=1) if text.startswith("PT ")]
    er_count = sum(text.rstrip() == "ER" for text in doc.lines())
    assert [r.line for r in records] == pt_lines
    assert len(records) == er_count
    assert all(r.source_id and r.source_id.split(":")[0] in {"WOS", "MEDLINE", "ZOOREC"} for r in records)


def test_wos_zoological_record_author_email_removed_by_normaliser():
    _, records = _read_shared("synthesisr-wos_zoological_record.txt")
    raw = records[0].fields["authors"]
    assert raw.value[0] == "Stillman, Andrew N. (andrew.stillman@uconn.edu)"
    assert (raw.tag, raw.line) == ("AU", 8)
    assert normalise_record(records[0]).authors[0] == "Stillman, Andrew N."


def test_ovid_exports_agree_apart_from_layout():
    """The 'EndNote' (.cgi) and 'Citavi' (.ovd) exports differ only in how AB wraps."""
    _, cgi = _read_shared("knh-ovid_embase_endnote_r3001-3002.cgi")
    _, ovd = _read_shared("knh-ovid_embase_citavi_r3001-3002.ovd")
    assert [r.line for r in cgi] == [1, 75]
    assert [r.line for r in ovd] == [1, 72]
    for a, b in zip(cgi, ovd):
        assert {k: v.value for k, v in a.fields.items()} == {k: v.value for k, v in b.fields.items()}
    abstract = cgi[0].fields["abstract"].value
    assert abstract.endswith("Interventions that ameliorate these issues need investigation.")
    assert "Method(s): We searched MEDLINE" in abstract


def test_ovid_source_string_fills_journal_volume_issue():
    _, records = _read_shared("knh-ovid_embase_endnote_r3001-3002.cgi")
    fields = records[0].fields
    journal = fields["journal"]
    assert (journal.value, journal.tag, journal.line) == ("BMC Proceedings", "SO", 7)
    assert (fields["volume"].value, fields["issue"].value) == ("12", "Supplement 3")
    assert "pages" not in fields  # "(no pagination)"
    assert fields["year"].tag == "YR"  # explicit YR wins over SO
    assert records[0].extra["DB"] == "Embase"
    assert records[0].extra["SO"].startswith("BMC Proceedings. Conference:")
    assert fields["keywords"].value[9] == "Kartagener syndrome"  # '*' major-topic flag dropped
    assert records[0].extra["MH"][9] == "*Kartagener syndrome"


# --- Web of Science, offline --------------------------------------------------

WOS = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Doe, J
   Roe, R
AF Doe, Jane
   Roe, Richard
TI An invented title that runs
   over two lines
SO JOURNAL OF INVENTED RESULTS
DE alpha; beta
ID gamma
AB An invented abstract.
C1 [Doe, Jane] Univ A, City, Country.
   [Roe, Richard] Univ B, City, Country.
PY 2021
VL 12
IS 3
BP 100
EP 110
DI 10.1234/invented.1
SN 1234-5678
EI 2345-6789
UT WOS:000000000000001
ER

PT J
AU Poe, E
TI Cut short
"""


def test_wos_snippet_fields_and_lines():
    first, second = wos_tagged.read(_doc(WOS, "snippet.ciw"))
    fields = first.fields
    assert (first.line, first.source_id) == (3, "WOS:000000000000001")
    assert fields["authors"].value == ["Doe, Jane", "Roe, Richard"]
    assert (fields["authors"].tag, fields["authors"].line) == ("AF", 6)
    assert fields["title"].value == "An invented title that runs over two lines"
    assert fields["title"].line == 8
    assert fields["pages"].value == "100-110"
    assert fields["issn"].value == "1234-5678; 2345-6789"
    assert fields["keywords"].value == ["alpha; beta", "gamma"]
    assert normalise_record(first).keywords == ["alpha", "beta", "gamma"]
    assert first.extra["AU"] == ["Doe, J", "Roe, R"]
    assert first.extra["C1"][1] == "[Roe, Richard] Univ B, City, Country."
    assert first.extra["PT"] == "J"
    assert not first.problems
    # the second record has no ER: kept, with a problem
    assert second.line == 27
    assert second.fields["title"].value == "Cut short"
    [problem] = second.problems
    assert problem.line == 27 and "ER" in problem.message


def test_wos_ef_before_er_marks_record_incomplete():
    text = "FN x\nVR 1.0\nPT J\nTI Title\nUT WOS:1\nEF\n"
    [record] = wos_tagged.read(_doc(text))
    assert record.source_id == "WOS:1"
    assert record.problems


@pytest.mark.parametrize(
    "text",
    ["", "FN Clarivate Analytics Web of Science\nVR 1.0\nEF\n",
     "PMID- 1\nPT  - Journal Article\nTI  - A MEDLINE record\n",
     "TY  - JOUR\nTI  - A RIS record\nER  - \n"],
)
def test_wos_file_without_records_raises(text):
    with pytest.raises(ImportFormatError) as info:
        wos_tagged.read(_doc(text))
    assert info.value.line == 1
    assert "Web of Science" in str(info.value)


# --- Ovid, offline --------------------------------------------------------------

OVID = """<1. >
VN  - Ovid Technologies
DB  - Embase
UI  - 600000001
TI  - An invented Ovid title
      wrapped.
SO  - Journal of Inventions. 7 (2) (pp 11-19), 2015. Date of Publication: 2015.
AU  - Doe J.
AU  - Roe R.
MH  - *invention
MH  - human
AB  - First paragraph.
Second paragraph without indentation.
DO  - http://dx.doi.org/10.1234/invented.2
LG  - English
PT  - Journal: Article

<2. >
VN  - Ovid Technologies
DB  - Embase
AU  - Poe E.
"""


def test_ovid_snippet_fields_and_lines():
    first, second = ovid_tagged.read(_doc(OVID, "snippet.ovd"))
    fields = first.fields
    assert (first.line, first.source_id) == (1, "600000001")
    assert (fields["title"].value, fields["title"].line) == ("An invented Ovid title wrapped.", 5)
    assert fields["abstract"].value == "First paragraph. Second paragraph without indentation."
    assert {k: fields[k].value for k in ("journal", "volume", "issue", "pages", "year")} == {
        "journal": "Journal of Inventions", "volume": "7", "issue": "2", "pages": "11-19",
        "year": "2015"}
    assert fields["pages"].tag == "SO"
    assert fields["keywords"].value == ["invention", "human"]
    assert normalise_record(first).doi == "10.1234/invented.2"
    assert normalise_record(first).authors == ["Doe, J.", "Roe, R."]
    assert not first.problems
    assert second.line == 18
    assert second.problems and second.problems[0].field == "title"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Lancet. 380(9859):2197-223, 2012 Dec 15.",
         {"journal": "Lancet", "volume": "380", "issue": "9859", "pages": "2197-223", "year": "2012"}),
        ("Proceedings. Biological sciences. 280(1760):20130310, 2013.",
         {"journal": "Proceedings. Biological sciences", "volume": "280", "issue": "1760",
          "pages": "20130310", "year": "2013"}),
        ("BMC Proceedings. Conference: A meeting. Spain. 12 (Supplement 3) (no pagination), 2018.",
         {"journal": "BMC Proceedings", "volume": "12", "issue": "Supplement 3", "year": "2018"}),
        ("Not a citation at all", {}),
    ],
)
def test_ovid_parse_source(source, expected):
    assert ovid_tagged.parse_source(source) == expected


def test_ovid_without_markers_splits_at_blank_lines():
    text = "VN  - Ovid Technologies\nUI  - 1\nTI  - One\n\nVN  - Ovid Technologies\nUI  - 2\nTI  - Two\n"
    records = ovid_tagged.read(_doc(text))
    assert [(r.line, r.source_id) for r in records] == [(1, "1"), (5, "2")]


@pytest.mark.parametrize("text", ["", "PMID- 1\nTI  - A MEDLINE record\n"])
def test_ovid_file_without_records_raises(text):
    with pytest.raises(ImportFormatError) as info:
        ovid_tagged.read(_doc(text))
    assert info.value.line == 1
    assert "Ovid" in str(info.value)


# --- EndNote / Refer ---------------------------------------------------------------


def test_refer_local_copy():
    records = refer.read(load_document(LOCAL_REFER))
    assert [r.line for r in records] == REFER_STARTS
    first = records[0].fields
    assert (first["type"].value, first["type"].tag, first["type"].line) == ("Journal Article", "%0", 2)
    assert first["authors"].value == ["Guo, Wenbo", "Straub, Detmar W.", "Zhang, Pengzhu", "Cai, Zhao"]
    assert first["journal"].tag == "%B"
    assert first["journal"].value == "Management Information Systems Quarterly"
    assert (first["volume"].value, first["issue"].value, first["pages"].value) == ("45", "3", "1309-1348")
    assert first["url"].value == "https://aisel.aisnet.org/misq/vol45/iss3/13"
    assert first["abstract"].line == 14
    assert records[0].extra["%8"] == "September  1, 2021"
    assert records[3].fields["authors"].value[2] == "Osório, Gerardo"
    assert all(r.source_id is None for r in records)


REFER = """%0 Book Section
%T An invented chapter
%A Doe, Jane
%E Roe, Richard
%B An Invented Book
%D 2019
%@ 978-3-16-148410-0
%@ 1234-5678
%K first keyword
second keyword
%R 10.1234/invented.3
%M ACC-1
%G English

%A Poe, Edgar
%D 2020
"""


def test_refer_snippet():
    first, second = refer.read(_doc(REFER))
    fields = first.fields
    assert (first.line, first.source_id) == (1, "ACC-1")
    assert fields["isbn"].value == "978-3-16-148410-0"
    assert (fields["issn"].value, fields["issn"].line) == ("1234-5678", 8)
    assert fields["keywords"].value == ["first keyword", "second keyword"]
    assert fields["doi"].value == "10.1234/invented.3"
    assert fields["journal"].value == "An Invented Book"
    assert first.extra["%E"] == "Roe, Richard"
    assert second.line == 15
    [problem] = second.problems
    assert problem.field == "title"


@pytest.mark.parametrize("text", ["", "\n\nno tags here\n"])
def test_refer_file_without_records_raises(text):
    with pytest.raises(ImportFormatError) as info:
        refer.read(_doc(text))
    assert info.value.line == 1
    assert "Refer" in str(info.value)


# --- the shared splitter -------------------------------------------------------------


def test_split_blocks_repeat_start_and_stray_text():
    syntax = Syntax(tag=DASH_TAG, blank_ends_record=True, repeat_starts=frozenset({"PMID"}))
    lines = ["stray text before any record", "PMID- 1", "TI  - A", "      b", "PMID- 2", "", "", "TI  - C"]
    blocks = split_blocks(lines, syntax)
    assert [(b.line, [(e.tag, e.value, e.line) for e in b.entries]) for b in blocks] == [
        (2, [("PMID", "1", 2), ("TI", "A b", 3)]),
        (5, [("PMID", "2", 5)]),
        (8, [("TI", "C", 8)]),
    ]
