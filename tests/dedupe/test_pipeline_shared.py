"""Real exports of one library in three formats, through the store: one cluster per paper."""

from __future__ import annotations

from collections import defaultdict

from conftest import shared_path

from logicmap.dedupe.keys import dedupe_keys
from logicmap.dedupe.pipeline import cluster_assignments, run_dedupe
from logicmap.records.importer import import_files
from logicmap.store import create_project
from logicmap.store.records import iter_records

LIBRARY = (
    "formats/endnote-xml/asysd-zotero_export.xml",
    "formats/csv/asysd-zotero_export.csv",
    "formats/endnote-xml/asysd-mendeley_export.xml",
)


def test_same_library_as_endnote_xml_csv_and_mendeley_collapses(tmp_path):
    files = [shared_path(p) for p in LIBRARY]
    with create_project(tmp_path / "lib.db") as project:
        import_files(project, files)
        summary = run_dedupe(project)
        cluster_of = {record_id: cluster for _, _, cluster, record_id in cluster_assignments(project)}
        by_paper: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        source_of = {}
        for record_id, record in iter_records(project):
            keys = dedupe_keys(record)
            by_paper[(keys.compact, keys.year)][record_id] = []
            source_of[record_id] = record
    assert summary.records == 3 * 1233
    papers_in_all = {
        paper: ids for paper, ids in by_paper.items() if len(ids) >= 3 and paper[0]
    }
    assert len(papers_in_all) >= 1200  # MANIFEST: 1224 titles shared by all three files
    split = [paper for paper, ids in papers_in_all.items() if len({cluster_of[i] for i in ids}) > 1]
    assert len(split) <= 0.01 * len(papers_in_all), split[:5]
    members: dict[int, set[tuple]] = defaultdict(set)
    for paper, ids in by_paper.items():
        for record_id in ids:
            members[cluster_of[record_id]].add(paper)
    wrong = [c for c, papers in members.items() if len({p for p in papers if p in papers_in_all}) > 1]
    assert wrong == []
