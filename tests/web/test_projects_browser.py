"""In real headless Chromium on a live server of several projects: two users sign in and each sees
only their projects; another project's page is refused; a reviewer opens a project from the list,
attaches a PDF at full text, reads it and excludes the record with a reason; PRISMA follows.
Screenshots go to test-artifacts/web/ (21-... to 26-...).

Opt-in like the other browser tests: needs the playwright package and /usr/bin/chromium.
"""

from __future__ import annotations

import sqlite3

import pytest
from hub_helpers import hub, hub_sign_in  # noqa: F401  (fixtures)
from web_helpers import ENGINE, PASSWORD, template  # noqa: F401  (fixtures)

from logicmap.api import Review
from tests.browser_support import WEB_ARTIFACTS, needs_browser, wait_full_text_ranked, watched_page
from tests.support import make_pdf

pytestmark = needs_browser
REASON = "no personal-recovery outcome, mechanism, process or moderator"


def signed_in(browser, hub, name: str, errors: list[str]):
    """A browser page signed in at the hub as ``name``: it lands on the project list."""
    page = watched_page(browser, name, errors)
    page.goto(f"{hub.url}/")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{hub.url}/projects")
    return page


def listed(page) -> list[str]:
    return page.locator("#projects tbody tr").evaluate_all("rows => rows.map(r => r.dataset.project)")


def test_each_user_sees_only_their_projects_and_screens_a_full_text(hub, browser, tmp_path):
    errors: list[str] = []
    alice, dave = signed_in(browser, hub, "alice", errors), signed_in(browser, hub, "dave", errors)
    assert listed(alice) == ["alpha"] and listed(dave) == ["beta"]
    assert "Web test review" in alice.locator("#projects").inner_text()
    assert "Beta review" not in alice.content() and "Web test review" not in dave.content()
    alice.screenshot(path=WEB_ARTIFACTS / "21-projects-alice.png", full_page=True)
    dave.screenshot(path=WEB_ARTIFACTS / "22-projects-dave.png", full_page=True)

    refused = dave.goto(f"{hub.url}/screen?project=alpha")
    assert refused.status == 404 and "No project 'alpha' among yours" in dave.content()
    dave.screenshot(path=WEB_ARTIFACTS / "23-not-your-project.png", full_page=True)
    assert errors == ["dave: Failed to load resource: the server responded with a status of 404 (Not Found)"]
    errors.clear()  # the refused page's own 404, logged by the browser: expected

    bob = hub_sign_in(hub, "bob", "alpha")  # includes two records at title/abstract over the API
    included = []
    for _ in range(2):
        record = bob.get("/api/screening/next").json()["record"]["record_id"]
        assert bob.post("/api/screening/decide", json={"record_id": record, "decision": "include"},
                        headers={"X-CSRF-Token": bob.csrf}).status_code == 200
        included.append(record)

    alice.get_by_role("link", name="Web test review").click()
    alice.wait_for_url(f"{hub.url}/")
    assert "up for full text" in alice.locator("#fulltext-counts").inner_text()
    wait_full_text_ranked(alice, hub.url)
    alice.get_by_role("navigation").get_by_role("link", name="Full text").click()
    alice.wait_for_url(f"{hub.url}/fulltext")
    record = int(alice.locator("#card").get_attribute("data-record"))
    with Review.open(hub.folder / "alpha.db") as review:  # the queue's order: likeliest includes first
        first = review.fulltext.queue("alice", **ENGINE)[0]
    assert record == first and record in included and alice.locator("#no-fulltext").count() == 1
    pdf = tmp_path / "trial-report.pdf"
    pdf.write_bytes(make_pdf(["Methods: weekly peer groups for twelve weeks.",
                              "Results: symptom scores fell; recovery was not measured."]))
    alice.set_input_files("#fulltext-file", str(pdf))
    alice.locator("#btn-attach").click()
    alice.wait_for_url(f"{hub.url}/fulltext?record={record}")
    assert "trial-report.pdf" in alice.locator("#attached h2").inner_text()
    assert "recovery was not measured" in alice.locator("#fulltext-text").inner_text()
    assert "2 pages" in alice.locator("#attached").inner_text()
    alice.screenshot(path=WEB_ARTIFACTS / "24-fulltext-attached.png", full_page=True)

    alice.select_option("#ft-reason", REASON)
    alice.locator("#ft-btn-exclude").click()
    alice.wait_for_function(f"() => document.querySelector('#card')?.dataset.record !== '{record}'")
    assert "1 excluded" in alice.locator("label[for=progress]").inner_text()
    alice.screenshot(path=WEB_ARTIFACTS / "25-fulltext-decided.png", full_page=True)
    with sqlite3.connect(hub.folder / "alpha.db") as db:
        stored = db.execute("select record_id, reviewer, decision, reason from screening_decisions "
                            "where stage = 'full_text'").fetchall()
    with sqlite3.connect(hub.folder / "beta.db") as db:
        assert db.execute("select count(*) from screening_decisions").fetchone()[0] == 0
    assert stored == [(record, "alice", "exclude", REASON)]

    alice.get_by_role("navigation").get_by_role("link", name="Model").click()
    alice.wait_for_url(f"{hub.url}/model")
    prisma = alice.locator("#prisma").inner_text()
    assert "Reports sought for retrieval (n = 2)" in prisma and "Reports excluded (n = 1)" in prisma
    assert "awaiting full-text assessment" in prisma
    alice.locator("#prisma").screenshot(path=WEB_ARTIFACTS / "26-prisma-after-fulltext.png")
    assert not errors, errors
