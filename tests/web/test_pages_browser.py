"""In real headless Chromium against a live server: sign in, upload a real export from
../shared/data/formats, review one duplicate pair by keyboard, undo a merge, see the model page.

Opt-in like tests/web/test_web_browser.py (playwright package and /usr/bin/chromium). Screenshots
go to test-artifacts/web/pages-*.png.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from web_helpers import PASSWORD, server, template  # noqa: F401  (fixtures)

from tests.browser_support import ARGS, CHROMIUM, WEB_ARTIFACTS, needs_browser

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "formats"
EXPORT = SHARED / "medline" / "nbib-pubmed-balloongui-set.nbib"
pytestmark = [needs_browser, pytest.mark.skipif(not EXPORT.exists(), reason=f"needs the shared data at {SHARED}")]


def query(location, sql: str, *args):
    with sqlite3.connect(location) as db:
        return db.execute(sql, args).fetchall()


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    WEB_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors
        yield pg
        browser.close()
    assert not errors, errors


def sign_in(page, server, name: str, target: str) -> None:
    page.goto(f"{server.url}{target}")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}{target}")


def test_upload_review_a_pair_and_see_the_model(server, page):
    sign_in(page, server, "alice", "/import")
    sources = len(query(server.location, "select id from sources"))
    page.set_input_files("#files", str(EXPORT))
    page.fill("#database", "PubMed")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("#import-done")
    assert f"{EXPORT.name}" in page.locator("#import-done").inner_text()
    page.screenshot(path=WEB_ARTIFACTS / "pages-01-imported.png", full_page=True)
    assert len(query(server.location, "select id from sources")) == sources + 1
    assert query(server.location, "select database from sources order by id desc limit 1") == [("PubMed",)]

    page.set_input_files("#files", {"name": "empty.ris", "mimeType": "text/plain", "buffer": b""})
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("#import-error")
    assert "Nothing was imported" in page.locator("#import-error").inner_text()
    assert page.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.errors.clear()  # the refusal's own status, as expected
    page.screenshot(path=WEB_ARTIFACTS / "pages-02-refused.png", full_page=True)

    page.goto(f"{server.url}/dedupe")
    pair = page.locator("#pair").get_attribute("data-pair")
    assert page.locator("tr.agree").count() > 0
    page.screenshot(path=WEB_ARTIFACTS / "pages-03-dedupe-pair.png")
    page.keyboard.press("d")
    page.wait_for_function(f"() => document.querySelector('#pair')?.dataset.pair !== '{pair}'", timeout=15000)
    decided = query(server.location, "select review_decision, reviewer from dedupe_pairs where id = ?", int(pair))
    assert decided == [("duplicate", "alice")]
    shown = page.locator("#pair").get_attribute("data-pair")
    if shown:  # s leaves a pair for later
        page.keyboard.press("s")
        page.wait_for_function(f"() => document.querySelector('#pair')?.dataset.pair !== '{shown}'", timeout=15000)
        assert query(server.location, "select review_decision from dedupe_pairs where id = ?", int(shown)) == [(None,)]

    merges = len(query(server.location, "select id from clusters where undone_at is null"))
    page.get_by_role("button", name="Undo merge").first.click()
    page.wait_for_selector("text=Merge undone")
    assert len(query(server.location, "select id from clusters where undone_at is null")) == merges - 1
    page.screenshot(path=WEB_ARTIFACTS / "pages-04-merge-undone.png", full_page=True)

    page.goto(f"{server.url}/model")
    frame = page.locator("#model-frame").element_handle().content_frame()
    frame.wait_for_function("window.logicmapView !== undefined", timeout=30000)
    assert page.locator("#prisma svg").count() == 1 and page.locator("#gap-map svg").count() == 1
    page.screenshot(path=WEB_ARTIFACTS / "pages-05-model.png", full_page=True)

    page.goto(f"{server.url}/audit")
    text = page.locator("#audit").inner_text()
    assert "import" in text and "dedupe.decide" in text and "dedupe.undo" in text
    page.screenshot(path=WEB_ARTIFACTS / "pages-06-audit.png", full_page=True)

    page.goto(f"{server.url}/settings")
    page.screenshot(path=WEB_ARTIFACTS / "pages-07-settings.png", full_page=True)
    assert page.locator("input[name=csrf]").first.get_attribute("value")


def test_code_a_selected_span_and_see_its_link_in_the_model(server, page):
    sign_in(page, server, "carol", "/screen")
    record = page.locator("#card").get_attribute("data-record")
    page.keyboard.press("i")  # include it, so it is in the model
    page.wait_for_function(f"() => document.querySelector('#card')?.dataset.record !== '{record}'", timeout=15000)

    page.goto(f"{server.url}/code?record={record}")
    title = page.locator('.codable[data-field="title"]')
    box = title.bounding_box()
    page.mouse.move(box["x"] + 1, box["y"] + 10)  # drag over the first line's first words
    page.mouse.down()
    page.mouse.move(box["x"] + min(box["width"] - 4, 220), box["y"] + 10, steps=8)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('#sel-quote').value.length > 0")
    quote = page.locator("#sel-quote").input_value()
    start, end = int(page.locator("#sel-start").input_value()), int(page.locator("#sel-end").input_value())
    title_text = page.evaluate("() => document.querySelector('.codable[data-field=title]').textContent")
    assert quote and title_text[start:end] == quote
    page.select_option("#code", "T02")
    page.select_option("#target_code", "M1")
    page.screenshot(path=WEB_ARTIFACTS / "pages-08-coding-selection.png", full_page=True)
    page.get_by_role("button", name="Apply code").click()
    page.wait_for_selector("#codings >> text=T02 → M1")
    stored = query(server.location, "select code, target_code, field, start, \"end\", quote, reviewer from codings "
                                    "where record_id = ? and undone_at is null", int(record))
    assert stored == [("T02", "M1", "title", start, end, quote, "carol")]
    page.screenshot(path=WEB_ARTIFACTS / "pages-09-coded.png", full_page=True)

    page.goto(f"{server.url}/model")
    frame = page.locator("#model-frame").element_handle().content_frame()
    frame.wait_for_function("window.logicmapView !== undefined", timeout=30000)
    edges = frame.evaluate("window.logicmapView.current().edges")
    assert edges["T02->M1"]["n"] >= 1
    page.screenshot(path=WEB_ARTIFACTS / "pages-10-model-with-link.png", full_page=True)


NARROW_PAGES = ("/", "/import", "/dedupe", "/screen", "/screen/conflicts", "/fulltext", "/code", "/code/agreement",
                "/model", "/audit", "/settings")


def test_no_page_is_wider_than_a_narrow_window(server, page):
    """Nothing overflows sideways at 800 or 600 px (the coding page did at 800: its text column could not
    shrink; the import page's sources table did at 600: its edit forms could not wrap)."""
    sign_in(page, server, "alice", "/")
    wide = {}
    for window in (800, 600):
        page.set_viewport_size({"width": window, "height": 900})
        for path in NARROW_PAGES:
            page.goto(f"{server.url}{path}")
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > window:
                wide[f"{path} at {window}px"] = width
    assert not wide, wide
