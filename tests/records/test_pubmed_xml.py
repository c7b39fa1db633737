"""PubMed XML reader: every shared file, the local copy, malformed and hostile XML."""

from __future__ import annotations

import pytest
from tests.support import TESTS_DATA, manifest_counts, shared_path

from logicmap.records.encoding import document_from_bytes, load_document
from logicmap.records.formats import pubmed_xml
from logicmap.records.record import ImportFormatError
from logicmap.records.normalise import normalise_record

LOCAL = TESTS_DATA / "formats" / "pubmed_xml"

#: file -> first article: (start line, PMID, title, DOI, first author, year), read off the files.
FIRST_RECORDS = {
    "asreview-pubmed.xml": (
        5, "31690499", "A new decompression device for treating odontogenic cysts using a "
        "silicone tube.", "10.1016/j.bjoms.2019.09.011", "Kimura, M", 2019),
    "biopython-pubmed2.xml": (
        4, "11748933", "Is cryopreservation a homogeneous process? Ultrastructure and motility "
        "of untreated, prefreezing, and postthawed spermatozoa of Diplodus puntazzo (Cetti).",
        "10.1006/cryo.2001.2328", "Taddei, A R", 2001),
    "biopython-pubmed4.xml": (
        4, "27797938", "Leucocyte telomere length, genetic variants at the TERT gene region and "
        "risk of pancreatic cancer.", "10.1136/gutjnl-2016-312510", "Bao, Ying", 2017),
    "biopython-pubmed7.xml": (
        4, "29963580", "Development of a pulmonary imaging biomarker pipeline for phenotyping "
        "of chronic lung disease.", "10.1117/1.jmi.5.2.026002", "Guo, Fumin", 2018),
}


def _read_shared(name: str):
    return pubmed_xml.read(load_document(shared_path(f"formats/pubmed-xml/{name}")))


def _read_text(text: str, name: str = "x.xml"):
    return pubmed_xml.read(document_from_bytes(text.encode("utf-8"), name))


def test_every_manifest_pubmed_xml_file_is_tested():
    counts = manifest_counts()
    if not counts:
        pytest.skip("needs ../shared/data/formats/MANIFEST.md")
    listed = sorted(k.rsplit("/", 1)[1] for k in counts if k.startswith("formats/pubmed-xml/"))
    assert listed == sorted(FIRST_RECORDS)


@pytest.mark.parametrize("name", sorted(FIRST_RECORDS))
def test_shared_file_record_count_matches_manifest(name):
    records = _read_shared(name)
    assert len(records) == manifest_counts()[f"formats/pubmed-xml/{name}"]
    assert all(not r.problems for r in records)


@pytest.mark.parametrize("name", sorted(FIRST_RECORDS))
def test_shared_file_first_record(name):
    first = _read_shared(name)[0]
    line, pmid, title, doi, first_author, year = FIRST_RECORDS[name]
    assert (first.line, first.source_id) == (line, pmid)
    assert first.fields["title"].value == title
    record = normalise_record(first)
    assert (record.doi, record.authors[0], record.year, record.pmid) == (doi, first_author, year, pmid)


def test_asreview_medline_date_and_last_record_line():
    records = _read_shared("asreview-pubmed.xml")
    [dated] = [r for r in records if r.fields["year"].tag == "MedlineDate"]
    assert (dated.fields["year"].value, dated.fields["year"].line) == ("2014 Jan-Apr", 520)
    assert dated.fields["title"].value == "An unusual case of four simultaneous eruption cysts in an infant."
    assert normalise_record(dated).year == 2014
    assert records[-1].line == 1524
    assert sum("abstract" not in r.fields for r in records) == 3


def test_structured_abstract_keeps_labels_and_inline_markup_is_flattened():
    [article] = _read_shared("biopython-pubmed4.xml")
    abstract = article.fields["abstract"]
    assert (abstract.tag, abstract.line) == ("AbstractText", 37)
    assert abstract.value.startswith("OBJECTIVE: Telomere shortening")
    for label in ("DESIGN: ", "RESULTS: ", "CONCLUSIONS: "):
        assert label in abstract.value
    assert "(TERT) gene region" in abstract.value
    assert article.fields["title"].line == 31


def test_collective_name_author_kept_as_is_and_references_ignored_for_doi():
    [article] = _read_shared("biopython-pubmed7.xml")
    authors = article.fields["authors"].value
    assert authors[-1] == "Canadian Respiratory Research Network"
    assert article.fields["doi"].value == "10.1117/1.JMI.5.2.026002"
    assert article.extra["ArticleIdList"]["pubmed"] == "29963580"


def test_local_copy_two_articles_on_one_line():
    records = pubmed_xml.read(load_document(LOCAL / "biopython-pubmed2.xml"))
    assert [(r.position, r.line, r.source_id) for r in records] == [
        (1, 4, "11748933"), (2, 4, "11700088")]
    first, second = records
    assert first.fields["journal"].value == "Cryobiology"
    assert (first.fields["volume"].value, first.fields["issue"].value) == ("42", "4")
    assert first.fields["pages"].value == "244-55"
    assert first.fields["issn"].value == "0011-2240"
    assert first.fields["keywords"].tag == "DescriptorName"  # no KeywordList: MeSH used
    assert first.extra["Status"] == "MEDLINE" and second.extra["Status"] == "PubMed-not-MEDLINE"
    assert second.fields["title"].value.startswith("Proton MRI of (13)C distribution")
    assert normalise_record(second).authors[-1] == "De Luca, F"


BOOK = """<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedBookArticle>
  <BookDocument>
    <PMID Version="1">20301295</PMID>
    <ArticleIdList><ArticleId IdType="bookaccession">NBK1116</ArticleId></ArticleIdList>
    <Book>
      <Publisher><PublisherName>University of Washington, Seattle</PublisherName></Publisher>
      <BookTitle book="gene">GeneReviews</BookTitle>
      <PubDate><Year>1993</Year></PubDate>
    </Book>
    <ArticleTitle book="gene" part="ataxia">Ataxia overview</ArticleTitle>
    <Language>eng</Language>
    <AuthorList Type="authors">
      <Author><LastName>Bird</LastName><ForeName>Thomas D</ForeName></Author>
    </AuthorList>
    <Abstract><AbstractText Label="CLINICAL CHARACTERISTICS">Text.</AbstractText></Abstract>
  </BookDocument>
</PubmedBookArticle>
</PubmedArticleSet>
"""


def test_book_article():
    [book] = _read_text(BOOK)
    assert (book.line, book.source_id) == (3, "20301295")
    assert book.fields["title"].value == "Ataxia overview"
    assert book.fields["journal"].value == "GeneReviews"
    assert (book.fields["year"].value, book.fields["year"].line) == ("1993", 10)
    assert book.fields["authors"].value == ["Bird, Thomas D"]
    assert book.fields["abstract"].value == "CLINICAL CHARACTERISTICS: Text."
    assert book.extra["PublisherName"] == "University of Washington, Seattle"


def test_malformed_xml_names_the_line():
    text = "<PubmedArticleSet>\n<PubmedArticle>\n<PMID>1</PMID>\n</PubmedArticleSet>\n"
    with pytest.raises(ImportFormatError) as info:
        _read_text(text, "broken.xml")
    assert info.value.file == "broken.xml"
    assert info.value.line == 4
    assert "malformed XML" in str(info.value)


def test_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>A &e; title</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>"
    )
    [article] = _read_text(text)
    assert "TOP-SECRET" not in article.fields["title"].value


@pytest.mark.parametrize(
    "text", ["<records><record/></records>", "<PubmedArticleSet></PubmedArticleSet>"]
)
def test_xml_without_pubmed_articles_raises(text):
    with pytest.raises(ImportFormatError) as info:
        _read_text(text)
    assert info.value.line == 1
    assert "PubMed XML" in str(info.value)
