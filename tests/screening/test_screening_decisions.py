"""Screening decisions on a real store: committed at once, blind, undo, conflicts, agreement."""

from __future__ import annotations

import json

import pytest

from logicmap.api import DEFAULT_EXCLUSION_REASONS, Decision, Review, ScreeningError, default_engine, stopping_rules
from logicmap.screening.decisions import cohen_kappa
from logicmap.store import open_store
from logicmap.store.embeddings import ProjectEmbeddingCache

TA = "title_abstract"


def test_screening_units_are_one_record_per_cluster(review):
    units = review.dedupe.canonical_ids()
    assert len(units) == len(set(units)) and 80 <= len(units) < 157
    assert review.screening.candidates(TA) == units


def test_decision_is_committed_at_once(review, project_location):
    unit = review.dedupe.canonical_ids()[0]
    review.screening.decide(unit, "include", reviewer="ana", stage=TA, rank=1)
    with Review.open(project_location) as other:  # a second connection sees it now
        assert other.screening.decisions_of("ana", TA) == {unit: "include"}


def test_blind_reviewers_conflicts_reconciliation_and_agreement(review):
    screening = review.screening
    units = review.dedupe.canonical_ids()[:6]
    ana = ["include", "include", "exclude", "exclude", "maybe", "include"]
    ben = ["include", "exclude", "exclude", "exclude", "exclude", "include"]
    reason = DEFAULT_EXCLUSION_REASONS[0]
    for unit, a, b in zip(units, ana, ben):
        screening.decide(unit, a, reviewer="ana", stage=TA, reason=reason if a == "exclude" else None)
        screening.decide(unit, b, reviewer="ben", stage=TA, reason=reason if b == "exclude" else None)
    assert screening.decisions_of("ana", TA) == dict(zip(units, ana))  # only her own
    assert [c.record_id for c in screening.conflicts(TA)] == [units[1], units[4]]
    screening.reconcile(units[1], "include", reviewer="ana+ben", stage=TA)
    assert [c.record_id for c in screening.conflicts(TA)] == [units[4]]
    final = screening.final(TA)
    assert final[units[1]] == "include" and units[4] not in final and final[units[2]] == "exclude"
    result = screening.agreement("ana", "ben", TA)
    assert result.records == 6 and result.percent == pytest.approx(4 / 6)
    assert result.kappa == pytest.approx(cohen_kappa(list(zip(ana, ben))))


def test_cohen_kappa_hand_computed():
    # 10 pairs: 4 both include, 4 both exclude, 2 disagree -> po = .8, pe = .5, kappa = .6
    pairs = [("include", "include")] * 4 + [("exclude", "exclude")] * 4 + [("include", "exclude"), ("exclude", "include")]
    assert cohen_kappa(pairs) == pytest.approx(0.6)
    assert cohen_kappa([("include", "include")] * 3) is None
    assert cohen_kappa([]) is None


def test_undo_withdraws_latest_and_keeps_history(review):
    first, second = review.dedupe.canonical_ids()[:2]
    review.screening.decide(first, "include", reviewer="ana", stage=TA)
    review.screening.decide(second, "maybe", reviewer="ana", stage=TA)
    undone = review.screening.undo_last(reviewer="ana", stage=TA)
    assert isinstance(undone, Decision)  # a plain value, not a database row
    assert undone.record_id == second and undone.undone_at is not None
    assert review.screening.decisions_of("ana", TA) == {first: "include"}
    assert review.screening.undo_last(reviewer="nobody", stage=TA) is None


def test_bad_decisions_are_refused(review):
    unit = review.dedupe.canonical_ids()[0]
    decide = review.screening.decide
    with pytest.raises(ScreeningError, match="unknown stage 'abstracts'"):
        decide(unit, "include", reviewer="a", stage="abstracts")
    with pytest.raises(ScreeningError, match="unknown decision 'yes'"):
        decide(unit, "yes", reviewer="a", stage=TA)
    with pytest.raises(ScreeningError, match="unknown exclusion reason"):
        decide(unit, "exclude", reviewer="a", stage=TA, reason="boring")
    with pytest.raises(ScreeningError, match="no record 99999"):
        decide(99999, "include", reviewer="a", stage=TA)


def test_exclusion_reasons_are_project_data(review):
    assert review.screening.exclusion_reasons() == list(DEFAULT_EXCLUSION_REASONS)
    review.screening.set_exclusion_reasons(["wrong population", "wrong design"])
    assert review.screening.exclusion_reasons() == ["wrong population", "wrong design"]
    with pytest.raises(ScreeningError):
        review.screening.set_exclusion_reasons(["a", "a"])


def test_session_does_not_offer_a_maybe_again(review):
    session = review.screening.session("ana", seed=1)
    first, rank = session.next_record()
    session.decide(first, "maybe", rank=rank)
    second, rank = session.next_record()
    assert second != first and rank == 2
    session.decide(second, "include", rank=rank)
    assert session.undo() == second
    assert session.next_record()[0] == second  # the undone record comes back
    assert session.undo() == first
    assert session.next_record()[0] in (first, second)


def test_session_records_its_engine_with_the_first_decision(review, project_location):
    session = review.screening.session("ana", seed=1, features="tfidf", classifier="svm")
    with open_store(project_location) as store:
        assert store.setting("screening.model") is None  # opening a session writes nothing
    first, rank = session.next_record()
    session.decide(first, "include", rank=rank)
    with open_store(project_location) as store:
        assert store.setting("screening.model") == "TF-IDF features, class-weighted linear SVM (logicmap)"
        rule = stopping_rules.default_rule()
        assert rule.confidence < 1 and f"recall >= 95% with {rule.confidence:.0%} confidence" in store.setting(
            "screening.stopping_rule")
        pinned = json.loads(store.setting("screening.stopping_choice"))  # a later default changes nothing
    assert pinned == {"rule": "buscar", "recall_target": 0.95, "confidence": rule.confidence}
    assert review.screening.stopping_rule().name == rule.name


def test_a_rule_the_project_chose_is_not_replaced_by_the_default_at_the_first_decision(review, project_location):
    review.screening.choose_stopping_rule("knee")
    session = review.screening.session("ana", seed=1, features="tfidf", classifier="svm")
    first, rank = session.next_record()
    session.decide(first, "include", rank=rank)
    assert review.screening.stopping_rule().name == "knee"


def test_session_with_static_embeddings_needs_no_extra_and_records_its_engine(review, project_location):
    session = review.screening.session("ana", seed=1, features="tfidf+static", classifier="auto")
    assert session.engine == ("tfidf+static", "svm-fusion-static")
    seen = []
    for _ in range(3):
        record_id, rank = session.next_record()
        assert record_id not in seen
        seen.append(record_id)
        session.decide(record_id, "include" if len(seen) == 1 else "exclude", rank=rank)
    with open_store(project_location) as store:
        assert "static word-piece embeddings" in store.setting("screening.model")
        assert ProjectEmbeddingCache(store).count() == 0  # nothing to cache: a sparse product


def test_session_keeps_embeddings_in_the_project(review, project_location):
    reports: list[tuple[int, int]] = []
    first = review.screening.session("ana", seed=1, progress=lambda d, t: reports.append((d, t)))
    assert first.engine == default_engine()
    with open_store(project_location) as store:
        stored = ProjectEmbeddingCache(store).count()
    assert reports and reports[-1] == (stored, stored) and stored > 50
    record_id, rank = first.next_record()
    first.decide(record_id, "include", rank=rank)  # the engine is recorded with the first decision
    with open_store(project_location) as store:
        assert "sentence embeddings" in store.setting("screening.model")

    again: list[tuple[int, int]] = []
    second = review.screening.session("bo", seed=1, progress=lambda d, t: again.append((d, t)))
    with open_store(project_location) as store:
        assert again == [] and ProjectEmbeddingCache(store).count() == stored
    assert (second.learner.X_ != first.learner.X_).nnz == 0
