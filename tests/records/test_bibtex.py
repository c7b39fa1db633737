"""BibTeX reader and writer: real exports, failed blocks, LaTeX, round trips."""

from __future__ import annotations

import io

import bibtexparser
import pytest
from tests.support import TESTS_DATA, manifest_counts, shared_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logicmap.records.encoding import document_from_bytes, load_document
from logicmap.records.formats import bibtex
from logicmap.records.record import Document, ImportFormatError, ParsedRecord, Record
from logicmap.records.normalise import normalise_record

LOCAL = TESTS_DATA / "formats" / "bibtex"
BIB_FILES = sorted(path for path in manifest_counts() if path.startswith("formats/bibtex/"))

#: MANIFEST counts bibtexparser's ``library.entries``. An entry with a repeated field
#: goes to ``failed_blocks`` instead, but is a complete, importable reference: the
#: reader keeps it, so the real count of synthesisr-scopus.bib is 3 (Li2020,
#: Cao2020, Tang2020), not 2. See ``test_synthesisr_duplicate_field_entry_is_kept``.
CORRECTED_COUNTS = {"formats/bibtex/synthesisr-scopus.bib": 3}
#: Blocks that really do not parse (they become records with a problem).
SYNTAX_ERRORS = {"formats/bibtex/colrev-ebsco_dummy.bib": 1}


def read_text(text: str, name: str = "inline.bib") -> list[ParsedRecord]:
    return bibtex.read(document_from_bytes(text.encode("utf-8"), name))


def normalised(records: list[ParsedRecord]) -> list[Record]:
    return [normalise_record(record) for record in records]


def round_trip(records: list[Record]) -> list[Record]:
    """Write normalised records as BibTeX, read them back and normalise again."""
    out = io.StringIO()
    assert bibtex.write(records, out) == len(records)
    return normalised(read_text(out.getvalue(), "written.bib"))


def shared_records(relative: str) -> list[ParsedRecord]:
    return bibtex.read(load_document(shared_path(relative)))


# ------------------------------------------------------------- every shared file


@pytest.mark.parametrize("relative", BIB_FILES)
def test_shared_file_record_count(relative):
    records = shared_records(relative)
    clean = [r for r in records if not r.problems]
    broken = [r for r in records if r.problems]
    assert len(clean) == CORRECTED_COUNTS.get(relative, manifest_counts()[relative])
    assert len(broken) == SYNTAX_ERRORS.get(relative, 0)
    assert [r.position for r in records] == list(range(1, len(records) + 1))
    assert all(r.line for r in records)


@pytest.mark.parametrize("relative", BIB_FILES)
def test_shared_file_round_trip(relative):
    records = normalised([r for r in shared_records(relative) if not r.problems])
    again = round_trip(records)
    assert [r.values() for r in again] == [r.values() for r in records]


@pytest.mark.parametrize("relative", BIB_FILES)
def test_written_file_is_valid_bibtex(relative):
    records = normalised([r for r in shared_records(relative) if not r.problems])
    out = io.StringIO()
    bibtex.write(records, out)
    library = bibtexparser.parse_string(out.getvalue())
    assert library.failed_blocks == []
    assert len(library.entries) == len(records)


# ------------------------------------------------------------- spot checks


def test_asysd_zotero_export():
    records = shared_records("formats/bibtex/asysd-zotero_export.bib")
    first = normalise_record(records[0])
    assert first.source_id == "larsen_microangiography_1999"
    assert first.line == 2  # the file starts with a blank line
    assert first.provenance["title"].line == 3
    assert first.title == (
        "Microangiography of the humeral condyle in Cocker Spaniel and non-Cocker Spaniel dogs"
    )  # {Cocker} {Spaniel} protection braces removed
    assert first.authors == ["Larsen, LJ", "Roush, JK", "McLaughlin, RM", "Cash, WC"]
    assert first.year == 1999 and first.pages == "134-137" and first.issn == "0932-0814"
    assert first.keywords[:2] == ["blood supply", "Cocker Spaniels"]
    assert first.extra["month"] == "aug" and "annote" in first.extra
    second = normalise_record(records[1])
    assert second.doi == "10.21521/mw.6330" and second.language == "Polish"
    types = {r.fields["type"].value for r in records}
    assert types == {"article", "inproceedings"}


def test_asysd_latex_escapes_are_decoded():
    records = normalised(shared_records("formats/bibtex/asysd-zotero_export.bib"))
    texts = [r.title or "" for r in records] + [r.abstract or "" for r in records]
    assert not any("\\textless" in t or "\\%" in t or "\\&" in t for t in texts)
    assert any("%" in t for t in texts) and any("&" in t for t in texts)


def test_synthesisr_duplicate_field_entry_is_kept():
    records = shared_records("formats/bibtex/synthesisr-scopus.bib")
    assert [r.source_id for r in records] == ["Li2020", "Cao2020", "Tang2020"]
    assert [r.line for r in records] == [2, 28, 53]
    first = normalise_record(records[0])
    assert not records[0].problems  # only 'funding_details' repeats: not a canonical field
    assert first.doi == "10.1080/20964129.2020.1722034"
    assert first.authors[:2] == ["Li, W.", "Dou, Z."]
    assert first.year == 2020 and first.issue == "1"
    assert first.title.startswith("Soil fauna diversity at different stages of reed restoration")
    assert len(first.extra["funding_details"]) == 2  # both values, without their braces
    assert first.extra["funding_details"][0] == "University of TwenteUniversity of Twente"
    assert "Criminisi algorithm" in normalise_record(records[2]).keywords


def test_colrev_taylor_and_francis():
    records = normalised(shared_records("formats/bibtex/colrev-taylor_and_francis_dummy.bib"))
    first = records[0]
    assert first.source_id == "doi:10.1111/07777777.2018.1666666" and first.line == 8
    assert first.title == "This is a dummy title from publisher Taylor & Francis"  # raw '&'
    assert first.authors == ["Does, Tandf", "Follow, Not", "Conventions, Naming"]
    assert first.doi == "10.1111/07777777.2018.1666666"
    assert first.url == "https://doi.org/10.1111/07777777.2018.1666666"  # multi-line value
    assert first.pmid == "33355555"  # from note = {PMID: 33355555}
    assert first.extra["note"] == "PMID: 33355555"
    assert records[1].year == 2019


def test_gbk_file_is_read_as_cp1252_and_garbled():
    """The encoding layer does not detect GBK: non-ASCII text arrives as mojibake."""
    path = shared_path("formats/bibtex/bibtexparser-gbk_test.bib")
    doc = load_document(path)
    assert doc.encoding == "cp1252"
    assert doc.warnings and "not valid UTF-8" in doc.warnings[0]
    (record,) = normalised(bibtex.read(doc))
    assert record.title == "Test Title" and record.year == 2013  # ASCII parts survive
    assert record.journal == b"\xb2\xe2\xca\xd4\xc6\xda\xbf\xaf".decode("cp1252")
    assert record.journal != "测试期刊"  # what GBK decoding would give
    assert record.source_id == b"\xbf\xad\xc8\xf62013".decode("cp1252")


# ------------------------------------------------------------- local fixtures


def test_local_wos_dummy():
    records = bibtex.read(load_document(LOCAL / "colrev-wos_dummy.bib"))
    first, second = normalised(records)
    assert first.source_id == "WOS:000223334444221"  # '{ WOS:...' key with a space
    assert first.line == 3  # BOM line, blank line, then the entry
    assert first.type == "inproceedings" and first.journal == "A BOOKTITLE"
    assert first.doi == "10.1007/999-9-999-99999-9_3"  # '\_' unescaped
    assert first.authors == ["Writerone, Julia", "Writertwo, Paul"]
    assert first.extra["Book-Group-Author"] == "Author" and "Unique-ID" in first.extra
    assert second.title == "A dummy title's"  # '&apos;' survives LaTeX decoding
    assert second.year == 2022 and second.issue == "3" and second.line == 28


def test_local_ebsco_dummy_syntax_error_is_a_problem():
    records = bibtex.read(load_document(LOCAL / "colrev-ebsco_dummy.bib"))
    assert len(records) == 2
    good, bad = records
    assert not good.problems
    assert normalise_record(good).keywords == ["Keyword 1", "keyword 2"]
    assert normalise_record(good).url.startswith("https://search.ebscohost.com/login.aspx?direct")
    assert bad.source_id == "13362467620181001" and bad.line == 15
    (problem,) = bad.problems
    assert problem.line == 15 and problem.message.startswith("BibTeX syntax error:")
    assert "colrev-ebsco_dummy.bib, line 15" in problem.describe("colrev-ebsco_dummy.bib")


def test_local_files_round_trip():
    for path in sorted(LOCAL.glob("*.bib")):
        records = normalised([r for r in bibtex.read(load_document(path)) if not r.problems])
        assert [r.values() for r in round_trip(records)] == [r.values() for r in records]


# ------------------------------------------------------------- reader details


def test_duplicate_key_is_reported_with_the_key():
    text = "@article{k1, title={One}}\n\n@article{k1, title={Two}}\n"
    first, second = read_text(text)
    assert not first.problems
    assert second.line == 3 and second.source_id == "k1"
    assert "duplicate BibTeX key 'k1'" in second.problems[0].message
    assert "line 1" in second.problems[0].message


def test_repeated_canonical_field_with_different_values_is_a_problem():
    (record,) = read_text("@article{k, title={One}, title={Two}}")
    assert record.problems and record.problems[0].field == "title"
    assert record.fields["title"].value == "One"


def test_unterminated_entry_is_a_problem_at_its_line():
    text = "@article{ok, title={Fine}}\n\n@article{bad, title={Never closed\n"
    records = read_text(text)
    assert [bool(r.problems) for r in records] == [False, True]
    assert records[1].line == 3 and records[1].source_id == "bad"


def test_latex_accents_and_braces():
    text = r"""@article{k, title = {{\"U}ber {M}{\"u}ller's {\'e}t{\'e} -- 50\% \& more $\alpha$},
    author = {M{\"u}ller, J{\"o}rg and {World Health Organization} and Smith, A.
              and B{\o}rge Hansen},
    journal = {J. Caf{\'e} {\textless}i{\textgreater}Res{\textless}/i{\textgreater}}}"""
    (record,) = normalised(read_text(text))
    assert record.title == "Über Müller's été – 50% & more α"
    assert record.authors == [
        "Müller, Jörg", "World Health Organization", "Smith, A.", "Hansen, Børge"
    ]
    assert record.journal == "J. Café Res"


def test_raw_special_characters_are_text():
    (record,) = normalised(read_text("@article{k, title={Cost US$5 & 100% of $10 each}}"))
    assert record.title == "Cost US$5 & 100% of $10 each"


def test_field_mapping():
    text = """@article{k, date={2019-05-01}, journaltitle={Journal T}, issue={7},
      eprint={123456}, eprinttype={pubmed}, keywords={a; b, c; d}, isbn={978-3-16-148410-0},
      issn={1234-5678}, language={English}, url={https://x.org/a%20b}, publisher={P}}"""
    (record,) = normalised(read_text(text))
    assert (record.year, record.journal, record.issue) == (2019, "Journal T", "7")
    assert record.pmid == "123456"  # eprint with eprinttype = pubmed
    assert record.keywords == ["a", "b, c", "d"]  # ';' wins over ','
    assert record.isbn == "978-3-16-148410-0" and record.issn == "1234-5678"
    assert record.url == "https://x.org/a%20b" and record.language == "English"
    assert record.extra == {"eprinttype": "pubmed", "publisher": "P"}
    assert record.provenance["year"].tag == "date"


def test_text_document_required():
    with pytest.raises(ImportFormatError):
        bibtex.read(Document(name="x.bib", data=b"\x00"))


def test_empty_file_gives_no_records():
    assert read_text("% just a comment\n") == []


# ------------------------------------------------------------- writer details


def make_record(**values) -> Record:
    return Record(position=values.pop("position", 1), **values)


def test_keys_from_source_id_or_generated_and_unique():
    records = [
        make_record(source_id="Smith2020", title="A"),
        make_record(source_id="Smith2020", title="The soil", authors=["Müller, J"], year=2020),
        make_record(source_id="has space", title="The soil", authors=["Müller, J"], year=2020),
        make_record(title=None),
        make_record(source_id="Muller2020soil", title="x"),
    ]
    assert bibtex.assign_keys(records) == [
        "Smith2020",  # valid source id kept
        "Muller2020soila",  # duplicate id: generated, avoiding the later valid id
        "Muller2020soilb",  # invalid id (space)
        "Anon",  # nothing to build a key from
        "Muller2020soil",
    ]


def test_written_text_is_escaped_and_types_mapped():
    record = make_record(
        title="{Braces} and 50% & $5 #1 a_b ~x^2 back\\slash -- ''q''",
        authors=["Research and Development Group", "Smith and Sons, Jo"],
        type="Journal Article",
        journal="J",
        keywords=["Dogs, Inbred", "Cats"],
    )
    out = io.StringIO()
    bibtex.write([record], out)
    text = out.getvalue()
    assert text.startswith("@article{")
    assert "{Research and Development Group}" in text and "{Smith and Sons}, Jo" in text
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (back,) = normalised(read_text(text))
    assert back.title == record.title and back.authors == record.authors
    assert back.keywords == record.keywords and back.type == "article"


def test_booktitle_for_proceedings():
    out = io.StringIO()
    bibtex.write([make_record(type="inproceedings", journal="Proc. X")], out)
    assert "booktitle = {Proc. X}" in out.getvalue()


# ------------------------------------------------------------- property test

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")),
    min_size=1,
    max_size=60,
)
_SPECIAL = st.text(alphabet="{}\\%&$#_~^-'`?!\"<>@,;= aZ0é", min_size=1, max_size=30)
_WORD = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=12)
_NAME = st.one_of(
    st.builds(lambda f, g: f"{f}, {g}", _WORD, _WORD),
    st.builds(lambda a, b: f"{a} and {b} Group", _WORD, _WORD),
    _TEXT,
)


@st.composite
def parsed_records(draw) -> ParsedRecord:
    parsed = ParsedRecord(position=1, line=1, source_id=draw(st.none() | _WORD))
    texts = {
        "title": st.one_of(_TEXT, _SPECIAL), "abstract": _TEXT, "journal": _TEXT,
        "volume": _TEXT, "issue": _TEXT, "pages": _TEXT, "language": _TEXT, "isbn": _TEXT,
        "issn": st.from_regex(r"\d{4}-\d{3}[\dX]", fullmatch=True),
        "doi": st.from_regex(r"10\.\d{4,6}/[A-Za-z0-9._;()/:<>-]{1,20}[A-Za-z0-9]", fullmatch=True),
        "pmid": st.from_regex(r"[1-9]\d{0,7}", fullmatch=True),
        "url": st.from_regex(r"https://[a-z]{1,8}\.org/[\w%~&?=#./-]{0,20}", fullmatch=True),
        "type": st.sampled_from(sorted(bibtex.ENTRY_TYPES)),
        "authors": st.lists(_NAME, max_size=4),
        "keywords": st.lists(st.one_of(_TEXT, _SPECIAL), max_size=4),
        "year": st.integers(1500, 2099).map(str),
    }  # fmt: skip
    for name, strategy in texts.items():
        if name == "type" or draw(st.booleans()):
            parsed.set(name, draw(strategy), name)
    return parsed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(parsed_records(), min_size=1, max_size=3))
def test_round_trip_property(parsed):
    records = [normalise_record(p) for p in parsed]
    again = round_trip(records)
    assert [r.values() for r in again] == [r.values() for r in records]


_LATEX_TOKENS = ["a", "Z", " ", "é", "{", "}", "{x}", r"\%", r"\&", r"\#", r"\_", r"\$",
                 r"{\textless}", r"\textgreater{}", r"\textless ", "%", "&", "#", "_", "-",
                 "'", "<", ">", "^", ",", ";"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LATEX_TOKENS), max_size=12).map("".join))
def test_fast_latex_decoding_matches_pylatexenc(value):
    assert bibtex.decode_latex(value) == bibtex.full_decode_latex(value)
