"""Evidence gap map and effect-direction plot: Vega-Lite specs (Altair) rendered to SVG by
vl-convert (no browser).

* Gap map: typology (rows) x outcome (columns); bubble area = number of studies that coded
  both, colour = the summary direction of those studies (70 % rule of
  :func:`logicmap.synthesis.evidence.summary_direction`). Empty cells are the gaps.
* Effect-direction plot (after Thomson & Thomson 2013, as SWiM recommends): typology (rows)
  x outcome domain (columns); the glyph says the direction (triangle up = benefit, down =
  harm, diamond = mixed, circle = no difference), its size the number of studies.

The data functions are pure and tested; :func:`chart_svg` renders any spec. With no data a
plain SVG says so instead of an empty chart.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict

from logicmap.report.style import DIRECTION_COLOURS, DIRECTION_LABELS, FONT, text
from logicmap.synthesis.evidence import summary_direction, vote_count
from logicmap.synthesis.model import LogicModel

#: Widest axis label in pixels (wide enough for the longest code label of the default codebook, never cut).
LABEL_LIMIT = 480
#: Direction values as the legends and tooltips say them.
LEGEND_LABELS: dict[str, str] = {**DIRECTION_LABELS, "not_measured": "not measured"}
SHAPES: dict[str, str] = {
    "benefit": "triangle-up", "harm": "triangle-down", "mixed": "diamond", "no_difference": "circle",
    "not_measured": "square",
}


def _cells(model: LogicModel, key) -> dict[tuple[str, str], list[str | None]]:
    """(typology, column) -> per-study directions, one per study and column."""
    cb = model.codebook
    cells: dict[tuple[str, str], dict[str, list[str | None]]] = defaultdict(lambda: defaultdict(list))
    for s in model.studies:
        codes = [c for c in s.codes() if c in cb and c in model.graph]
        typologies = [c for c in codes if cb[c].kind == cb.intervention_kind]
        for o in (c for c in codes if cb[c].kind == cb.outcome_kind):
            for t in typologies:
                cells[(t, key(cb[o]))][s.id].append(s.direction_for(o))
    out = {}
    for cell, per_study in cells.items():
        out[cell] = [_study_direction(ds) for ds in per_study.values()]
    return out


def _term(cb) -> str:
    """What a chart calls a code of the intervention column: ``typology`` in the recovery model."""
    return "typology" if cb.intervention_kind == "typology" else "intervention"


def _study_direction(directions: list[str | None]) -> str:
    found = {d for d in directions if d and d != "not_measured"}
    return "not_measured" if not found else (found.pop() if len(found) == 1 else "mixed")


def gap_map_data(model: LogicModel) -> list[dict]:
    """One row per (typology, outcome) cell with studies: counts, votes and direction."""
    cb = model.codebook
    rows = []
    for (t, o), dirs in sorted(_cells(model, lambda c: c.code).items()):
        votes = vote_count(dirs)
        rows.append({"typology": f"{t} {cb[t].label}", "outcome": f"{o} {cb[o].label}", "domain": cb[o].domain or "",
                     "studies": len(dirs), **_direction_fields(votes)})
    return rows


def _direction_fields(votes: dict[str, int]) -> dict[str, object]:
    """The summary direction (value and legend label) and the vote counts of one cell."""
    direction = summary_direction(votes)
    return {"direction": direction, "direction_label": LEGEND_LABELS[direction], **{f"n_{k}": v for k, v in votes.items()}}


def _tooltips(alt, *fields: str) -> list:
    """The cell's own fields, then its votes, each titled in words."""
    votes = [alt.Tooltip(f"n_{k}:Q", title=LEGEND_LABELS[k]) for k in ("benefit", "no_difference", "harm", "mixed")]
    return [*fields, alt.Tooltip("studies:Q", title="studies"), alt.Tooltip("direction_label:N", title="direction"),
            *votes]


def effect_direction_data(model: LogicModel) -> list[dict]:
    """One row per (typology, outcome domain): studies and their summary direction."""
    cb = model.codebook
    rows = []
    for (t, dom), dirs in sorted(_cells(model, lambda c: c.domain or "other").items()):
        votes = vote_count(dirs)
        rows.append({"typology": f"{t} {cb[t].label}", "domain": dom, "studies": len(dirs), **_direction_fields(votes)})
    return rows


def _direction_scale(alt):
    keys = list(DIRECTION_COLOURS)
    return alt.Scale(domain=[LEGEND_LABELS[k] for k in keys], range=[DIRECTION_COLOURS[k] for k in keys])


def gap_map_spec(model: LogicModel) -> dict:
    import altair as alt

    cb = model.codebook
    rows = gap_map_data(model)
    y_order = [f"{c.code} {c.label}" for c in cb.of_kind(cb.intervention_kind) if c.code in model.graph]
    x_order = [f"{c.code} {c.label}" for c in cb.of_kind(cb.outcome_kind) if c.code in model.graph]
    chart = alt.Chart(alt.Data(values=rows)).mark_circle(stroke="#333333", strokeWidth=0.5, opacity=0.9).encode(
        x=alt.X("outcome:N", sort=x_order, scale=alt.Scale(domain=x_order), title="Outcome",
                axis=alt.Axis(labelAngle=-40, labelLimit=LABEL_LIMIT)),
        y=alt.Y("typology:N", sort=y_order, scale=alt.Scale(domain=y_order), title=None,
                axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        size=alt.Size("studies:Q", title="Studies", scale=alt.Scale(domainMin=1, range=[40, 900])),  # no "0" in the legend
        color=alt.Color("direction_label:N", scale=_direction_scale(alt), title="Direction"),
        tooltip=_tooltips(alt, "typology:N", "outcome:N"),
    ).properties(width=34 * max(1, len(x_order)), height=30 * max(1, len(y_order)),
                 title=f"Evidence gap map: studies per {_term(cb)} and outcome")
    return chart.configure(font="DejaVu Sans").to_dict()


def effect_direction_spec(model: LogicModel) -> dict:
    import altair as alt

    cb = model.codebook
    rows = effect_direction_data(model)
    y_order = [f"{c.code} {c.label}" for c in cb.of_kind(cb.intervention_kind) if c.code in model.graph]
    x_order = [d for d in cb.domains() if any(r["domain"] == d for r in rows)] or list(cb.domains()[:1]) or ["other"]
    keys = list(DIRECTION_COLOURS)  # the colour scale's order, so colour and shape share one legend
    chart = alt.Chart(alt.Data(values=rows)).mark_point(filled=True, opacity=0.95).encode(
        x=alt.X("domain:N", sort=x_order, scale=alt.Scale(domain=x_order), title="Outcome domain",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("typology:N", sort=y_order, scale=alt.Scale(domain=y_order), title=None,
                axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        shape=alt.Shape("direction_label:N", scale=alt.Scale(domain=[LEGEND_LABELS[k] for k in keys],
                                                             range=[SHAPES[k] for k in keys]), title="Direction"),
        color=alt.Color("direction_label:N", scale=_direction_scale(alt), title="Direction"),
        size=alt.Size("studies:Q", title="Studies", scale=alt.Scale(domainMin=1, range=[60, 700])),
        tooltip=_tooltips(alt, "typology:N", "domain:N"),
    ).properties(width=110 * len(x_order), height=30 * max(1, len(y_order)),
                 title=f"Effect direction by {_term(cb)} and outcome domain (70% rule)")
    return chart.configure(font="DejaVu Sans").to_dict()


def empty_svg(message: str, *, width: int = 640, height: int = 80) -> str:
    """A small SVG that says plainly why a chart is empty."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{text(message)}"><rect width="{width}" height="{height}" fill="#FFFFFF" stroke="#CCCCCC"/>'
            f'<text x="16" y="{height // 2 + 5}" style="font-family:{FONT};font-size:15px;fill:#A03000">{text(message)}</text>'
            "</svg>\n")


def chart_svg(spec: dict) -> str:
    """Render a Vega-Lite spec to SVG text with vl-convert (the same spec is rendered once: a web
    page rebuilt after a change that leaves the chart alone does not pay the second or more again)."""
    return _rendered(json.dumps(spec, sort_keys=True, default=str))


@functools.lru_cache(maxsize=32)
def _rendered(spec_json: str) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(json.loads(spec_json))


def prepare() -> None:
    """Start the chart engine: the first render in a process takes seconds (vl-convert starts its
    JavaScript runtime, Altair is imported), later ones a fraction of that. A server calls this at start."""
    import altair  # noqa: F401 - imported for the charts' specs

    chart_svg({"mark": "point", "data": {"values": [{"x": 0}]}, "encoding": {"x": {"field": "x", "type": "quantitative"}}})


def gap_map_svg(model: LogicModel) -> str:
    """The evidence gap map as SVG (or a plain note when no study links a typology to an outcome)."""
    if not gap_map_data(model):
        return empty_svg("Evidence gap map: no study has both a typology and an outcome coded.")
    return chart_svg(gap_map_spec(model))


def effect_direction_svg(model: LogicModel) -> str:
    """The effect-direction plot as SVG (or a plain note when there is nothing to plot)."""
    if not effect_direction_data(model):
        return empty_svg("Effect-direction plot: no study has both a typology and an outcome coded.")
    return chart_svg(effect_direction_spec(model))


__all__ = ["DIRECTION_LABELS", "effect_direction_data", "effect_direction_spec", "effect_direction_svg",
           "gap_map_data", "gap_map_spec", "gap_map_svg"]
