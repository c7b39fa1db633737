"""``logicmap code suggest`` and ``logicmap codebook ...`` through a throwaway Typer app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from logicmap.cli import app
from logicmap.codebook import default_codebook_text, load_codebook

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(map(str, args)))


def test_suggest_writes_one_line_per_record(tmp_path):
    src = tmp_path / "in.jsonl"
    records = [
        {"id": "a", "title": "Individual Placement and Support for people with schizophrenia", "abstract": "Employment rates were significantly higher with IPS."},
        {"id": "b", "title": "A study", "abstract": "Nothing relevant here."},
    ]
    src.write_text("\n".join(json.dumps(r) for r in records) + "\n\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("code", "suggest", "--input", src, "--output", out)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    first = lines[0]["codes"][0]
    assert set(first) == {"code", "score", "score_is_probability", "quote"} and first["code"] == "T07"
    assert first["score_is_probability"] is True  # the recovery codebook's fitted model gives probabilities
    assert all(c["quote"] in records[0]["title"] + records[0]["abstract"] for c in lines[0]["codes"])


def test_suggest_with_a_team_codebook_says_which_codes_borrow_the_recovery_model(tmp_path):
    """A team's codebook that restates the recovery one: the same study gets the team's code for
    supported employment, and the command says where those suggestions come from."""
    from pathlib import Path

    team = Path(__file__).resolve().parents[2] / "benchmarks" / "codebooks" / "new-team.yaml"
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "title": "Individual Placement and Support for people with schizophrenia",
                               "abstract": "Employment rates were significantly higher with IPS."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("code", "suggest", "--input", src, "--output", out, "--codebook", team)
    assert result.exit_code == 0, result.output
    assert "52 codes restate the recovery codebook's" in result.output
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert line["codes"][0]["code"] == "A-WORK"  # the team's code for T07


@pytest.mark.parametrize(
    "content,message",
    [
        ('{"id": "a", "title": "x"}\n{not json\n', "line 2: invalid JSON"),
        ('{"title": "x", "abstract": "y"}\n', "line 1: missing 'id'"),
        ('{"id": "a", "title": "", "abstract": "  "}\n', "line 1 (id a): empty title and abstract"),
        ('[1, 2]\n', "line 1: expected a JSON object"),
        ('{"id": "a", "title": "x"}\n{"id": "a", "title": "y"}\n', "line 2: id 'a' repeats line 1"),
        ("", "no records"),
    ],
)
def test_suggest_refuses_bad_jsonl(tmp_path, content, message):
    src = tmp_path / "bad.jsonl"
    src.write_text(content, encoding="utf-8")
    result = run("code", "suggest", "--input", src, "--output", tmp_path / "o.jsonl")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_validate_and_show(tmp_path):
    assert run("codebook", "validate").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(default_codebook_text().replace("kind: mechanism", "kind: mechanisms", 1), encoding="utf-8")
    result = run("codebook", "validate", "--codebook", bad)
    assert result.exit_code == 1 and "codes[14].kind" in result.output and "unknown kind 'mechanisms'" in result.output
    shown = run("codebook", "show", "--kind", "mechanism", "--json")
    assert [json.loads(x)["code"] for x in shown.output.splitlines()] == ["M1", "M2", "M3", "M4"]
    assert run("codebook", "show", "--kind", "gizmo").exit_code == 1


def test_edits_write_back_and_print_mappings(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(default_codebook_text(), encoding="utf-8")
    result = run("codebook", "rename", "--codebook", path, "T99", "T14")
    assert result.exit_code == 0 and json.loads(result.output) == {"mapping": {"T99": "T14"}}
    result = run("codebook", "merge", "--codebook", path, "OE1", "--into", "OE4")
    assert json.loads(result.output) == {"mapping": {"OE1": "OE4"}}
    result = run("codebook", "split", "--codebook", path, "T11", "--part", "T11a=Arts", "--part", "T11b=Sport")
    assert json.loads(result.output) == {"mapping": {"T11": ["T11a", "T11b"]}}
    result = run("codebook", "add", "--codebook", path, "--code", "T15", "--kind", "typology", "--label", "Spiritual care", "--term", "spiritual*")
    assert result.exit_code == 0, result.output
    cb = load_codebook(path)
    assert {"T14", "T11a", "T11b", "T15"} <= {c.code for c in cb.codes} and "OE1" not in cb
    refused = run("codebook", "add", "--codebook", path, "--code", "T15", "--kind", "typology", "--label", "x")
    assert refused.exit_code == 1 and "duplicate code 'T15'" in refused.output
    refused = run("codebook", "rename", "--codebook", path, "NOPE", "X")
    assert refused.exit_code == 1 and "no code 'NOPE'" in refused.output
