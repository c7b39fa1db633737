"""``logicmap code`` and ``logicmap codebook`` on a project, in-process; one subprocess smoke test."""

from __future__ import annotations

import json

import pytest
from cli_helpers import invoke as run
from cli_helpers import run_cli

from logicmap.api import Review

RIS = (
    "TY  - JOUR\nTI  - Peer support and hope in psychosis: a randomised trial\n"
    "AB  - Peer workers delivered weekly groups. Participants reported more hope and "
    "better social contact than controls.\nPY  - 2019\nER  - \n\n"
    "TY  - JOUR\nTI  - Supported employment for bipolar disorder\n"
    "AB  - Individual Placement and Support raised employment rates.\nPY  - 2020\nER  - \n"
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "s.ris").write_text(RIS)
    path = tmp_path / "p.db"
    with Review.create(path) as review:
        review.records.import_files([tmp_path / "s.ris"])
        for record in (1, 2):
            review.screening.decide(record, "include", reviewer="ana", stage="title_abstract")
    return str(path)


def test_add_list_agreement_reconcile(project):
    for reviewer in ("ana", "ben"):
        run("code", "add", "1", "T01", "-p", project, "--quote", "Peer workers delivered weekly groups", "--reviewer", reviewer)
    run("code", "add", "1", "P5", "-p", project, "--quote", "more hope", "--direction", "benefit", "--reviewer", "ana")
    listed = run("code", "list", "-p", project).stdout
    assert "3 codings" in listed and "abstract[0:36]" in listed
    agreement = run("code", "agreement", "-p", project, "--reviewers", "ana,ben").stdout
    assert "typology" in agreement and "P5" in agreement
    assert "1 agreed, 0 resolved, 1 still to decide." in run("code", "reconcile", "-p", project, "--reviewers", "ana,ben").stdout


def test_refusals_name_the_problem(project):
    """The subprocess smoke test: what a user's shell sees."""
    bad = run_cli("code", "add", "1", "T01", "-p", project, "--quote", "not in the text", check=False)
    assert bad.returncode == 1 and "is not in title, abstract, fulltext" in bad.stderr
    unknown = run_cli("code", "add", "1", "X1", "-p", project, "--quote", "Peer", check=False)
    assert unknown.returncode == 1 and "'X1' is not in the project's codebook" in unknown.stderr
    assert "Traceback" not in bad.stderr + unknown.stderr


def test_suggest_for_included_studies_and_attach(project, tmp_path):
    out = tmp_path / "s.jsonl"
    run("code", "suggest", "-p", project, "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["1", "2"]
    codes = {line["id"]: {c["code"] for c in line["codes"]} for line in lines}
    assert "T01" in codes["1"] and "T07" in codes["2"]
    text = tmp_path / "full.txt"
    text.write_text("Results: employment rose to 40% at 18 months.\n")
    assert "Attached full.txt to record 2" in run("code", "attach", "2", str(text), "-p", project).stdout
    run("code", "add", "2", "OF1", "-p", project, "--quote", "employment rose to 40%", "--direction", "benefit")


def test_codebook_edits_on_the_project_carry_codings(project):
    run("code", "add", "1", "T01", "-p", project, "--quote", "Peer workers delivered weekly groups")
    renamed = run("codebook", "rename", "T01", "T01a", "-p", project)
    assert '{"mapping": {"T01": "T01a"}}' in renamed.stdout and "1 coding(s) carried" in renamed.stderr
    assert "T01a" in run("code", "list", "-p", project).stdout
    shown = run("codebook", "show", "-p", project, "--kind", "typology").stdout
    assert "T01a" in shown and "T01 " not in shown
    split = run("codebook", "split", "T01a", "--part", "T01b=Peer groups", "--part", "T01c=Peer specialists", "-p", project)
    assert "1 coding(s) still under T01a" in split.stderr
    both = run("codebook", "rename", "T02", "T02x", check=False)
    assert both.returncode == 1 and "--codebook FILE or --project P" in both.stderr
