"""The logic model as SVG: one drawing per view, the same in ``logic-model.svg`` and the page.

:func:`view_elements` draws a view (column titles, domain captions, links, boxes) from its
layered layout; the interactive page inlines exactly these elements, adding invisible wide
hit paths. :func:`logic_model_svg` wraps a view (the summary by default) into a standalone,
deterministic document with its title, any problems and a legend.

Line style tells the basis (explicit solid, chain dashed, hypothesis dotted grey), colour the
summary direction, width the number of studies; pathway views draw links as ribbons whose
thickness is the number of studies. Text is 13-17 px on a canvas about 1,200 px wide and
labels wrap inside their boxes, never cut. ``size="a4"``, ``"a3"`` or ``"poster"`` (A0) makes
the document that paper page (portrait or landscape, whichever prints the drawing larger) with
10 mm margins; :func:`print_fit` tells how large the smallest text prints (at 96 px per inch):
on one page the demo's summary needs A3 for 11 px text (on A4 it prints at 7.7 px;
:mod:`logicmap.report.model_pages` splits it into A4 pages that print at 11 px).

Example::

    svg = logic_model_svg(model, size="a4")
    Path("logic-model.svg").write_text(svg, encoding="utf-8")
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logicmap.report.layout import LABEL_PX, LINE_H, MARGIN, TOP, Box, Layout, place_view
from logicmap.report.style import (
    BASIS_DASH,
    BASIS_LABELS,
    DIRECTION_COLOURS,
    DIRECTION_LABELS,
    FONT,
    HYPOTHESIS_COLOUR,
    KIND_FILLS,
    KIND_STROKES,
    attr,
    edge_colour,
    edge_width,
    num,
    plural,
    text,
    text_width,
    wrap_px,
)
from logicmap.report.views import View, VEdge, summary_view, view_by_key
from logicmap.synthesis.model import LogicModel

#: Paper sizes (portrait width, height in mm) the static SVG can be made for.
PAGES_MM: dict[str, tuple[float, float]] = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "poster": (841.0, 1189.0)}
PAGE_MARGIN_MM = 10.0
PX_PER_MM = 96 / 25.4
#: The smallest font size of a drawing, in its own units (column notes and counts).
SMALLEST_FONT = 13
#: Stroke opacity by grade: weak links recede, strong ones stand out.
OPACITY: dict[str, str] = {"strong": "0.95", "moderate": "0.85", "limited": "0.7", "hypothesised": "0.9"}
ARROW = 8
#: The drawing's text styles. Every text it draws has an ``lm-`` class, and the font rule is scoped to
#: those: inline in a page beside other drawings (the report, the web model page), a bare ``text`` rule
#: would restyle their text too.
STYLE = (f"text[class|=lm]{{font-family:{FONT};fill:#1A1A1A}} .lm-label{{font-size:{LABEL_PX}px}} .lm-count{{font-size:13px;fill:#3A3A3A}} "
         ".lm-col{font-size:17px;font-weight:bold} .lm-group{font-size:14px;font-weight:bold;fill:#3A3A3A} "
         ".lm-legend{font-size:13px} .lm-legend-title{font-size:13px;font-weight:bold} .lm-warn{font-size:14px;fill:#A03000} "
         ".lm-note{font-size:14px;fill:#3A3A3A}")


def route_path(points, end_gap: float = 0.0, skew: float = 0.0) -> str:
    """An SVG path through ``points``: curves with horizontal tangents between columns (leaning
    by ``skew``, see :func:`~logicmap.report.layout.curve_points`), straight runs through dummy
    slots; the last ``end_gap`` px are left for the arrow head."""
    (x0, y0), out = points[0], [f"M{num(points[0][0])},{num(points[0][1])}"]
    for i, (x1, y1) in enumerate(points[1:], 1):
        if i == len(points) - 1:
            x1 -= end_gap
        if i % 2 == 0:
            out.append(f"L{num(x1)},{num(y1)}")
        else:
            c1, c2 = (x1 - x0) / 2 * (1 + skew), (x1 - x0) / 2 * (1 - skew)
            out.append(f"C{num(x0 + c1)},{num(y0)} {num(x1 - c2)},{num(y1)} {num(x1)},{num(y1)}")
        x0, y0 = x1, y1
    return " ".join(out)


def ribbon_path(points, thickness: float, skew: float = 0.0) -> str:
    """A closed band of ``thickness`` along ``points`` (a Sankey-like flow)."""
    half = thickness / 2
    top = route_path([(x, y - half) for x, y in points], skew=skew)
    back = route_path([(x, y + half) for x, y in reversed(points)], skew=-skew)
    return top + " L" + back[1:] + " Z"


def _edge_title(model: LogicModel, e: VEdge, labels: dict[str, str]) -> str:
    head = f"{e.source} {labels[e.source]} → {e.target} {labels[e.target]}"
    if not e.n:
        return f"{head}: {BASIS_LABELS['hypothesis']}"
    return (f"{head}: {plural(e.n, 'study', 'studies')}, {DIRECTION_LABELS.get(e.direction, e.direction)}, "
            f"{e.grade} evidence, {BASIS_LABELS.get(e.basis, e.basis)}")


def _edge(e: VEdge, route, lay: Layout, flow: bool, title: str, hit: bool) -> str:
    colour, skew = edge_colour(e.direction, e.n), (lay.skew or {}).get(e.id, 0.0)
    head = (f'<g class="edge" data-id={attr(e.id)} data-source={attr(e.source)} data-target={attr(e.target)} '
            f'data-basis={attr(e.basis)} data-grade={attr(e.grade)} data-n="{e.n}">')
    hit_path = (f'<path class="hit" d="{route_path(route, 0.0, skew)}" fill="none" stroke="#000" stroke-opacity="0" '
                f'stroke-width="{num(max(16.0, lay.thickness.get(e.id, 0)))}"/>') if hit else ""
    if flow:
        line = (f'<path class="line" d="{ribbon_path(route, lay.thickness[e.id], skew)}" fill="{colour}" fill-opacity="0.45" '
                f'stroke="{colour}" stroke-width="0.8"/>')
    else:
        dash = BASIS_DASH.get(e.basis, "")
        dash = f' stroke-dasharray="{dash}" stroke-linecap="round"' if dash else ""
        marker = "hyp" if not e.n else e.direction
        line = (f'<path class="line" d="{route_path(route, ARROW, skew)}" fill="none" stroke="{colour}" '
                f'stroke-width="{num(edge_width(e.n))}" stroke-opacity="{OPACITY.get(e.grade, "0.8")}"{dash} '
                f'marker-end="url(#arrow-{marker})"/>')
    return f"{head}<title>{text(title)}</title>{line}{hit_path}</g>"


def colour_kind(codebook, kind: str) -> str:
    """The recovery kind whose colours a layer's boxes take: its own, else by its place in the codebook
    (intervention, outcome columns, condition; other columns alternate mechanism and process colours
    after the intervention, and take the moderator grey before it)."""
    if kind in KIND_FILLS:
        return kind
    roles = {codebook.intervention_kind: "typology", codebook.condition_kind: "moderator"}
    if kind in roles or kind in codebook.effect_kinds or kind not in codebook.chain:
        return roles.get(kind, "outcome" if kind in codebook.effect_kinds else kind)
    step = codebook.chain.index(kind) - codebook.chain.index(codebook.intervention_kind)
    return "moderator" if step < 0 else ("mechanism" if step % 2 else "process")


def _node(node_id: str, kind: str, n: int, box: Box, colours: str | None = None) -> list[str]:
    colours = colours or kind
    out = [f'<g class="node" data-id={attr(node_id)} data-kind={attr(kind)} tabindex="-1">',
           f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.w)}" height="{num(box.h)}" rx="6" '
           f'fill="{KIND_FILLS.get(colours, "#FFFFFF")}" stroke="{KIND_STROKES.get(colours, "#333333")}" '
           'stroke-width="1.4"/>']
    bold = "" if node_id.startswith("domain:") else node_id
    for i, line in enumerate(box.lines):
        y = num(box.y + 2 + (i + 1) * LINE_H)
        if i == 0 and bold and line.startswith(bold):
            out.append(f'<text x="{num(box.x + 8)}" y="{y}" class="lm-label"><tspan font-weight="bold">{text(bold)}'
                       f'</tspan>{text(line[len(bold):])}</text>')
        else:
            out.append(f'<text x="{num(box.x + 8)}" y="{y}" class="lm-label">{text(line)}</text>')
    count = plural(n, "study", "studies")
    out.append(f'<text x="{num(box.x + 8)}" y="{num(box.y + 2 + (len(box.lines) + 1) * LINE_H)}" class="lm-count">'
               f"{count}</text></g>")
    return out


def view_elements(model: LogicModel, view: View, lay: Layout | None = None, *, hit: bool = False) -> list[str]:
    """The drawing of ``view``: column titles, captions, links (hit paths when ``hit``), boxes."""
    lay = lay or place_view(view)
    out = [f'<text x="{num(x)}" y="{TOP - 40}" class="lm-col">{text(t)}</text>' for t, x in lay.columns]
    out += [f'<text x="{num(x)}" y="{num(y)}" class="lm-group">{text(t)}</text>' for t, x, y in lay.captions]
    out += [f'<text x="{num(x)}" y="{num(y)}" class="lm-note">{text(line)}</text>' for line, x, y in lay.note]
    labels = {n.id: n.label for n in view.nodes}
    out.append('<g class="edges">')
    # hypotheses first, then thin before thick, so strong links stay on top
    for e in sorted(view.edges, key=lambda e: (e.n > 0, e.n)):
        out.append(_edge(e, lay.routes[e.id], lay, view.flow, _edge_title(model, e, labels), hit))
    out.append('</g><g class="nodes">')
    for n in view.nodes:
        layers = model.codebook.chain
        kind = layers[n.layer] if n.layer < len(layers) else model.codebook.outcome_kind
        out += _node(n.id, kind, n.n, lay.boxes[n.id], colour_kind(model.codebook, kind))
    out.append("</g>")
    return out


def _legend_items() -> list[tuple[str, str]]:
    items = [(f'<line x1="0" y1="0" x2="30" y2="0" stroke="{c}" stroke-width="5"/>', DIRECTION_LABELS[k])
             for k, c in DIRECTION_COLOURS.items()]
    for basis in ("explicit", "chain", "hypothesis"):
        dash = f' stroke-dasharray="{BASIS_DASH[basis]}"' if BASIS_DASH[basis] else ""
        colour = HYPOTHESIS_COLOUR if basis == "hypothesis" else "#444444"
        items.append((f'<line x1="0" y1="0" x2="30" y2="0" stroke="{colour}" stroke-width="2.5"{dash}/>',
                      BASIS_LABELS[basis]))
    items += [(f'<line x1="0" y1="0" x2="30" y2="0" stroke="#555555" stroke-width="{num(edge_width(n))}"/>',
               plural(n, "study", "studies")) for n in (1, 5, 20)]
    return items


def legend(width: float, y: float) -> tuple[list[str], float]:
    """The legend in rows that fit ``width``, starting at ``y``; returns the elements and its height."""
    out, x, row = ['<g class="lm-legend">', f'<text x="{MARGIN}" y="{num(y + 4)}" class="lm-legend-title">Links:</text>'], \
        MARGIN + 52.0, 0
    for swatch, label in _legend_items():
        need = 38 + text_width(label, 13) + 22
        if x + need > width - MARGIN:
            x, row = MARGIN + 52.0, row + 1
        yy = y + row * 24
        out.append(f'<g transform="translate({num(x)},{num(yy)})">{swatch}'
                   f'<text x="36" y="4" class="lm-legend">{text(label)}</text></g>')
        x += need
    out.append("</g>")
    return out, (row + 1) * 24


def _markers() -> list[str]:
    out = ["<defs>"]
    for key, colour in [*DIRECTION_COLOURS.items(), ("hyp", HYPOTHESIS_COLOUR)]:
        out.append(f'<marker id="arrow-{key}" viewBox="0 0 10 10" refX="2" refY="5" markerWidth="10" markerHeight="10" '
                   f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    return out


def svg_defs() -> str:
    """The arrow-head markers and the text styles every view drawing needs."""
    return "\n".join([f"<style>{STYLE}</style>", *_markers()])


@dataclass(frozen=True)
class PrintFit:
    """How a drawing of ``width`` x ``height`` units sits on a page: the page (mm), its orientation,
    the drawing's scale (printed px per unit) and the smallest text's printed size (px)."""

    page_w_mm: float
    page_h_mm: float
    orientation: str
    scale: float

    @property
    def smallest_text_px(self) -> float:
        return SMALLEST_FONT * self.scale


def print_fit(width: float, height: float, size: str) -> PrintFit:
    """The page orientation of paper ``size`` that prints a ``width`` x ``height`` drawing largest."""
    if size not in PAGES_MM:
        raise ValueError(f"size must be one of {', '.join(PAGES_MM)} or None, not {size!r}")
    best = None
    for orientation, (w, h) in (("portrait", PAGES_MM[size]), ("landscape", PAGES_MM[size][::-1])):
        scale = min((w - 2 * PAGE_MARGIN_MM) * PX_PER_MM / width, (h - 2 * PAGE_MARGIN_MM) * PX_PER_MM / height)
        if best is None or scale > best.scale:
            best = PrintFit(w, h, orientation, scale)
    return best


def svg_print_fit(document: str) -> PrintFit:
    """The :class:`PrintFit` of a paper-sized SVG document written by :func:`logic_model_svg`."""
    head = document[:2000]
    box = [float(x) for x in re.search(r'viewBox="([^"]+)"', head).group(1).split()]
    w_mm, h_mm = (float(re.search(rf'{k}="([\d.]+)mm"', head).group(1)) for k in ("width", "height"))
    return PrintFit(w_mm, h_mm, "portrait" if h_mm >= w_mm else "landscape", w_mm * PX_PER_MM / box[2])


def logic_model_svg(model: LogicModel, *, size: str | None = None, title: str = "Evidence-linked logic model",
                    view: View | str | None = None) -> str:
    """A view of the logic model (the summary by default; a :class:`View` or a view key such as
    ``"pathway:T01"``) as an SVG document (str).

    ``size``: None (pixels), ``"a4"``, ``"a3"`` or ``"poster"`` (a page of that paper, see :func:`print_fit`).
    """
    if size is not None and size not in PAGES_MM:
        raise ValueError(f"size must be one of {', '.join(PAGES_MM)} or None, not {size!r}")
    view = view_by_key(model, view) if isinstance(view, str) else (view or summary_view(model))
    heading = title if view.key == "summary" else f"{title}: {view.title}"
    return svg_document(model, view, place_view(view), size=size, title=title, heading=heading)


def svg_document(model: LogicModel, view: View, lay: Layout, *, size: str | None, title: str, heading: str,
                 notes: tuple[str, ...] = ()) -> str:
    """The standalone document of ``view`` drawn as ``lay``: ``heading``, the model's problems and
    ``notes`` (each wrapped to the drawing's width) above the drawing, the legend below it."""
    width = lay.width - 2 * MARGIN
    head = [(line, "lm-warn") for p in model.problems for line in wrap_px(p, width, 14)]
    head += [(line, "lm-note") for note in notes for line in wrap_px(note, width, 14)]
    shift = len(head) * 18
    legend_el, legend_h = legend(lay.width, lay.height + shift - 30)
    height = lay.height + shift + legend_h
    box = f"0 0 {lay.width} {height}"
    dims = f'width="{lay.width}" height="{height}"'
    if size:
        fit = print_fit(lay.width, height, size)
        page_w, page_h = fit.page_w_mm * PX_PER_MM / fit.scale, fit.page_h_mm * PX_PER_MM / fit.scale
        box = f"{num(-(page_w - lay.width) / 2)} {num(-(page_h - height) / 2)} {num(page_w)} {num(page_h)}"
        dims = f'width="{num(fit.page_w_mm)}mm" height="{num(fit.page_h_mm)}mm"'
    n_links = sum(1 for e in view.edges if e.n)
    desc = (f"{view.title}: {plural(len(model.studies), 'included study', 'included studies')}; "
            f"{plural(n_links, 'link')} with evidence and {plural(len(view.edges) - n_links, 'hypothesis', 'hypotheses')}. "
            + " ".join(model.problems))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}" {dims} role="img" '
           'aria-labelledby="lm-title lm-desc">',
           f'<title id="lm-title">{text(title)}</title>', f'<desc id="lm-desc">{text(desc.strip())}</desc>',
           svg_defs(), f'<rect x="0" y="0" width="{lay.width}" height="{height}" fill="#FFFFFF"/>',
           f'<text x="{MARGIN}" y="32" class="lm-col">{text(heading)}</text>']
    out += [f'<text x="{MARGIN}" y="{56 + i * 18}" class="{cls}">{text(line)}</text>' for i, (line, cls) in enumerate(head)]
    out += [f'<g transform="translate(0,{shift})">', *view_elements(model, view, lay), "</g>", *legend_el, "</svg>"]
    return "\n".join(out) + "\n"
