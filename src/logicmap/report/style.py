"""Shared visual vocabulary of the report: direction colours, kind fills, edge widths, escaping.

Colours are from the Okabe-Ito palette (safe for the common colour-vision deficiencies);
direction is also told by the legend text and each edge's tooltip, never by colour alone.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

DIRECTION_COLOURS: dict[str, str] = {
    "benefit": "#009E73",
    "no_difference": "#7F7F7F",
    "harm": "#D55E00",
    "mixed": "#CC79A7",
    "not_measured": "#0072B2",
}
HYPOTHESIS_COLOUR = "#9A9A9A"
DIRECTION_LABELS: dict[str, str] = {
    "benefit": "benefit", "no_difference": "no difference", "harm": "harm", "mixed": "mixed",
    "not_measured": "direction not measured",
}
KIND_FILLS: dict[str, str] = {
    "typology": "#E8F1FA", "mechanism": "#FFF4DC", "process": "#F1ECF8", "outcome": "#E6F5EF", "moderator": "#F4F4F4",
}
KIND_STROKES: dict[str, str] = {
    "typology": "#0072B2", "mechanism": "#B58100", "process": "#6A51A3", "outcome": "#007A5A", "moderator": "#666666",
}
FONT = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif"


def edge_width(n_studies: int) -> float:
    """Stroke width for a link backed by ``n_studies`` (hypotheses are thin)."""
    if n_studies <= 0:
        return 1.5
    return round(min(14.0, 1.2 + 1.6 * math.sqrt(n_studies)), 1)


def edge_colour(direction: str, n_studies: int) -> str:
    return HYPOTHESIS_COLOUR if n_studies == 0 else DIRECTION_COLOURS.get(direction, DIRECTION_COLOURS["not_measured"])


def text(value: object) -> str:
    """XML/HTML-escaped text content."""
    return escape(str(value))


def attr(value: object) -> str:
    """A quoted, escaped XML/HTML attribute value (quotes included)."""
    return quoteattr(str(value), {"\n": "&#10;"})


def num(value: float) -> str:
    """A coordinate with at most one decimal, no trailing ``.0`` (deterministic output)."""
    out = f"{value:.1f}"
    return out[:-2] if out.endswith(".0") else out


def wrap(label: str, width: int, lines: int = 2) -> list[str]:
    """Greedy word wrap to ``lines`` lines of ``width`` characters, ellipsis when cut."""
    words, out, cur = label.split(), [], ""
    for word in words:
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= width:
            cur += " " + word
        else:
            out.append(cur)
            cur = word
    if cur:
        out.append(cur)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(1, width - 1)].rstrip() + "…"
    return [line if len(line) <= width else line[: width - 1] + "…" for line in out]
