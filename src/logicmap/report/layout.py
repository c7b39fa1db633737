"""Deterministic layered layout of a logic model, shared by the SVG and the HTML view.

Columns left to right: intervention typologies, mechanisms, processes, outcomes (grouped
by functional / existential / social domain). Moderators sit in a band below, one row
per level. Node order is the codebook order, so the
same model always gets the same coordinates. Moderators sit in a band under the mechanism
and process columns (the shortest ones), one sub-column per level (service user, service,
environment), close to the mechanisms they act on. The canvas keeps the A-series aspect
ratio (landscape, 1 : sqrt 2) unless a column needs more height.
"""

from __future__ import annotations

from dataclasses import dataclass

from logicmap.codebook.codes import DOMAINS, LEVELS
from logicmap.synthesis.model import LogicModel

COLUMNS: tuple[str, ...] = ("typology", "mechanism", "process", "outcome")
COLUMN_TITLES: dict[str, str] = {
    "typology": "Interventions", "mechanism": "Mechanisms", "process": "Processes", "outcome": "Outcomes",
}
GROUP_TITLES: dict[str, str] = {
    "functional": "Functional", "existential": "Existential", "social": "Social",
    "service_user": "Service user", "service": "Service", "environment": "Environment",
}
WIDTH = 1600
MARGIN = 40
NODE_W = 270
NODE_H = 46
V_GAP = 12
GROUP_GAP = 30
HEADER = 96


@dataclass(frozen=True)
class Box:
    """A node's rectangle (top-left corner and size)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Layout:
    """Node boxes, group captions and the canvas size."""

    width: int
    height: int
    boxes: dict[str, Box]
    captions: tuple[tuple[str, float, float], ...]  # (text, x, y)
    column_x: dict[str, float]
    band: tuple[float, float, float, float]  # the moderator band: x, y, width, height


def _ordered_groups(codes: list[str], model: LogicModel, groups: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    g = model.graph.nodes
    known = [(name, [c for c in codes if g[c]["group"] == name]) for name in groups]
    other = [c for c in codes if g[c]["group"] not in groups]
    return [(n, cs) for n, cs in known if cs] + ([("other", other)] if other else [])


def layout(model: LogicModel) -> Layout:
    """Coordinates for every node of ``model`` (pure; same model, same layout)."""
    gap = (WIDTH - 2 * MARGIN - len(COLUMNS) * NODE_W) / (len(COLUMNS) - 1)
    column_x = {kind: MARGIN + i * (NODE_W + gap) for i, kind in enumerate(COLUMNS)}
    boxes: dict[str, Box] = {}
    captions: list[tuple[str, float, float]] = []
    bottom = HEADER
    for kind in COLUMNS:
        codes = model.nodes(kind)
        y = HEADER
        groups = _ordered_groups(codes, model, DOMAINS) if kind == "outcome" else [("", codes)]
        for name, members in groups:
            if name:
                captions.append((GROUP_TITLES.get(name, name.title()), column_x[kind], y + 14))
                y += 22
            for code in members:
                boxes[code] = Box(column_x[kind], y, NODE_W, NODE_H)
                y += NODE_H + V_GAP
            y += GROUP_GAP if name else 0
        bottom = max(bottom, y)
    mods = _ordered_groups(model.nodes("moderator"), model, LEVELS)
    band_x = column_x["mechanism"] - 12
    band_w = column_x["process"] + NODE_W + 12 - band_x
    mid_bottom = max([boxes[c].y + NODE_H for k in ("mechanism", "process") for c in model.nodes(k)], default=HEADER)
    band_y = mid_bottom + 36
    tallest = max((len(cs) for _, cs in mods), default=0)
    band_bottom = band_y + 46 + 22 + tallest * (NODE_H + V_GAP) + 4 if mods else band_y
    height = max(int(round(WIDTH / 2**0.5)), int(max(bottom, band_bottom) + 70))
    if mods:
        sub_w = (band_w - 24 - (len(mods) - 1) * 16) / len(mods)
        for i, (name, members) in enumerate(mods):
            x = band_x + 12 + i * (sub_w + 16)
            captions.append((GROUP_TITLES.get(name, name.title()), x, band_y + 60))
            for j, code in enumerate(members):
                boxes[code] = Box(x, band_y + 68 + j * (NODE_H + V_GAP), sub_w, NODE_H)
    return Layout(WIDTH, height, boxes, tuple(captions), column_x, (band_x, band_y, band_w, band_bottom - band_y))
