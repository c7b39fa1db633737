"""Sign in, screen by keyboard and sign out in real headless Chromium against a live server.

Opt-in like tests/report/test_browser.py: needs the playwright package and /usr/bin/chromium
(never 'playwright install'). Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import sqlite3

import pytest
from web_helpers import PASSWORD, server, template  # noqa: F401  (fixtures)

from tests.browser_support import ARGS, CHROMIUM, WEB_ARTIFACTS, needs_browser, wait_autofocus

pytestmark = needs_browser


def decisions(location, reviewer: str) -> list[tuple[int, str]]:
    with sqlite3.connect(location) as db:
        return db.execute("select record_id, decision from screening_decisions where reviewer = ? "
                          "and undone_at is null order by id", (reviewer,)).fetchall()


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    WEB_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 860})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg
        browser.close()
    assert not errors, errors


def shown(page) -> int:
    return int(page.locator("#card").get_attribute("data-record"))


def next_card(page, before: int) -> int:
    page.wait_for_function(f"() => document.querySelector('#card')?.dataset.record !== '{before}'",
                           timeout=15000)
    return shown(page)


def test_sign_in_screen_by_keyboard_and_sign_out(server, page):
    page.goto(f"{server.url}/screen")
    assert page.url.endswith("/login?next=/screen")
    page.screenshot(path=WEB_ARTIFACTS / "01-sign-in.png")
    wait_autofocus(page)  # the name field has focus
    page.keyboard.type("carol")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/screen")
    page.screenshot(path=WEB_ARTIFACTS / "02-screening.png", full_page=True)

    before = len(decisions(server.location, "carol"))
    first = shown(page)
    page.keyboard.press("i")
    second = next_card(page, first)
    page.keyboard.press("e")
    third = next_card(page, second)
    page.keyboard.press("m")
    fourth = next_card(page, third)
    made = decisions(server.location, "carol")[before:]
    assert made == [(first, "include"), (second, "exclude"), (third, "maybe")]
    assert "you: 3 decisions" in page.locator("label[for=progress]").inner_text()

    page.keyboard.press("u")
    assert next_card(page, fourth) == third  # the undone record comes back
    assert decisions(server.location, "carol")[before:] == [(first, "include"), (second, "exclude")]

    page.keyboard.press("Tab")  # skip link, then the header: focus is visible
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.screenshot(path=WEB_ARTIFACTS / "03-after-keys-focus.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{server.url}/login?signed_out=1")
    assert "You are signed out" in page.locator("main").inner_text()
    page.screenshot(path=WEB_ARTIFACTS / "04-signed-out.png")
    page.goto(f"{server.url}/screen")
    assert "/login" in page.url
