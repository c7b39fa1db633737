"""Every real export under ../shared/data/formats: detected right, imported whole.

The record counts are those of ../shared/data/formats/MANIFEST.md; the readers'
own tests spot-check field values per file.
"""

from __future__ import annotations

import pytest

from tests.support import FORMATS, KNOWN_BAD_RECORDS, manifest_counts
from logicmap.api import Review
from logicmap.records.reading import prepare_file

FOLDER_FORMAT = {
    "ris": "ris",
    "medline": "medline",
    "pubmed-xml": "pubmed_xml",
    "bibtex": "bibtex",
    "endnote-xml": "endnote_xml",
    "csv": "csv",
    "tsv": "csv",
    "xlsx": "xlsx",
}
OTHER_FORMAT = {
    "synthesisr-wos.ciw": "wos_tagged",
    "synthesisr-wos_plaintext.txt": "wos_tagged",
    "synthesisr-wos_zoological_record.txt": "wos_tagged",
    "knh-ovid_embase_endnote_r3001-3002.cgi": "ovid_tagged",
    "knh-ovid_embase_citavi_r3001-3002.ovd": "ovid_tagged",
    "colrev-ais_endnote_tagged.txt": "refer",
}


def expected_format(relative: str) -> str:
    folder, name = relative.split("/")[1:]
    return OTHER_FORMAT[name] if folder == "other" else FOLDER_FORMAT[folder]


FILES = sorted(k for k in manifest_counts() if k.startswith("formats/"))
if not FILES:
    FILES = [pytest.param("formats/none", marks=pytest.mark.skip(reason="needs ../shared/data/formats (absent)"))]


@pytest.mark.parametrize("relative", FILES)
def test_shared_file_detected_and_read_whole(relative):
    item = prepare_file(FORMATS.parent / relative)
    assert item.info.format == expected_format(relative)
    bad_records = {p.position for p in item.bad}
    assert len(bad_records) == KNOWN_BAD_RECORDS.get(relative, 0), [p.describe(item.info.name) for p in item.bad]
    assert len(item.records) == manifest_counts()[relative]
    assert all(r.line is not None and r.line >= 1 for r in item.records)


def test_every_shared_file_in_one_project(tmp_path):
    """All 100+ files import in one transaction into one SQLite project."""
    counts = manifest_counts()
    if not counts:
        pytest.skip("needs ../shared/data/formats (absent)")
    files = [FORMATS.parent / k for k in sorted(counts) if k.startswith("formats/")]
    with Review.create(tmp_path / "all.db") as review:
        report = review.records.import_files(files, again=True, skip_bad=True)
        assert report.records == sum(counts[k] for k in counts if k.startswith("formats/"))
        assert sum(f.skipped for f in report.files) == sum(KNOWN_BAD_RECORDS.values())
        assert review.records.count() == report.records
