"""The embedding suggester: verbatim quotes from findings, abstention, learning from reviewers,
least-sure ordering, the shipped defaults, and the default install without torch.

Most tests use a small hashed bag-of-words encoder (an :data:`Encoder` like MiniLM's: unit
vectors, one per text) so they run without the ``[embed]`` extra; one test uses MiniLM itself and
skips when the extra is absent.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from logicmap.codebook import load_codebook
from logicmap.coding.evaluate import gold_codes
from logicmap.coding.feedback import Feedback, feedback_from_labels
from logicmap.coding.semantic_model import SemanticModel, default_model
from logicmap.coding.text import tokens

CB = load_codebook()
DEMO = Path(__file__).resolve().parents[2] / "src" / "logicmap" / "demo" / "data" / "corpus.jsonl"
RECORDS = [r for r in map(json.loads, DEMO.read_text(encoding="utf-8").splitlines()) if r["label"]["include"]]


def hashed_encoder(texts):
    """Unit vectors of hashed word stems (256 dimensions): similar wording, similar vectors."""
    out = np.zeros((len(texts), 256), dtype=np.float32)
    for i, text in enumerate(texts):
        for tok in tokens(text):
            out[i, int(hashlib.md5(tok.stem.encode()).hexdigest(), 16) % 256] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


def _fitted(records=RECORDS[:30], **kwargs) -> SemanticModel:
    feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in records}, CB)
    return SemanticModel(CB, hashed_encoder, seed=0, **kwargs).fit(records, feedback)


def test_quotes_are_verbatim_and_findings_are_quoted_for_outcomes():
    model = _fitted()
    record = {"id": "x", "title": "Peer support and hope",
              "abstract": "Background: Hope is central to recovery. Methods: Hope was measured with the Herth Hope "
                          "Index. Results: Peer support participants reported significantly greater hope than "
                          "controls. Conclusions: Peer support may foster hope."}
    suggestions = model.suggest([record] + RECORDS[30:40])
    by_id = {r["id"]: r for r in [record] + RECORDS[30:40]}
    assert suggestions
    for s in suggestions:
        assert s.quote and by_id[s.record_id][s.field][s.start : s.end] == s.quote
    hope = [s for s in suggestions if s.record_id == "x" and s.code == "OE1"]
    assert hope, [s.code for s in suggestions if s.record_id == "x"]
    assert hope[0].quote.startswith("Peer support participants reported")  # the results sentence, heading stripped
    assert "T01" in [s.code for s in suggestions if s.record_id == "x"]


def test_an_outcome_or_process_only_cited_from_other_work_is_not_suggested():
    model = _fitted()
    cited = {"id": "c", "title": "Peer support and hope",
             "abstract": "Background: Peer support has been shown to increase hope in people with mental illness. "
                         "Methods: We interviewed ten peer support workers about their training. "
                         "Results: Workers described their training needs and supervision. "
                         "Conclusions: Training should be planned with workers."}
    found = dict(cited, id="f", abstract=cited["abstract"].replace(
        "Results: Workers described their training needs and supervision.",
        "Results: Participants reported significantly greater hope after peer support."))
    got = model.suggest([cited, found])
    assert model.builder.views([cited])[0].roles[1] == "background"  # the sentence naming hope
    findings = [(s.code, s.quote) for s in got if s.record_id == "c" and s.kind in ("outcome", "process")]
    assert findings == []  # without the rule: P5 quoting "Peer support has been shown to increase hope ..."
    assert "OE1" in [s.code for s in got if s.record_id == "f"]
    assert "T01" in [s.code for s in got if s.record_id == "c"]  # interventions may still be named anywhere
    counted = dict(model.least_sure([cited, found]))
    model.finding_roles = ()
    every = dict(model.least_sure([cited, found]))
    assert counted["c"] < every["c"]  # what the record only cites is never suggested: not counted as unsure


def test_a_long_sentence_is_quoted_where_it_names_the_code():
    from tests.coding.test_key_terms import LONG

    got = [s for s in _fitted().suggest([LONG]) if s.code == "OS3"]
    assert got and "self-stigma" in got[0].quote and not got[0].quote.startswith("Participants"), got
    assert LONG["abstract"][got[0].start:got[0].end] == got[0].quote


def test_abstains_below_thresholds_on_unrelated_text():
    model = _fitted()
    record = {"id": "y", "title": "Corrosion of steel pipes in seawater",
              "abstract": "We measured corrosion rates of steel pipes. Rates rose with salinity."}
    codes = [s.code for s in model.suggest([record])]
    kinds = {CB[c].kind for c in codes}
    assert kinds <= {"typology"}  # the intervention layer always names its best code; the rest abstain
    assert len(codes) <= 1


def test_learns_from_rejections():
    records = RECORDS[:30]
    base = _fitted(records)
    labels = {r["id"]: gold_codes(r["label"]) for r in records}
    feedback = feedback_from_labels(labels, CB)
    # reviewers accepted OE1 (hope) wherever it was suggested... then rejected it everywhere
    rejected = [Feedback(f.record_id, f.code, False if f.code == "OE1" else f.accepted) for f in feedback]
    taught = SemanticModel(CB, hashed_encoder, seed=0).fit(records, rejected)
    j = base.codes.index("OE1")
    views = base.builder.views(RECORDS[30:45])
    before = base.proba_views(views)[:, j]
    after = taught.proba_views(views)[:, j]
    assert after.mean() < before.mean()


def test_reviewer_quotes_become_examples():
    records = RECORDS[:30]
    feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in records}, CB)
    evidence = [(r["id"], o["code"], o["quote"]) for r in records for o in r["label"]["outcomes"]]
    model = SemanticModel(CB, hashed_encoder, seed=0).fit(records, feedback, evidence)
    proto = model.codes.index(evidence[0][1])
    views = model.builder.views(RECORDS[30:35])
    model.proba_views(views)
    from logicmap.coding.semantic_features import FEATURES

    assert any(v.features[proto, FEATURES.index("sim_proto")] > 0 for v in views)
    own = model.builder.views([records[0]])
    model.proba_views(own)  # a record's own quotes never count as its examples
    own_codes = {c for rid, c, _ in evidence if rid == records[0]["id"]}
    others = {c for rid, c, _ in evidence if rid != records[0]["id"]}
    for code in own_codes - others:
        assert own[0].features[model.codes.index(code), FEATURES.index("sim_proto")] == 0


def test_least_sure_orders_every_record():
    model = _fitted()
    ranked = model.least_sure(RECORDS[30:40])
    assert sorted(rid for rid, _ in ranked) == sorted(r["id"] for r in RECORDS[30:40])
    scores = [u for _, u in ranked]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_shipped_defaults_load_for_codebooks_with_and_without_terms():
    with_terms = default_model(CB, hashed_encoder)
    assert set(with_terms.roles) >= {"typology", "outcome", "mechanism", "process", "moderator"}
    bare = replace(CB, codes=tuple(replace(c, terms=()) for c in CB.codes))
    without = default_model(bare, hashed_encoder)
    assert without.roles["typology"].coef.tolist() != with_terms.roles["typology"].coef.tolist()
    for s in without.suggest(RECORDS[:5]):
        assert s.quote
    realist = load_codebook(Path(__file__).resolve().parents[2] / "src" / "logicmap" / "codebook" / "realist-cmo.yaml")
    for s in default_model(realist, hashed_encoder).suggest(RECORDS[:3]):
        assert s.code in realist


def test_default_install_imports_no_torch():
    code = ("import sys, logicmap.api, logicmap.coding.semantic_model, logicmap.review.coding; "
            "print(any(m in sys.modules for m in ('torch', 'sentence_transformers')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_terms_fallback_when_asked(monkeypatch, tmp_path):
    from logicmap.review.coding import semantic_suggestions, suggest_file

    monkeypatch.setenv("LOGICMAP_SUGGESTER", "terms")
    assert semantic_suggestions() is False
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps({k: r[k] for k in ("id", "title", "abstract")}) + "\n" for r in RECORDS[:3]))
    batch = suggest_file(path)
    assert batch.suggestions and all(s.quote for s in batch.suggestions)


def test_minilm_default_suggests_peer_support():
    from logicmap.screening.embeddings import EmbeddingFeatures

    model = default_model(CB, EmbeddingFeatures().transform)
    record = {"id": "p", "title": "A randomised trial of peer support for people with psychosis",
              "abstract": "Methods: 200 adults were randomised to peer support or usual care. Results: Peer "
                          "support participants reported greater hope and empowerment at 12 months."}
    suggestions = model.suggest([record])
    codes = [s.code for s in suggestions]
    assert codes[0] == "T01"
    assert all(record[s.field][s.start : s.end] == s.quote for s in suggestions)


def test_codebook_without_term_lists_is_matched_on_its_own_words():
    from logicmap.coding.semantic_features import FEATURES, FeatureBuilder, own_terms

    t11 = replace(CB["T11"], terms=())
    terms = own_terms(t11)
    assert "horticultur*" in terms and "photovoic*" in terms and "Creative" in terms  # include note split, long words opened
    assert all(len(t.split()) <= 4 for t in terms)
    bare = replace(CB, codes=tuple(replace(c, terms=()) for c in CB.codes))
    builder = FeatureBuilder(bare, hashed_encoder)
    record = {"id": "h", "title": "Value of edible horticultural therapy for people with schizophrenia",
              "abstract": "Participants tended vegetable gardens weekly."}
    view = builder.views([record])[0]
    column = FEATURES.index("terms")
    assert view.features[CB.codes.index(CB["T11"]), column] > 0
    assert view.features[CB.codes.index(CB["T07"]), column] == 0


def test_adapting_the_shipped_weights_moves_a_rejected_code_down_only():
    from logicmap.coding.semantic_adapt import adapt, code_offset

    assert code_offset(np.zeros(4), np.zeros(4)) < 0 < code_offset(np.zeros(4), np.ones(4))
    assert abs(code_offset(np.zeros(40), np.zeros(40))) > abs(code_offset(np.zeros(4), np.zeros(4)))
    records = RECORDS[:20]
    feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in records}, CB)
    rejected = [Feedback(f.record_id, f.code, False if f.code == "OE1" else f.accepted) for f in feedback]
    shipped = default_model(CB, hashed_encoder)
    views = shipped.builder.views(RECORDS[30:45])
    before = shipped.proba_views(views)
    taught = adapt(default_model(CB, hashed_encoder), records, rejected)
    after = taught.proba_views(views)
    j = shipped.codes.index("OE1")
    assert (after[:, j] < before[:, j]).all()
    assert taught.roles["typology"].coef.tolist() == shipped.roles["typology"].coef.tolist()
