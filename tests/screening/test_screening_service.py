"""The many-reviewer screening service: decisions stored at once, retraining off the request path.

A retrain is held on a ``threading.Event`` through the service's ``before_retrain``
hook, so "while a retrain runs" is a state the test controls, not a timing bet.
"""

from __future__ import annotations

import sqlite3

import pytest

from logicmap.api import Review, ScreeningError
from logicmap.demo import CRITERIA
from tests.screening.service_support import HeldRetrain
import logicmap.review.screening_service as service_module

ENGINE = {"features": "tfidf", "classifier": "svm", "seed": 1, "criteria": CRITERIA}


@pytest.fixture
def review(location):
    with Review.open(location) as review:
        yield review


def ranking_after(review: Review, reviewer: str) -> tuple[int, int] | None:
    """What a fresh synchronous session (trained on the stored decisions) offers next."""
    return review.screening.session(reviewer, **ENGINE).next_record()


def test_decision_is_stored_first_and_next_answers_during_the_retrain(review, location):
    old = review.screening.session("ana", **ENGINE)
    old.next_record()
    old_ranking = old.queue.ranking
    hold = HeldRetrain()
    with review.screening.service(**ENGINE, before_retrain=hold) as service:
        first, rank = service.next("ana")
        assert (first, rank) == (old_ranking[0], 1)
        service.decide("ana", first, "include", rank=rank)
        assert hold.entered.wait(timeout=30) and service.retraining("ana")  # the retrain is running, held
        with Review.open(location) as other:  # the decision is committed before any retraining
            assert other.screening.decisions_of("ana") == {first: "include"}
        during = service.next("ana")  # answered from the last ranking while the retrain is held
        assert during == (old_ranking[1], 2) and service.retraining("ana")
        hold.release.set()
        assert service.wait(timeout=30) and not service.retraining("ana")
        after = service.next("ana")
        assert after == ranking_after(review, "ana")  # the new ranking, as a synchronous session computes it
        assert after != during  # and it differs from the stale one
        assert hold.calls == [("ana", "title_abstract")]


def test_decisions_during_a_retrain_coalesce_into_one_more(review):
    hold = HeldRetrain()
    with review.screening.service(**ENGINE, before_retrain=hold) as service:
        first, rank = service.next("ana")
        service.decide("ana", first, "include", rank=rank)
        assert hold.entered.wait(timeout=30)
        for decision in ("exclude", "exclude", "maybe"):
            record_id, rank = service.next("ana")
            service.decide("ana", record_id, decision, rank=rank)
        hold.release.set()
        assert service.wait(timeout=30)
        assert len(hold.calls) == 2  # the running retrain, then one for the three decisions made meanwhile
        assert service.next("ana") == ranking_after(review, "ana")
        assert service.progress("ana").screened == 3  # the maybe is set aside, not a label


def test_a_double_submitted_decision_is_stored_and_learnt_once(review, location):
    hold = HeldRetrain(held=False)
    with review.screening.service(**ENGINE, before_retrain=hold) as service:
        record_id, rank = service.next("ana")
        decision_id = service.decide("ana", record_id, "include", rank=rank)
        assert service.wait(timeout=30)
        assert service.decide("ana", record_id, "include", rank=rank) == decision_id
        assert not service.retraining("ana")
        assert service.wait(timeout=30) and len(hold.calls) == 1  # no second retrain
        assert service.progress("ana").screened == 1
    rows = sqlite3.connect(location).execute("SELECT count(*) FROM screening_decisions").fetchone()
    assert rows == (1,)


def test_two_reviewers_have_independent_queues_over_shared_features(review, monkeypatch):
    computed: list[str] = []
    real = service_module.stage_features

    def counting(store, record_ids, **options):
        computed.append("title_abstract")
        return real(store, record_ids, **options)

    monkeypatch.setattr(service_module, "stage_features", counting)
    with review.screening.service(**ENGINE) as service:
        first, _ = service.next("ana")
        assert service.next("ben") == (first, 1)  # same engine and seed, no decisions yet
        service.decide("ana", first, "include", rank=1)
        second, _ = service.next("ana")
        service.decide("ana", second, "exclude", rank=2)
        assert service.wait(timeout=30)
        assert service.next("ben") == (first, 1)  # Ana's decisions neither hide records from Ben nor train his model
        assert service.progress("ben").screened == 0 and service.progress("ana").screened == 2
        service.decide("ben", first, "exclude", rank=1)
        assert service.wait(timeout=30)
        assert service.next("ana") == ranking_after(review, "ana")
        assert service.next("ben") == ranking_after(review, "ben")
    assert computed == ["title_abstract"]  # one feature matrix for both reviewers
    assert review.screening.decisions_of("ana") == {first: "include", second: "exclude"}
    assert review.screening.decisions_of("ben") == {first: "exclude"}


def test_the_service_never_serves_a_decided_record(review):
    hold = HeldRetrain(held=False)
    served: list[int] = []
    with review.screening.service(**ENGINE, before_retrain=hold) as service:
        while (step := service.next("ana")) is not None:  # no waiting: rankings are often stale
            record_id, rank = step
            served.append(record_id)
            decision = ("include", "exclude", "exclude", "maybe")[len(served) % 4]
            service.decide("ana", record_id, decision, rank=rank)
            assert rank == len(served)
        assert service.wait(timeout=60)
        undone = service.undo("ana")
        assert undone == served[-1] and service.next("ana") == (undone, len(served))  # an undone record returns
    assert len(served) == len(set(served)) == len(review.screening.candidates())
    assert set(review.screening.decisions_of("ana")) == set(served) - {undone}


def test_the_service_refuses_records_outside_the_stage(review):
    with review.screening.service(**ENGINE) as service:
        with pytest.raises(ScreeningError, match="not among the records to screen"):
            service.decide("ana", 99999, "include")
        with pytest.raises(ScreeningError, match="unknown stage"):
            service.next("ana", stage="abstracts")


def test_the_service_shows_the_estimate_and_refuses_a_stop_before_the_rule_fires(review):
    with review.screening.service(**ENGINE, before_retrain=HeldRetrain(held=False)) as service:
        record, rank = service.next("ana")
        service.decide("ana", record, "include", rank=rank)
        service.wait()
        progress = service.progress("ana")
        assert progress.screened == 1 and not progress.can_stop
        assert progress.recall.low <= progress.recall.estimate <= progress.recall.high
        assert progress.stop.rule == review.screening.session("ana", **ENGINE).queue.rule.name
        with pytest.raises(ScreeningError, match="has not fired"):
            service.stop("ana")
    assert review.screening.stopped() is None  # a refused stop changes nothing
