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
#: Line style by link basis: explicit solid, chain dashed, hypothesis dotted (and grey).
BASIS_DASH: dict[str, str] = {"explicit": "", "chain": "9 5", "hypothesis": "2 5", "co-occurrence": "2 3"}
BASIS_LABELS: dict[str, str] = {
    "explicit": "explicit (a sentence states the link)", "chain": "chain (reports both ends, no sentence links them)",
    "hypothesis": "hypothesis (from the codebook, no study yet)",
    "co-occurrence": "co-occurrence (both codes in one study, not a pathway)",
}
#: What one study's support of a link is, as the side panel says it (by the study's basis).
STUDY_BASIS_LABELS: dict[str, str] = {
    "explicit": "states the link in a sentence", "chain": "chain: reports both ends, no sentence links them",
    "co-occurrence": "codes co-occur in the study (not a pathway)", "hypothesis": "from the codebook, no study yet",
}
#: Moderator effects and context-profile summaries in words.
EFFECT_LABELS: dict[str, str] = {
    "strengthens": "strengthens the link", "weakens": "weakens the link", "unclear": "effect unclear",
    "weakened": "weakened", "strengthened": "strengthened", "both": "weakened and strengthened",
}


def plural(n: int, one: str, many: str | None = None) -> str:
    """``"1 study"``, ``"2 studies"``: ``n`` and the word in the number it takes."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
# Advance widths (1/1000 em) of DejaVu Sans, regular and bold, for ASCII 32..126 (from the font's hmtx
# table); the widest common sans, so text measured with it fits in narrower fallbacks too.
_REGULAR = (318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
            636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
            295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
            500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
            392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838)
_BOLD = (348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696,
         696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775,
         637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675,
         716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652,
         924, 645, 652, 582, 712, 365, 712, 838)


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


def text_width(value: str, size: float, bold: bool = False) -> float:
    """Width in px of ``value`` set in DejaVu Sans at ``size`` px (non-ASCII counted as a wide glyph)."""
    table = _BOLD if bold else _REGULAR
    return sum(table[ord(c) - 32] if 32 <= ord(c) < 127 else 1000 for c in value) * size / 1000


def _split_word(word: str, max_px: float, size: float) -> list[str]:
    """A word too long for one line, cut into hyphen-ended pieces that fit."""
    pieces, cur = [], ""
    for ch in word:
        if cur and text_width(cur + ch + "-", size) > max_px:
            pieces.append(cur + "-")
            cur = ""
        cur += ch
    return [*pieces, cur]


def wrap_px(label: str, max_px: float, size: float) -> list[str]:
    """Greedy word wrap so that every line fits ``max_px`` at ``size`` px; never cuts text off."""
    out: list[str] = []
    cur = ""
    for word in label.split():
        for piece in (_split_word(word, max_px, size) if text_width(word, size) > max_px else [word]):
            if cur and text_width(f"{cur} {piece}", size) <= max_px:
                cur = f"{cur} {piece}"
            else:
                if cur:
                    out.append(cur)
                cur = piece
    return [*out, cur] if cur else out


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
