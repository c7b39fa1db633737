"""Static SVGs: well-formed, deterministic, escaped; layout keeps kinds in their columns."""

from __future__ import annotations

from lxml import etree
from report_helpers import counts, demo_model, demo_studies

from logicmap.codebook import load_codebook
from logicmap.report.layout import layout
from logicmap.report.model_svg import logic_model_svg
from logicmap.report.prisma import PrismaCounts
from logicmap.report.prisma_svg import prisma_svg
from logicmap.synthesis import Study, build_model

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str):
    return etree.fromstring(svg.encode("utf-8"))


def test_logic_model_svg_well_formed_and_deterministic():
    model = demo_model()
    svg = logic_model_svg(model)
    again = logic_model_svg(demo_model())
    assert svg == again  # byte-identical for the same input
    root = _parse(svg)
    paths = root.findall(f".//{SVG}path[@class='edge']")
    assert len(paths) == model.graph.number_of_edges()
    dashed = [p for p in paths if p.get("stroke-dasharray")]
    assert len(dashed) == sum(1 for *_, d in model.edges() if d["n_studies"] == 0)
    widths = {(p.get("data-source"), p.get("data-target")): float(p.get("stroke-width")) for p in paths}
    assert widths[("T02", "OF3")] > widths[("T01", "OF1")] or model.graph.edges["T02", "OF3"]["n_studies"] <= 1
    nodes = root.findall(f".//{SVG}g[@class='node']")
    assert len(nodes) == model.graph.number_of_nodes()
    a4 = _parse(logic_model_svg(model, size="a4"))
    assert a4.get("width") == "297mm" and a4.get("viewBox") == root.get("viewBox")
    assert _parse(logic_model_svg(model, size="poster")).get("width") == "1189mm"


def test_layout_columns_left_to_right():
    model = demo_model()
    lay = layout(model)
    xs = {k: {lay.boxes[c].x for c in model.nodes(k)} for k in ("typology", "mechanism", "process", "outcome")}
    assert max(xs["typology"]) < min(xs["mechanism"]) < min(xs["process"]) < min(xs["outcome"])
    assert all(len(v) == 1 for v in xs.values())
    boxes = list(lay.boxes.values())
    for i, a in enumerate(boxes):  # no two nodes overlap
        for b in boxes[i + 1:]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
    assert all(b.x + b.w <= lay.width and b.y + b.h <= lay.height for b in boxes)


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
