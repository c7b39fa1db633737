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
    return result
