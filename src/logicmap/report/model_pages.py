"""A view of the logic model on as many pages as its text needs to print at 11 px.

A view too large for one page of the chosen paper (the demo's summary on A4: 14 intervention
boxes and 13 outcome boxes, four columns) is split by pairs of columns: one page per pair of
layers that has links, in the order a pathway is read (interventions -> mechanisms,
mechanisms -> processes, processes -> outcomes), then the direct links that skip a column
(interventions -> outcomes). Each page is self-explanatory: its heading names the pair, a
line under it lists every page, and it has the column titles, the view's note and the legend.
The column a page shares with the next repeats its boxes (same codes, same labels), so a reader
follows a pathway from page to page by the code. With two columns a page has room for boxes
about 350 px wide, so nearly every label fits on one line and each column stays short enough.

Example::

    pages = logic_model_pages(model, size="a4")
    for i, page in enumerate(pages, 1):
        Path(f"logic-model-{i}.svg").write_text(page, encoding="utf-8")
"""

from __future__ import annotations

from dataclasses import replace

from logicmap.report.layout import COL_GAP, COLUMN_TITLES, LAYER_KINDS, MARGIN, place_view
from logicmap.report.model_svg import (
    PAGE_MARGIN_MM,
    PAGES_MM,
    PX_PER_MM,
    SMALLEST_FONT,
    logic_model_svg,
    svg_document,
    svg_print_fit,
)
from logicmap.report.views import View, summary_view, view_by_key
from logicmap.synthesis.model import LogicModel

#: The smallest printed text size (CSS px at 96 dpi) a page must reach.
LEGIBLE_PX = 11.0


def _column(view: View, layer: int) -> str:
    if layer < len(view.columns):
        return view.columns[layer]
    return COLUMN_TITLES[LAYER_KINDS[layer]] if layer < len(LAYER_KINDS) else f"Column {layer + 1}"


def layer_pair_views(view: View) -> list[View]:
    """``view`` split into one view per pair of layers with links: adjacent pairs first, left to
    right, then pairs that skip a column. Each holds the nodes of its two layers that have a
    link between them (:func:`left_out` names the others)."""
    layers = {n.id: n.layer for n in view.nodes}
    pairs = sorted({(layers[e.source], layers[e.target]) for e in view.edges}, key=lambda p: (p[1] - p[0], p[0]))
    out = []
    for a, b in pairs:
        direct = " (direct links)" if b - a > 1 else ""
        edges = tuple(e for e in view.edges if (layers[e.source], layers[e.target]) == (a, b))
        ends = {x for e in edges for x in (e.source, e.target)}
        out.append(replace(view, title=f"{_column(view, a)} → {_column(view, b)}{direct}",
                           nodes=tuple(n for n in view.nodes if n.id in ends), edges=edges))
    return out


def left_out(view: View, part: View) -> tuple[str, ...]:
    """The nodes of ``view`` in ``part``'s columns that ``part`` leaves out (no link between its columns)."""
    layers, kept = {n.layer for n in part.nodes}, {n.id for n in part.nodes}
    return tuple(n.id for n in view.nodes if n.layer in layers and n.id not in kept)


def page_node_width(size: str) -> int:
    """The box width that makes a two-column drawing as wide as the portrait page of ``size``
    holds at :data:`LEGIBLE_PX` (at least the screen width of a box)."""
    usable = (PAGES_MM[size][0] - 2 * PAGE_MARGIN_MM) * PX_PER_MM * SMALLEST_FONT / LEGIBLE_PX
    return max(214, int((usable - 2 * MARGIN - COL_GAP) / 2))


def logic_model_pages(model: LogicModel, *, size: str, title: str = "Evidence-linked logic model",
                      view: View | str | None = None) -> list[str]:
    """A view (the summary by default) as SVG pages of paper ``size``: one page, as
    :func:`~logicmap.report.model_svg.logic_model_svg` draws it, when its smallest text prints
    at 11 px or more (or the view has a single pair of columns); else one page per pair of columns."""
    view = view_by_key(model, view) if isinstance(view, str) else (view or summary_view(model))
    one = logic_model_svg(model, size=size, title=title, view=view)
    parts = layer_pair_views(view)
    if svg_print_fit(one).smallest_text_px >= LEGIBLE_PX or len(parts) < 2:
        return [one]
    name = title if view.key == "summary" else f"{title}: {view.title}"
    guide = (f"On {len(parts)} pages, one per pair of columns (boxes repeat where pages meet): "
             + "; ".join(f"{i} {p.title}" for i, p in enumerate(parts, 1)) + ".")
    node_w = page_node_width(size)
    pages = []
    for i, part in enumerate(parts, 1):
        missing = left_out(view, part)
        notes = (guide, f"Not on this page (no link between these columns): {', '.join(missing)}.") if missing else (guide,)
        pages.append(svg_document(model, part, place_view(part, node_w), size=size, title=title,
                                  heading=f"{name}, page {i} of {len(parts)}: {part.title}", notes=notes))
    return pages


__all__ = ["LEGIBLE_PX", "layer_pair_views", "left_out", "logic_model_pages", "page_node_width"]
