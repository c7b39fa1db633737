"""EndNote XML reader: EndNote 20/21, Zotero and Mendeley exports, PMIDs, bad XML."""

from __future__ import annotations

import re
import unicodedata

import pytest
from tests.support import TESTS_DATA, manifest_counts, shared_path

from logicmap.records.encoding import document_from_bytes, load_document
from logicmap.records.formats import endnote_xml
from logicmap.records.record import ImportFormatError, ParsedRecord, Record
from logicmap.records.normalise import normalise_record

LOCAL = TESTS_DATA / "formats" / "endnote-xml"
XML_FILES = sorted(
    path
    for path in manifest_counts()
    if path.startswith("formats/endnote-xml/") or re.match(r"dedup/iebh-.*\.xml$", path)
)
STYLE = '<style face="normal" font="default" size="100%">{}</style>'


def read_xml(body: str, name: str = "inline.xml") -> list[ParsedRecord]:
    text = f'<?xml version="1.0" encoding="UTF-8"?><xml><records>{body}</records></xml>'
    return endnote_xml.read(document_from_bytes(text.encode("utf-8"), name))


def shared_records(relative: str) -> list[Record]:
    doc = load_document(shared_path(relative))
    return [normalise_record(record) for record in endnote_xml.read(doc)]


def title_key(title: str) -> str:
    """Casefolded title without punctuation or accents (for cross-file matching)."""
    text = unicodedata.normalize("NFKD", title).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


# ------------------------------------------------------------- every shared file


@pytest.mark.parametrize("relative", XML_FILES)
def test_shared_file_record_count(relative):
    doc = load_document(shared_path(relative))
    records = endnote_xml.read(doc)
    assert len(records) == manifest_counts()[relative]
    assert [r.position for r in records] == list(range(1, len(records) + 1))
    assert not any(r.problems for r in records)
    assert all(r.line is not None for r in records)


@pytest.mark.parametrize("relative", XML_FILES)
def test_shared_file_every_record_has_a_title(relative):
    records = shared_records(relative)
    assert all(r.title for r in records)
    assert all(r.type for r in records)


# ------------------------------------------------------------- spot checks


def test_asysd_zotero_export():
    records = shared_records("formats/endnote-xml/asysd-zotero_export.xml")
    first = records[0]
    assert first.line == 2 and first.source_id is None  # Zotero writes no rec-number
    assert first.title == "Myoclonus in older Cavalier King Charles Spaniels"
    assert first.authors == ["Rotter, Carina", "Whittaker, Danielle", "Rusbridge, Clare"]
    assert first.year == 2022 and first.doi == "10.1111/jvim.16404"
    assert first.journal == "Journal of veterinary internal medicine"
    assert (first.volume, first.issue, first.pages) == ("36", "3", "1032-1038")
    assert first.issn == "1939-1676; 0891-6640"  # <isbn> holding two ISSNs
    assert first.pmid is None  # Zotero's export has no accession numbers
    assert first.extra["periodical/abbr-1"] == "J Vet Intern Med"
    assert first.extra["source-app@name"] == "Zotero"
    assert {r.line for r in records} == {2}  # all records on the second line


def test_asysd_mendeley_export():
    records = shared_records("formats/endnote-xml/asysd-mendeley_export.xml")
    first = records[0]
    assert first.line == 1 and first.type == "Journal Article"
    assert first.title == "Myoclonus in older Cavalier King Charles Spaniels"
    assert first.pmid == "35319117"  # digits-only <accession-num>
    assert first.issue == "3"  # Mendeley writes <issue>, not <number>
    assert first.extra["ref-type"] == "0"
    assert sum(r.type == "Generic" for r in records) == 100


def test_asysd_zotero_and_mendeley_share_1224_titles():
    zotero, mendeley = (
        {title_key(r.title) for r in shared_records(f"formats/endnote-xml/asysd-{tool}_export.xml")}
        for tool in ("zotero", "mendeley")
    )
    assert len(zotero & mendeley) >= 1224


def test_reflib_blue_light():
    records = shared_records("formats/endnote-xml/reflib-blue-light.xml")
    first = records[0]
    assert first.source_id == "895" and first.line == 1
    assert first.title.startswith("Formulation of Herbal Gel of Antirrhinum majus Extract")
    assert first.authors[:2] == ["Shahtalebi, M. A.", "Asghari, G. R."]
    assert first.year == 2018 and first.doi == "10.4103/abr.abr_99_17"
    assert first.pmid == "29657938" and first.issn == "2277-9175"
    assert first.extra["custom2"] == "PMC5887696"
    assert first.extra["database@path"].startswith("\\\\staff.ad.bond.edu.au")
    assert sum(r.pmid is not None for r in records) == 102
    assert sum(r.doi is not None for r in records) == 72


def test_reflib_dump_converted():
    records = shared_records("formats/endnote-xml/reflib-dump-converted.xml")
    first = records[0]
    assert first.source_id == "9092" and first.authors == []  # empty <contributors>
    assert first.doi == "10.1212/wnl.0000000000012606"
    assert first.extra["label"] == "Anti-Amyloid"
    assert first.extra["remote-database-name"] == "cin20"
    assert sum(not r.authors for r in records) == 2
    assert sum(r.pmid is not None for r in records) == 19  # MEDLINE accession numbers
    # "PMID: NLM345203" in a CINAHL note is no PubMed id
    assert not any(r.pmid and r.pmid.startswith("NLM") for r in records)


def test_reflib_spidercite_demo():
    records = shared_records("formats/endnote-xml/reflib-spidercite-demo.xml")
    first = records[0]
    assert first.source_id == "2" and first.year == 2016 and first.doi == "10.1111/ijd.13349"
    assert first.title.startswith("A multicenter, randomized, split-face clinical trial")
    assert first.authors[0] == "Antoniou, C." and len(first.authors) == 9
    assert first.pmid == "27575854"


def test_iebh_copper_keeps_duplicate_captions():
    records = shared_records("dedup/iebh-copper.xml")
    first = records[0]
    assert first.source_id == "258" and first.line == 1 and first.year == 2018
    assert first.title.startswith("Zinc, copper, CD4 T-cell count and some hematological")
    assert first.doi == "10.1016/j.imr.2018.01.008"
    assert first.extra["caption"] == "Duplicate" and first.pmid is None  # an Embase record
    assert records[1].pmid == "29629291"
    assert sum(r.extra.get("caption") == "Duplicate" for r in records) == 281
    # Cochrane accession numbers (CN-...) are not PMIDs
    assert not any(r.provenance.get("pmid") and not r.pmid.isdigit() for r in records)


def test_iebh_tafenoquine():
    records = shared_records("dedup/iebh-tafenoquine.xml")
    first = records[0]
    assert first.source_id == "19" and first.title == "8-Aminoquinoline Therapy for Latent Malaria"
    assert first.authors == ["Baird, J. K."] and first.pmid == "31366609"
    assert sum(r.extra.get("caption") == "Duplicate" for r in records) == 114
    wos = [r for r in records if str(r.extra.get("accession-num", "")).startswith("WOS:")]
    assert len(wos) == 5 and not any(r.pmid for r in wos)


# ------------------------------------------------------------- local fixture


def test_local_multipart_fixture():
    (parsed,) = endnote_xml.read(load_document(LOCAL / "reflib-multipart.xml"))
    record = normalise_record(parsed)
    assert parsed.line == 4 and record.source_id == "1 & 2"
    assert record.title == "Foo & Bar" and record.journal == "Foo & Journal"
    assert parsed.fields["authors"].value == ["Foo & Bar", "Baz & Quz"]
    assert record.keywords == ["Foo & Bar", "Baz & Quz"]
    assert record.extra["auth-address"] == "Foo & Bar"  # layout whitespace dropped
    assert record.type == "Journal Article" and record.extra["source-app@version"] == "20.2"
    assert parsed.fields["title"].line == 26  # the <title> element, not the record


# ------------------------------------------------------------- reader details


def test_several_style_runs_are_joined():
    body = (
        "<record><rec-number>7</rec-number><titles><title>"
        + STYLE.format("Effect of ")
        + '<style face="italic">Canis</style>'
        + STYLE.format(" familiaris")
        + "</title></titles></record>"
    )
    (record,) = read_xml(body)
    assert record.fields["title"].value == "Effect of Canis familiaris"
    assert record.source_id == "7"


@pytest.mark.parametrize(
    ("fields", "pmid"),
    [
        ("<accession-num>12345678</accession-num>", "12345678"),
        ("<accession-num>CN-02017416</accession-num>", None),
        ("<accession-num>WOS:000123456789012</accession-num>", None),
        (
            "<accession-num>PMID: 123</accession-num>"
            "<remote-database-name>PubMed</remote-database-name>",
            "123",
        ),
        ("<notes>Some note. PMID: 998877</notes>", "998877"),
        ("<notes>PMID: NLM345203</notes>", None),
    ],
)
def test_pmid_sources(fields, pmid):
    (parsed,) = read_xml(f"<record><titles><title>T</title></titles>{fields}</record>")
    assert normalise_record(parsed).pmid == pmid


def test_isbn_or_issn():
    assert endnote_xml.isbn_or_issn("0196-6553") == "issn"
    assert endnote_xml.isbn_or_issn("1545-9616 (Print)\r1545-9616") == "issn"
    assert endnote_xml.isbn_or_issn("978-3-16-148410-0") == "isbn"
    assert endnote_xml.isbn_or_issn("0-19-852663-6") == "isbn"


def test_unused_alternatives_and_attributes_go_to_extra():
    body = (
        '<record><ref-type name="Book Section">5</ref-type><titles><title>T</title>'
        "<secondary-title>Book</secondary-title></titles>"
        "<periodical><full-title>Other</full-title></periodical>"
        "<urls><pdf-urls><url>internal-pdf://1/a.pdf</url></pdf-urls></urls>"
        "<custom1>c1</custom1><custom1>c1b</custom1></record>"
    )
    (parsed,) = read_xml(body)
    assert parsed.fields["journal"].value == "Book"
    assert parsed.fields["type"].value == "Book Section"
    assert parsed.extra["periodical/full-title"] == "Other"
    assert parsed.extra["urls/pdf-urls/url"] == "internal-pdf://1/a.pdf"
    assert parsed.extra["custom1"] == ["c1", "c1b"]
    assert parsed.extra["ref-type"] == "5" and parsed.extra["ref-type@name"] == "Book Section"


def test_malformed_xml_names_the_line():
    text = (
        b'<?xml version="1.0"?>\n<xml><records>\n'
        b"<record><titles><title>T</titles>\n</record></records></xml>"
    )
    with pytest.raises(ImportFormatError) as info:
        endnote_xml.read(document_from_bytes(text, "broken.xml"))
    assert info.value.line == 3 and "broken.xml, line 3" in str(info.value)


def test_other_xml_is_refused():
    with pytest.raises(ImportFormatError, match="not an EndNote XML"):
        endnote_xml.read(document_from_bytes(b"<PubmedArticleSet/>", "pubmed.xml"))


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    text = (
        f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file://{secret}">]>'
        "<xml><records><record><titles><title>a &e; b</title></titles></record></records></xml>"
    )
    records = endnote_xml.read(document_from_bytes(text.encode(), "xxe.xml"))
    assert "SECRET" not in records[0].fields["title"].value


def test_empty_library():
    assert read_xml("") == []
