"""Drawings inlined side by side in one page (the report's index, the web app's model page) keep their own
text styles in Chromium: a drawing's ``<style>`` applies to the whole page, so each is scoped to its
own drawing. Before, the PRISMA diagram's bare ``text{font-size:14px}`` set the evidence gap map's
10px labels to 14px on the web model page, and they were cut off at the chart's edges."""

from __future__ import annotations

import re

import pytest
from report_helpers import counts, demo_model

from tests.browser_support import ARGS, CHROMIUM, needs_browser

pytestmark = needs_browser

# Each text's rendered font size and the size its own attributes ask for (None: from a stylesheet).
SIZES = """(id) => [...document.querySelectorAll(`#${id} svg text`)].map(t => ({
    rendered: getComputedStyle(t).fontSize, asked: t.getAttribute('font-size'), cls: t.getAttribute('class')}))"""


@pytest.fixture(scope="module")
def sizes():
    from playwright.sync_api import sync_playwright

    from logicmap.report.charts import gap_map_svg
    from logicmap.report.model_svg import logic_model_svg
    from logicmap.report.prisma_svg import prisma_svg

    model = demo_model()
    drawings = {"prisma": prisma_svg(counts()), "gap": gap_map_svg(model), "model": logic_model_svg(model)}
    body = "".join(f'<div id="{key}">{re.sub(r"^<[?]xml[^>]*[?]>", "", svg.strip())}</div>'
                   for key, svg in drawings.items())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.set_content(f"<!doctype html><html><body style='font-size:20px'>{body}</body></html>")
        found = {key: page.evaluate(SIZES, key) for key in drawings}
        browser.close()
    return found


def test_the_gap_map_keeps_the_sizes_it_was_drawn_with(sizes):
    labels = [s for s in sizes["gap"] if s["asked"]]
    assert len(labels) > 20
    assert all(s["rendered"] == s["asked"] for s in labels), [s for s in labels if s["rendered"] != s["asked"]][:3]


def test_the_prisma_diagram_and_the_model_keep_their_own_styles(sizes):
    assert {s["rendered"] for s in sizes["prisma"] if not s["asked"]} == {"14px"}
    labels = {s["rendered"] for s in sizes["model"] if s["cls"] == "lm-label"}
    counts_ = {s["rendered"] for s in sizes["model"] if s["cls"] == "lm-count"}
    assert len(labels) == 1 and labels != {"20px"} and counts_ == {"13px"}
