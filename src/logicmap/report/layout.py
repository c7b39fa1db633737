"""Deterministic layered (Sugiyama) layout of a view, shared by the static SVG and the page.

Columns left to right are the view's layers (the codebook's: e.g. typologies, mechanisms, processes, outcomes).
A link that skips a column gets a dummy slot in each column it crosses, so its route runs
between the boxes, never through them. Within each column the order comes from barycentre
sweeps (down and up, keeping the order with the fewest crossings) followed by adjacent swaps;
outcomes stay grouped by domain under a caption. Each box is as tall as its wrapped label
needs (labels are never cut), and vertical positions are pulled towards the neighbours'
centres so links run as straight as the order allows.

Example::

    place = place_view(summary_view(model))
    place.boxes["T01"].cx, place.routes["T01->M3"]
"""

from __future__ import annotations

from dataclasses import dataclass

from logicmap.report.ordering import order_columns
from logicmap.report.style import text_width, wrap_px
from logicmap.report.views import DOMAIN_TITLES, View, summary_view
from logicmap.synthesis.model import LogicModel

#: The recovery model's column titles; a view carries its codebook's own (``View.columns``).
COLUMN_TITLES: dict[str, str] = {
    "typology": "Interventions", "mechanism": "Mechanisms", "process": "Processes", "outcome": "Outcomes",
}
LAYER_KINDS: tuple[str, ...] = ("typology", "mechanism", "process", "outcome")
MARGIN = 24
NODE_W = 214
COL_GAP = 104
TOP = 112
V_GAP = 14
LABEL_PX = 14
SMALL_PX = 13
LINE_H = 17
CAPTION_H = 26
DUMMY_H = 6
DUMMY_GAP = 3  # between two dummy slots: long links run as a bundle
FLOW_UNIT = 7.0


@dataclass(frozen=True)
class Box:
    """A node's rectangle (top-left corner and size) and its wrapped label lines."""

    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...] = ()

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Layout:
    """Boxes, edge routes (points, left to right), captions, column titles and the canvas size."""

    width: int
    height: int
    boxes: dict[str, Box]
    routes: dict[str, tuple[tuple[float, float], ...]]
    thickness: dict[str, float]
    captions: tuple[tuple[str, float, float], ...]  # (text, x, y)
    columns: tuple[tuple[str, float], ...]  # (title, x)
    note: tuple[tuple[str, float, float], ...] = ()  # the view's note, wrapped: (line, x, y)
    skew: dict[str, float] | None = None  # per edge: how far its curves lean, so no two midpoints meet


def node_lines(code: str, label: str, node_w: float = NODE_W) -> tuple[str, ...]:
    """The label of a box wrapped to the box width ``node_w`` (code first), never cut."""
    head = label if code.startswith("domain:") else f"{code} {label}"
    return tuple(wrap_px(head, node_w - 16, LABEL_PX))


def _height(lines: tuple[str, ...], flow: float) -> float:
    return max(10 + len(lines) * LINE_H + LINE_H + 4, flow + 8)


def _segments(view: View, col: dict[str, int]) -> tuple[list[list[str]], list[tuple[str, str, str]]]:
    """Columns with dummy slots, and the unit segments (edge id, upper end, lower end)."""
    layers: list[list[str]] = [[] for _ in range(max(col.values(), default=-1) + 1)]
    for n in view.nodes:
        layers[col[n.id]].append(n.id)
    segs = []
    for e in view.edges:
        a, b = col[e.source], col[e.target]
        chain = [e.source] + [f"~{e.id}~{c}" for c in range(a + 1, b)] + [e.target]
        for c, dummy in zip(range(a + 1, b), chain[1:-1]):
            layers[c].append(dummy)
        segs += [(e.id, u, v) for u, v in zip(chain, chain[1:])]
    return layers, segs


def _flows(view: View) -> dict[str, float]:
    """Per box in a flow view, the thicker of its incoming and outgoing bands (px)."""
    if not view.flow:
        return {}
    ins: dict[str, float] = {}
    outs: dict[str, float] = {}
    for e in view.edges:
        outs[e.source] = outs.get(e.source, 0.0) + FLOW_UNIT * max(1, e.n)
        ins[e.target] = ins.get(e.target, 0.0) + FLOW_UNIT * max(1, e.n)
    return {n: max(ins.get(n, 0.0), outs.get(n, 0.0)) for n in {*ins, *outs}}


def _isotonic(values: list[float]) -> list[float]:
    """The non-decreasing sequence nearest ``values`` in least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m2, n2), (m1, n1) = blocks.pop(), blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    return [m for m, n in blocks for _ in range(int(n))]


def _stack(order: list[str], heights: dict[str, float], groups: dict[str, str], want: dict[str, float],
           extent: float = 0.0) -> dict:
    """Top y of every slot: in order, no overlap, within ``extent`` px from the top (when the
    packed column is shorter), as near ``want`` (wanted centres) as allowed.

    Packed tops are ``offset + z`` with ``z`` non-decreasing; the best ``z`` is an isotonic fit.
    """
    offsets, y, last_group = [], 0.0, None
    for i, item in enumerate(order):
        g = groups.get(item, "")
        if g and g != last_group:
            y += CAPTION_H + (V_GAP if last_group else 0)
            last_group = g
        offsets.append(y)
        bundled = item.startswith("~") and i + 1 < len(order) and order[i + 1].startswith("~")
        y += heights[item] + (DUMMY_GAP if bundled else V_GAP)
    wanted = [want[x] - heights[x] / 2 - off if x in want else None for x, off in zip(order, offsets)]
    known = [w for w in wanted if w is not None]
    fill = sum(known) / len(known) if known else 0.0
    z = _isotonic([fill if w is None else w for w in wanted])
    room = max(0.0, extent - y + V_GAP)
    return {x: TOP + off + min(room, max(0.0, zi)) for x, off, zi in zip(order, offsets, z)}


def _neighbour_centres(segs, tops, heights) -> dict[str, list[float]]:
    near: dict[str, list[float]] = {}
    for _, u, v in segs:
        near.setdefault(u, []).append(tops[v] + heights[v] / 2)
        near.setdefault(v, []).append(tops[u] + heights[u] / 2)
    return near


def _place(layers, segs, heights, groups) -> dict[str, float]:
    tops: dict[str, float] = {}
    if not layers:
        return tops
    for order in layers:
        tops.update(_stack(order, heights, groups, {}))
    ends = [tops[lay[-1]] + heights[lay[-1]] - TOP if lay else 0.0 for lay in layers]
    tallest = max(range(len(layers)), key=lambda i: ends[i])
    for _ in range(8):
        near = _neighbour_centres(segs, tops, heights)
        for i, order in enumerate(layers):
            if i != tallest:
                want = {x: sum(near[x]) / len(near[x]) for x in order if near.get(x)}
                tops.update(_stack(order, heights, groups, want, ends[tallest]))
    return tops


def _ports(view: View, segs, boxes_y, heights) -> dict[tuple[str, str, str], float]:
    """y where each segment leaves (key ``(edge, "out", slot)``) or enters (``(edge, "in", slot)``) a slot."""
    outs: dict[str, list[tuple[float, str]]] = {}
    ins: dict[str, list[tuple[float, str]]] = {}
    for eid, u, v in segs:
        outs.setdefault(u, []).append((boxes_y[v] + heights[v] / 2, eid))
        ins.setdefault(v, []).append((boxes_y[u] + heights[u] / 2, eid))
    thick = {e.id: FLOW_UNIT * max(1, e.n) for e in view.edges} if view.flow else {}
    ports: dict[tuple[str, str], float] = {}
    for side, table in (("out", outs), ("in", ins)):
        for node, items in table.items():
            items.sort()
            top, h = boxes_y[node], heights[node]
            if node.startswith("~"):
                ports.update({(eid, side, node): top + h / 2 for _, eid in items})
            elif view.flow:
                y = top + h / 2 - sum(thick[eid] for _, eid in items) / 2
                for _, eid in items:
                    ports[(eid, side, node)] = y + thick[eid] / 2
                    y += thick[eid]
            else:
                step = (h - 12) / len(items)
                ports.update({(eid, side, node): top + 6 + (i + 0.5) * step for i, (_, eid) in enumerate(items)})
    return ports


def curve_points(points, skew: float = 0.0, steps: int = 16) -> list[tuple[float, float]]:
    """Points along a route as drawn: between columns a cubic with horizontal tangents whose
    control points sit at ``(1 + skew)`` and ``(1 - skew)`` halves of the gap; straight runs
    through dummy slots (every second pair of points when the route has dummies)."""
    out = [points[0]]
    for i, ((x0, y0), (x1, y1)) in enumerate(zip(points, points[1:])):
        if i % 2 == 1:  # through a dummy slot
            out.append((x1, y1))
            continue
        c1, c2 = (x1 - x0) / 2 * (1 + skew), (x1 - x0) / 2 * (1 - skew)
        for k in range(1, steps + 1):
            t = k / steps
            u = 1 - t
            out.append((u**3 * x0 + 3 * u * u * t * (x0 + c1) + 3 * u * t * t * (x1 - c2) + t**3 * x1,
                        u**3 * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t**3 * y1))
    return out


def midpoint(points, skew: float = 0.0) -> tuple[float, float]:
    """The point halfway along a route as drawn (by length)."""
    pts = curve_points(points, skew)
    lengths = [((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5 for a, b in zip(pts, pts[1:])]
    half = sum(lengths) / 2
    for (a, b), length in zip(zip(pts, pts[1:]), lengths):
        if half <= length and length:
            f = half / length
            return a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
        half -= length
    return pts[-1]


SKEWS: tuple[float, ...] = (0.0, 0.4, -0.4, 0.7, -0.7, 0.2, -0.2, 0.9, -0.9)
MIN_MID_GAP = 14.0


def _skews(routes: dict[str, tuple]) -> dict[str, float]:
    """A lean for each route, so that drawn midpoints keep ``MIN_MID_GAP`` apart where they can
    (else as far apart as the leans allow)."""
    placed: list[tuple[float, float]] = []
    out = {}
    for eid, pts in routes.items():
        best, best_gap = (0.0, midpoint(pts)), -1.0
        for skew in SKEWS:
            m = midpoint(pts, skew)
            gap = min((((m[0] - p[0]) ** 2 + (m[1] - p[1]) ** 2) ** 0.5 for p in placed), default=MIN_MID_GAP)
            if gap > best_gap:
                best, best_gap = (skew, m), gap
            if gap >= MIN_MID_GAP:
                break
        out[eid] = best[0]
        placed.append(best[1])
    return out


def place_view(view: View, node_w: int = NODE_W) -> Layout:
    """Boxes (``node_w`` px wide) and routes for every node and link of ``view`` (pure; same
    view, same layout)."""
    used = sorted({n.layer for n in view.nodes})
    col_of_layer = {layer: i for i, layer in enumerate(used)}
    col = {n.id: col_of_layer[n.layer] for n in view.nodes}
    layers, segs = _segments(view, col)
    groups = {n.id: n.group for n in view.nodes if n.group}
    order = [g for g, _ in view.captions] or list(DOMAIN_TITLES)
    group_rank = {n.id: order.index(n.group) if n.group in order else 0 for n in view.nodes}
    layers = order_columns(layers, [(u, v) for _, u, v in segs], group_rank)
    flows = _flows(view)
    lines = {n.id: node_lines(n.id, n.label, node_w) for n in view.nodes}
    heights = {x: _height(lines[x], flows.get(x, 0.0)) if x in lines else DUMMY_H for lay in layers for x in lay}
    tops = _place(layers, segs, heights, groups)
    xs = [MARGIN + i * (node_w + COL_GAP) for i in range(len(layers))]
    boxes = {n.id: Box(xs[col[n.id]], tops[n.id], node_w, heights[n.id], lines[n.id]) for n in view.nodes}
    ports = _ports(view, segs, tops, heights)
    routes = {}
    for e in view.edges:
        pts = [(boxes[e.source].x + node_w, ports[(e.id, "out", e.source)])]
        for c in range(col[e.source] + 1, col[e.target]):
            y = tops[f"~{e.id}~{c}"] + DUMMY_H / 2
            pts += [(xs[c], y), (xs[c] + node_w, y)]
        pts.append((boxes[e.target].x, ports[(e.id, "in", e.target)]))
        routes[e.id] = tuple(pts)
    captions = []
    for group in dict.fromkeys(n.group for n in view.nodes if n.group):
        first = min((n for n in view.nodes if n.group == group), key=lambda n: tops[n.id])
        title = dict(view.captions).get(group) or DOMAIN_TITLES.get(group, group.title())
        captions.append((title, xs[col[first.id]], tops[first.id] - 9))
    bottom = max([tops[x] + heights[x] for lay in layers for x in lay], default=TOP)
    width = int(xs[-1] + node_w + MARGIN) if xs else 2 * MARGIN + node_w
    titles = tuple((view.columns[layer] if layer < len(view.columns) else COLUMN_TITLES[LAYER_KINDS[layer]], xs[i])
                   for i, layer in enumerate(used))
    note = wrap_px(view.note, width - 2 * MARGIN, SMALL_PX + 1) if view.note else []
    note_at = tuple((line, MARGIN, bottom + 30 + i * 18) for i, line in enumerate(note))
    return Layout(width, int(bottom + 80 + 18 * len(note)), boxes, routes,
                  {e.id: FLOW_UNIT * max(1, e.n) for e in view.edges} if view.flow else {},
                  tuple(captions), titles, note_at, _skews(routes))


def layout(model: LogicModel) -> Layout:
    """The layout of the default (summary) view of ``model``."""
    return place_view(summary_view(model))


__all__ = ["Box", "Layout", "layout", "node_lines", "place_view", "text_width"]
