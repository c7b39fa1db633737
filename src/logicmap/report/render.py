"""Write the whole review report to a folder, with fixed file names.

``render_report`` writes ``index.html`` (narrative, methods, tables, embedded diagrams and
links to everything), the logic model as SVG, interactive HTML, GraphML and Cytoscape JSON,
the PRISMA 2020 diagram (SVG) and counts (CSV), the evidence gap map and effect-direction
plot (SVG), the evidence table (CSV) and the included studies (RIS).

Bad input never gives an empty page or a traceback: no included studies, no codes, or a
codebook missing a node kind each produce a report that says plainly what is missing.

Example::

    paths = render_report("report/", model=model, studies=studies, prisma=counts,
                          prisma_csv=to_prisma2020_csv(counts), methods=MethodsFacts(...),
                          included_records=records)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from logicmap.records.record import Record
from logicmap.report.charts import effect_direction_svg, empty_svg, gap_map_svg
from logicmap.report.context import context_section
from logicmap.report.exports import cytoscape_json_text, evidence_csv, record_from_study, to_graphml, to_ris
from logicmap.report.interactive import logic_model_html
from logicmap.report.model_svg import logic_model_svg
from logicmap.report.narrative import MethodsFacts, methods_sections, typology_narratives
from logicmap.report.prisma import PrismaCounts
from logicmap.report.prisma_svg import prisma_svg
from logicmap.report.style import text
from logicmap.report.html_tables import characteristics_table, links_table
from logicmap.synthesis.evidence import GRADE_RULES
from logicmap.synthesis.model import LogicModel
from logicmap.synthesis.study import Study

#: File key -> (file name, description shown in index.html).
FILES: dict[str, tuple[str, str]] = {
    "index": ("index.html", "This report"),
    "logic_model_svg": ("logic-model.svg", "Logic model (static SVG, prints at A4 or poster size)"),
    "logic_model_html": ("logic-model.html", "Interactive logic model (works offline; click a link to see its studies)"),
    "graphml": ("logic-model.graphml", "Logic model as GraphML (Gephi, yEd, networkx)"),
    "cyjs": ("logic-model.cyjs.json", "Logic model as Cytoscape JSON (Cytoscape desktop and Cytoscape.js)"),
    "prisma_svg": ("prisma.svg", "PRISMA 2020 flow diagram"),
    "prisma_csv": ("prisma.csv", "PRISMA 2020 counts (PRISMA2020 R package CSV)"),
    "gap_map": ("gap-map.svg", "Evidence gap map (typology x outcome)"),
    "effect_direction": ("effect-direction.svg", "Effect-direction plot per typology"),
    "evidence_csv": ("evidence.csv", "Evidence table: one row per link and study, with the quoted sentences"),
    "ris": ("included.ris", "Included studies (RIS)"),
}


def _template(name: str) -> str:
    return resources.files("logicmap.report").joinpath("templates", name).read_text(encoding="utf-8")


def _inline_svg(svg: str) -> str:
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)


def _safe_chart(render, model: LogicModel, what: str) -> str:
    """A chart, or a plain note when the renderer fails (never a traceback in the report)."""
    try:
        return render(model)
    except Exception as exc:  # noqa: BLE001 - boundary: a chart must not break the whole report
        return empty_svg(f"{what} could not be drawn: {type(exc).__name__}: {exc}"[:150], width=900)


def _problems(model: LogicModel, prisma) -> list[str]:
    out = list(model.problems)
    if prisma is None or (prisma.records_identified == 0 and prisma.studies_included == 0):
        out.append("PRISMA counts are missing or all zero: the flow diagram shows zeros.")
    return out


def _narrative_html(model: LogicModel) -> str:
    items = typology_narratives(model)
    if not items:
        return '<p class="missing">No narrative: the codebook has no intervention typologies or no study is included.</p>'
    out = []
    for n in items:
        heading = f"{text(n.label)} ({text(n.code)})" if n.code else text(n.label)
        out.append(f"<h3>{heading}</h3>\n<p>{text(n.text)}</p>")
    return "\n".join(out)


def _methods_html(facts: MethodsFacts) -> str:
    return "\n".join(f"<h3>{text(h)}</h3>\n<p>{text(p)}</p>" for h, p in methods_sections(facts))


def _index(title: str, model: LogicModel, studies: Sequence[Study], prisma, methods: MethodsFacts,
           svgs: dict[str, str], context=None) -> str:
    problems = _problems(model, prisma)
    n_links = len(model.evidence_edges())
    lead = (f"{len(model.studies)} included studies; {n_links} links of the logic model are supported by evidence "
            f"and {model.graph.number_of_edges() - n_links} remain hypotheses.")
    files = "<ul>" + "".join(f'<li><a href="{name}">{text(name)}</a>: {text(desc)}</li>'
                             for key, (name, desc) in FILES.items() if key != "index") + "</ul>"
    body = []
    if problems:
        body.append('<section class="problems" role="note" aria-labelledby="missing-h"><h2 id="missing-h">What is missing'
                    "</h2><ul>" + "".join(f"<li>{text(p)}</li>" for p in problems) + "</ul></section>")
    body.append('<section aria-labelledby="lm-h"><h2 id="lm-h">Logic model</h2>'
                f'<figure>{_inline_svg(svgs["logic_model"])}<figcaption>Edge width: number of studies; colour: direction; '
                'dashed: hypothesis. <a href="logic-model.html">Open the interactive model</a> to see the studies and '
                "quotes behind each link.</figcaption></figure></section>")
    if context is not None:
        body.append(context_section(context, {c: d["label"] for c, d in model.graph.nodes(data=True)}))
    body.append('<section aria-labelledby="narr-h"><h2 id="narr-h">Findings by intervention typology</h2>'
                + _narrative_html(model) + "</section>")
    body.append('<section aria-labelledby="gap-h"><h2 id="gap-h">Evidence gap map and effect directions</h2>'
                '<figure><img src="gap-map.svg" alt="Evidence gap map: studies per typology and outcome, coloured by '
                'direction"><figcaption>Bubble area: studies; colour: direction (70% rule); empty cells are gaps.'
                '</figcaption></figure><figure><img src="effect-direction.svg" alt="Effect-direction plot per typology '
                'and outcome domain"><figcaption>Effect-direction plot: ▲ benefit, ▼ harm, ◆ mixed, ● no difference.'
                "</figcaption></figure></section>")
    body.append('<section aria-labelledby="links-h"><h2 id="links-h">Links and their evidence</h2>' + links_table(model)
                + '<h3>Grading rules</h3><ol class="grade-rules">' + "".join(f"<li>{text(r)}</li>" for r in GRADE_RULES)
                + "</ol></section>")
    body.append('<section aria-labelledby="char-h"><h2 id="char-h">Characteristics of included studies</h2>'
                + characteristics_table(model, list(studies)) + "</section>")
    body.append('<section aria-labelledby="prisma-h"><h2 id="prisma-h">Study selection</h2>'
                f'<figure>{_inline_svg(svgs["prisma"])}<figcaption>PRISMA 2020 flow diagram '
                '(<a href="prisma.csv">counts as CSV</a>).</figcaption></figure></section>')
    body.append('<section aria-labelledby="methods-h"><h2 id="methods-h">Methods</h2>' + _methods_html(methods)
                + "</section>")
    parts = {"{{TITLE}}": text(title), "{{CSS}}": _template("report.css"), "{{LEAD}}": text(lead),
             "{{FILES}}": files, "{{BODY}}": "\n".join(body)}
    return re.sub(r"\{\{[A-Z]+\}\}", lambda m: parts.get(m.group(0), m.group(0)), _template("index.html"))


def render_report(out_dir: str | Path, *, model: LogicModel, studies: Iterable[Study], prisma: PrismaCounts | None,
                  prisma_csv: str, methods: MethodsFacts | None = None, included_records: Iterable[Record] | None = None,
                  title: str = "Evidence-linked logic model: review report", context=None) -> dict[str, Path]:
    """Write every report file into ``out_dir``; returns file key -> path (see :data:`FILES`).

    ``context`` (a saved :class:`~logicmap.synthesis.conditions.ContextProfile`) adds a "Your context" section.

    ``included_records`` are written to ``included.ris``; when none are given, minimal records
    are made from ``studies``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    studies = list(studies)
    methods = methods or MethodsFacts()
    records = list(included_records or ())
    if not records:
        records = [record_from_study(s, i) for i, s in enumerate(studies, 1)]
    prisma = prisma if prisma is not None else PrismaCounts()
    svgs = {"logic_model": logic_model_svg(model), "prisma": prisma_svg(prisma)}
    content = {
        "logic_model_svg": svgs["logic_model"],
        "logic_model_html": logic_model_html(model),
        "graphml": to_graphml(model),
        "cyjs": cytoscape_json_text(model),
        "prisma_svg": svgs["prisma"],
        "prisma_csv": prisma_csv or "",
        "gap_map": _safe_chart(gap_map_svg, model, "The evidence gap map"),
        "effect_direction": _safe_chart(effect_direction_svg, model, "The effect-direction plot"),
        "evidence_csv": evidence_csv(model),
        "ris": to_ris(records),
    }
    content["index"] = _index(title, model, studies, prisma, methods, svgs, context)
    paths = {}
    for key, (name, _) in FILES.items():
        path = out / name
        path.write_text(content[key], encoding="utf-8", newline="\n")
        paths[key] = path
    return paths
