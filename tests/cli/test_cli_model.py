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


def test_default_model_has_pathway_bases_only(project):
    whole = json.loads(run("model", "-p", project, "--json").stdout)
    assert whole["edges"] and {e["basis"] for e in whole["edges"]} <= {"explicit", "chain", "hypothesis"}
    assert {"explicit", "chain"} <= {e["basis"] for e in whole["edges"]}
    kinds = {n["code"]: n["kind"] for n in whole["nodes"]}
    assert not any(kinds[e["source"]] == "moderator" for e in whole["edges"])
    more = json.loads(run("model", "-p", project, "--json", "--cooccurrence").stdout)
    assert "co-occurrence" in {e["basis"] for e in more["edges"]} and len(more["edges"]) > len(whole["edges"])


def test_context_profile_is_printed_saved_and_reported(project, tmp_path):
    whole = json.loads(run("model", "-p", project, "--json").stdout)
    reported = sorted({m["code"] for e in whole["edges"] for m in e["moderators"]})
    assert reported  # the demo's studies report moderators on their links
    codes = ",".join(reported[:2])
    data = json.loads(run("model", "-p", project, "--json", "--context", codes).stdout)
    assert data["context"]["codes"] == reported[:2] and data["context"]["links"]
    assert all(c["code"] in reported[:2] for link in data["context"]["links"] for c in link["conditions"])
    printed = run("model", "-p", project, "--context", codes).stdout
    assert "Your context" in printed and "saved for the report" in printed
    run("report", "-p", project, "--out", str(tmp_path / "rep"))
    index = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert 'id="context"' in index and data["context"]["links"][0]["conditions"][0]["citation"] in index
    bad = run("model", "-p", project, "--context", "T01", check=False)
    assert bad.returncode == 1 and "not a moderator" in bad.stderr


def test_a_saved_context_code_no_longer_in_the_codebook_is_left_out(project, tmp_path):
    from logicmap.api import Review

    run("model", "-p", project, "--context", "DE5,DS3")
    run("codebook", "rename", "DS3", "DS9", "-p", project)
    with Review.open(project) as review:
        assert review.model.saved_context() == ("DE5",)
    run("codebook", "rename", "DS9", "DS3", "-p", project)
    assert "Report written:" in run("report", "-p", project, "--out", str(tmp_path / "rep")).stdout
