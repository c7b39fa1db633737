"""The dedupe stage on a real project (``review.dedupe``): runs, review, undo, export, incremental."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
from sqlalchemy import select

from logicmap.api import DedupeError, DedupeSettings, Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.store import open_store
from logicmap.store.tables import Cluster, MergedField


@pytest.fixture
def review(project_location):
    """A project holding the demo exports (the same papers in three databases)."""
    with Review.create(project_location) as review:
        for name, database in DEMO_EXPORTS.items():
            review.records.import_files([demo_data_dir() / name], database=database)
        yield review


@pytest.fixture
def demo_project(review):
    """The dedupe stage of the demo project."""
    return review.dedupe


@pytest.fixture
def store(project_location, review):
    """The same project's store, to look at the rows dedupe wrote."""
    with open_store(project_location) as store:
        yield store


def papers_by_cluster(dedupe) -> dict[int, set[str]]:
    """cluster_id -> the corpus ids (source_id) of its records; the ids are the truth."""
    clusters: dict[int, set[str]] = defaultdict(set)
    for _, source_id, cluster_id, _ in dedupe.assignments():
        clusters[cluster_id].add(source_id)
    return clusters


def test_demo_exports_collapse_without_wrong_merges(demo_project):
    summary = demo_project.run()
    assert summary.mode == "full" and summary.records == 157
    clusters = papers_by_cluster(demo_project)
    assert all(len(ids) == 1 for ids in clusters.values()), "a cluster mixes different papers"
    papers = {i for ids in clusters.values() for i in ids}
    assert len(clusters) - len(papers) <= summary.review_pairs  # only undecided pairs stay split
    removed = {name: count for name, _, _, count in demo_project.per_source()}
    assert sum(removed.values()) == summary.duplicates_removed == 157 - len(clusters)


def test_canonical_record_gets_gaps_filled_from_other_members(project_location, tmp_path):
    full = (
        "TY  - JOUR\nTI  - Peer support workers and personal recovery: a randomised trial\n"
        "AU  - Cook, Judith A.\nPY  - 2012\nDO  - 10.1176/appi.ps.201100125\n"
        "AB  - We tested peer-delivered recovery education in six communities.\nER  - \n"
    )
    sparse = (
        "TY  - JOUR\nTI  - Peer support workers and personal recovery: A randomised trial.\n"
        "AU  - Cook JA\nPY  - 2012\nSP  - 541\nEP  - 550\nVL  - 63\nER  - \n"
    )
    (tmp_path / "a.ris").write_text(full)
    (tmp_path / "b.ris").write_text(sparse)
    with Review.create(project_location) as review, open_store(project_location) as store:
        review.records.import_files([tmp_path / "a.ris", tmp_path / "b.ris"])
        summary = review.dedupe.run()
        assert summary.clusters == 1 and summary.duplicates_removed == 1
        with store.session() as session:
            cluster = session.scalars(select(Cluster)).one()
            assert cluster.canonical_record_id == 1  # DOI and abstract: the most complete
            fills = {f.field: (f.value, f.from_record_id) for f in session.scalars(select(MergedField))}
        assert fills == {"pages": ("541-550", 2), "volume": ("63", 2)}


def test_export_has_one_row_per_record(demo_project, tmp_path):
    demo_project.run()
    path = tmp_path / "clusters.csv"
    assert demo_project.export_clusters(path) == 157
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["source", "source_id", "cluster_id"]
    assert {r["source"] for r in rows} == set(DEMO_EXPORTS)
    assert len({(r["source"], r["source_id"]) for r in rows}) == 157


def test_review_decision_is_kept_and_stands_on_rerun(demo_project):
    demo_project.run(settings=DedupeSettings(merge_at=0.97, review_from=0.5))
    queue = demo_project.queue()
    assert queue, "expected uncertain pairs with a high merge threshold"
    item = queue[0]
    truth = item.left[1].source_id == item.right[1].source_id
    demo_project.decide(item.pair_id, "duplicate" if truth else "distinct", reviewer="tester")
    assert item.pair_id not in {i.pair_id for i in demo_project.queue()}
    clusters = demo_project.assignments()
    same = {c for _, _, c, r in clusters if r in (item.left[0], item.right[0])}
    assert (len(same) == 1) == truth
    demo_project.run(settings=DedupeSettings(merge_at=0.97), full=True)
    clusters = demo_project.assignments()
    assert ({c for _, _, c, r in clusters if r in (item.left[0], item.right[0])} == same)


def test_undo_splits_cluster_and_later_runs_respect_it(demo_project, store):
    demo_project.run()
    with store.session() as session:
        cluster = session.scalars(select(Cluster).where(Cluster.undone_at.is_(None))).first()
        cluster_id, canonical = cluster.id, cluster.canonical_record_id
    members = demo_project.undo(cluster_id, reviewer="tester")
    assignments = {r: c for _, _, c, r in demo_project.assignments()}
    assert len({assignments[m] for m in members}) == len(members)
    demo_project.run(full=True)
    assignments = {r: c for _, _, c, r in demo_project.assignments()}
    assert len({assignments[m] for m in members}) == len(members)
    with pytest.raises(DedupeError, match="already undone"):
        demo_project.undo(cluster_id, reviewer="tester")
    with pytest.raises(DedupeError, match="no cluster 99999"):
        demo_project.undo(99999, reviewer="tester")


def test_incremental_run_compares_only_new_records(project_location, tmp_path):
    with Review.create(project_location) as review:
        first, *later = DEMO_EXPORTS
        review.records.import_files([demo_data_dir() / first])
        initial = review.dedupe.run()
        assert initial.mode == "full" and initial.duplicates_removed == 0
        review.records.import_files([demo_data_dir() / name for name in later])
        update = review.dedupe.run()
        assert update.mode == "incremental"
        assert update.new_records == 95 and update.records == 157
        assert update.duplicates_removed > 60
        assert all(len(ids) == 1 for ids in papers_by_cluster(review.dedupe).values())
