"""The engine interface, incremental mode, determinism and settings."""

from __future__ import annotations

import random

import pytest
from dedupe_helpers import article, rec
from hypothesis import given, settings
from hypothesis import strategies as st

from logicmap.dedupe.engine import DedupeEngine, DedupeResult, DedupeSettings, InProcessEngine

SETTINGS = DedupeSettings()


def library():
    return [
        article(0),
        article(1, doi=None, title=article().title.upper()),
        rec(2, title="Glucagon-like peptide-1 and the endothelium in diabetic mice", year=2012,
            authors=["Smith, J."], journal="Diabetologia", volume="55", pages="100-110"),
        rec(3, title="Glucagon-like peptide-1 and the endothelium in diabetic mice.", year=2012,
            authors=["Smith, J"], journal="Diabetologia", volume="55", pages="100-10"),
        rec(4, title="An unrelated paper about sleep in adolescents", year=2019, authors=["Doe, A."]),
        article(5, title="Erratum: Intestinal lipoprotein overproduction in insulin-resistant states", doi=None),
    ]  # fmt: skip


def test_in_process_engine_satisfies_the_protocol():
    engine: DedupeEngine = InProcessEngine()
    result = engine.find_duplicates(library(), settings=SETTINGS)
    assert isinstance(result, DedupeResult)
    assert result.clusters == [[0, 1], [2, 3]]
    assert result.duplicates_to_remove() == {1, 3}
    decisions = {(p.i, p.j): p.decision for p in result.pairs}
    assert decisions[(0, 1)] == decisions[(2, 3)] == "duplicate"
    assert decisions[(0, 5)] == "distinct"  # vetoed pairs are reported
    assert all(p.i < p.j for p in result.pairs)


def test_keep_distinct_reports_every_compared_pair():
    result = InProcessEngine().find_duplicates(library(), settings=DedupeSettings(keep_distinct=True))
    assert len(result.pairs) == result.compared


def test_incremental_mode_compares_only_new_records():
    records = library()
    result = InProcessEngine().find_duplicates(records, settings=SETTINGS, new=[3])
    assert all(3 in (p.i, p.j) for p in result.pairs)
    assert result.clusters == [[2, 3]]
    with pytest.raises(IndexError):
        InProcessEngine().find_duplicates(records, settings=SETTINGS, new=[99])


def test_settings_validate_thresholds():
    with pytest.raises(ValueError):
        DedupeSettings(merge_at=0.4, review_from=0.6)
    assert SETTINGS.decide(0.95) == "duplicate"
    assert SETTINGS.decide(0.6) == "review"
    assert SETTINGS.decide(0.1) == "distinct"


def test_empty_input():
    assert InProcessEngine().find_duplicates([], settings=SETTINGS).clusters == []


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_partition_does_not_depend_on_record_order(seed):
    records = library() * 2
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    shuffled = [records[i] for i in order]
    base = InProcessEngine().find_duplicates(records, settings=SETTINGS).clusters
    moved = InProcessEngine().find_duplicates(shuffled, settings=SETTINGS).clusters
    as_original = sorted(sorted(order[i] for i in cluster) for cluster in moved)
    assert as_original == base


def test_chain_guard_downgrades_refused_duplicates_to_review():
    # B is a copy of A without year/venue; C matches B but is 4 years after A (vetoed against A)
    a = article(0, doi=None)
    b = article(1, doi=None, year=None, pages=None, volume=None, issue=None, journal=None)
    c = article(2, doi=None, year=2012, volume=None, issue=None, pages=None, journal=None)
    result = InProcessEngine().find_duplicates([a, b, c], settings=SETTINGS)
    assert not any(set(cl) == {0, 1, 2} for cl in result.clusters)
    chain = [p for p in result.pairs if any(g.startswith("chain") for g in p.comparison.guards)]
    assert chain and all(p.decision == "review" for p in chain)


odd_text = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(
    ["", "x", "Москва", "糖尿病の研究", "[Russian]", "Erratum", "Part II", "<sup>2</sup>", "10.1/%28x%29"]))
odd_records = st.lists(st.builds(
    lambda t, y, d, a, p, j: rec(1, title=t, year=y, doi=d, authors=a, pages=p, journal=j),
    odd_text, st.one_of(st.none(), st.integers(1500, 2099)), odd_text,
    st.lists(st.text(max_size=10), max_size=3), odd_text, odd_text), max_size=12)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(odd_records)
def test_engine_never_crashes_and_never_pairs_a_record_with_itself(records):
    result = InProcessEngine().find_duplicates(records, settings=DedupeSettings(keep_distinct=True))
    assert all(0 <= p.i < p.j < len(records) for p in result.pairs)
    members = [i for cluster in result.clusters for i in cluster]
    assert len(members) == len(set(members))
    assert all(len(cluster) >= 2 for cluster in result.clusters)
