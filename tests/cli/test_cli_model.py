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
    page = (tmp_path / "rep" / "logic-model.html").read_text(encoding="utf-8")
    page_data = json.loads(page.split('<script id="lm-data" type="application/json">')[1].split("</script>")[0])
    assert page_data["context"] == reported[:2]  # the saved profile comes ticked in the page
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


@pytest.fixture()
def unlinked(project, tmp_path):
    """A copy of the demo project whose coded links of two studies are withdrawn (so they are suggested)."""
    import shutil

    from logicmap.api import Review

    path = str(tmp_path / "copy.db")
    shutil.copy(project, path)
    with Review.open(path) as review:
        links = [c for c in review.coding.list() if c.target_code]
        records = sorted({c.record_id for c in links})[:2]
        for c in links:
            if c.record_id in records:
                review.coding.undo(c.id)
    return path


def test_link_suggestions_are_accepted_and_rejected(unlinked):
    from logicmap.api import Review

    listed = [json.loads(line) for line in run("model", "suggestions", "-p", unlinked, "--json").stdout.splitlines()]
    assert len(listed) >= 2 and all(s["id"] == f"{s['record']}:{s['source']}:{s['target']}" for s in listed)
    printed = run("model", "suggestions", "-p", unlinked).stdout
    assert listed[0]["id"] in printed and "to review" in printed
    keep, drop = listed[0], listed[1]
    accepted = run("model", "accept", keep["id"], "-p", unlinked, "--reviewer", "ana")
    assert "Accepted 1 link suggestion as coded links" in accepted.stdout
    run("model", "reject", drop["id"], "-p", unlinked)
    with Review.open(unlinked) as review:
        coded = [c for c in review.coding.list() if c.target_code and c.reviewer == "ana"]
        assert [(str(c.record_id), c.code, c.target_code, c.quote) for c in coded] == \
            [(keep["record"], keep["source"], keep["target"], keep["quote"])]
        assert review.model.rejected() == [drop["id"]]
        edge = review.model.build().graph.edges[keep["source"], keep["target"]]
        assert any(s.study_id == keep["record"] and s.basis == "explicit" for s in edge["studies"])
    again = {s["id"] for s in map(json.loads, run("model", "suggestions", "-p", unlinked, "--json").stdout.splitlines())}
    assert keep["id"] not in again and drop["id"] not in again and len(again) == len(listed) - 2


def test_bad_suggestion_ids_change_nothing(unlinked):
    from logicmap.api import Review

    listed = [json.loads(line) for line in run("model", "suggestions", "-p", unlinked, "--json").stdout.splitlines()]
    bad = run("model", "accept", listed[0]["id"], "9999:T01:OE1", "-p", unlinked, check=False)
    assert bad.returncode == 1 and "9999:T01:OE1" in bad.stderr and "nothing was changed" in bad.stderr
    bad = run("model", "reject", "nonsense", "-p", unlinked, check=False)
    assert bad.returncode == 1 and "nonsense" in bad.stderr and "Traceback" not in bad.stderr
    with Review.open(unlinked) as review:
        assert review.model.rejected() == [] and len(review.model.suggestions()) == len(listed)


def test_moderator_codings_take_strengthens_or_weakens(unlinked):
    from logicmap.api import Review
    from logicmap.errors import CodingError

    with Review.open(unlinked) as review:
        study = next(c for c in review.coding.list() if c.code.startswith("DE") and c.quote)
        rid, quote = study.record_id, study.quote
    run("code", "add", str(rid), study.code, "-p", unlinked, "--quote", quote, "--direction", "weakens",
        "--reviewer", "ana")
    bad = run("code", "add", str(rid), study.code, "-p", unlinked, "--quote", quote, "--direction", "benefit",
              "--reviewer", "ana", check=False)
    assert bad.returncode == 1 and "strengthens, weakens" in bad.stderr
    bad = run("code", "add", str(rid), "OE1", "-p", unlinked, "--quote", quote, "--direction", "weakens",
              "--reviewer", "ana", check=False)
    assert bad.returncode == 1 and "not one of benefit" in bad.stderr
    with Review.open(unlinked) as review:
        with pytest.raises(CodingError):
            review.coding.add(rid, "T01", target_code="OE1", quote=quote, direction="strengthens", reviewer="ana")
    with Review.open(unlinked) as review:
        model = review.model.build()
        found = [c for _, _, d in model.edges() for c in d["moderators"] if c.study_id == str(rid) and c.code == study.code]
        assert found and any(c.effect == "weakens" for c in found)
        profile = review.model.context([study.code], model)
        assert any(c.effect == "weakens" and c.study_id == str(rid) for link in profile.links for c in link.conditions)


def test_static_figure_at_paper_sizes(project, tmp_path):
    from lxml import etree

    a4 = run("model", "-p", project, "--svg", str(tmp_path / "a4.svg"), "--svg-size", "a4").stdout
    assert "Figure written on 4 A4 pages, one per pair of columns" in a4 and ", legible)." in a4, a4
    assert "on one page its smallest text would print at 7.7 px" in a4
    assert sorted(p.name for p in tmp_path.glob("a4*.svg")) == [f"a4-{i}.svg" for i in range(1, 5)]
    first = etree.parse(str(tmp_path / "a4-1.svg")).getroot()
    assert "page 1 of 4: Interventions → Mechanisms" in "".join(first.itertext())
    a3 = run("model", "-p", project, "--svg", str(tmp_path / "a3.svg"), "--svg-size", "a3").stdout
    assert "A3 portrait; smallest text prints at" in a3 and ", legible)." in a3 and (tmp_path / "a3.svg").exists()
    poster = run("model", "-p", project, "--svg", str(tmp_path / "p.svg"), "--svg-size", "poster",
                 "--view", "pathway:T01").stdout
    assert "A0 poster" in poster and ", legible)." in poster
    root = etree.parse(str(tmp_path / "p.svg")).getroot()
    assert root.get("width").endswith("mm") and "Pathway from T01" in "".join(root.itertext())
    before = run("model", "-p", project, "--json").stdout
    bad = run("model", "-p", project, "--svg", str(tmp_path / "x.svg"), "--view", "pathway:T77",
              "--snapshot", "never", check=False)
    assert bad.returncode == 1 and "no view 'pathway:T77'" in bad.stderr and not (tmp_path / "x.svg").exists()
    assert "no snapshot 'never'" in run("model", "diff", "never", "current", "-p", project, check=False).stderr
    assert run("model", "-p", project, "--json").stdout == before
    bad = run("model", "-p", project, "--svg", str(tmp_path / "x.svg"), "--svg-size", "a5", check=False)
    assert bad.returncode == 1 and "a4, a3 or poster" in bad.stderr
