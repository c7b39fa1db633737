"""``logicmap dedupe`` as a user runs it: run, export, review by keyboard, undo (in-process; one subprocess smoke test)."""

from __future__ import annotations

from cli_helpers import invoke as run
from cli_helpers import run_cli

import csv
import json
import sqlite3

import pytest

from logicmap.demo import DEMO_EXPORTS, demo_data_dir


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "review.db"
    run("init", str(path))
    files = [str(demo_data_dir() / name) for name in DEMO_EXPORTS]
    run("import", "-p", str(path), *files)
    return path


def test_dedupe_json_and_export(project, tmp_path):
    """The smoke test: ``logicmap dedupe`` in a subprocess."""
    out = tmp_path / "clusters.csv"
    result = run_cli("dedupe", "-p", str(project), "--export", str(out), "--json")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["records"] == 157 and summary["mode"] == "full"
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 157
    assert len({r["cluster_id"] for r in rows}) == 157 - summary["duplicates_removed"]
    again = json.loads(run_cli("dedupe", "-p", str(project), "--json").stdout.strip().splitlines()[-1])
    assert again["mode"] == "incremental" and again["new_records"] == 0


def test_review_by_keyboard_saves_each_decision(project):
    run("dedupe", "-p", str(project), "--merge-at", "0.97")
    db = sqlite3.connect(project)
    waiting = db.execute(
        "SELECT count(*) FROM dedupe_pairs WHERE machine_decision='review' AND review_decision IS NULL"
    ).fetchone()[0]
    assert waiting >= 2
    result = run("dedupe", "review", "-p", str(project), "--reviewer", "ana", stdin="d\nn\nq\n")
    assert "Pair 1 of" in result.stdout and "score" in result.stdout
    assert f"2 decision(s) saved; {waiting - 2} pair(s) still to review." in result.stdout
    decisions = db.execute(
        "SELECT review_decision, reviewer FROM dedupe_pairs WHERE review_decision IS NOT NULL ORDER BY reviewed_at"
    ).fetchall()
    assert decisions == [("duplicate", "ana"), ("distinct", "ana")]


def test_undo_from_the_command_line(project):
    run("dedupe", "-p", str(project))
    db = sqlite3.connect(project)
    cluster_id = db.execute("SELECT min(id) FROM clusters WHERE undone_at IS NULL").fetchone()[0]
    result = run("dedupe", "undo", str(cluster_id), "-p", str(project), "--reviewer", "ana")
    assert f"Cluster {cluster_id} undone" in result.stdout
    assert db.execute("SELECT undone_reason FROM clusters WHERE id=?", (cluster_id,)).fetchone() == ("undone by ana",)
    missing = run("dedupe", "undo", "99999", "-p", str(project), check=False)
    assert missing.returncode == 1 and "no cluster 99999" in missing.stderr


def test_export_deduplicated_library(project, tmp_path):
    summary = json.loads(run("dedupe", "-p", str(project), "--json").stdout.strip().splitlines()[-1])
    out = tmp_path / "unique.ris"
    result = run("export", "-p", str(project), "--format", "ris", "--output", str(out), "--deduplicated")
    unique = 157 - summary["duplicates_removed"]
    assert f"Exported {unique} records" in result.stderr
    assert out.read_text().count("\nER  - ") + out.read_text().startswith("ER  - ") == unique
