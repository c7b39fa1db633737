"""The full-text screening page and its JSON API on a live server: after title/abstract includes, a
reviewer attaches a full text, reads it on the page, includes or excludes with a reason; double
submits are stored once, bad input changes nothing, a viewer is refused, PRISMA counts follow."""

from __future__ import annotations

import re
import sqlite3

import pytest
from web_helpers import ENGINE, full_text_ranked, server, sign_in, template  # noqa: F401  (fixtures)

from logicmap.api import Review
from tests.support import make_pdf

REASON = "full text not retrievable"


def full_text_rows(location) -> list[tuple]:
    with sqlite3.connect(location) as db:
        return db.execute("select record_id, reviewer, decision, reason from screening_decisions "
                          "where stage = 'full_text' and undone_at is null order by id").fetchall()


def audited(location, action: str, record: int) -> int:
    with sqlite3.connect(location) as db:
        return db.execute("select count(*) from audit_events where action = ? and detail like ?",
                          (action, f"record {record}:%")).fetchone()[0]


def ranked(location, reviewer: str) -> list[int]:
    """The reviewer's full-text queue as the library ranks it (likeliest includes first)."""
    with Review.open(location) as review:
        return review.fulltext.queue(reviewer, **ENGINE)


def shown(page: str) -> int | None:
    found = re.search(r'id="card" data-record="(\d+)"', page)
    return int(found.group(1)) if found else None


@pytest.fixture(scope="module")
def included(server):
    """Three records bob includes and one he excludes at title/abstract, through the screening API."""
    bob = sign_in(server, "bob")
    chosen = []
    for decision in ("include", "include", "include", "exclude"):
        record = bob.get("/api/screening/next").json()["record"]["record_id"]
        body = {"record_id": record, "decision": decision}
        if decision == "exclude":
            body["reason"] = "other"
        assert bob.post("/api/screening/decide", json=body, headers={"X-CSRF-Token": bob.csrf}).status_code == 200
        chosen.append(record)
    return chosen


def test_attach_read_and_decide_at_full_text(server, included):
    bob = sign_in(server, "bob")
    full_text_ranked(bob)
    page = bob.get("/fulltext")
    assert sorted(ranked(server.location, "bob")) == sorted(included[:3])
    assert page.status_code == 200 and shown(page.text) == ranked(server.location, "bob")[0]
    assert "No full text attached yet" in page.text and "3 left for you" in page.text
    record = shown(page.text)

    sent = bob.post("/fulltext/attach", data={"csrf": bob.csrf, "record_id": str(record)},
                    files={"fulltext": ("trial-report.txt", b"Results. Peer support improved hope at 12 months.\n",
                                        "text/plain")})
    assert sent.status_code == 303
    page = bob.get(sent.headers["location"])
    assert "trial-report.txt" in page.text and "Peer support improved hope" in page.text

    empty = bob.post("/fulltext/attach", data={"csrf": bob.csrf, "record_id": str(record)},
                     files={"fulltext": ("empty.txt", b"", "text/plain")})
    page = bob.get(empty.headers["location"])
    assert "nothing was attached" in page.text and "trial-report.txt" in page.text  # the earlier one stays

    form = {"csrf": bob.csrf, "record_id": str(record), "decision": "exclude", "reason": REASON}
    for _ in range(2):  # a double click
        assert bob.post("/fulltext/decide", data=form).status_code == 303
    assert full_text_rows(server.location) == [(record, "bob", "exclude", REASON)]
    assert audited(server.location, "fulltext.decide", record) == 1  # stored once, audited once

    undo = bob.post("/fulltext/undo", data={"csrf": bob.csrf})
    assert undo.headers["location"] == f"/fulltext?record={record}&undone=exclude"
    note = re.search(r'<p class="note" role="status" id="ft-undone">(.*?)</p>', bob.get(undo.headers["location"]).text)
    assert note and f"record {record} (exclude) is withdrawn" in note.group(1)
    assert full_text_rows(server.location) == [] and audited(server.location, "fulltext.undo", record) == 1
    assert "you: 0 decisions, 3 left for you" in bob.get("/fulltext").text
    assert bob.post("/fulltext/decide", data=form).status_code == 303  # decided again, for the tests below
    assert full_text_rows(server.location) == [(record, "bob", "exclude", REASON)]
    page = bob.get("/fulltext")
    assert shown(page.text) != record and "2 left for you" in page.text
    assert "1 excluded" in page.text


def test_bad_decisions_change_nothing(server, included):
    bob = sign_in(server, "bob")
    before = full_text_rows(server.location)
    no_reason = bob.post("/fulltext/decide", data={"csrf": bob.csrf, "record_id": str(included[1]),
                                                   "decision": "exclude", "reason": ""})
    assert "needs a reason" in bob.get(no_reason.headers["location"]).text
    not_up = bob.post("/fulltext/decide", data={"csrf": bob.csrf, "record_id": str(included[3]),
                                                "decision": "include"})
    assert "not up for full-text screening" in bob.get(not_up.headers["location"]).text
    api = bob.post("/api/fulltext/decide", json={"record_id": included[3], "decision": "include"},
                   headers={"X-CSRF-Token": bob.csrf})
    assert api.status_code == 400 and "not up for full-text" in api.json()["detail"]
    assert bob.get(f"/fulltext?record={included[3]}").status_code == 400
    assert bob.get("/fulltext?record=99999999").status_code == 400
    assert full_text_rows(server.location) == before


def test_the_api_and_prisma_follow(server, included):
    alice = sign_in(server, "alice")  # dual screening: every record needs two reviewers' decisions
    assert alice.post("/api/screening/settings", json={"reviewers_per_record": 2, "blind": True},
                      headers={"X-CSRF-Token": alice.csrf}).status_code == 200
    carol = sign_in(server, "carol")
    nxt = full_text_ranked(carol)
    assert nxt["record_id"] == ranked(server.location, "carol")[0] and nxt["left"] == 3 and nxt["counts"]["up"] == 3
    excluded_by_bob = full_text_rows(server.location)[0][0]
    for record in included[:3]:  # she agrees with bob on the one he excluded (not retrievable), includes the others
        body = {"record_id": record, "decision": "include"}
        if record == excluded_by_bob:
            body = {**body, "decision": "exclude", "reason": REASON}
        answer = carol.post("/api/fulltext/decide", json=body, headers={"X-CSRF-Token": carol.csrf})
        assert answer.status_code == 200 and answer.json()["record_id"] == record
    assert carol.get("/api/fulltext/next").json()["record_id"] is None
    done = re.search(r'<h1>Nothing left at full text</h1>\s*<p>(.*?)</p>', carol.get("/fulltext").text, re.S).group(1)
    assert done.startswith("No record is left for you: every record included")  # whoever decided them, not "You have"
    prisma = carol.get("/api/model/prisma").json()
    assert prisma["reports_sought"] == 3 and prisma["reports_not_retrieved"] == 1
    assert prisma["reports_assessed"] == 2 and prisma["reports_included"] == 2
    assert carol.get("/").status_code == 200 and "up for full text" in carol.get("/").text


def test_the_owner_settles_a_full_text_conflict(server, included):
    bob, alice = sign_in(server, "bob"), sign_in(server, "alice")
    disputed = max(set(included[:3]) - {full_text_rows(server.location)[0][0]})  # carol included it above
    answer = bob.post("/api/fulltext/decide", json={"record_id": disputed, "decision": "exclude", "reason": REASON},
                      headers={"X-CSRF-Token": bob.csrf})
    assert answer.status_code == 200
    assert "full-text conflict" in alice.get("/fulltext").text
    page = alice.get("/fulltext/conflicts").text
    conflict = re.search(rf'<article class="panel" id="conflict-{disputed}">.*?</article>', page, re.S).group(0)
    assert "bob: <strong class=\"exclude\">exclude</strong>" in conflict and "carol: <strong" in conflict
    assert bob.get("/fulltext/conflicts").status_code == 403  # owners settle
    before = full_text_rows(server.location)
    wrong = alice.post("/fulltext/reconcile", data={"csrf": alice.csrf, "record_id": str(included[3]),
                                                    "decision": "include"})
    assert "no full-text conflict" in alice.get(wrong.headers["location"]).text
    assert full_text_rows(server.location) == before
    settled = alice.post("/fulltext/reconcile", data={"csrf": alice.csrf, "record_id": str(disputed),
                                                      "decision": "include", "reason": REASON})
    assert settled.headers["location"] == f"/fulltext/conflicts?settled={disputed}"
    assert f'id="conflict-{disputed}"' not in alice.get("/fulltext/conflicts").text
    prisma = alice.get("/api/model/prisma").json()
    assert prisma["reports_included"] == 2 and prisma["reports_not_retrieved"] == 1


def test_a_viewer_may_not_screen_full_texts(server, included):
    vic = sign_in(server, "vic")
    assert vic.get("/fulltext").status_code == 403
    refused = vic.post("/fulltext/decide", data={"csrf": vic.csrf, "record_id": str(included[0]),
                                                 "decision": "include"})
    assert refused.status_code == 403


def test_the_attached_pdf_is_kept_and_downloads_safely(server, included):
    bob = sign_in(server, "bob")
    record = included[0]
    pdf = make_pdf(["Methods: weekly peer groups.", "Results: hope rose at twelve months."])
    sent = bob.post("/fulltext/attach", data={"csrf": bob.csrf, "record_id": str(record)},
                    files={"fulltext": ("Smith–2019; trial.pdf", pdf, "application/pdf")})
    page = bob.get(sent.headers["location"]).text
    assert 'id="download-fulltext"' in page and "hope rose at twelve months" in page

    download = bob.get(f"/fulltext/file?record={record}")
    assert download.status_code == 200 and download.content == pdf
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Smith_2019; trial.pdf"')
    assert "filename*=UTF-8''Smith%E2%80%932019%3B%20trial.pdf" in disposition
    coding = bob.get(f"/code?record={record}").text  # the coding page offers it too, with its text to select
    assert f'href="/fulltext/file?record={record}"' in coding and "hope rose at twelve months" in coding

    for name, data, kind, problem in [
        ("fake.pdf", b"<html>not a pdf</html>", "application/pdf", "not a PDF"),
        ("notes.txt", b"plain words", "application/pdf", "sent as application/pdf"),
        ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "binary file"),
        ("huge.txt", b"a" * (50 * 2**20 + 1), "text/plain", "larger than 50 MB"),
    ]:
        refused = bob.post("/fulltext/attach", data={"csrf": bob.csrf, "record_id": str(record)},
                           files={"fulltext": (name, data, kind)})
        assert problem in bob.get(refused.headers["location"]).text and "nothing was attached" in \
            bob.get(refused.headers["location"]).text
    assert bob.get(f"/fulltext/file?record={record}").content == pdf  # the refusals changed nothing
    assert bob.get(f"/fulltext/file?record={included[3]}").status_code == 404
    assert sign_in(server, "vic").get(f"/fulltext/file?record={record}").status_code == 403


def test_attach_and_download_over_json(server, included):
    bob = sign_in(server, "bob")
    record, headers = included[1], {"X-CSRF-Token": bob.csrf}
    pdf = make_pdf(["Methods: a pragmatic trial of peer workers.", "Results: loneliness fell at six months."])
    upload = {"fulltext": ("peer-trial.pdf", pdf, "application/pdf")}
    assert bob.post("/api/fulltext/attach", data={"record_id": str(record)}, files=upload).status_code == 403
    assert bob.get(f"/api/fulltext/file?record={record}").status_code == 404  # no CSRF needed to read; none kept

    attached = bob.post("/api/fulltext/attach", data={"record_id": str(record)}, files=upload, headers=headers)
    assert attached.status_code == 200
    assert attached.json() == {"record_id": record, "filename": "peer-trial.pdf", "media_type": "application/pdf",
                               "pages": 2, "bytes": len(pdf), "characters": attached.json()["characters"]}
    assert attached.json()["characters"] > 40 and audited(server.location, "fulltext.attach", record) == 1
    download = bob.get(f"/api/fulltext/file?record={record}")
    assert download.status_code == 200 and download.content == pdf
    assert download.headers["content-disposition"].startswith('attachment; filename="peer-trial.pdf"')
    assert download.headers["x-content-type-options"] == "nosniff"

    for target, name, data, kind, status, problem in [
        (record, "fake.pdf", b"<html>not a pdf</html>", "application/pdf", 400, "not a PDF"),
        (record, "empty.txt", b"", "text/plain", 400, "non-empty"),
        (included[3], "ok.txt", b"words", "text/plain", 400, "not up for full-text"),
        (99_999_999, "ok.txt", b"words", "text/plain", 404, "99999999"),
    ]:
        refused = bob.post("/api/fulltext/attach", data={"record_id": str(target)},
                           files={"fulltext": (name, data, kind)}, headers=headers)
        assert refused.status_code == status and problem in refused.json()["detail"], refused.text
    assert bob.get(f"/api/fulltext/file?record={record}").content == pdf  # the refusals changed nothing
    missing = bob.get(f"/api/fulltext/file?record={included[3]}")
    assert missing.status_code == 404 and "no full-text file kept" in missing.json()["detail"]
    assert sign_in(server, "vic").get(f"/api/fulltext/file?record={record}").status_code == 403
    vic = sign_in(server, "vic")
    assert vic.post("/api/fulltext/attach", data={"record_id": str(record)}, files=upload,
                    headers={"X-CSRF-Token": vic.csrf}).status_code == 403
    operations = bob.get("/openapi.json").json()["paths"]
    assert "post" in operations["/api/fulltext/attach"] and "get" in operations["/api/fulltext/file"]
