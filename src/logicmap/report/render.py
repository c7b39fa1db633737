"""Write the whole review report to a folder, with fixed file names.

``render_report`` writes ``index.html`` (a contents list, then collapsible sections: logic
model, narrative, charts, tables, study selection with the stopping statement, methods; what
is unfinished, such as records not yet screened, is stated under the title), the logic model
as SVG, interactive HTML, GraphML and Cytoscape JSON, the PRISMA 2020 diagram (SVG) and
counts (CSV), the recall curve, the evidence gap map and effect-direction plot (SVG), the
evidence table (CSV) and the included studies (RIS).

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
from logicmap.report.exports import cytoscape_json_text, evidence_csv, record_from_study, to_graphml, to_ris
from logicmap.report.interactive import logic_model_files
from logicmap.report.study_parts import PART_DIR
from logicmap.report.model_svg import logic_model_svg
from logicmap.report.narrative import MethodsFacts, methods_sections, typology_narratives
from logicmap.report.prisma import PrismaCounts
from logicmap.report.prisma_svg import prisma_svg
from logicmap.report.screening_facts import ScreeningFacts, recall_curve_svg, stopping_statement
from logicmap.report.style import text
from logicmap.report.context import context_section
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
    "recall_curve": ("recall-curve.svg", "Recall curve of title and abstract screening"),
    "gap_map": ("gap-map.svg", "Evidence gap map (typology x outcome)"),
    "effect_direction": ("effect-direction.svg", "Effect-direction plot per typology"),
    "evidence_csv": ("evidence.csv", "Evidence table: one row per link and study, with the quoted sentences"),
    "ris": ("included.ris", "Included studies (RIS)"),
}


def _template(name: str) -> str:
    return resources.files("logicmap.report").joinpath("templates", name).read_text(encoding="utf-8")


def _inline_svg(svg: str) -> str:
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)


def _safe_chart(render, data, what: str) -> str:
    """A chart of ``data``, or a plain note when the renderer fails (never a traceback in the report)."""
    try:
        return render(data)
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


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _lead(model: LogicModel) -> str:
    n_links = len(model.evidence_edges())
    hypotheses = model.graph.number_of_edges() - n_links
    return (f"{_plural(len(model.studies), 'included study', 'included studies')}; "
            f"{_plural(n_links, 'link of the logic model is', 'links of the logic model are')} supported by evidence "
            f"and {_plural(hypotheses, 'remains a hypothesis', 'remain hypotheses')}.")


def _status(prisma: PrismaCounts) -> str:
    """What is not finished yet, stated first and plainly ("73 records not yet screened")."""
    items = []
    if prisma.records_not_screened:
        items.append(f"<strong>{_plural(prisma.records_not_screened, 'record', 'records')} not yet screened</strong> "
                     f"(of {prisma.records_identified - prisma.duplicates} after deduplication): the studies, model "
                     "and findings below cover only the records screened so far.")
    if prisma.records_in_conflict:
        items.append(f"<strong>{_plural(prisma.records_in_conflict, 'record', 'records')} screened with reviewers "
                     "disagreeing, not yet reconciled.</strong>")
    if prisma.reports_awaiting:
        items.append(f"<strong>{_plural(prisma.reports_awaiting, 'report', 'reports')} awaiting full-text "
                     "assessment.</strong>")
    if prisma.included_without_full_text:
        items.append(f"{_plural(prisma.included_without_full_text, 'study is', 'studies are')} included on title and "
                     "abstract; full text not yet assessed.")
    return "".join(f'<p class="status" role="status">{item}</p>' for item in items)


def _section(key: str, title: str, content: str, *, open_: bool = True) -> tuple[str, str, str]:
    """``(id, title, html)`` of a collapsible section (a ``<details>`` whose summary is the heading)."""
    html = (f'<section id="{key}" aria-labelledby="{key}-h"><details{" open" if open_ else ""}><summary>'
            f'<h2 id="{key}-h">{text(title)}</h2></summary>\n{content}\n</details></section>')
    return key, title, html


def _selection_html(svgs: dict[str, str], statement: str) -> str:
    return (f'<figure>{_inline_svg(svgs["prisma"])}<figcaption>PRISMA 2020 flow diagram '
            '(<a href="prisma.csv">counts as CSV</a>).</figcaption></figure>'
            f'<h3>Screening and stopping</h3><p>{text(statement)}</p>'
            '<figure><img src="recall-curve.svg" alt="Recall curve: relevant records found against records screened, '
            'with the best possible and the expected random order"><figcaption>Recall curve of title and abstract '
            "screening, relative to the relevant records found so far.</figcaption></figure>")


def _sections(model: LogicModel, studies: Sequence[Study], methods: MethodsFacts, svgs: dict[str, str],
              statement: str) -> list[tuple[str, str, str]]:
    return [
        _section("logic-model", "Logic model", f'<figure>{_inline_svg(svgs["logic_model"])}<figcaption>Edge width: '
                 'number of studies; colour: direction; solid: explicit link; dashed: chain; dotted grey: hypothesis. '
                 '<a href="logic-model.html">Open the '
                 "interactive model</a> to see the studies and quotes behind each link.</figcaption></figure>"),
        _section("findings", "Findings by intervention typology" if model.codebook.intervention_kind == "typology"
                 else f"Findings by {model.codebook.layer_title(model.codebook.intervention_kind).lower()}",
                 _narrative_html(model)),
        _section("gap-map", "Evidence gap map and effect directions",
                 '<figure><img src="gap-map.svg" alt="Evidence gap map: studies per typology and outcome, coloured by '
                 'direction"><figcaption>Bubble area: studies; colour: direction (70% rule); empty cells are gaps.'
                 '</figcaption></figure><figure><img src="effect-direction.svg" alt="Effect-direction plot per typology '
                 'and outcome domain"><figcaption>Effect-direction plot: ▲ benefit, ▼ harm, ◆ mixed, ● no difference, '
                 "■ not measured.</figcaption></figure>"),
        _section("links", "Links and their evidence", links_table(model) + '<h3>Grading rules</h3><ol class="grade-rules">'
                 + "".join(f"<li>{text(r)}</li>" for r in GRADE_RULES) + "</ol>", open_=False),
        _section("studies", "Characteristics of included studies", characteristics_table(model, list(studies)),
                 open_=False),
        _section("selection", "Study selection", _selection_html(svgs, statement)),
        _section("methods", "Methods", _methods_html(methods)),
    ]


def _index(title: str, model: LogicModel, studies: Sequence[Study], prisma: PrismaCounts, methods: MethodsFacts,
           svgs: dict[str, str], statement: str, context=None) -> str:
    problems = _problems(model, prisma)
    files = "<ul>" + "".join(f'<li><a href="{name}">{text(name)}</a>: {text(desc)}</li>'
                             for key, (name, desc) in FILES.items() if key != "index") + "</ul>"
    sections = _sections(model, studies, methods, svgs, statement)
    if context is not None:
        labels = {c: d["label"] for c, d in model.graph.nodes(data=True)}
        sections.insert(1, ("your-context", "Your context", context_section(context, labels)))
    if problems:
        sections.insert(0, _section("missing", "What is missing",
                                    '<div class="problems" role="note"><ul>' + "".join(f"<li>{text(p)}</li>" for p in problems)
                                    + "</ul></div>"))
    contents = '<ol class="contents">' + "".join(f'<li><a href="#{key}">{text(t)}</a></li>' for key, t, _ in sections)
    parts = {"{{TITLE}}": text(title), "{{CSS}}": _template("report.css"), "{{LEAD}}": text(_lead(model)),
             "{{STATUS}}": _status(prisma), "{{CONTENTS}}": contents + "</ol>", "{{FILES}}": files,
             "{{BODY}}": "\n".join(html for *_, html in sections)}
    return re.sub(r"\{\{[A-Z]+\}\}", lambda m: parts.get(m.group(0), m.group(0)), _template("index.html"))


def render_report(out_dir: str | Path, *, model: LogicModel, studies: Iterable[Study], prisma: PrismaCounts | None,
                  prisma_csv: str, methods: MethodsFacts | None = None, included_records: Iterable[Record] | None = None,
                  screening: ScreeningFacts | None = None,
                  title: str = "Evidence-linked logic model: review report", context=None) -> dict[str, Path]:
    """Write every report file into ``out_dir``; returns file key -> path (see :data:`FILES`).

    ``context`` (a saved :class:`~logicmap.synthesis.conditions.ContextProfile`) adds a "Your context" section.

    ``included_records`` are written to ``included.ris``; when none are given, minimal records
    are made from ``studies``. ``screening`` (the order of title/abstract decisions) gives the
    recall curve and the stopping statement; without it both say that nothing was screened.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    studies = list(studies)
    methods = methods or MethodsFacts()
    records = list(included_records or ())
    if not records:
        records = [record_from_study(s, i) for i, s in enumerate(studies, 1)]
    prisma = prisma if prisma is not None else PrismaCounts()
    screening = screening or ScreeningFacts()
    svgs = {"logic_model": logic_model_svg(model), "prisma": prisma_svg(prisma)}
    page = logic_model_files(model, context=context.codes if context is not None else ())
    content = {
        "logic_model_svg": svgs["logic_model"],
        "logic_model_html": page.pop(""),
        "graphml": to_graphml(model),
        "cyjs": cytoscape_json_text(model),
        "prisma_svg": svgs["prisma"],
        "prisma_csv": prisma_csv or "",
        "recall_curve": _safe_chart(recall_curve_svg, screening, "The recall curve"),
        "gap_map": _safe_chart(gap_map_svg, model, "The evidence gap map"),
        "effect_direction": _safe_chart(effect_direction_svg, model, "The effect-direction plot"),
        "evidence_csv": evidence_csv(model),
        "ris": to_ris(records),
    }
    content["index"] = _index(title, model, studies, prisma, methods, svgs, stopping_statement(screening), context)
    paths = {}
    for key, (name, _) in FILES.items():
        path = out / name
        path.write_text(content[key], encoding="utf-8", newline="\n")
        paths[key] = path
    _write_parts(out, page)
    return paths


def _write_parts(out: Path, parts: dict[str, str]) -> None:
    """The interactive page's study-list part files (a large model's), replacing any older ones."""
    folder = out / PART_DIR
    if folder.is_dir():
        for old in folder.glob("*.js"):
            old.unlink()
    for relative, script in parts.items():
        (out / relative).parent.mkdir(exist_ok=True)
        (out / relative).write_text(script, encoding="utf-8", newline="\n")
