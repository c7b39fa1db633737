"""The team screening service: requests answered from memory while a retrain is held, decisions
stored first, the ranking and the stopping verdict brought up to date in the background, a restart
picks up every decision and reconciliation."""

from __future__ import annotations

import threading

from logicmap.api import Review, TeamSettings
from logicmap.demo import CRITERIA, DEMO_EXPORTS, demo_data_dir
from tests.screening.service_support import HeldRetrain

ENGINE = {"features": "tfidf", "classifier": "svm", "seed": 1, "criteria": CRITERIA, "rest": 0, "judge_every": 0}


def test_requests_are_answered_while_a_retrain_is_held_and_the_decision_is_stored_first(location):
    hold = HeldRetrain()
    with Review.open(location) as review, review.screening.team(**ENGINE, before_retrain=hold) as team:
        team.open()
        first, rank = team.next("ana")
        ranking_before = team._queues["title_abstract"].ranking
        team.decide("ana", first, "include", rank=rank)
        assert hold.entered.wait(timeout=30)  # the retrain is running, held
        with Review.open(location) as other:
            assert other.screening.decisions_of("ana") == {first: "include"}
        nxt, _ = team.next("ana")  # answered from the last ranking while the retrain is held
        assert nxt == next(r for r in ranking_before if r != first)
        team.decide("ana", nxt, "exclude")
        assert team.progress("ana").mine == 2
        hold.release.set()
        assert team.wait(timeout=60)
        assert team._queues["title_abstract"].ranking != ranking_before
        assert team.progress("ana").stop.records_screened == 2  # the verdict caught up too


def test_a_restarted_service_holds_every_decision_and_reconciliation(location):
    with Review.open(location) as review:
        review.screening.set_team_settings(TeamSettings(2, True))
        with review.screening.team(**ENGINE) as team:
            record = team.next("ana")[0]
            assert team.next("ben")[0] == record
            team.decide("ana", record, "include")
            team.decide("ben", record, "exclude")
            team.reconcile("owl", record, "include")
            other = team.next("ana")[0]
            team.decide("ana", other, "maybe")
        with review.screening.team(**ENGINE) as again:
            assert again.settings == TeamSettings(2, True)
            assert again.decision_of("ben", record) == "exclude"
            assert again._queues["title_abstract"].agreed == {record: "include"}
            assert again.next("ben")[0] == other  # ana's maybe waits for a second reviewer
            assert again.undo("owl") == record  # the owner's undo withdraws the reconciliation
            assert again._queues["title_abstract"].agreed == {}
        assert [c.record_id for c in review.screening.conflicts()] == [record]


def test_records_imported_while_the_team_screens_join_its_queue_and_decisions_stay(tmp_path):
    """Another process imports a search export while the service runs: the worker rebuilds the queue
    over the new records within a recheck, and the decisions made before (and during) stay."""
    path = tmp_path / "growing.db"
    first_export, *rest = DEMO_EXPORTS
    with Review.create(path) as review:
        review.records.import_files([demo_data_dir() / first_export])
        review.dedupe.run()
    with Review.open(path) as review, review.screening.team(**ENGINE, recheck_every=0.1) as team:
        team.open()
        before = team.progress("ana").total
        record_id, rank = team.next("ana")
        team.decide("ana", record_id, "include", rank=rank)
        with Review.open(path) as other:  # a second connection, as `logicmap import` would use
            other.records.import_files([demo_data_dir() / name for name in rest])
            other.dedupe.run()
            expected = len(other.screening.candidates("title_abstract"))
        assert expected > before
        for _ in range(600):
            if team.progress("ana").total == expected:
                break
            threading.Event().wait(0.05)
        progress = team.progress("ana")
        assert progress.total == expected
        assert progress.mine == 1 and team.decision_of("ana", record_id) == "include"
        offered, _ = team.next("ana")
        assert offered != record_id
        team.decide("ana", offered, "exclude")
        assert team.wait(timeout=60)
        assert team.progress("ana").mine == 2
    with Review.open(path) as review:
        assert review.screening.decisions_of("ana") == {record_id: "include", offered: "exclude"}


def test_a_queue_rebuilt_over_imported_records_keeps_a_dual_pair_together(tmp_path):
    """Records imported while ana reads one: after the rebuild, ben is still handed the record she reads."""
    path = tmp_path / "dual.db"
    first_export, *rest = DEMO_EXPORTS
    with Review.create(path) as review:
        review.records.import_files([demo_data_dir() / first_export])
        review.dedupe.run()
        review.screening.set_team_settings(TeamSettings(2, True))
    with Review.open(path) as review, review.screening.team(**ENGINE, recheck_every=0.1) as team:
        team.open()
        before = team._queues["title_abstract"]
        reading, _ = team.next("ana")
        with Review.open(path) as other:
            other.records.import_files([demo_data_dir() / name for name in rest])
            other.dedupe.run()
        for _ in range(600):
            if team._queues["title_abstract"] is not before:
                break
            threading.Event().wait(0.05)
        assert team._queues["title_abstract"] is not before  # rebuilt over the new records
        assert team.next("ben")[0] == reading
        assert team.next("ana")[0] == reading


def test_a_team_above_the_character_limit_stops_by_that_size_s_default_and_keeps_it(location, monkeypatch):
    """Above ``CHAR_MAX_RECORDS`` records the default rule is buscar 95/90 (calibrated on the word TF-IDF
    engine that ranks there): a team of a project made to count as that large screens by it, its first
    decision pins it, and the project keeps it when it counts as small again."""
    from logicmap.api import stopping_rules
    from logicmap.screening import limits

    with Review.open(location) as review:
        records = len(review.screening.candidates())
        monkeypatch.setattr(limits, "CHAR_MAX_RECORDS", records - 1)
        large = stopping_rules.default_rule(records)
        assert large.name == "buscar_95_90" != stopping_rules.default_rule().name
        assert review.screening.stopping_rule().name == large.name  # nothing pinned yet: the size's default
        with review.screening.team(**ENGINE) as team:
            first, rank = team.next("ana")
            assert team._queues["title_abstract"].rule.name == large.name
            team.decide("ana", first, "include", rank=rank)
        monkeypatch.undo()
        assert review.screening.stopping_rule().name == large.name  # pinned with the first decision
        assert f"with {large.confidence:.0%} confidence" in review.report.methods().stopping_rule
