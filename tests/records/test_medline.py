"""MEDLINE / PubMed .nbib reader: every shared file, local copies, edge cases."""

from __future__ import annotations

import io

import pytest
from Bio import Medline
from tests.support import TESTS_DATA, manifest_counts, shared_path

from logicmap.records.encoding import document_from_bytes, load_document
from logicmap.records.formats import medline
from logicmap.records.record import ImportFormatError
from logicmap.records.normalise import normalise_record

LOCAL = TESTS_DATA / "formats" / "medline"

SHARED_FILES = [
    "biopython-pubmed_result1.txt",
    "biopython-pubmed_result2.txt",
    "cff-pubmed.ris",
    "colrev-eric_dummy.nbib",
    "nbib-pmc_medlars.txt",
    "nbib-pubmed-balloongui-set.nbib",
    "nbib-single.nbib",
    "reflib-blue-light.nbib",
    "synthesisr-pubmed_example.txt",
    "synthesisr-res_synth_methods.txt",
]

#: file -> first record: (start line, PMID, title, DOI, first author, year), read off the files.
FIRST_RECORDS = {
    "biopython-pubmed_result1.txt": (
        2, "12230038", "The Bio* toolkits--a brief overview.", None, "Mangalam, Harry", 2002),
    "biopython-pubmed_result2.txt": (
        2, "16403221", "A high level interface to SCOP and ASTRAL implemented in python.",
        "10.1186/1471-2105-7-10", "Casbon, James A", 2006),
    "cff-pubmed.ris": (
        1, "30922926", "Time lapse: A glimpse into prehistoric genomics.",
        "10.1016/j.ejmg.2019.03.004", "Griffin, Darren K", 2020),
    "colrev-eric_dummy.nbib": (
        2, None, "Paper title", "10.1000/123456789", "Smith, Tom", 2000),
    "nbib-pmc_medlars.txt": (
        2, "30042925", "A method package for electrophysiological evaluation of reconstructed "
        "or regenerated facial nerves in rodents.", "10.1016/j.mex.2018.03.007",
        "Takeuchi, Yuichi", 2018),
    "nbib-pubmed-balloongui-set.nbib": (
        1, "30776994", "Impact of Balloon Guide Catheter Use on Clinical and Angiographic "
        "Outcomes in the STRATIS Stroke Thrombectomy Registry.",
        "10.1161/strokeaha.118.021126", "Zaidat, Osama O", 2019),
    "nbib-single.nbib": (
        1, "28754806", "Impact of balloon guide catheter on technical and clinical outcomes: "
        "a systematic review and meta-analysis.", "10.1136/neurintsurg-2017-013179",
        "Brinjikji, Waleed", 2018),
    "reflib-blue-light.nbib": (
        1, "29657938", "Formulation of Herbal Gel of Antirrhinum majus Extract and Evaluation "
        "of its Anti-Propionibacterium acne Effects.", "10.4103/abr.abr_99_17",
        "Shahtalebi, Mohammad Ali", 2018),
    "synthesisr-pubmed_example.txt": (
        1, "28441597", "Differences in nitrate and phosphorus export between wooded and grassed "
        "riparian zones from farmland to receiving waterways under varying rainfall "
        "conditions.", "10.1016/j.scitotenv.2017.04.075", "Neilen, Amanda D", 2017),
    "synthesisr-res_synth_methods.txt": (
        2, "32336025", "Risk-Of-Bias VISualization (robvis): an R package and Shiny web app for "
        "visualizing risk-of-bias assessments.", "10.1002/jrsm.1411", "McGuinness, Luke A", 2020),
}


def _read_shared(name: str):
    doc = load_document(shared_path(f"formats/medline/{name}"))
    return doc, medline.read(doc)


def test_every_manifest_medline_file_is_tested():
    counts = manifest_counts()
    if not counts:
        pytest.skip("needs ../shared/data/formats/MANIFEST.md")
    listed = sorted(k.rsplit("/", 1)[1] for k in counts if k.startswith("formats/medline/"))
    assert listed == sorted(SHARED_FILES)


@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_file_record_count_matches_manifest(name):
    _, records = _read_shared(name)
    counts = manifest_counts()
    assert len(records) == counts[f"formats/medline/{name}"]
    assert all(not r.problems for r in records)


@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_file_first_record(name):
    _, records = _read_shared(name)
    line, pmid, title, doi, first_author, year = FIRST_RECORDS[name]
    first = records[0]
    assert first.line == line
    assert first.source_id == pmid
    assert first.fields["title"].value == title
    record = normalise_record(first)
    assert record.doi == doi
    assert record.authors[0] == first_author
    assert record.year == year
    assert record.pmid == pmid


@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_file_records_start_at_their_pmid_line(name):
    doc, records = _read_shared(name)
    pmid_lines = [n for n, text in enumerate(doc.lines(), start=1) if text.startswith("PMID-")]
    starts = [r.fields["pmid"].line for r in records if "pmid" in r.fields]
    assert starts == pmid_lines
    for record in records:
        assert doc.lines()[record.line - 1].strip(), "a record starts on a tag line"


@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_file_agrees_with_biopython(name):
    """Bio.Medline is the oracle for record boundaries, PMID, TI, AB and FAU values."""
    doc, records = _read_shared(name)
    oracle = list(Medline.parse(io.StringIO(doc.text)))
    assert len(records) == len(oracle)
    for parsed, expected in zip(records, oracle):
        assert parsed.source_id == expected.get("PMID")
        for tag, field in (("TI", "title"), ("AB", "abstract")):
            value = parsed.fields[field].value if field in parsed.fields else ""
            assert _words(value) == _words(expected.get(tag, ""))
        if "FAU" in expected:  # collective names (CN) follow the FAU names
            authors = parsed.fields["authors"].value
            assert authors[: len(expected["FAU"])] == expected["FAU"]
            assert authors[len(expected["FAU"]) :] == expected.get("CN", [])


def _words(text: str) -> list[str]:
    return text.split()


def test_nbib_single_fields_tags_and_lines():
    doc = load_document(LOCAL / "nbib-single.nbib")
    [parsed] = medline.read(doc)
    fields = parsed.fields
    assert (parsed.position, parsed.line, parsed.source_id) == (1, 1, "28754806")
    assert (fields["title"].tag, fields["title"].line) == ("TI", 11)
    assert fields["title"].value.endswith("a systematic review and meta-analysis.")
    assert (fields["year"].value, fields["year"].line) == ("2018 Apr", 10)
    assert (fields["journal"].value, fields["journal"].tag) == (
        "Journal of neurointerventional surgery", "JT")
    assert (fields["volume"].value, fields["issue"].value, fields["pages"].value) == ("10", "4", "335-339")
    assert (fields["doi"].value, fields["doi"].tag, fields["doi"].line) == (
        "10.1136/neurintsurg-2017-013179 [doi]", "LID", 14)
    assert fields["authors"].tag == "FAU"
    assert fields["authors"].value == ["Brinjikji, Waleed", "Pereira, Vitor M", "Kallmes, David F"]
    assert fields["keywords"].value == ["mechanical thrombectomy", "stroke"]
    assert fields["issn"].value == "1759-8486 (Electronic); 1759-8478 (Linking)"
    assert (fields["language"].value, fields["type"].value) == ("eng", "Journal Article")
    assert fields["abstract"].value.startswith("BACKGROUND AND PURPOSE: Flow arrest")
    # unmapped tags are kept: abbreviations, journal abbreviation, MeSH
    assert parsed.extra["AU"] == ["Brinjikji W", "Pereira VM", "Kallmes DF"]
    assert parsed.extra["TA"] == "J Neurointerv Surg"
    assert parsed.extra["mesh"][0] == "Aged"
    record = normalise_record(parsed)
    assert record.issn == "1759-8486; 1759-8478"
    assert record.provenance["doi"].line == 14


def test_biopython_result2_four_records_with_lines():
    doc = load_document(LOCAL / "biopython-pubmed_result2.txt")
    records = medline.read(doc)
    assert [r.position for r in records] == [1, 2, 3, 4]
    assert [r.source_id for r in records] == ["16403221", "16377612", "14871861", "14630660"]
    assert records[0].line == 2
    # records without OT take their MeSH headings as keywords
    assert records[0].fields["keywords"].tag == "MH"
    assert records[0].fields["doi"].value == "10.1186/1471-2105-7-10 [doi]"
    # a title over two lines is joined
    titles = [r.fields["title"].value for r in records]
    assert all("\n" not in t and "  " not in t for t in titles)


def test_crlf_copy_reads_the_same():
    data = (LOCAL / "nbib-single.nbib").read_bytes()
    lf = medline.read(document_from_bytes(data, "lf.nbib"))
    crlf = medline.read(document_from_bytes(data.replace(b"\n", b"\r\n"), "crlf.nbib"))
    assert [r.fields for r in lf] == [r.fields for r in crlf]


def test_second_pmid_without_blank_line_starts_a_new_record():
    text = "PMID- 1\nTI  - First\nPMID- 2\nTI  - Second\n"
    records = medline.read(document_from_bytes(text.encode(), "x.nbib"))
    assert [(r.source_id, r.line, r.fields["title"].value) for r in records] == [
        ("1", 1, "First"), ("2", 3, "Second")]


def test_chunk_cut_short_is_kept_with_a_problem():
    text = "PMID- 1\nTI  - Complete\n\nAU  - Smith J\nDP  - 2001\n"
    records = medline.read(document_from_bytes(text.encode(), "cut.nbib"))
    assert len(records) == 2
    assert not records[0].problems
    [problem] = records[1].problems
    assert (problem.position, problem.line, problem.field) == (2, 4, "title")


def test_continuation_lines_of_list_tags_are_joined():
    text = "PMID- 1\nTI  - T\nCOIS- Conflict one\n      continues here.\n"
    [parsed] = medline.read(document_from_bytes(text.encode(), "c.nbib"))
    assert parsed.extra["COIS"] == "Conflict one continues here."


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "just some text\nnothing tagged\n", "TY  - JOUR\nTI  - A RIS record\nER  - \n"],
)
def test_file_without_medline_records_raises(text):
    with pytest.raises(ImportFormatError) as info:
        medline.read(document_from_bytes(text.encode(), "bad.txt"))
    assert info.value.line == 1
    assert "MEDLINE" in str(info.value)
