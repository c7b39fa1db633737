"""The interactive logic model of a realist CMO and a classic logic-model review in headless Chromium
(opt-in: needs playwright + /usr/bin/chromium): no errors, every view drawn with the codebook's
column titles, and a click on a chain link opens its studies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_codebook_pipeline import CASES, _write_ris

from logicmap.api import Review

from tests.browser_support import ARGS, CHROMIUM, needs_browser
from tests.browser_support import ARTIFACTS as _ROOT_ARTIFACTS

ARTIFACTS = _ROOT_ARTIFACTS
pytestmark = needs_browser


def _report(tmp_path, name: str) -> Path:
    case = CASES[name]
    _write_ris(tmp_path / "search.ris", case["studies"])
    with Review.create(tmp_path / "p.db", codebook=name) as review:
        review.records.import_files([tmp_path / "search.ris"])
        ids = [rid for rid, _ in review.records.iter()]
        for rid in ids[:2]:
            review.screening.decide(rid, "include", reviewer="ana")
        for rid, codings in zip(ids, case["codings"]):
            for code, quote, direction, target in codings:
                review.coding.add(rid, code, reviewer="ana", quote=quote, direction=direction, target_code=target)
        return review.report.write(tmp_path / "report")["logic_model_html"]


@pytest.mark.parametrize("name", ["realist-cmo", "logic-model"])
def test_every_view_follows_the_codebook_in_the_browser(tmp_path, name):
    from playwright.sync_api import sync_playwright

    case = CASES[name]
    page_file = _report(tmp_path, name)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        messages = []
        page.on("console", lambda m: messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        page.goto(page_file.as_uri())
        page.wait_for_function("window.logicmapView !== undefined", timeout=10000)
        keys = page.evaluate("[...document.querySelectorAll('#graph .view')].map(d => d.dataset.key)")
        assert keys[0] == "summary" and "summary-domains" in keys
        assert any(k.startswith("pathway:") for k in keys)
        for key in keys:
            page.evaluate("(k) => window.logicmapView.show(k)", key)
            titles = page.evaluate("""() => [...document.querySelectorAll('#graph .view:not([hidden]) text.lm-col')]
                                          .map(t => t.textContent)""")
            assert titles and all(t in case["columns"] for t in titles), (key, titles)
        page.evaluate("window.logicmapView.show('summary')")
        titles = page.evaluate("[...document.querySelectorAll('#graph .view:not([hidden]) text.lm-col')]"
                               ".map(t => t.textContent)")
        assert titles == case["columns"]
        src, dst = case["chain"][0]
        page.evaluate("(id) => window.logicmapView.openEdge(id, null)", f"{src}->{dst}")
        assert page.inner_text("#panel-title").startswith(f"{src} ")
        assert re.search(r"Author\d", page.inner_text("#panel-body"))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"codebook-{name}-summary.png"), timeout=30000)
        assert not [m for m in messages if m[0] in ("error", "pageerror")], messages
        browser.close()
