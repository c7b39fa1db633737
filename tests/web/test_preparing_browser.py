"""In real headless Chromium: a reviewer who opens screening while the project's titles and abstracts
are still being embedded sees how far that has got, and the page turns into the screening page by
itself once screening is ready (htmx polls, then reloads). Screenshots go to test-artifacts/web/.

Opt-in like the other browser tests: needs the playwright package and /usr/bin/chromium.
"""

from __future__ import annotations

import shutil

from gate import Gate
from web_helpers import PASSWORD, LiveServer, template  # noqa: F401  (fixtures)

from tests.browser_support import WEB_ARTIFACTS, keyboard_sign_in, needs_browser, watched_page

pytestmark = needs_browser


def test_the_preparing_page_shows_progress_then_the_first_record(template, tmp_path, browser):
    location, gate, errors = tmp_path / "review.db", Gate(), []
    shutil.copy(template, location)
    with LiveServer(location, service_options={"seed": 1, "progress": gate}, ready_wait=0) as server:
        page = watched_page(browser, "bob", errors)
        gate.reached()
        keyboard_sign_in(page, f"{server.url}/screen", "bob", PASSWORD)
        status = page.locator("#preparing-status")
        assert "titles and abstracts embedded so far" in status.inner_text()
        assert page.locator("#preparing-progress").get_attribute("max") == str(gate.reports[0][1])
        page.screenshot(path=WEB_ARTIFACTS / "34-preparing.png", full_page=True)
        gate.open()
        page.locator("#card").wait_for(timeout=120_000)  # no click: the page reloads itself
        assert page.locator("#preparing-status").count() == 0
        page.screenshot(path=WEB_ARTIFACTS / "35-prepared.png", full_page=True)
    assert errors == []


def test_a_reviewer_screens_on_tfidf_while_the_vectors_are_made(template, tmp_path, browser):
    location, gate, errors = tmp_path / "review.db", Gate(), []
    shutil.copy(template, location)
    options = {"seed": 1, "progress": gate, "interim_above": 0}
    with LiveServer(location, service_options=options, ready_wait=60) as server:
        page = watched_page(browser, "bob", errors)
        gate.reached()
        keyboard_sign_in(page, f"{server.url}/screen", "bob", PASSWORD)
        first = page.locator("#card").get_attribute("data-record")
        assert "ranked by TF-IDF alone for now" in page.locator("#interim-status").inner_text()
        page.screenshot(path=WEB_ARTIFACTS / "36-interim.png", full_page=True)
        page.keyboard.press("e")  # screening goes on meanwhile, by keyboard
        page.wait_for_function(f"document.querySelector('#card').dataset.record !== '{first}'")
        gate.open()
        page.locator("#interim-status").wait_for(state="hidden", timeout=120_000)  # its poll ends it
        page.screenshot(path=WEB_ARTIFACTS / "37-interim-over.png", full_page=True)
    assert errors == []
