"""The logic model as a static, hand-written SVG (deterministic: same model, same bytes).

Edge width grows with the number of studies, colour tells the summary direction, dashed
grey lines are hypotheses no study supports. ``size="a4"`` or ``"poster"`` sets the physical
size (A4 or A0 landscape); the drawing is vector, with 13-15 px text on a 1600 px canvas,
which prints at about 7-8 pt on A4.

Example::

    svg = logic_model_svg(model, size="a4")
    Path("logic-model.svg").write_text(svg, encoding="utf-8")
"""

from __future__ import annotations

from collections import defaultdict

from logicmap.report.layout import COLUMN_TITLES, COLUMNS, MARGIN, Box, Layout, layout
from logicmap.report.style import (
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
    text,
    wrap,
)
from logicmap.synthesis.model import LogicModel

SIZES_MM: dict[str, float] = {"a4": 297.0, "poster": 1189.0}
#: Stroke opacity by grade: weak links recede, strong ones stand out.
OPACITY: dict[str, str] = {"strong": "0.95", "moderate": "0.8", "limited": "0.5", "hypothesised": "0.9"}


def _ports(model: LogicModel, lay: Layout) -> dict[tuple[str, str], tuple[float, float, float, float, bool]]:
    """Endpoints of every edge, spread along the node sides so arrows do not pile up."""
    kinds = {n: d["kind"] for n, d in model.graph.nodes(data=True)}
    outs, ins = defaultdict(list), defaultdict(list)
    for src, dst, _ in model.edges():
        outs[src].append(dst)
        ins[dst].append(src)
    ends: dict[tuple[str, str], tuple[float, float, float, float, bool]] = {}

    def spread(box: Box, others: list[str]) -> dict[str, float]:
        others = sorted(others, key=lambda o: (lay.boxes[o].cy, lay.boxes[o].cx, o))
        span = box.h * 0.7
        step = span / max(1, len(others) - 1) if len(others) > 1 else 0
        start = box.cy - (span / 2 if len(others) > 1 else 0)
        return {o: start + i * step for i, o in enumerate(others)}

    def vertical(src: str, dst: str) -> bool:
        return kinds[src] == "moderator" and kinds[dst] != "outcome"

    out_y = {n: spread(lay.boxes[n], [o for o in outs[n] if not vertical(n, o)]) for n in outs}
    in_y = {n: spread(lay.boxes[n], [o for o in ins[n] if not vertical(o, n)]) for n in ins}
    for src, dst, _ in model.edges():
        a, b = lay.boxes[src], lay.boxes[dst]
        if vertical(src, dst):
            ends[(src, dst)] = (a.cx, a.y, b.cx, b.y + b.h, True)
        else:
            ends[(src, dst)] = (a.x + a.w, out_y[src][dst], b.x, in_y[dst][src], False)
    return ends


def _edge_path(x1: float, y1: float, x2: float, y2: float, vertical: bool) -> str:
    if vertical:
        dy = (y1 - y2) / 2
        return f"M{num(x1)},{num(y1)} C{num(x1)},{num(y1 - dy)} {num(x2)},{num(y2 + dy)} {num(x2)},{num(y2 + 8)}"
    dx = max(40.0, (x2 - x1) / 2)
    return f"M{num(x1)},{num(y1)} C{num(x1 + dx)},{num(y1)} {num(x2 - dx)},{num(y2)} {num(x2 - 8)},{num(y2)}"


def _edge_title(model: LogicModel, src: str, dst: str, d: dict) -> str:
    g = model.graph.nodes
    head = f"{src} {g[src]['label']} → {dst} {g[dst]['label']}"
    if not d["n_studies"]:
        return f"{head}: hypothesis, no study yet"
    p = "" if d["p_value"] is None else f", sign test p = {d['p_value']:.3g}"
    return (f"{head}: {d['n_studies']} stud{'y' if d['n_studies'] == 1 else 'ies'}, "
            f"{DIRECTION_LABELS[d['direction']]}, {d['grade']} evidence ({d['basis']}){p}")


def _edges(model: LogicModel, lay: Layout) -> list[str]:
    ends = _ports(model, lay)
    out = ['<g class="edges" fill="none">']
    # hypotheses first, then thin before thick, so strong links stay on top
    order = sorted(model.edges(), key=lambda e: (e[2]["n_studies"] > 0, e[2]["n_studies"]))
    for src, dst, d in order:
        x1, y1, x2, y2, vertical = ends[(src, dst)]
        colour = edge_colour(d["direction"], d["n_studies"])
        marker = "hyp" if not d["n_studies"] else d["direction"]
        dash = ' stroke-dasharray="7 5"' if not d["n_studies"] else ""
        out.append(
            f'<path class="edge" data-source={attr(src)} data-target={attr(dst)} d="{_edge_path(x1, y1, x2, y2, vertical)}" '
            f'stroke="{colour}" stroke-width="{num(edge_width(d["n_studies"]))}" stroke-opacity="{OPACITY[d["grade"]]}"{dash} '
            f'marker-end="url(#arrow-{marker})"><title>{text(_edge_title(model, src, dst, d))}</title></path>'
        )
    out.append("</g>")
    return out


def _node(code: str, d: dict, box: Box) -> list[str]:
    kind = d["kind"]
    chars = int((box.w - 58) / 7.4)
    lines = wrap(f"{code} {d['label']}", chars)
    first_rest = lines[0][len(code):] if lines and lines[0].startswith(code) else None
    out = [f'<g class="node" data-code={attr(code)} data-kind={attr(kind)}>',
           f'<title>{text(code)} {text(d["label"])}: {d["n_studies"]} coded stud{"y" if d["n_studies"] == 1 else "ies"}</title>',
           f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.w)}" height="{num(box.h)}" rx="6" '
           f'fill="{KIND_FILLS.get(kind, "#FFFFFF")}" stroke="{KIND_STROKES.get(kind, "#333333")}" stroke-width="1.4"/>']
    top = box.y + (19 if len(lines) > 1 else 28)
    for i, line in enumerate(lines):
        y = num(top + i * 16)
        if i == 0 and first_rest is not None:
            out.append(f'<text x="{num(box.x + 8)}" y="{y}" class="label"><tspan font-weight="bold">{text(code)}</tspan>'
                       f'{text(first_rest)}</text>')
        else:
            out.append(f'<text x="{num(box.x + 8)}" y="{y}" class="label">{text(line)}</text>')
    out.append(f'<text x="{num(box.x + box.w - 8)}" y="{num(box.y + 28)}" class="count" text-anchor="end">'
               f'n={d["n_studies"]}</text>')
    out.append("</g>")
    return out


def _legend(lay: Layout) -> list[str]:
    y = lay.height - 30
    out = ['<g class="legend">', f'<text x="{MARGIN}" y="{num(y + 4)}" class="legend-title">Links:</text>']
    x = MARGIN + 60
    for key, colour in DIRECTION_COLOURS.items():
        out.append(f'<line x1="{num(x)}" y1="{num(y)}" x2="{num(x + 34)}" y2="{num(y)}" stroke="{colour}" stroke-width="5"/>')
        out.append(f'<text x="{num(x + 40)}" y="{num(y + 4)}" class="legend">{text(DIRECTION_LABELS[key])}</text>')
        x += 60 + 7.2 * len(DIRECTION_LABELS[key])
    out.append(f'<line x1="{num(x)}" y1="{num(y)}" x2="{num(x + 34)}" y2="{num(y)}" stroke="{HYPOTHESIS_COLOUR}" '
               'stroke-width="2" stroke-dasharray="7 5"/>')
    out.append(f'<text x="{num(x + 40)}" y="{num(y + 4)}" class="legend">hypothesis (no study)</text>')
    x += 220
    for n in (1, 5, 20):
        out.append(f'<line x1="{num(x)}" y1="{num(y)}" x2="{num(x + 30)}" y2="{num(y)}" stroke="#555555" '
                   f'stroke-width="{num(edge_width(n))}"/>')
        out.append(f'<text x="{num(x + 36)}" y="{num(y + 4)}" class="legend">{n} stud{"y" if n == 1 else "ies"}</text>')
        x += 110
    out.append("</g>")
    return out


def _markers() -> list[str]:
    out = ["<defs>"]
    for key, colour in [*DIRECTION_COLOURS.items(), ("hyp", HYPOTHESIS_COLOUR)]:
        out.append(f'<marker id="arrow-{key}" viewBox="0 0 10 10" refX="2" refY="5" markerWidth="10" markerHeight="10" '
                   f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    return out


def logic_model_svg(model: LogicModel, *, size: str | None = None, title: str = "Evidence-linked logic model") -> str:
    """The logic model as an SVG document (str). ``size``: None (pixels), ``"a4"`` or ``"poster"``."""
    lay = layout(model)
    if size is not None and size not in SIZES_MM:
        raise ValueError(f"size must be one of {', '.join(SIZES_MM)} or None, not {size!r}")
    if size:
        w_mm = SIZES_MM[size]
        dims = f'width="{num(w_mm)}mm" height="{num(w_mm * lay.height / lay.width)}mm"'
    else:
        dims = f'width="{lay.width}" height="{lay.height}"'
    n_links = len(model.evidence_edges())
    desc = (f"{len(model.studies)} included studies; {n_links} links with evidence and "
            f"{model.graph.number_of_edges() - n_links} hypotheses. " + " ".join(model.problems))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height}" {dims} role="img" '
           'aria-labelledby="lm-title lm-desc">',
           f'<title id="lm-title">{text(title)}</title>', f'<desc id="lm-desc">{text(desc.strip())}</desc>',
           f'<style>text{{font-family:{FONT};fill:#1A1A1A}} .label{{font-size:13px}} .count{{font-size:12px;fill:#444}} '
           '.col{font-size:18px;font-weight:bold} .group{font-size:14px;font-weight:bold;fill:#444} '
           '.legend{font-size:13px} .legend-title{font-size:13px;font-weight:bold} .warn{font-size:15px;fill:#A03000}</style>',
           *_markers(),
           f'<rect x="0" y="0" width="{lay.width}" height="{lay.height}" fill="#FFFFFF"/>',
           f'<text x="{MARGIN}" y="32" class="col">{text(title)}</text>']
    for i, problem in enumerate(model.problems[:3]):
        out.append(f'<text x="{MARGIN}" y="{56 + i * 18}" class="warn">{text(problem)}</text>')
    for kind in COLUMNS:
        out.append(f'<text x="{num(lay.column_x[kind])}" y="86" class="col">{text(COLUMN_TITLES[kind])}</text>')
    if model.nodes("moderator"):
        bx, by, bw, bh = lay.band
        out.append(f'<rect x="{num(bx)}" y="{num(by)}" width="{num(bw)}" height="{num(bh)}" fill="#FAFAFA" '
                   'stroke="#BBBBBB" stroke-dasharray="4 3" rx="8"/>')
        out.append(f'<text x="{num(bx + 12)}" y="{num(by + 28)}" class="col">Moderators</text>')
    for caption, x, y in lay.captions:
        out.append(f'<text x="{num(x)}" y="{num(y)}" class="group">{text(caption)}</text>')
    out += _edges(model, lay)
    out.append('<g class="nodes">')
    for code, d in model.graph.nodes(data=True):
        out += _node(code, d, lay.boxes[code])
    out.append("</g>")
    out += _legend(lay)
    out.append("</svg>")
    return "\n".join(out) + "\n"
