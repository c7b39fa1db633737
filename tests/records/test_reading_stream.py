"""Opening a file: UTF-8 text is scanned and streamed from disk, anything else is read whole."""

from __future__ import annotations

import hashlib

from logicmap.records.reading import iter_parsed, open_file

RIS = "TY  - JOUR\nID  - r1\nTI  - Zürich peer support\nER  - \n\nTY  - JOUR\nID  - r2\nTI  - Second\nER  - \n"


def test_utf8_file_is_checksummed_and_parsed_without_being_read_whole(tmp_path):
    path = tmp_path / "a.ris"
    path.write_bytes(b"\xef\xbb\xbf" + RIS.encode("utf-8"))
    opened = open_file(path)
    records = list(iter_parsed(opened))
    assert [r.fields["title"].value for r in records] == ["Zürich peer support", "Second"]
    assert opened.doc.streamed and opened.doc.bom_length == 3
    assert opened.info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert opened.info.size_bytes == path.stat().st_size and opened.format == "ris"


def test_a_file_that_is_not_utf8_is_read_whole_and_named_in_a_warning(tmp_path):
    path = tmp_path / "b.ris"
    path.write_bytes(RIS.encode("cp1252"))
    opened = open_file(path)
    records = list(iter_parsed(opened))
    assert records[0].fields["title"].value == "Zürich peer support"
    assert not opened.doc.streamed and opened.info.encoding == "cp1252"
    assert "not valid UTF-8 (first bad byte on line 3)" in opened.info.warnings[0]


def test_utf16_file_is_read_whole(tmp_path):
    path = tmp_path / "c.ris"
    path.write_bytes(RIS.encode("utf-16"))
    opened = open_file(path)
    assert [r.source_id for r in iter_parsed(opened)] == ["r1", "r2"]
    assert not opened.doc.streamed
