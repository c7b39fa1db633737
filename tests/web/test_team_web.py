"""Blind dual screening over HTTP: settings, the same record to two reviewers, conflicts and their
reconciliation, what a reviewer sees of the others, concurrent decisions on one record."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

from web_helpers import csrf_in, server, sign_in, template  # noqa: F401  (fixtures)

from logicmap.api import DEFAULT_EXCLUSION_REASONS


def rows(location, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(location) as db:
        return db.execute(sql, args).fetchall()


def shown_record(page: str) -> int:
    return int(page.split('data-record="', 1)[1].split('"', 1)[0])


def settings(owner, per_record: int, blind: bool) -> None:
    answer = owner.post("/api/screening/settings", json={"reviewers_per_record": per_record, "blind": blind},
                        headers={"X-CSRF-Token": owner.csrf})
    assert answer.status_code == 200 and answer.json() == {"reviewers_per_record": per_record, "blind": blind}


def decide(client, record: int, decision: str, reason: str | None = None):
    body = {"record_id": record, "decision": decision, "reason": reason}
    return client.post("/api/screening/decide", json=body, headers={"X-CSRF-Token": client.csrf})


def test_blind_dual_screening_makes_a_conflict_that_the_owner_settles(server):
    alice, bob, carol = sign_in(server, "alice"), sign_in(server, "bob"), sign_in(server, "carol")
    settings(alice, 2, True)
    record = bob.get("/api/screening/next").json()["record"]["record_id"]
    assert carol.get("/api/screening/next").json()["record"]["record_id"] == record  # both screen it
    assert decide(bob, record, "include").status_code == 200
    page = carol.get("/screen").text
    assert shown_record(page) == record and 'id="others"' not in page  # blind: bob's decision unseen
    reason = DEFAULT_EXCLUSION_REASONS[2]
    assert decide(carol, record, "exclude", reason).status_code == 200

    conflicts = alice.get("/api/screening/conflicts").json()
    assert {"record_id": record, "decisions": {"bob": "include", "carol": "exclude"}} == {
        k: v for k, v in next(c for c in conflicts if c["record_id"] == record).items() if k != "title" and k != "reason"}
    page = alice.get("/screen/conflicts").text
    assert f'id="conflict-{record}"' in page and reason in page
    assert sign_in(server, "bob").get("/screen/conflicts").status_code == 403  # owners only

    settled = alice.post("/screen/conflicts/reconcile", data={"csrf": csrf_in(page), "record_id": str(record),
                                                             "decision": "exclude", "reason": reason})
    assert settled.status_code == 303
    assert record not in {c["record_id"] for c in alice.get("/api/screening/conflicts").json()}
    assert rows(server.location, "select reviewer, decision, reason from screening_decisions where record_id = ? "
                "and kind = 'reconciliation'", record) == [("alice", "exclude", reason)]
    assert ("alice", "screening.reconcile") in rows(server.location, "select actor, action from audit_events")
    assert ("bob", "include") in rows(server.location, "select reviewer, decision from screening_decisions "
                                      "where record_id = ? and kind = 'independent'", record)  # originals stay


def test_without_blind_a_reviewer_sees_the_others_decisions(server):
    alice, bob, carol = sign_in(server, "alice"), sign_in(server, "bob"), sign_in(server, "carol")
    settings(alice, 2, False)
    record = bob.get("/api/screening/next").json()["record"]["record_id"]
    assert decide(bob, record, "maybe").status_code == 200
    page = carol.get("/screen").text
    assert shown_record(page) == record
    assert 'id="others"' in page and "bob" in page.split('id="others"', 1)[1].split("</p>", 1)[0]
    settings(alice, 2, True)
    assert 'id="others"' not in carol.get("/screen").text


def test_two_reviewers_deciding_one_record_at_once_keep_both_decisions(server):
    alice, bob, carol = sign_in(server, "alice"), sign_in(server, "bob"), sign_in(server, "carol")
    settings(alice, 2, True)
    record = bob.get("/api/screening/next").json()["record"]["record_id"]
    carol.get("/api/screening/next")
    with ThreadPoolExecutor(4) as pool:  # each sends twice (a retry), all at once
        answers = list(pool.map(lambda c: decide(c, record, "include"), [bob, carol, bob, carol]))
    assert [a.status_code for a in answers] == [200] * 4
    assert answers[0].json() == answers[2].json() and answers[1].json() == answers[3].json()
    stored = rows(server.location, "select reviewer from screening_decisions where record_id = ? "
                  "and undone_at is null and kind = 'independent'", record)
    assert sorted(stored) == [("bob",), ("carol",)]


def test_the_settings_form_and_bad_settings(server):
    alice = sign_in(server, "alice")
    page = alice.get("/screen/conflicts").text
    saved = alice.post("/screen/settings", data={"csrf": csrf_in(page), "reviewers_per_record": "1"})
    assert saved.status_code == 303
    assert alice.get("/api/screening/settings").json() == {"reviewers_per_record": 1, "blind": False}
    bad = alice.post("/api/screening/settings", json={"reviewers_per_record": 9, "blind": True},
                     headers={"X-CSRF-Token": alice.csrf})
    assert bad.status_code == 422 and "reviewers_per_record" in bad.json()["detail"]
    assert alice.get("/api/screening/settings").json()["reviewers_per_record"] == 1
    assert ("alice", "settings.screening") in rows(server.location, "select actor, action from audit_events")


def test_unknown_records_get_a_clear_answer(server):
    alice = sign_in(server, "alice")
    answer = alice.post("/api/screening/reconcile", json={"record_id": 999999, "decision": "include"},
                        headers={"X-CSRF-Token": alice.csrf})
    assert answer.status_code == 400 and "record 999999 is not among" in answer.json()["detail"]
    page = alice.post("/screen/decide", data={"csrf": alice.csrf, "record_id": "999999", "decision": "include"})
    assert page.status_code == 400 and "Traceback" not in page.text and "record 999999" in page.text
