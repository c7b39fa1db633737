"""The full-text order behind a server (``review.fulltext.background``): a request never waits for a
retrain. The worker's round is held on an event (the one hook the class offers) while requests are
made: they answer at once, in id order before the first ranking (and say so), then from the last
ranking while a newer one is computed; once the worker is let go the order is the library's ranked
order on the decisions made (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest

from logicmap.demo import CRITERIA

TA = "title_abstract"
ENGINE = {"features": "tfidf", "classifier": "svm", "seed": 3, "criteria": CRITERIA}
#: Far longer than a request takes, far shorter than the hold: a request that waited would fail.
QUICK = 5.0


class Hold:
    """``before_rank`` that holds every round until :meth:`release` (at most a minute)."""

    def __init__(self) -> None:
        self.entered, self.gate, self.rounds = threading.Event(), threading.Event(), 0

    def __call__(self) -> None:
        self.rounds += 1
        self.entered.set()
        assert self.gate.wait(60), "the test never let the round go"

    def release(self) -> None:
        self.gate.set()

    def hold_again(self) -> None:
        self.entered.clear()
        self.gate.clear()


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def served_while_held_then_ranked(review, ranking, hold, state, served):
    """While the worker's round is held, ben's request returns at once with ``served`` marked
    ``state``; once the round is released, the library's ranked queue. Returns that queue."""
    assert hold.entered.wait(30)
    during, took = timed(lambda: ranking.queue("ben"))
    assert took < QUICK and during.state == state and during.records == served
    hold.release()
    assert ranking.wait(60)
    ranked = ranking.queue("ben")
    assert ranked.state == "ranked" and ranked.records == review.fulltext.queue("ben", **ENGINE)
    return ranked


def test_requests_are_answered_while_the_full_text_retrain_runs(review):
    units = review.dedupe.canonical_ids()[:40]
    for i, record in enumerate(units):  # includes, excludes (labels to learn from) and maybes to rank
        decision = ("include", "exclude", "maybe")[i % 3]
        review.screening.decide(record, decision, reviewer="ana", stage=TA,
                                reason="other" if decision == "exclude" else None)
    hold = Hold()
    with review.fulltext.background(**ENGINE, before_rank=hold) as ranking:
        first, took = timed(lambda: ranking.queue("ben"))
        assert took < QUICK and (first.ranked, first.state) == (False, "unranked")
        assert first.records == sorted(review.fulltext.left("ben"))  # id order, said so
        # while the first round is held, then once it is released
        ranked = served_while_held_then_ranked(review, ranking, hold, "unranked", first.records)
        assert ranked.records != first.records  # the ranking is not the id order here

        hold.hold_again()  # ben's decisions change the labels: the next request asks for a new round
        decided = ranked.records[:3]
        for record in decided:
            review.fulltext.decide(record, "exclude", reviewer="ben", reason="other")
        stale, took = timed(lambda: ranking.queue("ben"))
        assert took < QUICK and stale.state == "updating"
        assert stale.records == [r for r in ranked.records if r not in decided]  # the last ranking, served
        current = served_while_held_then_ranked(review, ranking, hold, "updating", stale.records)
        rounds = hold.rounds
        assert ranking.queue("ben").records == current.records and hold.rounds == rounds  # nothing changed: no round


def test_a_failed_round_keeps_the_last_ranking_and_is_reported(review):
    units = review.dedupe.canonical_ids()[:12]
    for i, record in enumerate(units):
        review.screening.decide(record, "include" if i % 2 else "exclude", reviewer="ana", stage=TA,
                                reason=None if i % 2 else "other")
    failing = {"now": False}

    def before_rank() -> None:
        if failing["now"]:
            raise RuntimeError("no memory left")

    with review.fulltext.background(**ENGINE, before_rank=before_rank) as ranking:
        assert ranking.wait(60)
        served = ranking.queue("ben")
        failing["now"] = True
        review.fulltext.decide(served.records[0], "exclude", reviewer="ben", reason="other")
        with pytest.raises(Exception, match="ranking the full-text records failed: no memory left"):
            ranking.wait(60)
        after = ranking.queue("ben")
        assert after.state == "updating" and after.records == served.records[1:]
