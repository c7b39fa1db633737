"""Real exports of one library in three formats, through a project: one cluster per paper."""

from __future__ import annotations

from collections import defaultdict

from tests.support import shared_path

from logicmap.api import Review

LIBRARY = (
    "formats/endnote-xml/asysd-zotero_export.xml",
    "formats/csv/asysd-zotero_export.csv",
    "formats/endnote-xml/asysd-mendeley_export.xml",
)


def test_same_library_as_endnote_xml_csv_and_mendeley_collapses(tmp_path):
    """1233 records exported three ways: 1233 clusters, each one record from each file.

    (Same-title letters such as the two 1979 "Collapsing Clumber spaniels" with
    different DOIs, pages and authors rightly stay apart.)
    """
    files = [shared_path(p) for p in LIBRARY]
    with Review.create(tmp_path / "lib.db") as review:
        review.records.import_files(files)
        summary = review.dedupe.run()
        members: dict[int, list[str]] = defaultdict(list)
        for source, _, cluster, _ in review.dedupe.assignments():
            members[cluster].append(source)
    assert summary.records == 3 * 1233
    assert summary.clusters == 1233 and summary.duplicates_removed == 2 * 1233
    assert all(sorted(sources) == sorted(p.rsplit("/", 1)[1] for p in LIBRARY) for sources in members.values())
