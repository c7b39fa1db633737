"""Static SVGs: well-formed, deterministic, escaped; layout keeps kinds in their columns."""

from __future__ import annotations

from lxml import etree
from report_helpers import counts, demo_model, demo_studies

from logicmap.codebook import load_codebook
from logicmap.report.layout import LABEL_PX, layout, place_view
from logicmap.report.model_svg import logic_model_svg
from logicmap.report.style import text_width, wrap_px
from logicmap.report.views import all_views, summary_view
from logicmap.report.prisma import PrismaCounts
from logicmap.report.prisma_svg import prisma_svg
from logicmap.synthesis import Study, build_model

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str):
    return etree.fromstring(svg.encode("utf-8"))


def test_logic_model_svg_well_formed_and_deterministic():
    model = demo_model()
    view = summary_view(model)
    svg = logic_model_svg(model)
    again = logic_model_svg(demo_model())
    assert svg == again  # byte-identical for the same input
    root = _parse(svg)
    groups = root.findall(f".//{SVG}g[@class='edge']")
    assert len(groups) == len(view.edges)
    dash = {g.get("data-id"): g.find(f"{SVG}path[@class='line']").get("stroke-dasharray") for g in groups}
    basis = {e.id: e.basis for e in view.edges}
    assert {basis[k] for k, d in dash.items() if d == "2 5"} <= {"hypothesis"}
    assert all(dash[k] == "9 5" for k, b in basis.items() if b == "chain")
    assert all(dash[k] is None for k, b in basis.items() if b == "explicit")
    assert not root.findall(f".//{SVG}path[@class='hit']")  # hit paths only in the page
    nodes = root.findall(f".//{SVG}g[@class='node']")
    assert {n.get("data-id") for n in nodes} == {n.id for n in view.nodes}
    a4 = _parse(logic_model_svg(model, size="a4"))
    assert (a4.get("width"), a4.get("height")) in {("210mm", "297mm"), ("297mm", "210mm")}
    poster = _parse(logic_model_svg(model, size="poster"))
    assert (poster.get("width"), poster.get("height")) in {("841mm", "1189mm"), ("1189mm", "841mm")}
    # the page's viewBox holds the whole drawing, centred
    x, y, w, h = map(float, a4.get("viewBox").split())
    _, _, w0, h0 = map(float, root.get("viewBox").split())
    assert x <= 0 and y <= 0 and x + w >= w0 and y + h >= h0 and abs(x + w / 2 - w0 / 2) < 1


def test_labels_wrap_and_are_never_cut():
    model = demo_model()
    for view in all_views(model)[:4]:
        root = _parse(logic_model_svg(model, view=view))
        texts = [t.xpath("string()") for t in root.iter(f"{SVG}text")]
        assert not [t for t in texts if "…" in t]
        lay = place_view(view)
        for code, box in lay.boxes.items():
            assert code.startswith("domain:") or \
                " ".join(box.lines).split() == f"{code} {model.graph.nodes[code]['label']}".split()
            assert all(text_width(line, LABEL_PX, bold=True) <= box.w - 16 + 1e-6 or
                       text_width(line, LABEL_PX) <= box.w - 16 for line in box.lines)
    assert wrap_px("Supercalifragilisticexpialidocious word", 80, 14)[0].endswith("-")


def test_layout_columns_left_to_right():
    model = demo_model()
    lay = layout(model)
    xs = {k: {lay.boxes[c].x for c in model.nodes(k)} for k in ("typology", "mechanism", "process", "outcome")}
    assert max(xs["typology"]) < min(xs["mechanism"]) < min(xs["process"]) < min(xs["outcome"])
    assert all(len(v) == 1 for v in xs.values())
    boxes = list(lay.boxes.values())
    assert all(b.x + b.w <= lay.width and b.y + b.h <= lay.height for b in boxes)
    assert not [c for c in model.nodes("moderator") if c in lay.boxes]  # moderators are conditions, not boxes


def test_text_is_escaped():
    s = Study("x<1>", title="A & B <script>", authors=('O"Brien & <Co>',), year=2020, design="RCT",
              items=())
    model = build_model(load_codebook(), [s, *demo_studies()[:3]])
    svg = logic_model_svg(model, title='Model <b>"1" & 2</b>')
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == 'Model <b>"1" & 2</b>'


def test_prisma_svg():
    svg = prisma_svg(counts())
    root = _parse(svg)
    texts = " ".join(t.xpath("string()") for t in root.iter(f"{SVG}text"))
    for phrase in ("Records identified from databases (n = 90)", "Duplicate records (n = 29)",
                   "Records screened (n = 61)", "Studies included in review (n = 61)", "MEDLINE (Ovid) (n = 40)"):
        assert phrase in texts
    assert prisma_svg(counts()) == svg
    empty = _parse(prisma_svg(PrismaCounts()))
    assert "Studies included in review (n = 0)" in " ".join(t.xpath("string()") for t in empty.iter(f"{SVG}text"))


def test_one_study_is_singular_and_labels_are_human():
    one = build_model(load_codebook(), list(demo_studies()[:1]))
    svg = logic_model_svg(one)
    root = _parse(svg)
    desc = root.find(f"{SVG}desc").text
    assert "1 included study;" in desc and "1 included studies" not in desc
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}title"))
    words = " ".join(root.itertext())
    assert "1 studies" not in words and "no_difference" not in words and "not_measured" not in words
    assert "hypothesis (from the codebook, no study yet)" in texts


def test_summary_all_view_draws_the_links_the_default_view_hides():
    model = demo_model()
    summary = summary_view(model)
    every = summary_view(model, every_link=True)
    assert summary.hidden > 0 and summary.min_studies > 1
    assert len(every.edges) == len(summary.edges) + summary.hidden
    assert {e.id for e in summary.edges} < {e.id for e in every.edges}
    assert [v.key for v in all_views(model)][:2] == ["summary", "summary-all"]


def test_a4_pages_print_the_demo_summary_at_11px_or_more():
    from logicmap.report.model_pages import LEGIBLE_PX, layer_pair_views, left_out, logic_model_pages
    from logicmap.report.model_svg import svg_print_fit

    model = demo_model()
    view = summary_view(model)
    assert svg_print_fit(logic_model_svg(model, size="a4")).smallest_text_px < LEGIBLE_PX  # why A4 needs pages
    pages = logic_model_pages(model, size="a4")
    assert logic_model_pages(model, size="a4") == pages  # deterministic
    parts = layer_pair_views(view)
    assert [p.title for p in parts] == ["Interventions → Mechanisms", "Mechanisms → Processes",
                                        "Processes → Outcomes", "Interventions → Outcomes (direct links)"]
    assert len(pages) == len(parts)
    drawn = []
    for i, (page, part) in enumerate(zip(pages, parts), 1):
        assert svg_print_fit(page).smallest_text_px >= LEGIBLE_PX, i
        root = _parse(page)
        assert (root.get("width"), root.get("height")) in {("210mm", "297mm"), ("297mm", "210mm")}
        words = " ".join(root.itertext())
        assert f"page {i} of {len(pages)}: {part.title}" in words and "On 4 pages, one per pair of columns" in words
        assert "Links:" in words and "hypothesis (from the codebook, no study yet)" in words  # the legend
        assert all(f"{code}" in words for code in left_out(view, part))  # the boxes not on this page are named
        edges = [g.get("data-id") for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
        drawn += edges
        nodes = {g.get("data-id") for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
        assert nodes == {x for e in part.edges for x in (e.source, e.target)}
        assert not [t for t in root.iter(f"{SVG}text") if "…" in (t.text or "")]
    assert sorted(drawn) == sorted(e.id for e in view.edges)  # every link on exactly one page
    assert len(logic_model_pages(model, size="a3")) == 1 and len(logic_model_pages(model, size="poster")) == 1
