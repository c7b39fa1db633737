"""The interactive logic model: one self-contained HTML file (Cytoscape.js inlined).

The page works offline from a ``file://`` URL: the vendored ``cytoscape.min.js``, the app
script, the stylesheet and the model data (one JSON block) are all inlined; nothing is
fetched. Node positions come from :func:`logicmap.report.layout.layout` (Cytoscape's
``preset`` layout), so the page shows the same arrangement as the static SVG.

Click (or Tab to the list and press Enter on) a link or node to see its studies with their
quoted sentences, designs and directions; Escape closes the panel. Filters: typology,
outcome domain, design, free-text search, hypotheses on/off.

Templates live in ``logicmap/report/templates/`` (package data) and can be replaced by
passing ``template_dir``.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from logicmap.codebook.codes import DOMAINS
from logicmap.report.layout import layout
from logicmap.report.model_svg import OPACITY
from logicmap.report.style import (
    DIRECTION_COLOURS,
    DIRECTION_LABELS,
    HYPOTHESIS_COLOUR,
    KIND_FILLS,
    KIND_STROKES,
    edge_colour,
    edge_width,
    text,
)
from logicmap.synthesis.model import LogicModel
from logicmap.synthesis.study import DESIGN_FAMILIES

CYTOSCAPE_VERSION = "3.35.0"


def _resource(name: str, template_dir: Path | None = None) -> str:
    if template_dir is not None and (Path(template_dir) / name).exists():
        return (Path(template_dir) / name).read_text(encoding="utf-8")
    if name.endswith(".js") and name.startswith("cytoscape"):
        return resources.files("logicmap.report").joinpath("vendor", name).read_text(encoding="utf-8")
    return resources.files("logicmap.report").joinpath("templates", name).read_text(encoding="utf-8")


class _Quotes:
    """A table of distinct quotes, referenced by index from nodes and edges."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.index: dict[tuple[str, str], int] = {}

    def ref(self, quotes) -> list[int]:
        out = []
        for q in quotes:
            key = (q.code, q.text)
            if key not in self.index:
                self.index[key] = len(self.rows)
                self.rows.append([q.code, q.text])
            out.append(self.index[key])
        return out


def model_data(model: LogicModel) -> dict:
    """The JSON the page reads: studies, quotes, nodes with positions, edges, filter choices."""
    lay = layout(model)
    cb = model.codebook
    quotes = _Quotes()
    studies = {}
    for s in model.studies:
        codes = [c for c in s.codes() if c in cb]
        studies[s.id] = {
            "c": s.citation(), "t": s.title, "d": s.design or "", "f": s.design_family, "y": s.year,
            "co": s.country or "", "ty": [c for c in codes if cb[c].kind == "typology"],
            "dom": sorted({cb[c].domain for c in codes if cb[c].kind == "outcome" and cb[c].domain}),
        }
    nodes = []
    for code, d in model.graph.nodes(data=True):
        box = lay.boxes[code]
        nodes.append({
            "id": code, "label": d["label"], "kind": d["kind"], "group": d["group"], "definition": d["definition"],
            "n": d["n_studies"], "x": round(box.cx, 1), "y": round(box.cy, 1), "w": round(box.w, 1), "h": box.h,
            "studies": [[s.study_id, s.direction, quotes.ref(s.quotes)] for s in d["studies"]],
        })
    edges = []
    for src, dst, d in model.edges():
        edges.append({
            "id": f"{src}->{dst}", "source": src, "target": dst, "n": d["n_studies"], "grade": d["grade"],
            "direction": d["direction"], "basis": d["basis"], "hyp": d["hypothesised"], "note": d["note"],
            "p": None if d["p_value"] is None else float(f"{d['p_value']:.4g}"), "votes": d["votes"],
            "width": edge_width(d["n_studies"]), "colour": edge_colour(d["direction"], d["n_studies"]),
            "opacity": float(OPACITY[d["grade"]]), "actsOn": list(d["acts_on"]),
            "studies": [[s.study_id, s.direction, s.basis, quotes.ref(s.quotes)] for s in d["studies"]],
        })
    used_designs = {s["f"] for s in studies.values()}
    return {
        "studies": studies, "quotes": quotes.rows, "nodes": nodes, "edges": edges,
        "filters": {
            "typologies": [[c.code, c.label] for c in cb.of_kind("typology") if c.code in model.graph],
            "domains": [d for d in DOMAINS if any(c.domain == d for c in cb.of_kind("outcome"))],
            "designs": [f for f in DESIGN_FAMILIES if f in used_designs],
        },
        "directionLabels": DIRECTION_LABELS, "kindFills": KIND_FILLS, "kindStrokes": KIND_STROKES,
    }


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element (no ``</``, no HTML comment openers)."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return raw.replace("</", "<\\/").replace("<!--", "<\\!--").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _legend() -> str:
    items = [f'<span><span class="swatch" style="background:{c}" aria-hidden="true"></span>{text(DIRECTION_LABELS[k])}</span>'
             for k, c in DIRECTION_COLOURS.items()]
    items.append(f'<span><span class="swatch" style="background:{HYPOTHESIS_COLOUR}" aria-hidden="true"></span>'
                 'hypothesis (dashed, no study)</span>')
    return "Link colour: " + " · ".join(items) + ". Width grows with the number of studies; faint links have limited evidence."


def logic_model_html(model: LogicModel, *, title: str = "Evidence-linked logic model",
                     template_dir: Path | None = None) -> str:
    """The interactive page as one self-contained HTML string."""
    n_links = len(model.evidence_edges())
    summary = (f"{len(model.studies)} included studies, {n_links} links with evidence, "
               f"{model.graph.number_of_edges() - n_links} hypotheses. Click a link or node, or use the list.")
    problems = ""
    if model.problems:
        problems = '<div class="problems" role="note"><strong>Missing:</strong> ' + " ".join(
            text(p) for p in model.problems) + "</div>"
    cytoscape = _resource("cytoscape.min.js", template_dir)
    if "</script" in cytoscape.lower():
        raise ValueError("the vendored Cytoscape.js contains '</script' and cannot be inlined")
    parts = {
        "{{TITLE}}": text(title), "{{SUMMARY}}": text(summary), "{{PROBLEMS}}": problems,
        "{{CSS}}": _resource("logic_model.css", template_dir), "{{LEGEND}}": _legend(),
        "{{DATA}}": _script_json(model_data(model)), "{{CYTOSCAPE}}": cytoscape,
        "{{APP}}": _resource("logic_model.js", template_dir),
    }
    page = _resource("logic_model.html", template_dir)
    # one pass, so placeholder-like text inside the data or the library is never replaced
    return re.sub(r"\{\{[A-Z]+\}\}", lambda m: parts.get(m.group(0), m.group(0)), page)
