"""The demo pipeline on the embedded corpus: its printed counts match the store."""

from __future__ import annotations

import json
import subprocess
import sys

from logicmap.dedupe.pipeline import cluster_assignments
from logicmap.demo import DEMO_EXPORTS, demo_data_dir, run_demo
from logicmap.store import open_project
from logicmap.store.records import count_records, list_sources


def test_demo_corpus_is_packaged_with_attribution():
    data = demo_data_dir()
    assert (data / "ATTRIBUTION.md").read_text().startswith("# Demo corpus")
    lines = (data / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 90 and all("label" in json.loads(line) for line in lines)
    assert all((data / name).is_file() for name in DEMO_EXPORTS)


def test_demo_counts_match_the_store(tmp_path):
    result = run_demo(tmp_path)
    with open_project(result.project_path) as project:
        stored = count_records(project)
        sources = list_sources(project)
        clusters = {c for _, _, c, _ in cluster_assignments(project)}
    imported = sum(report.records for report in result.imports)
    assert imported == stored == 157
    assert [(s.name, s.database) for s in sources] == list(DEMO_EXPORTS.items())
    assert sum(row[3] for row in result.duplicates) == result.dedupe.duplicates_removed
    assert stored - result.dedupe.duplicates_removed == len(clusters)
    assert (tmp_path / "clusters.csv").read_text().count("\n") == stored + 1


def test_demo_command_prints_summary(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "logicmap.cli", "demo", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "Duplicates per source" in run.stdout
    assert "157 records imported" in run.stdout
