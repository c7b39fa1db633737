"""The interactive logic model in headless Chromium (opt-in: needs playwright + /usr/bin/chromium).

Opens logic-model.html from a file:// URL (offline) at 1440 x 900, checks there are no console
errors, clicks every link of the default view at its drawn midpoint and reads that link's
panel, measures the text at the fitted zoom (with the panel open), uses the strength control
and the keyboard list, and saves a screenshot of every view to test-artifacts/.
"""

from __future__ import annotations


import pytest
from report_helpers import demo_model

from tests.browser_support import ARGS, CHROMIUM, needs_browser
from tests.browser_support import ARTIFACTS as _ROOT_ARTIFACTS

ARTIFACTS = _ROOT_ARTIFACTS
pytestmark = needs_browser

# The smallest rendered font size (px) of the visible view's SVG text, at the current zoom.
SMALLEST_TEXT = """() => {
    const div = [...document.querySelectorAll('#graph .view')].find(d => !d.hidden);
    const svg = div.querySelector('svg'), scale = svg.getScreenCTM().a;
    return Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
}"""
# Where to click for one link: scroll its drawn midpoint into the graph, return page coordinates.
MIDPOINT = """(id) => {
    const v = window.logicmapView, graph = document.getElementById('graph');
    const g = [...document.querySelectorAll('#graph .view')].find(d => !d.hidden)
        .querySelector(`g.edge[data-id="${CSS.escape(id)}"]`);
    let m = v.midpoint(g), r = graph.getBoundingClientRect();
    graph.scrollTop += m.y - (r.top + r.height / 2);
    graph.scrollLeft += m.x - (r.left + r.width / 2);
    m = v.midpoint(g);
    return {x: m.x, y: m.y};
}"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    from logicmap.report.interactive import logic_model_html

    path = tmp_path_factory.mktemp("browser") / "logic-model.html"
    path.write_text(logic_model_html(demo_model()), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1440, "height": 900})
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


def _edges(page) -> dict:
    return page.evaluate("window.logicmapView.current().edges")


def _label(page, node_id: str) -> str:
    n = page.evaluate("(id) => window.logicmapView.current().nodes[id]", node_id)
    return n["label"] if node_id.startswith("domain:") else f"{node_id} {n['label']}"


def test_loads_offline_summary_first(page):
    assert not [m for m in page.messages if m[0] in ("error", "pageerror")], page.messages
    assert all(url.startswith(("file:", "data:", "about:")) for url in page.requests), page.requests
    assert page.evaluate("window.logicmapView.current().key") == "summary"
    assert page.input_value("#f-view") == "summary"
    assert len(_edges(page)) > 20


def test_click_every_edge_at_its_drawn_midpoint(page):
    page.evaluate("window.logicmapView.show('summary')")
    wrong = []
    for eid, e in _edges(page).items():
        point = page.evaluate(MIDPOINT, eid)
        page.mouse.click(point["x"], point["y"])
        expected = f"{_label(page, e['source'])} → {_label(page, e['target'])}"
        got = page.inner_text("#panel-title")
        if got != expected:
            wrong.append((eid, got))
    assert not wrong, wrong
    # the panel lists the studies behind the link, with their quoted sentences
    page.evaluate("window.logicmapView.openEdge('T02->M1', null)")
    assert page.locator("#panel ol.studies > li").count() == _edges(page)["T02->M1"]["n"]


def test_text_never_under_11px_at_the_fitted_zoom(page):
    for key in page.evaluate("[...document.querySelectorAll('#graph .view')].map(d => d.dataset.key)"):
        page.evaluate("(k) => window.logicmapView.show(k)", key)
        assert page.evaluate(SMALLEST_TEXT) >= 11, key
    page.evaluate("window.logicmapView.show('summary')")
    zoom = page.evaluate("window.logicmapView.zoom()")
    page.evaluate("window.logicmapView.openNode('OE1', null)")
    assert page.evaluate("window.logicmapView.zoom()") == zoom  # the panel does not shrink the graph
    assert page.evaluate(SMALLEST_TEXT) >= 11
    page.click("#z-out")
    page.click("#z-out")
    assert page.evaluate(SMALLEST_TEXT) >= 11  # zooming out stops at 11 px
    page.click("#z-fit")
    # every label line stays inside its box
    overflow = page.evaluate("""() => {
        const svg = [...document.querySelectorAll('#graph .view')].find(d => !d.hidden).querySelector('svg');
        return [...svg.querySelectorAll('g.node')].filter(g => {
            const box = g.querySelector('rect').getBoundingClientRect();
            return [...g.querySelectorAll('text')].some(t => t.getBoundingClientRect().right > box.right + 0.5);
        }).map(g => g.dataset.id);
    }""")
    assert not overflow


def test_strength_control_and_keyboard_list(page):
    page.evaluate("window.logicmapView.show('summary')")
    visible = "[...document.querySelectorAll('#graph .view:not([hidden]) g.edge')].filter(g => g.getBoundingClientRect().width > 0).length"
    before = page.evaluate(visible)
    page.select_option("#f-strength", "2")
    after = page.evaluate(visible)
    assert 0 < after < before and "below the chosen strength hidden" in page.inner_text("#status")
    page.select_option("#f-strength", "0")
    assert page.evaluate(visible) == before
    from logicmap.report.views import summary_view

    model = demo_model()
    edge = next(e for e in summary_view(model).edges if e.studies)  # a link with studies behind it
    citation = model.graph.edges[edge.source, edge.target]["studies"][0].citation
    page.focus(f"#btn-e-{edge.source}-\\>{edge.target}")
    page.keyboard.press("Enter")
    assert page.inner_text("#panel-title").startswith(f"{edge.source} {model.graph.nodes[edge.source]['label']}")
    assert citation in page.inner_text("#panel-body")
    page.keyboard.press("Escape")
    assert page.inner_text("#panel-title") == "Summary"
    assert page.evaluate("document.activeElement.id") == f"btn-e-{edge.source}->{edge.target}"  # focus returns


def test_screenshots_of_every_view(page):
    ARTIFACTS.mkdir(exist_ok=True)
    keys = page.evaluate("[...document.querySelectorAll('#graph .view')].map(d => d.dataset.key)")
    for key in keys:
        page.evaluate("(k) => { window.logicmapView.show(k); window.scrollTo(0, 0); }", key)
        if key == "summary":
            page.evaluate("window.logicmapView.openEdge('T02->M1', null)")
        shot = ARTIFACTS / f"logic-model-{key.replace(':', '-')}.png"
        page.screenshot(path=str(shot), timeout=30000)
        assert shot.stat().st_size > 5000
    assert len(keys) >= 4


def test_fewest_studies_brings_back_hidden_links(page):
    page.evaluate("window.logicmapView.show('summary')")
    summary = page.evaluate("window.logicmapView.current()")
    assert summary["hidden"] > 0 and summary["minStudies"] > 1  # the demo's default view hides weak links
    status = page.inner_text("#status")
    assert f"{summary['hidden']} links with fewer than {summary['minStudies']} studies hidden" in status
    visible = "[...document.querySelectorAll('#graph .view:not([hidden]) g.edge')].filter(g => g.getBoundingClientRect().width > 0).length"
    before = page.evaluate(visible)
    page.select_option("#f-min", "1")
    assert page.evaluate("window.logicmapView.current().key") == "summary-all"
    assert page.evaluate(visible) == before + summary["hidden"]  # every hidden evidence link is back
    assert "fewer than" not in page.inner_text("#status")
    page.select_option("#f-min", str(summary["minStudies"] + 1))
    assert page.evaluate("window.logicmapView.current().key") == "summary"
    assert page.evaluate(visible) < before and "fewer than" in page.inner_text("#status")
    page.select_option("#f-min", str(summary["minStudies"]))
    assert page.evaluate(visible) == before


def test_context_profile_marks_links_and_lists_studies(page):
    from logicmap.synthesis import context_profile

    model = demo_model()
    page.evaluate("window.logicmapView.show('summary')")
    page.select_option("#f-min", "1")  # every link with evidence drawn
    code = sorted({c.code for _, _, d in model.edges() for c in d["moderators"]})[0]
    expected = context_profile(model, [code])
    assert expected.links
    page.click("#context summary")
    box = page.locator(f"#ctx-{code}")
    label = model.graph.nodes[code]["label"]
    assert page.inner_text(f'label[for="ctx-{code}"]').strip() == f"{code} {label}"
    box.focus()
    page.keyboard.press("Space")  # keyboard: tick it
    assert box.is_checked() and page.evaluate("document.activeElement.id") == f"ctx-{code}"  # focus stays
    marked = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#graph .view:not([hidden]) g.edge')]
        .filter(g => g.querySelector('.ctx-mark')).map(g => [g.dataset.id, [...g.classList].find(c => c.startsWith('ctx-'))]))""")
    drawn = set(page.evaluate("Object.keys(window.logicmapView.current().edges)"))
    want = {f"{x.source}->{x.target}": f"ctx-{x.effect}" for x in expected.links if f"{x.source}->{x.target}" in drawn}
    assert want and marked == want
    # the panel lists every such link with its studies and quotes
    assert page.inner_text("#panel-title") == "Your context"
    body = page.inner_text("#panel-body")
    assert f"{len(expected.links)} link" in body
    for link in expected.links:
        assert f"{link.source} {model.graph.nodes[link.source]['label']} → {link.target}" in body
        for c in link.conditions:
            assert c.citation in body and (not c.quote or c.quote in body)
    # a marked link's button in the keyboard list says so
    eid = next(iter(want))
    aria = page.evaluate("(id) => document.getElementById('btn-e-' + id).getAttribute('aria-label')", eid)
    assert "in your context" in aria
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "logic-model-context.png"), timeout=30000)
    page.keyboard.press("Space")  # untick: the marks go
    assert page.evaluate("document.querySelectorAll('#graph .ctx-mark').length") == 0
    page.select_option("#f-min", str(page.evaluate("window.logicmapView.current().minStudies") or 1))
    page.evaluate("window.logicmapView.show('summary')")


def test_panel_says_what_each_basis_means(page):
    page.evaluate("window.logicmapView.show('summary')")
    edges = _edges(page)
    chain = next(k for k, e in edges.items() if e["basis"] == "chain")
    page.evaluate("(id) => window.logicmapView.openEdge(id, null)", chain)
    body = page.inner_text("#panel-body")
    assert "chain (reports both ends, no sentence links them)" in body and "co-occur" not in body
    model_edge = page.evaluate("(id) => window.logicmapView.current().edges[id].members[0]", chain)
    if any(s[2] == "chain" for s in page.evaluate("(id) => JSON.parse(document.getElementById('lm-data').textContent).edges[id].studies", model_edge)):
        assert "chain: reports both ends, no sentence links them" in body
    hyp = next(k for k, e in edges.items() if e["basis"] == "hypothesis")
    page.evaluate("(id) => window.logicmapView.openEdge(id, null)", hyp)
    assert "from the codebook, no study yet" in page.inner_text("#panel-body")
    page.evaluate("window.logicmapView.show('summary-all')")
    explicit = next(k for k, e in _edges(page).items() if e["basis"] == "explicit" and e["n"] == 1)
    page.evaluate("(id) => window.logicmapView.openEdge(id, null)", explicit)
    body = page.inner_text("#panel-body")
    assert body.startswith("1 study ·") and "states the link in a sentence" in body and "1 studies" not in body
    page.evaluate("window.logicmapView.show('summary')")


# Printed size of an SVG's text and any overlap, measured in the page (1 CSS px = 1/96 inch).
PRINT_CHECK = """() => {
    const svg = document.querySelector('svg'), scale = svg.getScreenCTM().a;
    const px = Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
    const rects = [...svg.querySelectorAll('g.node')].map(g => [g.dataset.id, g.querySelector('rect').getBoundingClientRect()]);
    const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const overlaps = [];
    rects.forEach(([i, a], k) => rects.slice(k + 1).forEach(([j, b]) => { if (meet(a, b)) overlaps.push(i + '/' + j); }));
    const outside = [...svg.querySelectorAll('g.node')].filter(g => {
        const box = g.querySelector('rect').getBoundingClientRect();
        return [...g.querySelectorAll('text')].some(t => { const r = t.getBoundingClientRect();
            return r.right > box.right + 0.5 || r.left < box.left - 0.5 || r.bottom > box.bottom + 0.5; });
    }).map(g => g.dataset.id);
    const loose = [...svg.querySelectorAll('text.lm-col, text.lm-group, text.lm-note, text.lm-legend')].filter(t =>
        rects.some(([, b]) => meet(t.getBoundingClientRect(), b))).map(t => t.textContent);
    const page = svg.getBoundingClientRect();
    const cut = [...svg.querySelectorAll('text')].filter(t => { const r = t.getBoundingClientRect();
        return r.left < page.left || r.right > page.right || r.top < page.top || r.bottom > page.bottom; })
        .map(t => t.textContent);
    return {px, overlaps, outside, loose, cut, width: page.width, height: page.height};
}"""


@pytest.mark.parametrize("size", ["a4", "a3", "poster"])
def test_static_svg_at_print_size(size, tmp_path, page):
    """Every page of the demo's summary prints its smallest text at >= 11 px (A4: four pages, one
    per pair of columns, since on one A4 page it would print at 7.7 px), nothing overlaps or is cut."""
    from logicmap.report.model_pages import logic_model_pages
    from logicmap.report.model_svg import PX_PER_MM, svg_print_fit

    pages = logic_model_pages(demo_model(), size=size)
    assert len(pages) == (4 if size == "a4" else 1)
    for i, document in enumerate(pages, 1):
        fit = svg_print_fit(document)
        name = f"logic-model-svg-{size}" + (f"-{i}" if len(pages) > 1 else "")
        path = tmp_path / f"{name}.svg"
        path.write_text(document, encoding="utf-8")
        width, height = round(fit.page_w_mm * PX_PER_MM), round(fit.page_h_mm * PX_PER_MM)
        pg = page.context.browser.new_page(viewport={"width": width, "height": height})  # the module's Chromium
        try:
            pg.goto(path.as_uri())
            got = pg.evaluate(PRINT_CHECK)
            ARTIFACTS.mkdir(exist_ok=True)
            pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), timeout=60000)
        finally:
            pg.close()
        assert abs(got["width"] - width) < 2 and abs(got["height"] - height) < 2  # the page is the paper
        assert abs(got["px"] - fit.smallest_text_px) < 0.2  # what the CLI reports is what prints
        assert not got["overlaps"] and not got["outside"] and not got["loose"] and not got["cut"], (name, got)
        assert got["px"] >= 11, (name, got["px"])


def test_a_narrow_window_puts_the_panel_under_the_drawing_and_brings_it_into_view(page):
    page.set_viewport_size({"width": 800, "height": 900})
    try:
        page.evaluate("window.logicmapView.show('summary')")
        box = "(id) => { const r = document.getElementById(id).getBoundingClientRect(); return [r.top, r.bottom, r.width]; }"
        graph, panel = page.evaluate(box, "graph"), page.evaluate(box, "panel")
        assert panel[0] >= graph[1] - 1 and graph[2] > 760  # stacked; the drawing has the whole width
        page.evaluate("window.scrollTo(0, 0)")
        assert page.evaluate(box, "panel")[1] > 900  # the panel's lower part is out of view
        page.evaluate("window.logicmapView.openEdge(Object.keys(window.logicmapView.current().edges)[0], null)")
        page.wait_for_function("document.getElementById('panel-title').textContent !== 'Summary'")
        top, bottom, _ = page.evaluate(box, "panel")
        assert top >= 0 and bottom <= 901, (top, bottom)  # opened from the drawing: scrolled wholly into view
    finally:
        page.set_viewport_size({"width": 1440, "height": 900})
        page.keyboard.press("Escape")
        page.evaluate("window.scrollTo(0, 0)")


def test_a_wide_window_keeps_the_panel_beside_the_drawing(page):
    box = "(id) => { const r = document.getElementById(id).getBoundingClientRect(); return [r.left, r.top, r.width]; }"
    graph, panel = page.evaluate(box, "graph"), page.evaluate(box, "panel")
    assert panel[0] >= graph[0] + graph[2] - 1 and abs(panel[1] - graph[1]) < 2 and panel[2] == 380
