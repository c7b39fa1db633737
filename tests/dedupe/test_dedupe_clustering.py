"""Clustering: union-find over duplicate pairs with the chaining guard."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from logicmap.dedupe.clustering import ScoredPair, cluster_pairs
from logicmap.dedupe.scoring import PairComparison


def test_transitive_duplicates_form_one_cluster():
    pairs = [ScoredPair(0, 1, 0.99), ScoredPair(1, 2, 0.95), ScoredPair(3, 4, 0.3)]
    clusters, refused = cluster_pairs(pairs, merge_at=0.9)
    assert clusters == [[0, 1, 2]]
    assert not refused


def test_cannot_link_stops_chaining():
    # A~B and B~C, but A and C are clearly different: C stays out of A's cluster
    pairs = [ScoredPair(0, 1, 0.99), ScoredPair(1, 2, 0.95), ScoredPair(0, 2, 0.01, veto=True)]
    clusters, refused = cluster_pairs(pairs, merge_at=0.9)
    assert clusters == [[0, 1]]
    assert refused == {(1, 2)}


def test_anchor_check_catches_pairs_blocking_never_proposed():
    pairs = [ScoredPair(0, 1, 0.99), ScoredPair(1, 2, 0.95)]
    different = {(0, 2)}

    def compare(i, j):
        return PairComparison(0.0 if (i, j) in different else 0.99)

    clusters, refused = cluster_pairs(pairs, merge_at=0.9, compare=compare)
    assert clusters == [[0, 1]]
    assert refused == {(1, 2)}
    assert cluster_pairs(pairs, merge_at=0.9)[0] == [[0, 1, 2]]


scored = st.lists(
    st.builds(lambda i, j, s, v: ScoredPair(min(i, j), max(i, j), s, v),
              st.integers(0, 12), st.integers(0, 12), st.sampled_from([0.01, 0.3, 0.7, 0.92, 0.95, 0.99]),
              st.booleans()).filter(lambda p: p.i != p.j),
    max_size=40,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(scored, st.integers(0, 1000))
def test_clusters_do_not_depend_on_pair_order(pairs, seed):
    shuffled = list(pairs)
    random.Random(seed).shuffle(shuffled)
    assert cluster_pairs(pairs, merge_at=0.9) == cluster_pairs(shuffled, merge_at=0.9)


@settings(max_examples=200, deadline=None)
@given(scored)
def test_clusters_are_disjoint_and_respect_cannot_links(pairs):
    clusters, _ = cluster_pairs(pairs, merge_at=0.9)
    members = [i for c in clusters for i in c]
    assert len(members) == len(set(members))
    where = {i: n for n, c in enumerate(clusters) for i in c}
    for p in pairs:
        if p.veto or p.score < 0.2:
            assert where.get(p.i, -1) != where.get(p.j, -2)


@settings(max_examples=200, deadline=None)
@given(scored)
def test_only_cannot_links_inside_linked_components_change_clusters(pairs):
    from array import array

    from logicmap.dedupe.engine import binding_cannot_links

    links = [p for p in pairs if p.score >= 0.9 and not p.veto]
    cannot = array("q", [p.i * 13 + p.j for p in pairs if p.veto or p.score < 0.2])
    binding = binding_cannot_links(links, cannot, 13)
    assert len(binding) <= len(cannot)
    assert cluster_pairs(links + binding, merge_at=0.9) == cluster_pairs(pairs, merge_at=0.9)
