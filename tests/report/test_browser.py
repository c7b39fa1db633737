"""The interactive logic model in headless Chromium (opt-in: needs playwright + /usr/bin/chromium).

Opens logic-model.html from a file:// URL (offline), checks there are no console errors,
clicks an edge on the canvas and via the keyboard list, applies a filter, and saves a
screenshot to test-artifacts/logic-model.png.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from report_helpers import demo_model

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not CHROMIUM.exists(),
    reason="browser test needs the 'playwright' Python package and /usr/bin/chromium "
           "(pip install playwright; apt-get install chromium; never 'playwright install')",
)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    from logicmap.report.interactive import logic_model_html

    path = tmp_path_factory.mktemp("browser") / "logic-model.html"
    path.write_text(logic_model_html(demo_model()), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 950})
        messages: list[tuple[str, str]] = []
        requests: list[str] = []
        pg.on("console", lambda m: messages.append((m.type, m.text)))
        pg.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(path.as_uri())
        pg.wait_for_function("window.logicmapView !== undefined", timeout=10000)
        pg.messages, pg.requests = messages, requests
        yield pg
        browser.close()


def test_loads_offline_without_console_errors(page):
    assert not [m for m in page.messages if m[0] in ("error", "pageerror")], page.messages
    assert all(url.startswith(("file:", "data:", "about:")) for url in page.requests), page.requests
    assert page.evaluate("window.logicmapView.cy.edges().length") > 100


def test_click_edge_lists_its_studies(page):
    # the canvas click: the midpoint of T02 -> OF3, in page coordinates
    point = page.evaluate("""() => {
        const cy = window.logicmapView.cy, e = cy.getElementById('T02->OF3');
        const box = cy.container().getBoundingClientRect(), m = e.renderedMidpoint();
        return {x: box.left + m.x, y: box.top + m.y};
    }""")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#panel:not([hidden])", timeout=5000)
    title = page.inner_text("#panel-title")
    assert "→" in title
    assert page.locator("#panel ol.studies > li").count() >= 1
    page.keyboard.press("Escape")
    assert page.locator("#panel").is_hidden()
    # the keyboard path: focus the list button, Enter opens the panel with the quoted studies
    page.focus("#btn-e-T02-\\>OF3")
    page.keyboard.press("Enter")
    page.wait_for_selector("#panel:not([hidden])", timeout=5000)
    assert page.inner_text("#panel-title").startswith("T02 Illness self-management")
    body = page.inner_text("#panel-body")
    assert "Färdig et al. 2011" in body and "IMR program participants demonstrated" in body
    page.keyboard.press("Escape")
    assert page.locator("#panel").is_hidden()
    assert page.evaluate("document.activeElement.id") == "btn-e-T02->OF3"  # focus returns to the trigger


def test_filter_changes_visible_elements_and_screenshot(page):
    visible = "window.logicmapView.cy.edges().filter(e => !e.hasClass('gone')).length"
    before = page.evaluate(visible)
    page.select_option("#f-design", "qualitative")
    after = page.evaluate(visible)
    assert 0 < after < before
    assert "Showing" in page.inner_text("#status")
    page.select_option("#f-design", "")
    page.select_option("#f-domain", "social")
    assert page.evaluate("window.logicmapView.cy.getElementById('OF1').hasClass('gone')")
    page.click("#f-reset")
    assert page.evaluate(visible) == before
    page.click("#btn-e-T02-\\>OF3")
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "logic-model.png"), timeout=20000)
    assert (ARTIFACTS / "logic-model.png").stat().st_size > 10000
