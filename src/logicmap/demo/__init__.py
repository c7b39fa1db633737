"""The demo pipeline on the embedded recovery-intervention corpus.

``run_demo`` builds a fresh project from the packaged demo exports and returns
what each stage produced; the CLI prints it. Later stages add their steps here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from logicmap.api import DedupeSummary, ImportReport, Review, StopReport
from logicmap.demo.simulated import (
    accept_suggestions,
    corpus_id,
    corpus_labels,
    exclusion_reason,
    extract_descriptors,
)

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
    #: the stopping rule's verdict where the demo reviewer stopped (None: screened to the end)
    stop: StopReport | None = None
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
    with Review.create(project_path, name="Recovery interventions demo") as review:
        for name, database in DEMO_EXPORTS.items():
            report = review.records.import_files(
                [demo_data_dir() / name], database=database, search_date="2019-01-31"
            )
            result.imports.append(report)
        result.dedupe = review.dedupe.run()
        review.dedupe.export_clusters(out_dir / "clusters.csv")
        result.duplicates = review.dedupe.per_source()
        _screen(review, result, out_dir)
        _code(review, result)
        _report(review, result, out_dir)
    return result


def _screen(review: Review, result: DemoResult, out_dir: Path) -> None:
    """Title/abstract screening in the model's order by a reviewer who follows the labels, until the
    default stopping rule fires: the records left are then excluded by it (the report says so)."""
    labels = corpus_labels(demo_data_dir() / "corpus.jsonl")
    reasons = review.screening.exclusion_reasons()
    session = review.screening.session(REVIEWER, seed=SEED, criteria=CRITERIA)
    while not session.progress().can_stop and (step := session.next_record()) is not None:
        record_id, rank = step
        label = labels[corpus_id(review, record_id)]
        if label["include"]:
            session.decide(record_id, "include", rank=rank)
        else:
            reason = exclusion_reason(label.get("exclusion_reason"), reasons)
            session.decide(record_id, "exclude", reason=reason, rank=rank)
    if session.progress().can_stop:
        result.stop = session.stop()
    result.screening_order = list(session.order)
    result.screening_summary = session.summary()
    charts = session.save_recall_chart(out_dir, stem="recall-curve")
    result.recall_chart = next((Path(c) for c in charts if str(c).endswith(".svg")), None) if charts else None
    full_text = review.screening.session(REVIEWER, stage="full_text", seed=SEED)
    while (step := full_text.next_record()) is not None:
        full_text.decide(step[0], "include", rank=step[1])  # the labels are final decisions already
        result.included += 1


def _code(review: Review, result: DemoResult) -> None:
    """Code the included studies: a coder accepts the suggestions and extracts descriptors."""
    labels = corpus_labels(demo_data_dir() / "corpus.jsonl")
    ids = review.screening.included()
    result.codings = accept_suggestions(review, ids, reviewer=CODER)
    for record_id in ids:
        extract_descriptors(review, record_id, labels[corpus_id(review, record_id)], reviewer=CODER)
    result.code_counts = review.coding.counts_by_kind()


def _report(review: Review, result: DemoResult, out_dir: Path) -> None:
    model = review.model.build()
    review.model.save_snapshot("demo", model)
    result.model_nodes = model.graph.number_of_nodes()
    result.model_edges = model.graph.number_of_edges()
    result.report_files = review.report.write(out_dir / "report")
