"""Screening over HTTP: the page, the form and JSON decisions, undo, idempotence, two reviewers, bad input."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import httpx
from web_helpers import csrf_in, server, sign_in, template  # noqa: F401  (fixtures)

from logicmap.api import DEFAULT_EXCLUSION_REASONS


def stored(location, reviewer: str) -> list[tuple[int, str, str | None]]:
    with sqlite3.connect(location) as db:
        return db.execute("select record_id, decision, reason from screening_decisions "
                          "where reviewer = ? and undone_at is null order by id", (reviewer,)).fetchall()


def shown_record(page: str) -> int:
    return int(page.split('data-record="', 1)[1].split('"', 1)[0])


def test_the_page_shows_one_record_with_key_terms_progress_estimate_and_shortcuts(server):
    client = sign_in(server, "alice")
    page = client.get("/screen").text
    assert page.count('data-record="') == 1 and "<mark>" in page
    assert '<progress id="progress"' in page and "Stopping rule:" in page
    for key in ("i", "e", "m", "u"):
        assert f"<kbd>{key}</kbd>" in page
    assert 'for="reason"' in page and 'id="reason"' in page  # the reason list is labelled


def test_form_decisions_are_stored_once_and_undo_shows_the_record_again(server):
    client = sign_in(server, "alice")
    page = client.get("/screen").text
    record, csrf = shown_record(page), csrf_in(page)
    reason = DEFAULT_EXCLUSION_REASONS[1]
    assert f"<option>{reason}</option>" in page
    form = {"csrf": csrf, "record_id": str(record), "decision": "exclude", "reason": reason}
    first, second = client.post("/screen/decide", data=form), client.post("/screen/decide", data=form)
    assert first.status_code == second.status_code == 303
    assert stored(server.location, "alice").count((record, "exclude", reason)) == 1
    assert shown_record(client.get("/screen").text) != record
    undone = client.post("/screen/undo", data={"csrf": csrf})
    assert undone.headers["location"] == f"/screen?record={record}"
    assert shown_record(client.get(undone.headers["location"]).text) == record
    assert (record, "exclude", reason) not in stored(server.location, "alice")


def test_a_retried_json_decision_returns_the_same_id(server):
    client = sign_in(server, "bob")
    record = client.get("/api/screening/next").json()["record"]["record_id"]
    body = {"record_id": record, "decision": "include"}
    with ThreadPoolExecutor(4) as pool:  # a double click and two retries, at once
        ids = {r.json()["decision_id"] for r in pool.map(
            lambda _: client.post("/api/screening/decide", json=body, headers={"X-CSRF-Token": client.csrf}),
            range(4))}
    assert len(ids) == 1
    assert stored(server.location, "bob").count((record, "include", None)) == 1
    progress = client.get("/api/screening/progress").json()
    assert progress["screened"] >= 1 and progress["estimate"].startswith("Stopping rule")


def test_two_reviewers_deciding_the_same_record_at_once_are_both_kept(server):
    bob, carol = sign_in(server, "bob"), sign_in(server, "carol")
    record = carol.get("/api/screening/next").json()["record"]["record_id"]

    def decide(pair):
        client, decision = pair
        return client.post("/api/screening/decide", json={"record_id": record, "decision": decision},
                           headers={"X-CSRF-Token": client.csrf})

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(decide, [(bob, "exclude"), (carol, "include")]))
    assert [r.status_code for r in responses] == [200, 200]
    assert (record, "exclude", None) in stored(server.location, "bob")
    assert (record, "include", None) in stored(server.location, "carol")


def test_bad_decisions_get_a_clear_message_and_change_nothing(server):
    client = sign_in(server, "carol")
    before = stored(server.location, "carol")
    headers = {"X-CSRF-Token": client.csrf}
    unknown = client.post("/api/screening/decide", json={"record_id": 999999, "decision": "include"},
                          headers=headers)
    assert unknown.status_code == 400 and "not among the records to screen" in unknown.json()["detail"]
    odd = client.post("/api/screening/decide", json={"record_id": 1, "decision": "perhaps"}, headers=headers)
    assert odd.status_code == 422 and "decision" in odd.json()["detail"]
    reason = client.post("/api/screening/decide", json={"record_id": before[0][0] if before else 1,
                                                        "decision": "exclude", "reason": "made up"}, headers=headers)
    assert reason.status_code == 400 and "unknown exclusion reason" in reason.json()["detail"]
    page = client.post("/screen/decide", data={"csrf": client.csrf, "record_id": "abc", "decision": "include"})
    assert page.status_code == 422 and "Traceback" not in page.text and "<h1>Cannot do that</h1>" in page.text
    assert stored(server.location, "carol") == before


def test_the_json_api_is_described_by_openapi(server):
    schema = httpx.get(f"{server.url}/openapi.json").json()
    for path in ("/api/screening/next", "/api/screening/decide", "/api/screening/undo", "/api/session"):
        assert path in schema["paths"], path
    assert "DecideIn" in schema["components"]["schemas"]
