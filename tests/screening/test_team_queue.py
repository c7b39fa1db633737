"""The team's screening queue: records handed out and held, dual screening, labels, undo, ranking."""

from __future__ import annotations

import pytest

from logicmap.api import ActiveLearner, ScreeningError
from logicmap.screening.stopping_rules import default_rule
from logicmap.screening.team_queue import TeamQueue

TEXTS = [f"{topic} study number {i}" for i, topic in enumerate(
    ["exercise depression trial", "exercise anxiety trial", "diet cancer cohort", "sleep memory survey",
     "exercise depression cohort", "diet diabetes trial", "sleep anxiety trial", "exercise mood trial"])]
IDS = [101, 102, 103, 104, 105, 106, 107, 108]


def queue(per_record: int = 1, hold: float = 60.0) -> TeamQueue:
    learner = ActiveLearner(features="tfidf", classifier="svm", seed=1).fit(TEXTS)
    made = TeamQueue(learner, IDS, default_rule(), per_record=per_record, hold=hold)
    made.refresh()
    return made


def test_reviewers_are_handed_different_records_and_asking_again_gives_the_same_one():
    q = queue()
    first = q.next("ann", now=0)[0]
    assert q.next("ann", now=1)[0] == first  # a reload shows the record held
    second = q.next("ben", now=1)[0]
    assert second != first
    q.decide("ann", first, "exclude")
    assert q.next("ann", now=2)[0] not in (first, second)


def test_a_hold_runs_out_and_the_record_goes_to_someone_else():
    q = queue(hold=10)
    first = q.next("ann", now=0)[0]
    assert q.next("ben", now=5)[0] != first
    q.decide("ben", q.next("ben", now=5)[0], "exclude")
    assert q.next("ben", now=11)[0] == first  # ann's hold ended at 10


def test_dual_screening_gives_the_second_reviewer_the_records_the_first_decided():
    q = queue(per_record=2)
    record = q.next("ann", now=0)[0]
    assert q.next("ben", now=0)[0] == record  # two holds allowed on one record
    assert q.next("cat", now=0)[0] != record  # but not three
    q.release("cat")
    q.decide("ann", record, "include")
    q.decide("ben", record, "exclude")
    assert q.progress("ann").complete == 1 and q.progress("ann").mine == 1
    nxt = q.next("ann", now=1)[0]
    q.decide("ann", nxt, "exclude")
    assert q.next("dan", now=1)[0] == nxt  # the open record comes first for anyone who has not seen it


def test_a_queue_rebuilt_over_changed_records_keeps_who_holds_what():
    q = queue(per_record=2)
    record = q.next("ann", now=0)[0]
    q.decide("ben", q.next("ben", now=0)[0], "include")  # ben decided the record ann still reads
    ben_next = q.next("ben", now=1)[0]
    gone = next(r for r in IDS if r not in (record, ben_next))
    kept = [i for i, r in enumerate(IDS) if r != gone]
    learner = ActiveLearner(features="tfidf", classifier="svm", seed=1).fit([TEXTS[i] for i in kept])
    rebuilt = TeamQueue(learner, [IDS[i] for i in kept], default_rule(), per_record=2, hold=60.0)
    rebuilt.decide("ben", record, "include")  # the stored decisions, replayed
    rebuilt.refresh()
    rebuilt.keep_holds(q)
    assert rebuilt.held == {"ann": record, "ben": ben_next}
    assert rebuilt.next("cat", now=2)[0] == ben_next  # the second place beside ben, not the ranking's best
    assert rebuilt.next("ann", now=2)[0] == record
    rebuilt.decide("ann", record, "exclude")
    assert rebuilt.next("ann", now=2)[0] != ben_next  # ben's and cat's: no third place


def test_labels_come_from_any_include_else_exclude_and_a_reconciliation_wins():
    q = queue(per_record=2)
    q.decide("ann", 101, "include")
    q.decide("ben", 101, "exclude")
    q.decide("ann", 102, "maybe")
    q.decide("ann", 103, "exclude")
    assert q.order == [1, 0]
    q.reconcile(101, "exclude")
    assert q.order == [0, 0]
    assert q.stale
    q.refresh()
    assert not q.stale and not q.unjudged and q.stop.records_screened == 2
    assert set(q.ranking) == set(IDS) - {101, 103}


def test_undo_gives_the_record_back_to_the_reviewer_and_the_model_forgets_it():
    q = queue()
    record = q.next("ann", now=0)[0]
    q.decide("ann", record, "include")
    assert q.decision_of("ann", record) == "include" and q.order == [1]
    assert q.withdraw("ann", record, now=1)
    assert q.order == [] and q.next("ann", now=2)[0] == record
    assert not q.withdraw("ann", 999, now=3)


def test_the_same_decision_twice_changes_nothing_and_unknown_records_are_refused():
    q = queue()
    assert q.decide("ann", 101, "exclude")
    version = q.version
    assert not q.decide("ann", 101, "exclude")
    assert q.version == version
    with pytest.raises(ScreeningError, match="record 5 is not among"):
        q.decide("ann", 5, "include")


def test_changing_reviewers_per_record_reopens_decided_records():
    q = queue(per_record=1)
    q.decide("ann", 101, "exclude")
    assert q.next("ben", now=0)[0] != 101
    q.set_per_record(2)
    q.release("ben")
    assert q.next("ben", now=0)[0] == 101
    assert q.upcoming(3)[0] == 101 and len(q.upcoming(3)) == 3


def test_a_reviewer_with_nothing_left_gets_none():
    q = queue(per_record=1)
    for i, record in enumerate(IDS):
        q.decide("ann", record, "exclude")
    assert q.next("ann", now=0) is None and q.next("ben", now=0) is None


def test_a_random_sample_rule_hands_out_its_sample_first_and_keeps_it_from_the_model():
    from logicmap.screening.stopping_rules import make_rule

    learner = ActiveLearner(features="tfidf", classifier="svm", seed=1).fit(TEXTS)
    q = TeamQueue(learner, IDS, make_rule("qbcb", 0.6, 0.6), seed=2)  # 10% of 8 records: one
    q.refresh()
    assert q.progress("ann").sample == (0, 1)
    first = q.next("ann", now=0)[0]
    assert q.is_sample(first) and sum(q.is_sample(r) for r in IDS) == 1
    assert q.next("ben", now=0)[0] != first  # held for ann: ben gets the ranking's best
    q.decide("ann", first, "include")
    assert q.progress("ann").sample == (1, 1)
    snapshot = q.snapshot()
    assert q.position[first] not in dict(snapshot.labels)  # the model never learns the sample's label
    assert snapshot.sample.labels == (1,) and snapshot.sample.positives == 1
    assert "1 relevant records in the sample certify no stop" in q.judge(snapshot).reason
