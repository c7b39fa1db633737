"""Two reviewers screen ten records each by keyboard, blind and dual, in real headless Chromium; the
owner settles their conflict on the conflicts page. Screenshots go to test-artifacts/web/.

Opt-in like the other browser tests: needs the playwright package and /usr/bin/chromium.
"""

from __future__ import annotations

import sqlite3

import pytest
from web_helpers import PASSWORD, server, sign_in, template  # noqa: F401  (fixtures)

from tests.browser_support import WEB_ARTIFACTS, keyboard_sign_in, needs_browser, press, shown, wait_autofocus, watched_page

pytestmark = needs_browser
RECORDS = 10


def independent(location, reviewer: str) -> list[tuple[int, str]]:
    with sqlite3.connect(location) as db:
        return db.execute("select record_id, decision from screening_decisions where reviewer = ? and "
                          "kind = 'independent' and undone_at is null order by id", (reviewer,)).fetchall()


def signed_in_page(browser, server, name: str, errors: list[str]):
    page = watched_page(browser, name, errors)
    keyboard_sign_in(page, f"{server.url}/screen", name, PASSWORD)
    return page


def test_two_reviewers_screen_blind_by_keyboard_and_the_owner_settles_the_conflict(server, browser):
    owner = sign_in(server, "alice")
    assert owner.post("/api/screening/settings", json={"reviewers_per_record": 2, "blind": True},
                      headers={"X-CSRF-Token": owner.csrf}).status_code == 200
    errors: list[str] = []
    bob, carol = signed_in_page(browser, server, "bob", errors), signed_in_page(browser, server, "carol", errors)
    for i in range(RECORDS):
        assert shown(bob) == shown(carol)  # dual: the second reviewer gets the record the first has
        press(bob, "i" if i == 0 else "e")
        assert bob.locator("#others").count() == 0 and carol.locator("#others").count() == 0  # blind
        press(carol, "e")
        if i == 2:
            bob.screenshot(path=WEB_ARTIFACTS / "11-dual-screening-bob.png", full_page=True)
    made_bob, made_carol = independent(server.location, "bob"), independent(server.location, "carol")
    assert len(made_bob) == len(made_carol) == RECORDS
    assert [r for r, _ in made_bob] == [r for r, _ in made_carol]
    assert made_bob[0][1] == "include" and made_carol[0][1] == "exclude"
    assert f"you: {RECORDS} decisions" in carol.locator("label[for=progress]").inner_text()
    assert carol.locator("#recall-curve polyline").count() == 1
    carol.screenshot(path=WEB_ARTIFACTS / "12-dual-screening-carol.png", full_page=True)

    conflict = made_bob[0][0]
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/screen/conflicts")
    wait_autofocus(page)
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/screen/conflicts")
    card = page.locator(f"#conflict-{conflict}")
    assert "bob: include" in card.inner_text() and "carol: exclude" in card.inner_text()
    page.screenshot(path=WEB_ARTIFACTS / "13-conflicts.png", full_page=True)
    page.locator(f"#decision-{conflict}").focus()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # focus is visible
    page.locator(f"#decision-{conflict}").select_option("include")
    card.get_by_role("button", name="Settle").press("Enter")
    page.wait_for_url(f"{server.url}/screen/conflicts?settled={conflict}")
    assert page.locator(f"#conflict-{conflict}").count() == 0
    page.screenshot(path=WEB_ARTIFACTS / "14-conflict-settled.png", full_page=True)
    with sqlite3.connect(server.location) as db:
        assert db.execute("select reviewer, decision from screening_decisions where record_id = ? and "
                          "kind = 'reconciliation'", (conflict,)).fetchall() == [("alice", "include")]
    assert not errors, errors
