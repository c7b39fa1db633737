"""The demo pipeline end to end on the embedded corpus: every printed count matches the store."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import networkx as nx
import pytest

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir, run_demo
from logicmap.report.prisma import to_prisma2020_csv

REPORT_FILES = (
    "index.html", "logic-model.svg", "logic-model.html", "logic-model.graphml", "logic-model.cyjs.json",
    "prisma.svg", "prisma.csv", "recall-curve.svg", "gap-map.svg", "evidence.csv", "included.ris",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out)


def test_demo_corpus_is_packaged_with_attribution():
    data = demo_data_dir()
    assert (data / "ATTRIBUTION.md").read_text().startswith("# Demo corpus")
    lines = (data / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 90 and all("label" in json.loads(line) for line in lines)
    assert all((data / name).is_file() for name in DEMO_EXPORTS)


def test_import_and_dedupe_counts_match_the_store(demo):
    out, result = demo
    with Review.open(result.project_path) as review:
        stored = review.records.count()
        sources = review.records.sources()
        clusters = {c for _, _, c, _ in review.dedupe.assignments()}
    assert sum(report.records for report in result.imports) == stored == 157
    assert [(s.file, s.database) for s in sources] == list(DEMO_EXPORTS.items())
    assert sum(row[3] for row in result.duplicates) == result.dedupe.duplicates_removed
    assert stored - result.dedupe.duplicates_removed == len(clusters)
    assert (out / "clusters.csv").read_text().count("\n") == stored + 1


def test_screening_coding_and_report_match_the_store(demo):
    out, result = demo
    report = out / "report"
    assert all((report / name).is_file() for name in REPORT_FILES)
    with Review.open(result.project_path) as review:
        included = review.screening.included()
        counts = review.report.prisma()
        assert review.coding.counts_by_kind() == result.code_counts
        snapshot = review.model.snapshot("demo")
    assert len(included) == result.included == counts.studies_included > 0
    assert (report / "prisma.csv").read_text() == to_prisma2020_csv(counts)
    assert (report / "included.ris").read_text().count("\nER  - ") + 1 >= len(included)
    graph = nx.read_graphml(report / "logic-model.graphml")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (result.model_nodes, result.model_edges)
    rows = list(csv.DictReader(io.StringIO((report / "evidence.csv").read_text(encoding="utf-8"))))
    assert rows and {r["study_id"] for r in rows} <= {str(i) for i in included}
    assert len(snapshot["edges"]) == result.model_edges and len(snapshot["studies"]) == len(included)
    assert set(result.code_counts) == {"typology", "mechanism", "process", "outcome", "moderator"}
    assert len(result.screening_order) == counts.records_screened
    assert (out / "recall-curve.svg").is_file()


def test_report_states_the_stop_by_the_rule_as_the_store_holds_it(demo):
    """The demo reviewer stops when the default rule fires: the rest is excluded by automation, in those words."""
    out, result = demo
    report = out / "report"
    rows = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO((report / "prisma.csv").read_text()))}
    unique = 157 - result.dedupe.duplicates_removed
    assert result.stop is not None and result.stop.stopped
    with Review.open(result.project_path) as review:
        stop = review.screening.stopped()
        screened = len(review.screening.final("title_abstract"))
    left = unique - screened
    assert stop["rule"] == result.stop.rule and left > 0
    assert rows["excluded_automatic"] == str(left) and rows["records_screened"] == str(screened)
    assert rows["total_studies"] == str(result.included)
    index = (report / "index.html").read_text(encoding="utf-8")
    low, high = stop["interval"]
    words = (f"excluded by automation: {left}, stopping rule {stop['rule']} at estimated recall "
             f"{stop['estimate']:.2f} [{low:.2f}, {high:.2f}]")
    assert words in index  # study selection and methods
    assert "not yet screened" not in index  # the rule fired: nothing is merely unscreened
    assert f"Records screened: {screened}." in index and 'src="recall-curve.svg"' in index
    flow = " ".join(re.findall(r">([^<>]*)</text>", (report / "prisma.svg").read_text()))
    assert f"Marked as ineligible by automation (stopping rule {stop['rule']}" in flow
    assert "Recall in the order screened by demo-reviewer" in (report / "recall-curve.svg").read_text()
    assert "InProcessEngine" not in index and "logicmap's in-process engine" in index


def test_demo_command_prints_summary(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "logicmap.cli", "demo", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "Duplicates per source" in run.stdout and "Codes per kind" in run.stdout
    assert "Demo done: 157 records -> 86 unique ->" in run.stdout
    assert (tmp_path / "report" / "index.html").is_file()
    serve, sign_in = run.stdout.strip().splitlines()[-2:]  # it ends with how to serve and sign in
    assert serve.endswith(f"logicmap serve -p {tmp_path / 'demo.db'}")
    login = tmp_path / "demo-login.txt"
    assert f"sign in as demo with the password in {login}" in sign_in
    user, password = (line.split(": ", 1)[1] for line in login.read_text().splitlines())
    assert password not in run.stdout and password not in run.stderr  # a secret is never printed
    assert os.stat(login).st_mode & 0o777 == 0o600
    with Review.open(tmp_path / "demo.db") as review:
        assert review.accounts.authenticate(user, password).role == "owner"


def test_the_demo_summary_prints_no_negative_zero():
    from logicmap.cli.demo import _two_places

    assert (_two_places(-0.004), _two_places(-0.006), _two_places(0.456)) == ("0.00", "-0.01", "0.46")
