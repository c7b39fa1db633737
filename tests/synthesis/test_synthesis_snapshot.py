"""Snapshots are JSON-able and stable; diff lists added/removed links and grade changes."""

from __future__ import annotations

import json

from corpus_helpers import DEMO_CORPUS, codebook, corpus

from logicmap.synthesis import build_model, diff, snapshot


def test_snapshot_is_json_and_stable():
    studies = corpus(str(DEMO_CORPUS))[1]
    a = snapshot(build_model(codebook(), studies))
    b = snapshot(build_model(codebook(), list(reversed(studies))))
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert json.loads(json.dumps(a)) == a
    assert a["format"] == "logicmap-model-snapshot" and len(a["studies"]) == len(studies)


def test_diff_living_review_update():
    studies = list(corpus(str(DEMO_CORPUS))[1])
    old_studies = [s for s in studies if (s.year or 0) <= 2015]
    old = snapshot(build_model(codebook(), old_studies))
    new = build_model(codebook(), studies)
    d = diff(old, new)
    assert sorted(d.studies_added) == sorted(s.id for s in studies if s not in old_studies)
    assert not d.studies_removed
    new_keys = {(u, v) for u, v, _ in new.edges()}
    old_keys = {(e["source"], e["target"]) for e in old["edges"]}
    assert {(e["source"], e["target"]) for e in d.added} == new_keys - old_keys
    assert not d.removed  # adding studies never removes a link
    upgraded = [c for c in d.changed if c.field == "grade" and c.old == "hypothesised"]
    assert upgraded and all("upgraded" in c.describe() for c in upgraded)
    assert any(c.field == "n_studies" and c.new > c.old for c in d.changed)
    assert json.loads(json.dumps(d.to_dict()))["studies_added"] == d.studies_added
    back = diff(new, old)
    assert {(e["source"], e["target"]) for e in back.removed} == new_keys - old_keys
    assert diff(new, new).is_empty() and d.lines()
