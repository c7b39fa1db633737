"""A reviewer's session that starts on TF-IDF alone while the sentence vectors are made (``interim_above``),
then lets the project's own engine take over at the next record, every decision replayed; the switch is
recorded for the report's methods. Real project (the demo corpus), real encoder, real thread."""

from __future__ import annotations

import threading
import time

from logicmap.api import Review
from logicmap.review.interim import TakeOver
from logicmap.screening.presets import INTERIM_ENGINE


def test_the_session_screens_on_tfidf_then_its_own_engine_takes_over(location):
    with Review.open(location) as review:
        session = review.screening.session("ana", seed=1, interim_above=0)
        try:
            assert session.engine == INTERIM_ENGINE and session.interim().to_embed > 0
            interim_decisions, i = 0, 0
            deadline = time.monotonic() + 120
            while session.engine == INTERIM_ENGINE:
                assert time.monotonic() < deadline, session.interim()
                record_id, rank = session.next_record()
                if session.engine != INTERIM_ENGINE:
                    break  # taken over at this record: it comes from the own engine's ranking
                session.decide(record_id, "include" if i % 3 == 0 else "exclude", rank=rank)
                interim_decisions, i = interim_decisions + 1, i + 1
                time.sleep(0.5)
            assert session.interim() is None and session.engine[1] == "svm-asreview-agree"
            assert session.progress().screened == interim_decisions  # replayed into the new queue
            record_id, rank = session.next_record()
            session.decide(record_id, "exclude", rank=rank)
        finally:
            session.close()
        words = review.report.methods().screening_model
        assert interim_decisions >= 1  # the first record comes at once, long before 85 texts are embedded
        assert f"for the first {interim_decisions} records screened, while the sentence embeddings" in words
        assert words.endswith("(logicmap svm-asreview-agree)")


def test_without_interim_above_the_session_waits_for_its_own_engine(location):
    with Review.open(location) as review:
        session = review.screening.session("ana", seed=1)
        assert session.interim() is None and session.engine[1] == "svm-asreview-agree"
        session.close()  # nothing to stop


def test_a_take_over_that_fails_is_said_in_words_and_one_that_is_cancelled_ends():
    def broken(progress):
        progress(0, 10)
        raise ValueError("the vectors' file is truncated")

    failed = TakeOver(broken, to_embed=10)
    failed._thread.join(10)
    assert failed.result() is None
    assert failed.state.failed == "an unexpected error (ValueError: the vectors' file is truncated)"
    assert "preparing the full screening model failed" in failed.state.words()

    reported = threading.Event()

    def endless(progress):
        while True:
            progress(1, 10)
            reported.set()
            time.sleep(0.05)

    running = TakeOver(endless, to_embed=10)
    assert reported.wait(10) and running.state.embedded == 1
    running.cancel(wait=10)
    assert not running._thread.is_alive() and running.state.failed is None and running.result() is None
