"""HTML tables of the report: characteristics of included studies, and the link table.

Every cell is escaped; empty descriptors show as an en dash.
"""

from __future__ import annotations

from logicmap.report.style import DIRECTION_LABELS, text
from logicmap.synthesis.model import LogicModel
from logicmap.synthesis.study import Study

DASH = "–"
ARROWS: dict[str, str] = {"benefit": "▲", "harm": "▼", "mixed": "◆", "no_difference": "●", "not_measured": "○"}


def _cell(value: object) -> str:
    return text(value) if value not in (None, "") else DASH


def characteristics_table(model: LogicModel, studies: list[Study] | None = None) -> str:
    """The characteristics-of-included-studies table (sorted by citation)."""
    studies = sorted(studies if studies is not None else model.studies, key=lambda s: (s.citation(), s.id))
    if not studies:
        return '<p class="missing">No included studies: the characteristics table is empty.</p>'
    cb = model.codebook
    interventions = "Typologies" if cb.intervention_kind == "typology" else cb.layer_title(cb.intervention_kind)
    head = ("Study", "Title", "Design", "Country", "Setting", "Population", "N", interventions, "Outcomes (direction)")
    rows = ['<table class="characteristics">', "<caption>Characteristics of included studies</caption>", "<thead><tr>"
            + "".join(f'<th scope="col">{text(h)}</th>' for h in head) + "</tr></thead>", "<tbody>"]
    for s in studies:
        typologies = [c for c in s.codes() if c in cb and cb[c].kind == cb.intervention_kind]
        outcomes = []
        for c in s.codes():
            if c in cb and cb[c].kind in cb.effect_kinds:
                d = s.direction_for(c) or "not_measured"
                outcomes.append(f'<span title="{text(cb[c].label)}: {text(DIRECTION_LABELS[d])}">{text(c)} '
                                f'{ARROWS[d]}</span>')
        ty = ", ".join(f'<abbr title="{text(cb[c].label)}">{text(c)}</abbr>' for c in typologies) or DASH
        rows.append(
            f'<tr><th scope="row">{_cell(s.citation())}</th><td>{_cell(s.title)}</td><td>{_cell(s.design)}</td>'
            f"<td>{_cell(s.country)}</td><td>{_cell(s.setting)}</td><td>{_cell(s.population)}</td>"
            f"<td>{_cell(s.n)}</td><td>{ty}</td><td>{', '.join(outcomes) or DASH}</td></tr>"
        )
    rows.append("</tbody></table>")
    legend = " ".join(f"{a} {text(DIRECTION_LABELS[k])}" for k, a in ARROWS.items())
    rows.append(f'<p class="note">Directions: {legend}.</p>')
    return "\n".join(rows)


def links_table(model: LogicModel) -> str:
    """One row per link with evidence: studies, votes, sign test, direction, grade."""
    edges = model.evidence_edges()
    if not edges:
        return '<p class="missing">No link has evidence yet: every link is a codebook hypothesis.</p>'
    g = model.graph.nodes
    head = ("Link", "Studies", "Randomised", "Benefit", "No difference", "Harm", "Mixed", "Sign test p", "Direction",
            "Basis", "Grade")
    rows = ['<table class="links">', "<caption>Links of the logic model with their evidence</caption>", "<thead><tr>"
            + "".join(f'<th scope="col">{text(h)}</th>' for h in head) + "</tr></thead>", "<tbody>"]
    for src, dst, d in edges:
        v = d["votes"]
        p = DASH if d["p_value"] is None else f"{d['p_value']:.3g}"
        rows.append(
            f'<tr><th scope="row">{text(src)} {text(g[src]["label"])} → {text(dst)} {text(g[dst]["label"])}</th>'
            f'<td>{d["n_studies"]}</td><td>{d["n_randomised"]}</td><td>{v["benefit"]}</td><td>{v["no_difference"]}</td>'
            f'<td>{v["harm"]}</td><td>{v["mixed"]}</td><td>{p}</td><td>{text(DIRECTION_LABELS[d["direction"]])}</td>'
            f'<td>{text(d["basis"])}</td><td>{text(d["grade"])}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)
