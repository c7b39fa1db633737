"""A large model's interactive page with its study lists in part files, in headless Chromium.

The demo model written with ``lazy=True`` (as a model of 2,000+ studies is): the page
carries no study list, opens offline from file://, and each link or box loads its part
file when opened, listing the same studies as the self-contained page.
"""

from __future__ import annotations

import json

import pytest
from report_helpers import demo_model

from tests.browser_support import ARGS, CHROMIUM, needs_browser

pytestmark = needs_browser


@pytest.fixture(scope="module")
def lazy_page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    from logicmap.report.interactive import logic_model_files

    folder = tmp_path_factory.mktemp("lazy")
    files = logic_model_files(demo_model(), lazy=True)
    for name, text in files.items():
        path = folder / (name or "logic-model.html")
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1440, "height": 900})
        messages: list[tuple[str, str]] = []
        pg.on("console", lambda m: messages.append((m.type, m.text)))
        pg.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        pg.goto((folder / "logic-model.html").as_uri())
        pg.wait_for_function("window.logicmapView !== undefined", timeout=10000)
        pg.messages, pg.folder, pg.files = messages, folder, files
        yield pg
        browser.close()


def test_the_page_carries_no_study_list(lazy_page):
    page_data = lazy_page.files[""].split('id="lm-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(page_data)
    assert "studies" not in data and "quotes" not in data
    assert all("studies" not in n and n["part"] for n in data["nodes"].values())
    assert all("studies" not in e for v in data["views"] for e in v["edges"].values())
    assert len(lazy_page.files) == 1 + len(data["nodes"]) + len(data["edges"]) + len(data["views"])


def test_a_link_and_a_box_load_their_studies_when_opened(lazy_page):
    edges = lazy_page.evaluate("window.logicmapView.current().edges")
    best = max(edges, key=lambda e: edges[e]["n"])
    assert edges[best]["n"] > 1
    lazy_page.evaluate("(id) => window.logicmapView.openEdge(id, null)", best)
    lazy_page.wait_for_selector("#panel ol.studies > li")
    assert lazy_page.locator("#panel ol.studies > li").count() == edges[best]["n"]
    assert lazy_page.locator("#panel blockquote").count() > 0  # quoted sentences came with the part
    n = lazy_page.evaluate("window.logicmapView.current().nodes['OE1'].n")
    lazy_page.evaluate("window.logicmapView.openNode('OE1', null)")
    lazy_page.wait_for_function("document.getElementById('panel-title').textContent.startsWith('OE1')")
    assert lazy_page.locator("#panel ol.studies > li").count() == n
    assert not [m for m in lazy_page.messages if m[0] in ("error", "pageerror")], lazy_page.messages
