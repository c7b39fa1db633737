"""A reviewer's session that starts on TF-IDF alone while the sentence vectors are made (``interim_above``),
then lets the project's own engine take over at the next record, every decision replayed; the switch is
recorded for the report's methods. Real project (the demo corpus), real encoder, real thread."""

from __future__ import annotations

import threading
import time

from logicmap.api import Review
from logicmap.demo import demo_data_dir
from logicmap.review.interim import TakeOver
from logicmap.screening.presets import INTERIM_ENGINE, engine_description


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


def test_records_screened_before_a_later_interim_start_keep_their_own_model_in_the_methods(tmp_path):
    """Records added after screening began need vectors: the stage opens on TF-IDF again, and the methods
    say which records were ranked by which model (the earlier ones are not counted as TF-IDF's)."""
    with Review.create(tmp_path / "added.db") as review:
        review.records.import_files([demo_data_dir() / "medline-ovid.ris"])
        review.dedupe.run()
        session = review.screening.session("ana", seed=1)
        own = session.engine
        for decision in ("include", "exclude", "exclude"):
            record_id, rank = session.next_record()
            session.decide(record_id, decision, rank=rank)
        session.close()
        review.records.import_files([demo_data_dir() / "psycinfo.csv"])
        review.dedupe.run()
        session = review.screening.session("ana", seed=1, interim_above=0)
        try:
            assert session.engine == INTERIM_ENGINE
            meanwhile, deadline = 0, time.monotonic() + 120
            while session.engine == INTERIM_ENGINE:
                assert time.monotonic() < deadline, session.interim()
                record_id, rank = session.next_record()
                if session.engine != INTERIM_ENGINE:
                    break
                session.decide(record_id, "exclude", rank=rank)
                meanwhile += 1
                time.sleep(0.5)
            assert session.engine == own and meanwhile >= 1
        finally:
            session.close()
        words = review.report.methods().screening_model
    first = 3 + 1
    assert words == (f"{engine_description(*own)} (records {first} to {first + meanwhile - 1} screened ranked by "
                     f"{engine_description(*INTERIM_ENGINE)}, while sentence embeddings were made)")


def test_above_the_character_limit_both_engines_are_named_as_they_run(tmp_path, monkeypatch):
    """Above ``CHAR_MAX_RECORDS`` records the character block is dropped: the session opens on the word
    TF-IDF, its own engine takes over on word TF-IDF and sentence embeddings, and the methods say so
    (a small project made to count as that large)."""
    from logicmap.screening import features, limits, presets

    with Review.create(tmp_path / "large.db") as review:
        review.records.import_files([demo_data_dir() / "medline-ovid.ris"])
        review.dedupe.run()
        records = len(review.screening.candidates("title_abstract"))
        for module in (features, limits, presets):
            monkeypatch.setattr(module, "CHAR_MAX_RECORDS", records - 1)
        session = review.screening.session("ana", seed=1, interim_above=0)
        try:
            assert session.engine == presets.ASREVIEW_ENGINE
            assert session.queue.rule.name == "buscar_95_90"  # that size's default stopping rule
            meanwhile, deadline = 0, time.monotonic() + 120
            while session.engine == presets.ASREVIEW_ENGINE:
                assert time.monotonic() < deadline, session.interim()
                record_id, rank = session.next_record()
                if session.engine != presets.ASREVIEW_ENGINE:
                    break
                session.decide(record_id, "include" if meanwhile == 0 else "exclude", rank=rank)
                meanwhile += 1
                time.sleep(0.5)
            assert session.engine == presets.WORD_AGREE_ENGINE and meanwhile >= 1
            assert session.queue.rule.name == "buscar_95_90"  # the engine that took over keeps it
        finally:
            session.close()
        words = review.report.methods().screening_model
    assert words == (f"{engine_description(*presets.ASREVIEW_ENGINE)} for the first {meanwhile} records screened, "
                     f"while the sentence embeddings were made, then {engine_description(*presets.WORD_AGREE_ENGINE)}")
    assert "character" not in words


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


def test_a_switch_begun_before_a_restart_goes_on_as_it_was_begun(location):
    """The server stopped while the vectors were made and started again with some still missing: the
    records screened meanwhile stay the interim engine's, not the model's "before" the switch."""
    from logicmap.review.screening_session import begin_engine_switch, engine_words, record_engine_switch
    from logicmap.screening.presets import AGREE_ENGINE
    from logicmap.store.screening import engine_switch

    with Review.open(location) as review:
        store = review.screening._store
        session = review.screening.session("ana", seed=1, interim_above=0)  # begins the switch
        for decision in ("include", "exclude"):
            record_id, rank = session.next_record()
            session.decide(record_id, decision, rank=rank)
        session.close()  # the server stops long before 85 texts are embedded
        assert engine_switch(store)["screened"] is None
        begin_engine_switch(store, "title_abstract", interim=INTERIM_ENGINE, engine=AGREE_ENGINE)  # it starts again
        assert engine_switch(store)["before"] == 0
        record_engine_switch(store, interim=INTERIM_ENGINE, engine=AGREE_ENGINE, screened=2)
        assert engine_words(store, AGREE_ENGINE) == (
            f"{engine_description(*INTERIM_ENGINE)} for the first 2 records screened, while the sentence "
            f"embeddings were made, then {engine_description(*AGREE_ENGINE)}")


def test_records_screened_before_on_another_model_name_it_first(location):
    from logicmap.review.screening_session import engine_words
    from logicmap.screening.presets import AGREE_ENGINE
    from logicmap.store.screening import save_engine_switch

    interim, own = engine_description(*INTERIM_ENGINE), engine_description(*AGREE_ENGINE)
    with Review.open(location) as review:
        store = review.screening._store
        save_engine_switch(store, {"from": interim, "to": own, "screened": 5, "before": 3, "earlier": "model A"})
        assert engine_words(store, AGREE_ENGINE) == (f"model A, for the first 3 records screened; then {interim} "
                                                     f"for the next 2, while sentence embeddings were made; then {own}")
        save_engine_switch(store, {"from": interim, "to": own, "screened": 3, "before": 3, "earlier": "model A"})
        assert engine_words(store, AGREE_ENGINE) == "model A"  # none screened while the vectors were made
