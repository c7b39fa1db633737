"""The interactive logic model: one self-contained HTML page with every view of the model.

Each view (:func:`logicmap.report.views.all_views`; the summary first) is inlined as the
very SVG drawing that ``logic-model.svg`` shows (:func:`logicmap.report.model_svg.view_elements`),
plus invisible wide hit paths so links are easy to click. The page works offline from a
``file://`` URL: the app script, the stylesheet and the model data (one JSON block) are
inlined and no library is loaded. A model of :data:`~logicmap.report.study_parts.LAZY_FROM`
studies or more keeps its study lists in part files beside the page
(:func:`logic_model_files`, :mod:`~logicmap.report.study_parts`), loaded when a link or box opens.

Click a link (its nearest drawn midpoint wins where hit areas overlap) or a box, or Tab to
the list under the graph and press Enter, to see the studies with their quoted sentences,
designs, directions and any moderators in the side panel beside the graph; Escape clears
it. Controls: the view, the weakest evidence shown, the fewest studies per link (below the
summary's threshold the page switches to the ``summary-all`` drawing, which has every link, and
says how many links stay hidden), zoom (never below 11 px text), and "Your context": a reader
ticks the moderators present in their service (grouped by level, with their labels; the
project's saved profile comes ticked) and each link of the view with evidence of being
weakened or strengthened there is marked (−, +, ±, ?) while the panel lists those links with
the studies and quotes.

Templates live in ``logicmap/report/templates/`` (package data) and can be replaced by
passing ``template_dir``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from importlib import resources
from pathlib import Path

from logicmap.report.layout import SMALL_PX, place_view
from logicmap.report.model_svg import svg_defs, view_elements
from logicmap.report.style import (
    BASIS_DASH,
    BASIS_LABELS,
    DIRECTION_COLOURS,
    DIRECTION_LABELS,
    EFFECT_LABELS,
    HYPOTHESIS_COLOUR,
    STUDY_BASIS_LABELS,
    attr,
    text,
)
from logicmap.report.study_parts import LAZY_FROM, split_study_lists
from logicmap.report.views import View, all_views
from logicmap.synthesis.model import LogicModel

#: The smallest font size (px) in a view drawing; the page never zooms it below 11 px.
MIN_FONT_PX = SMALL_PX


def _resource(name: str, template_dir: Path | None = None) -> str:
    if template_dir is not None and (Path(template_dir) / name).exists():
        return (Path(template_dir) / name).read_text(encoding="utf-8")
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


def _jsonable(value):
    """A moderator entry (dataclass, mapping or plain value) as JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _studies(model: LogicModel) -> dict:
    cb = model.codebook
    return {s.id: {"c": s.citation(), "t": s.title, "d": s.design or "", "y": s.year, "co": s.country or "",
                   "ty": [c for c in s.codes() if c in cb and cb[c].kind == cb.intervention_kind]} for s in model.studies}


def _model_parts(model: LogicModel, quotes: _Quotes) -> tuple[dict, dict]:
    nodes = {code: {"label": d["label"], "kind": d["kind"], "group": d["group"], "definition": d["definition"],
                    "n": d["n_studies"], "studies": [[s.study_id, s.direction, quotes.ref(s.quotes)] for s in d["studies"]]}
             for code, d in model.graph.nodes(data=True)}
    edges = {f"{a}->{b}": {"source": a, "target": b, "n": d["n_studies"], "grade": d["grade"], "basis": d["basis"],
                           "direction": d["direction"], "note": d["note"], "votes": d["votes"],
                           "p": None if d["p_value"] is None else float(f"{d['p_value']:.4g}"),
                           "actsOn": list(d.get("acts_on", ())), "moderators": _jsonable(list(d.get("moderators") or [])),
                           "studies": [[s.study_id, s.direction, s.basis, quotes.ref(s.quotes)] for s in d["studies"]]}
             for a, b, d in model.edges()}
    return nodes, edges


def _group(view: View) -> str:
    if not view.key.startswith("pathway:"):
        return "Summary"
    return "Pathway from an intervention" if view.title.startswith("Pathway from") else "Pathway to an outcome"


def _view_data(view: View, width: int, height: int) -> dict:
    return {
        "key": view.key, "title": view.title, "group": _group(view), "flow": view.flow, "note": view.note,
        "width": width, "height": height, "minStudies": view.min_studies, "hidden": view.hidden,
        "nodes": {n.id: {"label": n.label, "members": list(n.members), "n": n.n} for n in view.nodes},
        "edges": {e.id: {"source": e.source, "target": e.target, "n": e.n, "basis": e.basis, "grade": e.grade,
                         "direction": e.direction, "members": list(e.members), "studies": list(e.studies)}
                  for e in view.edges},
    }


#: Moderator levels in words, in the order the context form lists them.
LEVEL_TITLES: dict[str, str] = {"service_user": "Service user", "service": "Service", "environment": "Environment"}


def _moderators(model: LogicModel) -> list[dict]:
    """The moderator (condition-layer) codes a reader can tick, grouped by level (codebook order within a level)."""
    out = []
    cb = model.codebook
    titles = {lv: cb.group_titles().get(lv, LEVEL_TITLES.get(lv, lv)) for lv in cb.levels()} or LEVEL_TITLES
    conditions = model.nodes(cb.condition_kind) if cb.condition_kind else []
    for level, title in [*titles.items(), ("", "Other conditions")]:
        codes = [{"code": c, "label": model.graph.nodes[c]["label"]} for c in conditions
                 if (model.graph.nodes[c]["group"] or "") == level
                 or (not level and model.graph.nodes[c]["group"] not in titles)]
        if codes:
            out.append({"level": level, "title": title, "codes": codes})
    return out


def model_data(model: LogicModel, views: list[View] | None = None, context: tuple[str, ...] = ()) -> dict:
    """The JSON the page reads: studies, quotes, model nodes and edges, each view's parts, the
    moderators a reader can tick and the ``context`` codes ticked at first."""
    quotes = _Quotes()
    nodes, edges = _model_parts(model, quotes)
    views = views if views is not None else all_views(model)
    return {
        "moderatorLevels": _moderators(model), "context": [c for c in context if c in nodes],
        "studies": _studies(model), "quotes": quotes.rows, "nodes": nodes, "edges": edges,
        "views": [_view_data(v, *_size(v)) for v in views], "minFont": MIN_FONT_PX,
        "directionLabels": DIRECTION_LABELS, "basisLabels": BASIS_LABELS, "studyBasisLabels": STUDY_BASIS_LABELS,
        "effectLabels": EFFECT_LABELS,
    }


def _size(view: View) -> tuple[int, int]:
    lay = place_view(view)
    return lay.width, lay.height


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element (no ``</``, no HTML comment openers)."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return raw.replace("</", "<\\/").replace("<!--", "<\\!--").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _view_svgs(model: LogicModel, views: list[View]) -> str:
    out = [f'<svg width="0" height="0" aria-hidden="true" style="position:absolute">{svg_defs()}</svg>']
    for i, view in enumerate(views):
        lay = place_view(view)
        out.append(f'<div class="view" data-key={attr(view.key)}{"" if i == 0 else " hidden"}>'
                   f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height}" '
                   f'width="{lay.width}" height="{lay.height}" role="img" aria-label={attr(view.title)}>'
                   + "".join(view_elements(model, view, lay, hit=True)) + "</svg></div>")
    return "\n".join(out)


def _swatch(colour: str, dash: str = "", width: float = 5) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg class="swatch" width="30" height="10" aria-hidden="true"><line x1="0" y1="5" x2="30" y2="5" '
            f'stroke="{colour}" stroke-width="{width}"{dash_attr}/></svg>')


def _legend() -> str:
    colours = " · ".join(f"{_swatch(c)}{text(DIRECTION_LABELS[k])}" for k, c in DIRECTION_COLOURS.items())
    lines = " · ".join(f"{_swatch(HYPOTHESIS_COLOUR if b == 'hypothesis' else '#444444', BASIS_DASH[b], 2.5)}"
                       f"{text(BASIS_LABELS[b])}" for b in ("explicit", "chain", "hypothesis"))
    return (f"<p>Colour (direction): {colours}.</p><p>Line (basis): {lines}. Width grows with the number of studies; "
            "in a pathway view a band's thickness is the number of the chosen code's studies.</p>")


def logic_model_html(model: LogicModel, *, title: str = "Evidence-linked logic model",
                     template_dir: Path | None = None, context: tuple[str, ...] = ()) -> str:
    """The interactive page as one self-contained HTML string; ``context``: moderator codes ticked at first."""
    return logic_model_files(model, title=title, template_dir=template_dir, context=context, lazy=False)[""]


def logic_model_files(model: LogicModel, *, title: str = "Evidence-linked logic model",
                      template_dir: Path | None = None, context: tuple[str, ...] = (),
                      lazy: bool | None = None) -> dict[str, str]:
    """The interactive page (key ``""``) and, when ``lazy``, its study-list part files (relative
    path -> text; see :mod:`~logicmap.report.study_parts`). ``lazy=None``: from
    :data:`~logicmap.report.study_parts.LAZY_FROM` studies."""
    lazy = len(model.studies) >= LAZY_FROM if lazy is None else lazy
    views = all_views(model)
    summary_links = views[0].edges
    n_links = sum(1 for e in summary_links if e.n)
    summary = (f"{len(model.studies)} included stud{'y' if len(model.studies) == 1 else 'ies'}, {n_links} "
               f"link{'' if n_links == 1 else 's'} with evidence and {len(summary_links) - n_links} "
               f"hypothes{'is' if len(summary_links) - n_links == 1 else 'es'} in the summary. "
               "Click a link or a box, or use the list under the graph.")
    problems = ""
    if model.problems:
        problems = '<div class="problems" role="note"><strong>Missing:</strong> ' + " ".join(
            text(p) for p in model.problems) + "</div>"
    parts = {
        "{{TITLE}}": text(title), "{{SUMMARY}}": text(summary), "{{PROBLEMS}}": problems,
        "{{CSS}}": _resource("logic_model.css", template_dir), "{{LEGEND}}": _legend(),
        "{{VIEWS}}": _view_svgs(model, views), "{{APP}}": _resource("logic_model.js", template_dir),
    }
    data, files = model_data(model, views, tuple(context)), {}
    if lazy:
        data, files = split_study_lists(data)
    parts["{{DATA}}"] = _script_json(data)
    page = _resource("logic_model.html", template_dir)
    # one pass, so placeholder-like text inside the data or the drawings is never replaced
    return {"": re.sub(r"\{\{[A-Z]+\}\}", lambda m: parts.get(m.group(0), m.group(0)), page), **files}
