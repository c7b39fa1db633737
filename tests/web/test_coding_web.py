"""The coding page over HTTP: apply a code to an exact span, a link that then shows in the model,
accept and reject suggestions, withdraw a coding; refusals are shown and store nothing."""

from __future__ import annotations

import pytest
from web_helpers import server, sign_in, template  # noqa: F401  (fixtures)


def edge(client, source: str, target: str) -> dict | None:
    edges = client.get("/api/model").json()["edges"]
    return next((e for e in edges if (e["source"], e["target"]) == (source, target)), None)


@pytest.fixture(scope="module")
def included(server):
    """One record bob includes at title/abstract (so it is in the model)."""
    bob = sign_in(server, "bob")
    record_id = bob.get("/api/screening/next").json()["record"]["record_id"]
    made = bob.post("/api/screening/decide", headers={"X-CSRF-Token": bob.csrf},
                    json={"record_id": record_id, "decision": "include"})
    assert made.status_code == 200
    return record_id


def test_a_coded_link_appears_in_the_model(server, included):
    bob = sign_in(server, "bob")
    study = bob.get(f"/api/coding?record_id={included}").json()
    title = study["texts"]["title"]
    page = bob.get(f"/code?record={included}")
    assert page.status_code == 200 and f'data-record="{included}"' in page.text
    assert edge(bob, "T02", "M1")["n_studies"] == 0

    words = title[:30]
    applied = bob.post("/code/apply", data={"csrf": bob.csrf, "record_id": included, "code": "T02",
                                             "target_code": "M1", "field": "title", "start": 0, "end": len(words),
                                             "quote": words})
    assert applied.status_code == 303 and "error" not in applied.headers["location"]
    link = edge(bob, "T02", "M1")
    assert link["n_studies"] == 1 and link["studies"] == [str(included)]
    coded = bob.get(f"/api/coding?record_id={included}").json()["codings"]
    assert [(c["code"], c["target_code"], c["field"], c["start"], c["end"], c["quote"]) for c in coded] == [
        ("T02", "M1", "title", 0, len(words), words)]
    assert "T02 → M1" in bob.get(f"/code?record={included}").text


def test_a_span_that_does_not_match_the_text_is_refused_and_nothing_stored(server, included):
    bob = sign_in(server, "bob")
    before = bob.get(f"/api/coding?record_id={included}").json()["codings"]
    wrong = bob.post("/code/apply", data={"csrf": bob.csrf, "record_id": included, "code": "T01", "field": "title",
                                           "start": 0, "end": 5, "quote": "not the words"})
    assert wrong.status_code == 303 and "error=" in wrong.headers["location"]
    shown = bob.get(wrong.headers["location"]).text
    assert 'id="coding-error"' in shown and "nothing was stored" in shown
    unknown = bob.post("/api/coding/apply", headers={"X-CSRF-Token": bob.csrf},
                       json={"record_id": included, "code": "NOPE", "quote": "a"})
    assert unknown.status_code == 400 and "NOPE" in unknown.json()["detail"]
    assert bob.get(f"/api/coding?record_id={included}").json()["codings"] == before
    assert bob.get("/code?record=999999").status_code == 404


def test_accept_and_reject_suggestions_then_withdraw(server, included):
    carol = sign_in(server, "carol")
    suggestions = carol.get(f"/api/coding?record_id={included}").json()["suggestions"]
    assert len(suggestions) >= 2
    take, drop = suggestions[0], suggestions[1]
    page = carol.get(f"/code?record={included}").text
    assert f'data-suggestion="{take["code"]}"' in page  # the quote is highlighted in the text
    assert all(s["score_is_probability"] for s in suggestions)  # the recovery codebook's fitted model: probabilities
    assert f'({round(100 * take["score"])}% likely)' in page and "(score " not in page
    accepted = carol.post("/api/coding/suggestion", headers={"X-CSRF-Token": carol.csrf},
                          json={"record_id": included, "verdict": "accept", **{k: take[k] for k in (
                              "code", "field", "start", "end", "quote")}})
    assert accepted.status_code == 200
    mine = [c for c in accepted.json()["codings"] if c["reviewer"] == "carol"]
    assert [(c["code"], c["quote"]) for c in mine] == [(take["code"], take["quote"])]
    rejected = carol.post("/code/suggestion", data={"csrf": carol.csrf, "record_id": included, "code": drop["code"],
                                                     "accept": "false"})
    assert rejected.status_code == 303
    left = {s["code"] for s in carol.get(f"/api/coding?record_id={included}").json()["suggestions"]}
    assert take["code"] not in left

    bob = sign_in(server, "bob")
    refused = bob.post("/code/undo", data={"csrf": bob.csrf, "coding_id": mine[0]["id"]})
    assert refused.status_code == 403  # carol's coding: only carol or an owner
    withdrawn = carol.post("/api/coding/undo", headers={"X-CSRF-Token": carol.csrf},
                           json={"coding_id": mine[0]["id"]})
    assert withdrawn.status_code == 200
    assert all(c["id"] != mine[0]["id"] for c in withdrawn.json()["codings"])
    actions = {line["action"] for line in carol.get("/api/audit?action=coding").json()}
    assert {"coding.add", "coding.reject", "coding.undo"} <= actions


def test_a_full_text_is_attached_and_coded(server, included):
    bob = sign_in(server, "bob")
    text = b"Methods. Peer workers met each participant weekly.\nResults. Hope rose over the year.\n"
    attached = bob.post("/code/attach", data={"csrf": bob.csrf, "record_id": included},
                        files={"fulltext": ("paper.txt", text, "text/plain")})
    assert attached.status_code == 303 and "error" not in attached.headers["location"]
    study = bob.get(f"/api/coding?record_id={included}").json()
    assert "Hope rose over the year." in study["texts"]["fulltext"]
    assert 'data-field="fulltext"' in bob.get(f"/code?record={included}").text
    coded = bob.post("/api/coding/apply", headers={"X-CSRF-Token": bob.csrf},
                     json={"record_id": included, "code": "T01", "quote": "Peer workers met each participant"})
    assert coded.status_code == 200
    assert ("T01", "fulltext") in {(c["code"], c["field"]) for c in coded.json()["codings"]}
    empty = bob.post("/code/attach", data={"csrf": bob.csrf, "record_id": included},
                     files={"fulltext": ("empty.txt", b"", "text/plain")})
    assert "error=" in empty.headers["location"]
    binary = bob.post("/code/attach", data={"csrf": bob.csrf, "record_id": included},
                      files={"fulltext": ("paper.pdf", b"%PDF-1.4 not really a pdf", "application/pdf")})
    assert binary.status_code in (303, 400) and binary.status_code < 500
    assert "Hope rose" in bob.get(f"/api/coding?record_id={included}").json()["texts"]["fulltext"]


def test_two_coders_agreement_and_reconciliation(server, included):
    bob, carol = sign_in(server, "bob"), sign_in(server, "carol")
    title = bob.get(f"/api/coding?record_id={included}").json()["texts"]["title"]
    for client, codes in ((bob, ("T05",)), (carol, ("T05", "T06"))):
        for code in codes:
            made = client.post("/api/coding/apply", headers={"X-CSRF-Token": client.csrf},
                               json={"record_id": included, "code": code, "quote": title[:12]})
            assert made.status_code == 200, made.text
    page = bob.get("/code/agreement?a=bob&b=carol")
    assert page.status_code == 200 and 'id="agreement"' in page.text
    report = bob.get("/api/coding/agreement?a=bob&b=carol").json()
    assert {"study": included, "code": "T06", "by": "carol"} in report["open"]
    assert any(r["name"] == "T06" and r["only_b"] == 1 for r in report["rows"])

    def finals():
        return sorted((c["code"], c["reviewer"]) for c in bob.get(f"/api/coding?record_id={included}").json()["codings"]
                      if c["reviewer"] == "alice")

    alice = sign_in(server, "alice")
    for _ in range(2):  # a double submit stores each final code once
        done = alice.post("/code/reconcile", data={"csrf": alice.csrf, "a": "bob", "b": "carol"})
        assert done.status_code == 303 and "agreed" in done.headers["location"]
    assert ("T05", "alice") in finals() and ("T06", "alice") not in finals()
    assert finals().count(("T05", "alice")) == 1
    kept = alice.post("/api/coding/reconcile", headers={"X-CSRF-Token": alice.csrf},
                      json={"a": "bob", "b": "carol", "study": included, "code": "T06", "keep": True})
    assert kept.status_code == 200 and kept.json()["resolved"] >= 1
    assert ("T06", "alice") in finals()
    assert not [r for r in bob.get("/api/coding/agreement?a=bob&b=carol").json()["open"] if r["code"] == "T06"]
    same = alice.post("/code/reconcile", data={"csrf": alice.csrf, "a": "bob", "b": "bob"})
    assert "Nothing+was+stored" in same.headers["location"] or "Nothing%20was%20stored" in same.headers["location"]


def test_a_dropped_code_stays_dropped_on_the_next_visit(server, included):
    """Regression: the reconciler drops a code only one coder gave; the agreement page must not offer
    it again (it did: only kept codes were stored, so the drop was forgotten on the next visit)."""
    bob, carol, alice = sign_in(server, "bob"), sign_in(server, "carol"), sign_in(server, "alice")
    title = bob.get(f"/api/coding?record_id={included}").json()["texts"]["title"]
    for client, code in ((bob, "T05"), (carol, "T07")):
        made = client.post("/api/coding/apply", headers={"X-CSRF-Token": client.csrf},
                           json={"record_id": included, "code": code, "quote": title[:12]})
        assert made.status_code == 200, made.text

    def open_codes():
        return {r["code"] for r in alice.get("/api/coding/agreement?a=bob&b=carol").json()["open"]
                if r["study"] == included}

    assert "T07" in open_codes()
    dropped = alice.post("/code/reconcile", data={"csrf": alice.csrf, "a": "bob", "b": "carol",
                                                  "study": included, "code": "T07", "keep": "false"})
    assert dropped.status_code == 303 and "Nothing" not in dropped.headers["location"]
    assert "T07" not in open_codes()
    page = alice.get("/code/agreement?a=bob&b=carol")
    assert f'<td>{included}</a></td><td>T07</td>' not in page.text.replace(f'<a href="/code?record={included}">', "")
    for _ in range(2):  # the next visit's reconcile neither stores the dropped code nor asks about it again
        again = alice.post("/api/coding/reconcile", headers={"X-CSRF-Token": alice.csrf},
                           json={"a": "bob", "b": "carol"})
        assert again.status_code == 200, again.text
        assert "T07" not in open_codes()
    finals = [c["reviewer"] for c in bob.get(f"/api/coding?record_id={included}").json()["codings"]
              if c["code"] == "T07"]
    assert finals == ["carol"]  # the dropped code never became a final code


def test_the_included_studies_are_listed_by_citation(server, included):
    from logicmap.api import Review, Study

    with Review.open(server.location) as review:
        record = review.records.get(included)
    citation = Study(id=str(included), title=record.title or "", authors=tuple(record.authors),
                     year=record.year).citation()
    assert citation != str(included) and (record.year is None or str(record.year) in citation)
    page = sign_in(server, "bob").get(f"/code?record={included}").text
    listed = f'<a href="/code?record={included}" title="Record {included}: '
    assert listed in page and f'aria-current="page">{citation}</a>' in page.replace("&amp;", "&")
    assert "Included studies (1)" in page and "are listed; open another" not in page
