"""What every browser test shares: Debian's chromium, its headless flags, the artefact folder, the skip."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
#: Where the web app's browser tests save their screenshots (made by tests/web/conftest.py's browser).
WEB_ARTIFACTS = ARTIFACTS / "web"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

needs_browser = pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not CHROMIUM.exists(),
    reason="browser test needs the 'playwright' Python package and /usr/bin/chromium "
           "(pip install playwright; apt-get install chromium; never 'playwright install')",
)


def watched_page(browser, name: str, errors: list[str], *, height: int = 900):
    """A page in a fresh browser context (its own cookies) whose console errors and uncaught page
    errors are appended to ``errors``, tagged with ``name``."""
    page = browser.new_context(viewport={"width": 1280, "height": height}).new_page()
    page.on("console", lambda m: errors.append(f"{name}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{name}: {e}"))
    return page


def wait_autofocus(page, selector: str = "#name") -> None:
    """Wait until ``selector`` has the focus its ``autofocus`` gives it, as a user sees the caret
    before typing. Chromium applies autofocus at its next rendering update, which can come after
    the load event ``goto`` returns on (measured: 3 of 40 fresh sign-in pages, idle); keys typed
    before it go to the page body, and the sign-in then fails with an empty name or password."""
    page.wait_for_function(f"() => document.activeElement === document.querySelector({selector!r})")


def keyboard_sign_in(page, url: str, name: str, password: str) -> None:
    """Open ``url``, sign in on its form by keyboard alone (the name field has focus), land on ``url``."""
    page.goto(url)
    wait_autofocus(page)
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(url)


def shown(page) -> int:
    """The record the screening page shows (its card's ``data-record``)."""
    return int(page.locator("#card").get_attribute("data-record"))


def press(page, key: str, *, timeout: float = 20000) -> None:
    """Press a decision key on the screening page and wait until its card shows another record."""
    before = page.locator("#card").get_attribute("data-record")
    page.keyboard.press(key)
    page.wait_for_function(f"() => document.querySelector('#card')?.dataset.record !== '{before}'",
                           timeout=timeout)


def wait_full_text_ranked(page, base_url: str, timeout: float = 60) -> None:
    """Wait (polling the JSON API with the page's session) until the full-text order is ranked on the
    decisions made so far: the page never waits for the ranking, a test that compares orders does."""
    import time

    deadline = time.monotonic() + timeout
    while page.request.get(f"{base_url}/api/fulltext/next").json()["ranking"] != "ranked":
        assert time.monotonic() < deadline, "the full-text order was not ranked in time"
        time.sleep(0.05)
