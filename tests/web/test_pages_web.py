"""The import, dedupe, model, audit and settings pages and their JSON twins, over HTTP on a live server.

Each bad upload (empty, binary, unknown format, bad records, over the limit) must leave
the project exactly as it was: the canonical dump is compared before and after.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from web_helpers import PASSWORD, server, sign_in, template  # noqa: F401  (fixtures)

from logicmap.api import Review

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "formats"
EMBASE = SHARED / "ris" / "asreview-embase.ris"
needs_shared = pytest.mark.skipif(not EMBASE.exists(), reason=f"needs the shared formats data at {SHARED}")
BAD_SECOND_RECORD = (
    "TY  - JOUR\nID  - a\nTI  - First good record\nER  - \n\n"
    "TY  - JOUR\nID  - b\nPY  - 2011\nER  - \n\n"
    "TY  - JOUR\nID  - c\nTI  - Third good record\nER  - \n"
)


def dump(server) -> bytes:
    with Review.open(server.location) as review:
        return review.canonical_dump()


def upload(client, name: str, data: bytes, **form):
    fields = {"csrf": client.csrf, **{k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()}}
    return client.post("/import", data=fields, files=[("files", (name, data, "application/octet-stream"))])


@needs_shared
def test_owner_imports_a_real_export_and_names_its_database(server):
    alice = sign_in(server, "alice")
    before = len(alice.get("/api/sources").json())
    page = upload(alice, EMBASE.name, EMBASE.read_bytes(), search_date="2026-01-15")
    assert page.status_code == 200, page.text
    assert "Imported " in page.text and EMBASE.name in page.text and "ris" in page.text
    sources = alice.get("/api/sources").json()
    assert len(sources) == before + 1
    mine = sources[-1]
    assert mine["file"] == EMBASE.name and mine["records"] > 0 and mine["search_date"] == "2026-01-15"

    saved = alice.post("/import/source", data={"csrf": alice.csrf, "source_id": mine["id"], "database": "Embase",
                                               "search_date": "2026-01-16"})
    assert saved.status_code == 303
    after = {s["id"]: s for s in alice.get("/api/sources").json()}[mine["id"]]
    assert (after["database"], after["search_date"]) == ("Embase", "2026-01-16")
    assert "Embase" in alice.get("/import").text
    actions = [line["action"] for line in alice.get("/api/audit").json()]
    assert "import" in actions and "source.edit" in actions


def test_a_refused_upload_says_why_on_the_page_and_changes_nothing(server):
    alice = sign_in(server, "alice")
    before = dump(server)
    cases = {
        "empty.ris": (b"", "empty"),
        "picture.ris": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG"),
        "notes.txt": (b"just some words\nthat are not a search export\n", "format"),
    }
    for name, (data, words) in cases.items():
        page = upload(alice, name, data)
        assert page.status_code == 400, (name, page.status_code)
        assert "Nothing was imported" in page.text and name in page.text, name
        assert words.lower() in page.text.lower(), (name, words)
        assert "Traceback" not in page.text
    bad = upload(alice, "bad.ris", BAD_SECOND_RECORD.encode())
    assert bad.status_code == 400
    assert "bad.ris, line 6, record 2, id b" in bad.text  # every bad record, readable, on the page
    assert "Skip bad records" in bad.text
    assert dump(server) == before


def test_skip_bad_records_imports_the_good_ones_and_lists_the_skipped(server):
    alice = sign_in(server, "alice")
    page = upload(alice, "bad-skip.ris", BAD_SECOND_RECORD.replace("First", "Another first").encode(),
                  skip_bad=True)
    assert page.status_code == 200, page.text
    assert "Skipped records" in page.text and "bad-skip.ris, line 6, record 2, id b" in page.text
    source = alice.get("/api/sources").json()[-1]
    assert (source["file"], source["records"], source["skipped"]) == ("bad-skip.ris", 2, 1)


def test_an_upload_over_the_size_limit_is_refused(server):
    app = server.server.config.app
    alice = sign_in(server, "alice")
    before = dump(server)
    app.state.max_upload_bytes = 1000
    try:
        page = upload(alice, "big.ris", (BAD_SECOND_RECORD * 40).encode())
    finally:
        del app.state.max_upload_bytes
    assert page.status_code == 400 and "over the limit" in page.text
    assert dump(server) == before


def test_the_import_api_answers_the_problems_as_json(server):
    alice = sign_in(server, "alice")
    refused = alice.post("/api/import", headers={"X-CSRF-Token": alice.csrf},
                         files=[("files", ("bad-api.ris", BAD_SECOND_RECORD.encode(), "text/plain"))])
    assert refused.status_code == 400
    assert any("line 6, record 2" in p for p in refused.json()["problems"])
    done = alice.post("/api/import", headers={"X-CSRF-Token": alice.csrf}, data={"skip_bad": "true"},
                      files=[("files", ("bad-api.ris", BAD_SECOND_RECORD.encode(), "text/plain"))])
    assert done.status_code == 200, done.text
    assert done.json()["records"] == 2 and done.json()["files"][0]["skipped_records"]


def test_reviewers_and_viewers_may_read_sources_but_not_import(server):
    for name in ("bob", "vic"):
        client = sign_in(server, name)
        assert client.get("/import").status_code == 200
        assert 'id="upload"' not in client.get("/import").text
        assert upload(client, "x.ris", BAD_SECOND_RECORD.encode()).status_code == 403


def test_dedupe_review_shows_a_pair_side_by_side_and_takes_decisions(server):
    bob = sign_in(server, "bob")
    queue = bob.get("/api/dedupe/queue").json()
    assert queue["waiting"] >= 2
    first, second = queue["pairs"][:2]
    page = bob.get("/dedupe").text
    assert f'data-pair="{first["pair_id"]}"' in page
    statuses = {f["status"] for f in first["fields"]}
    assert "agree" in statuses and ('class="agree"' in page)

    skipped = bob.post("/dedupe/skip", data={"csrf": bob.csrf, "pair_id": first["pair_id"]})
    assert skipped.status_code == 303
    assert f'data-pair="{second["pair_id"]}"' in bob.get(skipped.headers["location"]).text

    decided = bob.post("/dedupe/decide", data={"csrf": bob.csrf, "pair_id": first["pair_id"],
                                                "decision": "duplicate"})
    assert decided.status_code == 303
    again = bob.post("/dedupe/decide", data={"csrf": bob.csrf, "pair_id": first["pair_id"],
                                              "decision": "duplicate"})  # a double click changes nothing more
    assert again.status_code == 303
    assert bob.get("/api/dedupe/queue").json()["waiting"] == queue["waiting"] - 1
    both = {first["left_record"], first["right_record"]}
    (new,) = [m for m in bob.get("/api/dedupe/merges").json() if both <= set(m["members"])]

    undone = bob.post("/api/dedupe/undo", headers={"X-CSRF-Token": bob.csrf}, json={"cluster_id": new["cluster_id"]})
    assert undone.status_code == 200 and set(undone.json()["records"]) == set(new["members"])
    assert new["cluster_id"] not in {m["cluster_id"] for m in bob.get("/api/dedupe/merges").json()}
    gone = bob.post("/dedupe/undo", data={"csrf": bob.csrf, "cluster_id": new["cluster_id"]})
    assert gone.status_code == 404 and "no merge" in gone.text
    unknown = bob.post("/api/dedupe/decide", headers={"X-CSRF-Token": bob.csrf},
                       json={"pair_id": 999999, "decision": "distinct"})
    assert unknown.status_code == 400 and "no dedupe pair 999999" in unknown.json()["detail"]
    details = [line["detail"] for line in bob.get("/api/audit?action=dedupe").json()]
    assert f"pair {first['pair_id']}: duplicate" in details


def test_the_model_page_shows_the_live_views_and_downloads_the_report(server):
    vic = sign_in(server, "vic")
    page = vic.get("/model")
    assert page.status_code == 200
    assert "PRISMA 2020 flow diagram" in page.text and page.text.count("<svg") >= 2
    interactive = vic.get("/model/interactive")
    assert interactive.status_code == 200 and "<html" in interactive.text.lower()
    report = vic.get("/model/report.zip")
    assert report.status_code == 200 and report.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(report.content)).namelist()
    assert any(n.endswith("/index.html") for n in names) and any(n.endswith(".svg") for n in names)
    assert "links" in vic.get("/api/model").json() or vic.get("/api/model").status_code == 200
    assert vic.get("/api/model/prisma").json()["records_identified"] > 0


def test_the_model_views_follow_a_change_made_by_another_process(server):
    """The views are cached per project version; a decision and a code stored through the library
    (as `logicmap` on the command line would, outside the server) show at the next visit."""
    vic = sign_in(server, "vic")
    before = vic.get("/api/model").json()
    assert vic.get("/api/model").json() == before  # served again from the cache: the same model
    prisma = vic.get("/api/model/prisma").json()
    with Review.open(server.location) as review:
        record = next(r for r in review.screening.candidates() if r not in set(review.screening.included()))
        review.screening.decide(record, "include", reviewer="outsider")
        title = review.coding.texts(record)["title"]
        review.coding.add(record, "T03", reviewer="outsider", quote=title[:10], target_code="M2")
    after = vic.get("/api/model").json()
    link = next(e for e in after["edges"] if (e["source"], e["target"]) == ("T03", "M2"))
    assert str(record) in link["studies"]
    assert vic.get("/api/model/prisma").json() != prisma


def test_the_audit_log_exports_safe_csv(server):
    alice = sign_in(server, "alice")
    upload(alice, "=HYPERLINK(1).ris", BAD_SECOND_RECORD.replace("First", "Formula first").encode(),
           skip_bad=True)
    page = alice.get("/audit")
    assert page.status_code == 200 and "=HYPERLINK(1).ris" in page.text
    exported = alice.get("/audit.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["at", "actor", "action", "detail"]
    imports = [r for r in rows if r[2] == "import" and "HYPERLINK" in r[3]]
    assert imports and imports[0][3].startswith("'=HYPERLINK")
    assert all(not r[3].startswith(("=", "+", "-", "@")) for r in rows[1:])


def test_settings_change_reasons_team_and_refuse_a_bad_codebook_with_line_numbers(server):
    alice = sign_in(server, "alice")
    settings = alice.get("/api/settings").json()
    reasons = settings["exclusion_reasons"] + ["Wrong language"]
    saved = alice.post("/settings/reasons", data={"csrf": alice.csrf, "reasons": "\n".join(reasons)})
    assert saved.status_code == 303
    assert alice.get("/api/settings").json()["exclusion_reasons"][-1] == "Wrong language"
    team = alice.post("/settings/team", data={"csrf": alice.csrf, "reviewers_per_record": 2, "blind": "true"})
    assert team.status_code == 303
    stored = alice.get("/api/settings").json()
    assert stored["blind"] is True and stored["reviewers_per_record"] == 2
    assert server.server.config.app.state.service.settings.reviewers_per_record == 2  # screening uses it at once
    bad_team = alice.post("/settings/team", data={"csrf": alice.csrf, "reviewers_per_record": 9})
    assert bad_team.status_code == 400 and "1 to 5" in bad_team.text
    single = alice.post("/api/settings/team", headers={"X-CSRF-Token": alice.csrf},
                        json={"blind": True, "reviewers_per_record": 1})
    assert single.status_code == 200 and single.json()["reviewers_per_record"] == 1

    before = dump(server)
    bad = alice.post("/settings/codebook", data={"csrf": alice.csrf},
                     files={"codebook": ("mine.yaml", b"name: mine\nlayers:\n  - key: [unclosed\n", "text/yaml")})
    assert bad.status_code == 400
    assert "mine.yaml" in bad.text and "line " in bad.text and "nothing was changed" in bad.text
    assert dump(server) == before
    assert alice.get("/settings").status_code == 200
    assert sign_in(server, "bob").get("/settings").status_code == 403


def test_an_invitation_makes_one_account_once(server):
    alice = sign_in(server, "alice")
    page = alice.post("/settings/invite", data={"csrf": alice.csrf, "role": "viewer"})
    assert page.status_code == 200
    url = page.text.split('id="invitation"')[1].split("<code>")[1].split("</code>")[0]
    path = url[url.index("/invite"):]
    anonymous = sign_in.__globals__["httpx"].Client(base_url=server.url, timeout=60)
    assert "invited as <strong>viewer</strong>" in anonymous.get(path).text
    token = path.split("token=")[1]
    made = anonymous.post("/invite", data={"token": token, "name": "dora", "password": PASSWORD,
                                           "repeat": PASSWORD})
    assert made.status_code == 303
    assert sign_in(server, "dora").get("/api/session").json()["role"] == "viewer"
    reused = anonymous.post("/invite", data={"token": token, "name": "dora2", "password": PASSWORD,
                                             "repeat": PASSWORD})
    assert reused.status_code == 400 and "unknown, used or expired" in reused.text


def test_the_json_twins_are_in_the_openapi_schema(server):
    paths = sign_in(server, "vic").get("/openapi.json").json()["paths"]
    for path in ("/api/import", "/api/sources", "/api/dedupe/queue", "/api/dedupe/decide", "/api/dedupe/undo",
                 "/api/dedupe/merges", "/api/model", "/api/audit", "/api/settings", "/api/settings/codebook"):
        assert path in paths, path


def test_codes_are_renamed_and_merged_from_the_settings_page(server):
    alice = sign_in(server, "alice")
    renamed = alice.post("/settings/codebook/rename", data={"csrf": alice.csrf, "old": "T12", "new": "T12D",
                                                            "label": "Digital support"})
    assert renamed.status_code == 303
    merged = alice.post("/api/settings/codebook/edit", headers={"X-CSRF-Token": alice.csrf},
                        json={"action": "merge", "sources": ["T10", "T11"], "into": "T10"})
    assert merged.status_code == 200, merged.text
    with Review.open(server.location) as review:
        codebook = review.codebook.current()
        assert codebook["T12D"].label == "Digital support" and "T12" not in codebook
        assert "T10" in codebook and "T11" not in codebook
    before = dump(server)
    unknown = alice.post("/settings/codebook/rename", data={"csrf": alice.csrf, "old": "NOPE", "new": "X"})
    assert unknown.status_code == 400 and "NOPE" in unknown.text and "nothing was changed" in unknown.text
    assert dump(server) == before
    actions = [line["action"] for line in alice.get("/api/audit?action=codebook").json()]
    assert "codebook.rename" in actions and "codebook.merge" in actions
