"""Decoding and line streaming: the streamed lines are exactly the decoded text's lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import logicmap.records.record as model
from tests.support import FORMATS
from logicmap.records.encoding import document_from_bytes, sniff_encoding
from logicmap.records.record import ImportFormatError

TEXT_FOLDERS = ("ris", "medline", "bibtex", "csv", "tsv", "other", "pubmed-xml", "endnote-xml")


def shared_text_files():
    if not FORMATS.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason="needs ../shared/data/formats (absent)"))]
    return sorted(p for folder in TEXT_FOLDERS for p in (FORMATS / folder).iterdir())


@pytest.mark.parametrize("path", shared_text_files(), ids=lambda p: p.name if p else "none")
def test_streamed_lines_match_whole_text(path, monkeypatch):
    monkeypatch.setattr(model, "_BLOCK", 997)  # many block boundaries, odd offsets
    streamed = list(document_from_bytes(path.read_bytes(), path.name).iter_lines())
    whole = document_from_bytes(path.read_bytes(), path.name).lines()
    assert streamed == whole


line_ends = st.sampled_from(["\n", "\r\n", "\r"])
pieces = st.lists(st.tuples(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=12), line_ends), max_size=30)


@given(pieces, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]), st.integers(1, 9))
def test_any_line_endings_stream_like_split(parts, codec, block):
    text = "".join(a + b for a, b in parts)
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return
    if not data.strip():
        return
    model._BLOCK, saved = block, model._BLOCK
    try:
        doc = document_from_bytes(data, "x.txt")
        assert list(doc.iter_lines()) == doc.lines()
        assert "\r" not in doc.text
    finally:
        model._BLOCK = saved


def test_encodings_are_recognised():
    assert sniff_encoding(b"\xef\xbb\xbfTY  - JOUR", "a")[:2] == ("utf-8", 3)
    assert sniff_encoding("TY  - JOUR\n".encode("utf-16-le"), "a")[0] == "utf-16-le"
    codec, _, warnings = sniff_encoding(b"TI  - Z\xfcrich\nline\n", "old.ris")
    assert codec == "cp1252" and warnings == ["old.ris: not valid UTF-8 (first bad byte on line 1); read as cp1252"]
    doc = document_from_bytes("TI  - Zürich\r\nAB  - x".encode("latin-1"), "l.ris")
    assert doc.lines() == ["TI  - Zürich", "AB  - x"]


def test_nul_bytes_are_refused_with_line():
    with pytest.raises(ImportFormatError, match=r"x.ris, line 2: binary content"):
        document_from_bytes(b"TY  - JOUR\nTI  - \x00\x01", "x.ris")
    with pytest.raises(ImportFormatError, match=r"y.ris, line 2: binary content"):
        document_from_bytes("TY  - JOUR\nTI  - \x00".encode("utf-16"), "y.ris")
