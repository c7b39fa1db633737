"""BibTeX read in chunks of entries gives the records of a whole-file parse, with the file's lines."""

from __future__ import annotations

import pytest
from tests.support import FORMATS, TESTS_DATA

from logicmap.records.encoding import document_from_bytes
from logicmap.records.formats import bibtex, bibtex_chunks
from logicmap.records.record import Document

LOCAL = TESTS_DATA / "formats" / "bibtex"


def read_in_chunks(text: str, monkeypatch, size: int) -> list:
    monkeypatch.setattr(bibtex_chunks, "CHUNK_CHARS", size)
    return bibtex.read(document_from_bytes(text.encode("utf-8"), "inline.bib"))


def signature(records) -> list:
    return [(r.position, r.line, r.source_id, {k: (v.value, v.line) for k, v in r.fields.items()}, r.extra,
             [(p.line, p.field, p.message) for p in r.problems]) for r in records]


def bib_files() -> list:
    shared = FORMATS / "bibtex"
    return sorted(LOCAL.glob("*.bib")) + (sorted(shared.glob("*.bib")) if shared.is_dir() else [])


@pytest.mark.parametrize("path", bib_files(), ids=lambda p: p.name)
def test_chunks_of_one_entry_read_like_a_whole_file(path, monkeypatch):
    text = path.read_bytes().decode("utf-8", errors="replace")
    whole = read_in_chunks(text, monkeypatch, 10**12)
    assert whole
    assert signature(read_in_chunks(text, monkeypatch, 1)) == signature(whole)


ENTRIES = """@string{jn = {Journal of Tests}}
@article{a1,
  title = {First {Entry} with @ inside braces
 and a {second} line},
  journal = jn,
  year = {2020}
}

@article{a2,
  title = {Second},
  year = {2021}
}
@article{a1,
  title = {Same key again},
  year = {2022}
}
@article{broken,
  title = {No closing brace,
  year = 2023

@article{a3,
  title = {After the broken one},
  year = {2024}
}
"""


def test_strings_duplicate_keys_and_lines_cross_chunks(monkeypatch):
    whole = read_in_chunks(ENTRIES, monkeypatch, 10**12)
    chunked = read_in_chunks(ENTRIES, monkeypatch, 1)
    assert signature(chunked) == signature(whole)
    first = chunked[0]
    assert first.fields["journal"].value == "Journal of Tests"  # @string from an earlier chunk
    assert first.fields["title"].line == 3
    again = next(r for r in chunked if r.fields.get("title") and r.fields["title"].value == "Same key again")
    assert again.line == 13
    assert [p.message for p in again.problems] == ["duplicate BibTeX key 'a1' (first used on line 2)"]


def test_a_large_file_is_parsed_in_many_chunks(tmp_path):
    entries = "".join(f"@article{{k{i},\n  title = {{Paper {i}}},\n  year = {{2000}}\n}}\n\n" for i in range(3000))
    path = tmp_path / "big.bib"
    path.write_text(entries, encoding="utf-8")
    doc = Document(name="big.bib", data=None, encoding="utf-8", path=path)
    count = sum(1 for _ in bibtex_chunks.chunks(doc.iter_lines(), size=10_000))
    records = bibtex.read(doc)
    assert len(records) == 3000 and records[-1].line == 5 * 2999 + 1
    assert count > 10 and doc.streamed  # read from disk in chunks, never whole
