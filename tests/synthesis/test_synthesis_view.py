"""default_view: every unsupported hypothesis plus the evidence links above a study threshold."""

from __future__ import annotations

from corpus_helpers import DEMO_CORPUS, codebook, corpus

from logicmap.synthesis import build_model, default_view


def test_threshold_rises_until_the_view_fits():
    model = build_model(codebook(), corpus(str(DEMO_CORPUS))[1])
    edges = model.edges()
    hypotheses = {(s, t) for s, t, d in edges if d["basis"] == "hypothesis"}
    whole = default_view(model, max_edges=len(edges))
    assert whole.min_studies == 1 and whole.hidden == 0 and len(whole.edges) == len(edges)
    small = default_view(model, max_edges=len(hypotheses) + 5)
    assert small.min_studies > 1 and len(small.edges) <= len(hypotheses) + 5
    assert hypotheses <= set(small.edges)
    shown = [d for s, t, d in edges if (s, t) in small and d["basis"] != "hypothesis"]
    assert all(d["n_studies"] >= small.min_studies for d in shown)
    below = [d for s, t, d in edges if (s, t) not in small]
    assert len(below) == small.hidden and all(d["n_studies"] < small.min_studies for d in below)
    # one study fewer would not fit
    assert len(hypotheses) + len(shown) + sum(d["n_studies"] == small.min_studies - 1 for d in below) > len(hypotheses) + 5
