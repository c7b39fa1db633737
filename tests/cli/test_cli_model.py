"""``logicmap model``, ``model diff`` and ``report`` on the demo project (in-process)."""

from __future__ import annotations

import json

import pytest
from cli_helpers import invoke as run

from logicmap.demo import run_demo


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return str(run_demo(tmp_path_factory.mktemp("demo")).project_path)


def test_model_filters_and_json(project):
    whole = json.loads(run("model", "-p", project, "--json").stdout)
    peer = json.loads(run("model", "-p", project, "--json", "--typology", "T01").stdout)
    assert len(peer["studies"]) < len(whole["studies"])
    assert {n["code"] for n in peer["nodes"] if n["kind"] == "typology"} == {"T01"}
    rct = json.loads(run("model", "-p", project, "--json", "--design", "RCT").stdout)
    assert 0 < len(rct["studies"]) < len(whole["studies"])
    assert "Logic model:" in run("model", "-p", project).stdout


def test_snapshot_and_diff(project):
    run("model", "-p", project, "--typology", "T01", "--snapshot", "peer-only")
    changes = run("model", "diff", "peer-only", "current", "-p", project).stdout
    assert "study added:" in changes and "change(s) from peer-only to current." in changes
    missing = run("model", "diff", "nope", "current", "-p", project, check=False)
    assert missing.returncode == 1 and "no snapshot 'nope'" in missing.stderr


def test_report_command_writes_fixed_files(project, tmp_path):
    out = tmp_path / "rep"
    result = run("report", "-p", project, "--out", str(out))
    assert "Report written:" in result.stdout
    for name in ("index.html", "logic-model.svg", "logic-model.html", "prisma.csv", "included.ris"):
        assert (out / name).is_file()
