"""The demo pipeline on the embedded recovery-intervention corpus.

``run_demo`` builds a fresh project from the packaged demo exports and returns
what each stage produced; the CLI prints it. Later stages add their steps here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from logicmap.dedupe.pipeline import DedupeSummary, duplicates_per_source, export_clusters, run_dedupe
from logicmap.records.importer import ImportReport, import_files
from logicmap.store import create_project
from logicmap.store.project import Project

SEED = 2020
REVIEWER = "demo-reviewer"
CODER = "demo-coder"
#: The review question, as the cold-start text of the ranking model.
CRITERIA = (
    "recovery-oriented mental health intervention for adults with serious mental illness, "
    "psychosis, schizophrenia, bipolar disorder; personal recovery outcomes such as hope, "
    "empowerment, identity, meaning, social inclusion, employment, quality of life"
)

#: Demo export files and the database each stands for.
DEMO_EXPORTS: dict[str, str] = {
    "medline-ovid.ris": "MEDLINE (Ovid)",
    "psycinfo.csv": "APA PsycINFO",
    "scopus.bib": "Scopus",
}


def demo_data_dir() -> Path:
    """The folder holding the packaged demo corpus."""
    return Path(str(resources.files("logicmap.demo") / "data"))


@dataclass
class DemoResult:
    """What the demo pipeline produced."""

    project_path: Path
    imports: list[ImportReport] = field(default_factory=list)
    dedupe: DedupeSummary | None = None
    #: (file, database, records, duplicates removed) per source
    duplicates: list[tuple[str, str | None, int, int]] = field(default_factory=list)
    #: screening: labels in the order screened (1 relevant), and the chart files
    screening_order: list[int] = field(default_factory=list)
    screening_summary: dict = field(default_factory=dict)
    recall_chart: Path | None = None
    included: int = 0
    codings: int = 0
    code_counts: dict[str, int] = field(default_factory=dict)
    report_files: dict[str, Path] = field(default_factory=dict)
    model_nodes: int = 0
    model_edges: int = 0


def run_demo(out_dir: Path) -> DemoResult:
    """Create ``out_dir/demo.db`` afresh and run the pipeline stages on the demo corpus."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    project_path = out_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project_path}{suffix}").unlink(missing_ok=True)
    result = DemoResult(project_path)
    with create_project(project_path, name="Recovery interventions demo") as project:
        for name, database in DEMO_EXPORTS.items():
            report = import_files(
                project,
                [demo_data_dir() / name],
                database=database,
                search_date="2019-01-31",
            )
            result.imports.append(report)
        result.dedupe = run_dedupe(project)
        export_clusters(project, out_dir / "clusters.csv")
        result.duplicates = duplicates_per_source(project)
        _screen(project, result, out_dir)
        _code(project, result)
        _report(project, result, out_dir)
    return result


def _screen(project: Project, result: DemoResult, out_dir: Path) -> None:
    """Title/abstract screening in the model's order by a reviewer who follows the labels."""
    from logicmap.demo.simulated import corpus_id, corpus_labels, exclusion_reason
    from logicmap.screening.chart import save_recall_chart
    from logicmap.screening.metrics import summarise
    from logicmap.screening.session import ScreeningSession

    labels = corpus_labels(demo_data_dir() / "corpus.jsonl")
    session = ScreeningSession(project, reviewer=REVIEWER, seed=SEED, criteria=CRITERIA)
    while (step := session.next_record()) is not None:
        record_id, rank = step
        label = labels[corpus_id(project, record_id)]
        if label["include"]:
            session.decide(record_id, "include", rank=rank)
        else:
            session.decide(record_id, "exclude", reason=exclusion_reason(label.get("exclusion_reason")), rank=rank)
    result.screening_order = list(session.order)
    result.screening_summary = summarise(session.order)
    charts = save_recall_chart(session.order, out_dir, stem="recall-curve")
    result.recall_chart = next((Path(c) for c in charts if str(c).endswith(".svg")), None) if charts else None
    full_text = ScreeningSession(project, reviewer=REVIEWER, stage="full_text", seed=SEED)
    while (step := full_text.next_record()) is not None:
        full_text.decide(step[0], "include", rank=step[1])  # the labels are final decisions already
        result.included += 1


def _code(project: Project, result: DemoResult) -> None:
    """Code the included studies: a coder accepts the suggestions and extracts descriptors."""
    from logicmap.coding.project import code_counts_by_kind
    from logicmap.demo.simulated import accept_suggestions, corpus_id, corpus_labels, extract_descriptors
    from logicmap.screening.decisions import included_records

    labels = corpus_labels(demo_data_dir() / "corpus.jsonl")
    ids = included_records(project)
    result.codings = accept_suggestions(project, ids, reviewer=CODER)
    for record_id in ids:
        extract_descriptors(project, record_id, labels[corpus_id(project, record_id)], reviewer=CODER)
    result.code_counts = code_counts_by_kind(project)


def _report(project: Project, result: DemoResult, out_dir: Path) -> None:
    from logicmap.report.project import project_model, report_project, save_snapshot

    model = project_model(project)
    save_snapshot(project, "demo", model)
    result.model_nodes = model.graph.number_of_nodes()
    result.model_edges = model.graph.number_of_edges()
    result.report_files = report_project(project, out_dir / "report")
