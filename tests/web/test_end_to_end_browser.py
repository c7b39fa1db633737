"""The issue's end-to-end check, as one story in real headless Chromium against a live server:
the owner signs in and uploads a real export from ../shared/data/formats, reviews one duplicate
pair; two reviewers screen ten records each by keyboard, blind and dual; the owner resolves
their conflict; a reviewer codes a span on the settled study and sees its link appear in the model.

Screenshots go to test-artifacts/web/e2e-*.png. Opt-in like the other browser tests (the
playwright package and /usr/bin/chromium); skipped without the shared data.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from web_helpers import PASSWORD, server, template  # noqa: F401  (fixtures)

from logicmap.review.coding import SUGGESTER_ENV
from tests.browser_support import WEB_ARTIFACTS, keyboard_sign_in, needs_browser, press, shown, watched_page

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "formats"
EXPORT = SHARED / "ris" / "asreview-scopus.ris"
RECORDS = 10
pytestmark = [needs_browser, pytest.mark.skipif(not EXPORT.exists(), reason=f"needs the shared data at {SHARED}")]


def query(location, sql: str, *args):
    with sqlite3.connect(location) as db:
        return db.execute(sql, args).fetchall()


def signed_in(browser, server, name: str, target: str, errors: list[str]):
    """A fresh browser context signed in as ``name`` through the login form, on ``target``."""
    page = watched_page(browser, name, errors)
    page.set_default_timeout(90000)  # a shared, loaded CI machine: pages wait, they do not fail
    keyboard_sign_in(page, f"{server.url}{target}", name, PASSWORD)
    return page


def upload(page, server) -> None:
    sources = len(query(server.location, "select id from sources"))
    page.set_input_files("#files", str(EXPORT))
    page.fill("#database", "Scopus")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("#import-done")
    assert EXPORT.name in page.locator("#import-done").inner_text()
    assert len(query(server.location, "select id from sources")) == sources + 1


def review_pair(page, server) -> None:
    page.goto(f"{server.url}/dedupe")
    pair = page.locator("#pair").get_attribute("data-pair")
    assert page.locator("tr.agree").count() > 0  # fields that agree are marked
    page.screenshot(path=WEB_ARTIFACTS / "e2e-02-duplicate-pair.png", full_page=True)
    page.keyboard.press("d")
    page.wait_for_function(f"() => document.querySelector('#pair')?.dataset.pair !== '{pair}'", timeout=90000)
    assert query(server.location, "select review_decision, reviewer from dedupe_pairs where id = ?",
                 int(pair)) == [("duplicate", "alice")]


def dual_blind(page, server) -> None:
    """The owner turns on blind dual screening on the settings page."""
    page.goto(f"{server.url}/settings")
    page.fill("#reviewers_per_record", "2")
    page.check("#blind")
    page.get_by_role("button", name="Save team settings").click()
    page.wait_for_load_state()
    assert page.locator("#reviewers_per_record").input_value() == "2" and page.locator("#blind").is_checked()


def screen_dual(bob, carol) -> int:
    """Ten records each; bob includes the first, carol excludes it (their conflict); returns its id."""
    first = shown(bob)
    for i in range(RECORDS):
        assert shown(bob) == shown(carol)  # dual: both get the same record
        press(bob, "i" if i == 0 else "e", timeout=90000)
        assert carol.locator("#others").count() == 0  # blind: carol does not see bob's decision
        press(carol, "e", timeout=90000)
        if i == 1:
            bob.screenshot(path=WEB_ARTIFACTS / "e2e-03-screening-bob.png", full_page=True)
    carol.screenshot(path=WEB_ARTIFACTS / "e2e-04-screening-carol.png", full_page=True)
    return first


def settle(page, server, conflict: int) -> None:
    page.goto(f"{server.url}/screen/conflicts")
    card = page.locator(f"#conflict-{conflict}")
    assert "bob: include" in card.inner_text() and "carol: exclude" in card.inner_text()
    page.screenshot(path=WEB_ARTIFACTS / "e2e-05-conflict.png", full_page=True)
    page.locator(f"#decision-{conflict}").select_option("include")
    card.get_by_role("button", name="Settle").press("Enter")
    page.wait_for_url(f"{server.url}/screen/conflicts?settled={conflict}")
    assert page.locator(f"#conflict-{conflict}").count() == 0


def code_span(page, server, record: int) -> tuple[int, int, str]:
    """Select the title's first words with the mouse and code them as the link T02 -> M1."""
    page.goto(f"{server.url}/code?record={record}")
    title = page.locator('.codable[data-field="title"]')
    box = title.bounding_box()
    page.mouse.move(box["x"] + 1, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + min(box["width"] - 4, 220), box["y"] + 10, steps=8)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('#sel-quote').value.length > 0")
    quote = page.locator("#sel-quote").input_value()
    start, end = int(page.locator("#sel-start").input_value()), int(page.locator("#sel-end").input_value())
    page.select_option("#code", "T02")
    page.select_option("#target_code", "M1")
    page.screenshot(path=WEB_ARTIFACTS / "e2e-06-coding-selection.png", full_page=True)
    page.get_by_role("button", name="Apply code").click()
    page.wait_for_selector("#codings >> text=T02 → M1")
    return start, end, quote


def test_sign_in_upload_dedupe_screen_settle_code_and_see_the_link_in_the_model(server, browser, monkeypatch):
    monkeypatch.setenv(SUGGESTER_ENV, "terms")  # key-term suggestions: no embedding model to load on a busy CI box
    errors: list[str] = []
    alice = signed_in(browser, server, "alice", "/import", errors)
    upload(alice, server)
    alice.screenshot(path=WEB_ARTIFACTS / "e2e-01-imported.png", full_page=True)
    review_pair(alice, server)
    dual_blind(alice, server)

    bob = signed_in(browser, server, "bob", "/screen", errors)
    carol = signed_in(browser, server, "carol", "/screen", errors)
    conflict = screen_dual(bob, carol)
    for name in ("bob", "carol"):
        made = query(server.location, "select count(*) from screening_decisions where reviewer = ? and "
                                      "kind = 'independent' and undone_at is null", name)
        assert made == [(RECORDS,)]

    settle(alice, server, conflict)
    assert query(server.location, "select reviewer, decision from screening_decisions where record_id = ? and "
                                  "kind = 'reconciliation'", conflict) == [("alice", "include")]

    start, end, quote = code_span(bob, server, conflict)
    assert query(server.location, "select code, target_code, field, start, \"end\", quote from codings where "
                                  "record_id = ? and undone_at is null", conflict) == [
        ("T02", "M1", "title", start, end, quote)]
    bob.screenshot(path=WEB_ARTIFACTS / "e2e-07-coded.png", full_page=True)

    bob.goto(f"{server.url}/model")
    frame = bob.locator("#model-frame").element_handle().content_frame()
    frame.wait_for_function("window.logicmapView !== undefined", timeout=90000)
    edge = frame.evaluate("window.logicmapView.current().edges")["T02->M1"]
    assert edge["n"] >= 1
    bob.screenshot(path=WEB_ARTIFACTS / "e2e-08-model-with-link.png", full_page=True)
    assert not errors, errors
