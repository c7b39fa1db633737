"""A project's codebook and exclusion reasons from the command line: init --codebook, codebook import, exclusion-reasons."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from logicmap.api import CodebookChangeRefused, Review, ScreeningError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from cli_helpers import invoke  # noqa: E402

RIS = "TY  - JOUR\nTI  - Peer support and hope\nAU  - Smith, A.\nPY  - 2021\n" \
      "AB  - Results: Peer support raised hope in all participants.\nER  -\n"


def _project_with_codings(tmp_path, location=None) -> tuple[Path, int]:
    (tmp_path / "a.ris").write_text(RIS, encoding="utf-8")
    db = location or tmp_path / "p.db"
    with Review.create(db) as review:
        review.records.import_files([tmp_path / "a.ris"])
        rid = next(rid for rid, _ in review.records.iter())
        review.coding.add(rid, "T01", reviewer="ana", quote="Peer support")
        review.coding.add(rid, "OE1", reviewer="ana", quote="raised hope", direction="benefit")
    return db, rid


def test_init_with_an_embedded_codebook_and_a_reasons_file(tmp_path):
    (tmp_path / "reasons.txt").write_text("# ours\nnot a realist study\n\nwrong population\nother\n", encoding="utf-8")
    ran = invoke("init", tmp_path / "p.db", "--codebook", "realist-cmo", "--exclusion-reasons", tmp_path / "reasons.txt")
    assert "codebook realist-cmo (Programme strategies -> Mechanisms -> Outcomes)" in ran.stdout
    shown = invoke("codebook", "show", "-p", tmp_path / "p.db", "--json")
    assert {json.loads(line)["kind"] for line in shown.stdout.splitlines()} == {"strategy", "mechanism", "outcome",
                                                                                 "context"}
    reasons = json.loads(invoke("exclusion-reasons", "-p", tmp_path / "p.db", "--json").stdout)
    assert reasons == ["not a realist study", "wrong population", "other"]


def test_init_with_a_codebook_file_and_default_reasons(tmp_path):
    from logicmap.codebook import dumps_codebook, load_codebook

    path = tmp_path / "mine.yaml"
    path.write_text(dumps_codebook(load_codebook("logic-model")), encoding="utf-8")
    invoke("init", tmp_path / "p.db", "--codebook", path)
    with Review.open(tmp_path / "p.db") as review:
        assert review.codebook.current().chain == ("input", "activity", "output", "outcome", "impact")
        assert review.screening.exclusion_reasons()[1] == "population out of scope"  # field-neutral list
    invoke("init", tmp_path / "r.db")
    with Review.open(tmp_path / "r.db") as review:
        assert review.codebook.current().name == "recovery"
        assert review.screening.exclusion_reasons()[1] == "intervention not recovery-oriented"


def test_init_refused_creates_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format_version: 2\nname: x\ncodes:\n- {code: A, kind: a, label: A}\n", encoding="utf-8")
    ran = invoke("init", tmp_path / "p.db", "--codebook", bad, check=False)
    assert ran.returncode == 1 and "layers: missing required key 'layers'" in ran.stderr and str(bad) in ran.stderr
    ran = invoke("init", tmp_path / "p.db", "--codebook", "no-such", check=False)
    assert ran.returncode == 1 and "nor an embedded codebook" in ran.stderr
    (tmp_path / "reasons.txt").write_text("other\nother\n", encoding="utf-8")
    ran = invoke("init", tmp_path / "p.db", "--exclusion-reasons", tmp_path / "reasons.txt", check=False)
    assert ran.returncode == 1 and "without repeats" in ran.stderr
    assert not (tmp_path / "p.db").exists()


def test_codebook_list_names_the_shipped_codebooks():
    ran = invoke("codebook", "list")
    for name in ("recovery", "realist-cmo", "logic-model"):
        assert name in ran.stdout


def test_import_refuses_naming_the_codes_that_would_lose_codings(tmp_path):
    db, _ = _project_with_codings(tmp_path)
    ran = invoke("codebook", "import", "realist-cmo", "-p", db, check=False)
    assert ran.returncode == 1
    assert "OE1 (1), T01 (1)" in ran.stderr and "--map OLD=NEW" in ran.stderr and "--force" in ran.stderr
    with Review.open(db) as review:
        assert review.codebook.current().name == "recovery"  # nothing changed
    ran = invoke("codebook", "import", "realist-cmo", "-p", db, "--map", "T01=S5", "--map", "OE1=NOPE", check=False)
    assert ran.returncode == 1 and "OE1 -> NOPE" in ran.stderr


def test_import_with_a_mapping_carries_the_codings(tmp_path):
    db, rid = _project_with_codings(tmp_path)
    ran = invoke("codebook", "import", "realist-cmo", "-p", db, "--map", "T01=S5", "--map", "OE1=O4")
    assert "2 coding(s) carried" in ran.stderr and "Codebook realist-cmo in force" in ran.stdout
    with Review.open(db) as review:
        assert sorted(c.code for c in review.coding.list()) == ["O4", "S5"]
        model = review.model.build()
        assert model.graph.nodes["O4"]["kind"] == "outcome"


def test_import_with_force_keeps_the_codings_unused(tmp_path):
    db, _ = _project_with_codings(tmp_path)
    ran = invoke("codebook", "import", "logic-model", "-p", db, "--force")
    assert "2 coding(s) kept without a code in force: OE1, T01" in ran.stderr
    with Review.open(db) as review:
        assert review.codebook.current().name == "logic-model"
        assert sorted(c.code for c in review.coding.list()) == ["OE1", "T01"]
        review.codebook.replace("recovery")  # the codes are back: nothing orphaned
        assert review.codebook.orphaned(review.codebook.current()) == {}


def test_library_refusal_lists_codes_then_a_mapping_carries_them(tmp_path, project_location):
    db, _ = _project_with_codings(tmp_path, project_location)
    with Review.open(db) as review:
        with pytest.raises(CodebookChangeRefused) as info:
            review.codebook.replace("realist-cmo", mapping={"T01": "S5"})
        assert info.value.codes == {"OE1": 1}
        assert review.codebook.current().name == "recovery"
        change = review.codebook.replace("realist-cmo", mapping={"T01": "S5", "OE1": "O4"})
        assert change.carried == 2
        assert sorted(c.code for c in review.coding.list()) == ["O4", "S5"]
        assert review.codebook.current().chain == ("strategy", "mechanism", "outcome")


def test_exclusion_reasons_add_set_and_refuse_dropping_a_used_one(tmp_path):
    db, rid = _project_with_codings(tmp_path)
    invoke("exclusion-reasons", "-p", db, "--add", "wrong language")
    with Review.open(db) as review:
        assert review.screening.exclusion_reasons()[-1] == "wrong language"
        review.screening.decide(rid, "exclude", reviewer="ana", reason="wrong language")
    (tmp_path / "new.txt").write_text("not empirical\nother\n", encoding="utf-8")
    ran = invoke("exclusion-reasons", "-p", db, "--set", tmp_path / "new.txt", check=False)
    assert ran.returncode == 1 and "'wrong language'" in ran.stderr
    with Review.open(db) as review:
        assert "wrong language" in review.screening.exclusion_reasons()
        with pytest.raises(ScreeningError):
            review.screening.set_exclusion_reasons(["other"])
    (tmp_path / "new.txt").write_text("not empirical\nwrong language\nother\n", encoding="utf-8")
    ran = invoke("exclusion-reasons", "-p", db, "--set", tmp_path / "new.txt")
    assert ran.stdout.splitlines()[0].strip() == "1. not empirical"
