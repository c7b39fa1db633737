"""Dedupe in short transactions (issue 17): batched storage, local rebuilds, interrupted runs."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

import logicmap.review.dedupe as dedupe_stage
from logicmap.api import Review
from logicmap.dedupe.clustering import BatchSize, seed_batches, touched_groups
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.records.record import FIELDS


def _import_demo(review: Review) -> None:
    for name, database in DEMO_EXPORTS.items():
        review.records.import_files([demo_data_dir() / name], database=database)


@pytest.fixture
def review(project_location):
    """A project holding the demo exports (the same papers in three databases)."""
    with Review.create(project_location) as review:
        _import_demo(review)
        yield review


@pytest.fixture
def reference(tmp_path):
    """The clusters of one uninterrupted run with the default batch sizes, on a SQLite copy."""
    with Review.create(tmp_path / "reference.db") as review:
        _import_demo(review)
        review.dedupe.run()
        return _memberships(review)


def _memberships(review: Review) -> set[frozenset[int]]:
    return {frozenset(members) for _, _, members in review.dedupe.merges()}


class _Commits:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn) -> None:
        self.count += 1


@pytest.mark.parametrize("cluster_batch", [4, 2])
def test_small_batches_store_the_same_clusters_in_many_transactions(review, reference, monkeypatch, cluster_batch):
    """Also when batches cut groups of connected records (2: every group of three or more is cut)."""
    monkeypatch.setattr(dedupe_stage, "PAIR_BATCH", 3)
    monkeypatch.setattr(dedupe_stage, "CLUSTER_BATCH", cluster_batch)
    commits = _Commits()
    event.listen(Engine, "commit", commits)
    try:
        summary = review.dedupe.run()
    finally:
        event.remove(Engine, "commit", commits)
    assert summary.clusters > 10
    assert commits.count > summary.clusters // cluster_batch  # pairs and clusters went in many small transactions
    assert _memberships(review) == reference
    assert summary.duplicates_removed == sum(len(m) - 1 for m in reference)


class _Interrupt(Exception):
    pass


def _stop_at_clusters(stage: str, done: int, _total: int) -> None:
    if stage == "clusters" and done >= 2:
        raise _Interrupt


def test_an_interrupted_run_is_completed_by_the_next(review, reference, monkeypatch):
    monkeypatch.setattr(dedupe_stage, "CLUSTER_BATCH", 4)
    with pytest.raises(_Interrupt):
        review.dedupe.run(progress=_stop_at_clusters)
    partial = _memberships(review)
    assert partial and partial < reference  # some clusters were stored, not all
    summary = review.dedupe.run()
    assert summary.mode == "full"  # the interrupted run's records count as not compared
    assert _memberships(review) == reference


def test_a_decision_changes_only_the_clusters_it_touches(review):
    review.dedupe.run()
    before = {cluster_id: tuple(members) for cluster_id, _, members in review.dedupe.merges()}
    target, members = next((cid, m) for cid, m in before.items() if len(m) >= 2)
    pair = next(i.pair_id for i in review.dedupe.queue()) if review.dedupe.queue() else None
    review.dedupe.undo(target, reviewer="ann")
    after = {cluster_id: tuple(m) for cluster_id, _, m in review.dedupe.merges()}
    assert target not in after
    assert {cid: m for cid, m in before.items() if cid != target} == after
    if pair is not None:  # a reviewer's duplicate decision adds or grows one cluster, leaves the rest
        review.dedupe.decide(pair, "duplicate", reviewer="ann")
        changed = set(after.items()) ^ {(cid, tuple(m)) for cid, _, m in review.dedupe.merges()}
        assert len(changed) <= 3


def test_fields_only_reading_gives_the_same_fields(review):
    full = dict(review.records.iter())
    light = dict(review.records.iter_fields())
    assert full.keys() == light.keys() and len(full) == 157
    for record_id, record in full.items():
        assert {n: getattr(record, n) for n in FIELDS} == {n: getattr(light[record_id], n) for n in FIELDS}


def test_touched_groups_join_connected_records_and_batches_keep_groups_whole():
    groups = touched_groups([(5, 9), (1, 2), (9, 12), (2, 3), (20, 21)])
    assert groups == [[1, 2, 3], [5, 9, 12], [20, 21]]
    batches = list(seed_batches(groups, 5))
    assert batches == [{1, 2, 3}, {5, 9, 12, 20, 21}]
    assert list(seed_batches([[1, 2, 3, 4, 5, 6, 7]], 3)) == [{1, 2, 3}, {4, 5, 6}, {7}]


@pytest.mark.parametrize("seed", range(3))
def test_no_batch_exceeds_the_limit_whatever_the_groups(seed):
    """A transaction's seeds are bounded by the batch size, not by the largest group (which grows with the library)."""
    import random

    rng = random.Random(seed)
    pairs = [(rng.randrange(20_000), rng.randrange(20_000)) for _ in range(12_000)]  # one giant group and many small
    groups = touched_groups([(a, b) for a, b in pairs if a != b])
    assert max(len(g) for g in groups) > 1000
    batches = list(seed_batches(groups, 100))
    assert max(len(b) for b in batches) <= 100
    assert sorted(r for b in batches for r in b) == sorted(r for g in groups for r in g)


def test_batch_size_halves_after_a_slow_batch_and_grows_back_after_fast_ones():
    size = BatchSize(800, 0.5, first=200, smallest=25)
    assert size.size == 200
    for seconds, expected in [(0.1, 400), (0.1, 800), (0.1, 800), (0.3, 800), (2.0, 400), (0.6, 200),
                              (9.0, 100), (9.0, 50), (9.0, 25), (9.0, 25), (0.01, 50)]:
        size.took(seconds)
        assert size.size == expected


def test_batches_follow_the_size_as_it_changes():
    groups = touched_groups([(i, i + 1) for i in range(0, 3000, 3)] + [(5000 + i, 5001 + i) for i in range(700)])
    size = BatchSize(400, 1.0, first=100, smallest=10)
    seen = []
    for batch in seed_batches(groups, size):
        assert len(batch) <= size.size
        seen.append(len(batch))
        size.took(5.0 if len(seen) % 3 == 0 else 0.0)  # every third batch "slow"
    assert len(set(seen)) > 2  # the size did change
    assert sum(seen) == sum(len(g) for g in groups)


def test_a_slow_store_gets_smaller_cluster_transactions_and_the_same_clusters(review, reference, monkeypatch):
    """However slow each rebuild is (budget 0: every one is over it), batches shrink to the smallest."""
    monkeypatch.setattr(dedupe_stage, "CLUSTER_BATCH", 32)
    monkeypatch.setattr(dedupe_stage, "CLUSTER_LOCK_BUDGET", 0.0)
    sizes, rebuild = [], dedupe_stage.DedupeStage._rebuild_batch

    def counted(stage, seeds, *args):  # the real rebuild, counting its seed records
        sizes.append(len(seeds))
        return rebuild(stage, seeds, *args)

    monkeypatch.setattr(dedupe_stage.DedupeStage, "_rebuild_batch", counted)
    review.dedupe.run()
    assert sizes[0] == 8 and max(sizes) <= 8 and sizes[-1] == 1  # 32 // 4 first, down to 32 // 32
    assert _memberships(review) == reference


def test_existing_objects_are_frozen_only_inside_the_block():
    import gc

    from logicmap.records.intake import existing_objects_frozen

    before = gc.get_freeze_count()
    with existing_objects_frozen():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0
    with pytest.raises(ValueError), existing_objects_frozen():
        raise ValueError  # unfrozen however the block ends
    assert gc.get_freeze_count() == 0
