"""The suggester for a codebook the package has never seen: no weights fitted on any code, per-layer
ranking of standardised similarities with shipped constants, learning offsets from reviewers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from logicmap.codebook import load_codebook
from logicmap.coding.evaluate import gold_codes
from logicmap.coding.feedback import feedback_from_labels
from logicmap.coding.semantic_adapt import adapt, standardise
from logicmap.coding.aligned import AlignedModel
from logicmap.coding.semantic_model import SemanticModel, default_model
from logicmap.coding.semantic_rank import CUTS, RankModel, Rule, select, tune, tuning_sets, writing_styles
from tests.coding.test_semantic_suggest import RECORDS, hashed_encoder

ROOT = Path(__file__).resolve().parents[2]
NEW_TEAM = ROOT / "benchmarks" / "codebooks" / "new-team.yaml"


def unseen_model(book):
    """The ranking model ``default_model`` builds for ``book`` (an aligned model's fallback when some of
    its codes restate the recovery codebook's: :mod:`logicmap.coding.aligned`)."""
    model = default_model(book, hashed_encoder)
    return model.fallback if isinstance(model, AlignedModel) else model


def test_unseen_codebooks_get_the_ranking_model_and_the_recovery_codebook_its_fitted_weights():
    recovery = load_codebook()
    assert type(default_model(recovery, hashed_encoder)) is SemanticModel
    for book in (load_codebook(NEW_TEAM), load_codebook("realist-cmo"), load_codebook("chime"),
                 replace(recovery, codes=tuple(replace(c, label=c.label + " (ours)") for c in recovery.codes))):
        model = unseen_model(book)
        assert isinstance(model, RankModel), book.name
        assert set(model.rules) >= set(model.role_of.tolist())
    relabelled = default_model(book, hashed_encoder)  # the recovery codebook under other labels restates it
    assert isinstance(relabelled, AlignedModel) and len(relabelled.pairs) == len(recovery.codes)


def test_new_team_codebook_suggests_verbatim_quotes_one_intervention_at_least():
    book = load_codebook(NEW_TEAM)
    model = standardise(default_model(book, hashed_encoder), RECORDS[:40])
    suggestions = model.suggest(RECORDS[40:50])
    by_id = {r["id"]: r for r in RECORDS[40:50]}
    for s in suggestions:
        assert by_id[s.record_id][s.field][s.start : s.end] == s.quote and s.quote
    for r in RECORDS[40:50]:
        kinds = [book[s.code].kind for s in suggestions if s.record_id == r["id"]]
        assert 1 <= kinds.count("approach") <= 2  # the intervention layer always names its best code


def test_select_keeps_top_k_within_margin_above_the_cut():
    S = np.array([[3.0, 2.5, 0.5, 2.9], [0.1, 0.2, 0.0, -1.0]])
    rule = Rule((1.0,), cut=1.0, k=2, margin=0.3)
    assert select(S, rule, typology=False).tolist() == [[True, False, False, True], [False] * 4]
    assert select(S, rule, typology=True).tolist() == [[True, False, False, True], [False, True, False, False]]


def test_tuning_picks_constants_that_beat_a_blind_rule_on_its_own_records():
    book = replace(load_codebook(), codes=tuple(replace(c, terms=()) for c in load_codebook().codes))
    records = RECORDS[:30]
    assert len(writing_styles(book)) == 3 and not writing_styles(book)[1].codes[0].examples
    sets = tuning_sets(book, hashed_encoder, records, lambda r: set(gold_codes(r["label"])))
    model = RankModel(book, hashed_encoder, {})
    rules = tune(sets[:1], model.role_of)
    assert rules["typology"].k == 2 and rules["outcome"].cut in CUTS

    def micro(rules):
        m = RankModel(book, hashed_encoder, rules)
        m.set_stats(sets[0][0])
        pred = {r["id"]: set() for r in records}
        for s in m.suggest(records):
            pred[s.record_id].add(s.code)
        tp = sum(len(pred[r["id"]] & set(gold_codes(r["label"]))) for r in records)
        return tp / max(1, sum(map(len, pred.values())))

    blind = {role: Rule(rules[role].weights, cut=-1.0, k=4, margin=99.0) for role in rules}
    assert micro(rules) > micro(blind)


def test_reviewer_rejections_lower_a_code_of_the_ranking_model():
    book = load_codebook(NEW_TEAM)
    records = RECORDS[:20]
    model = standardise(unseen_model(book), records)
    before = {(s.record_id, s.code) for s in model.suggest(records)}
    code = next(c for _, c in sorted(before) if book[c].kind == "result")
    rejected = [f for f in feedback_from_labels({r["id"]: [] for r in records}, book) if f.code == code]
    assert rejected and not any(f.accepted for f in rejected)
    after = adapt(model, records, rejected)
    after_model = after
    assert after_model.roles["outcome"].code_coef[model.codes.index(code)] < 0
    assert sum(c == code for _, c in {(s.record_id, s.code) for s in after.suggest(records)}) < \
        sum(c == code for _, c in before)


def test_feedback_prototypes_come_from_the_projects_own_sentences_for_the_intervention_layer_only():
    from logicmap.coding import semantic_features as features

    book = load_codebook(NEW_TEAM)
    builder = features.FeatureBuilder(book, hashed_encoder)
    own = len(builder.vectors.owner)
    before = builder.views(RECORDS[:40])
    assert features.FEEDBACK_SENTENCES > 0 and builder.adapt_to(before)
    added = builder.vectors.owner[own:]
    approach = builder.kind_cols["approach"]
    assert len(added) == len(approach) and set(added.tolist()) == set(approach.tolist())
    after = builder.views(RECORDS[:40])
    others = np.setdiff1d(np.arange(len(builder.codes)), approach)
    for b, a in zip(before, after):
        assert np.allclose(b.sims[:, others], a.sims[:, others])  # other layers keep their descriptions
        assert (a.sims[:, approach] >= b.sims[:, approach] - 1e-6).all()
    assert any((a.sims[:, approach] > b.sims[:, approach] + 1e-3).any() for b, a in zip(before, after))
    assert not builder.adapt_to(after)  # once per model: the prototypes are not fed back on themselves


def test_a_kept_standardised_model_suggests_as_a_fresh_one_and_is_a_copy():
    """The coding page keeps a codebook's standardised model (a second a page at 58 studies): a kept
    copy suggests exactly what a freshly standardised model does, and changing one copy (reviewers'
    decisions adapt it) leaves the next copy as it was."""
    from logicmap.coding import standardised as kept
    from logicmap.coding.standardised import standardised

    book, studies, records = load_codebook("chime"), RECORDS[:40], RECORDS[40:50]
    fresh = standardise(default_model(book, hashed_encoder), studies).suggest(records)
    kept._kept.clear()
    first = standardised(default_model(book, hashed_encoder), studies, book, hashed_encoder)
    assert len(kept._kept) == 1
    second = standardised(default_model(book, hashed_encoder), studies, book, hashed_encoder)
    assert second is not first and second.builder.encode is hashed_encoder
    assert second.suggest(records) == fresh
    code = fresh[0].code
    rejected = [f for f in feedback_from_labels({r["id"]: [] for r in records}, book) if f.code == code]
    adapt(second, records, rejected)
    assert second.suggest(records) != fresh  # the rejections moved this copy
    third = standardised(default_model(book, hashed_encoder), studies, book, hashed_encoder)
    assert third.suggest(records) == fresh
    assert standardised(default_model(book, hashed_encoder), studies[:39], book, hashed_encoder) is not None
    assert len(kept._kept) == 2  # other studies: standardised again


def test_a_kept_model_keyed_by_a_version_reads_the_studies_only_to_build_it():
    from logicmap.coding import standardised as kept
    from logicmap.coding.standardised import standardised

    book, studies, records = load_codebook("chime"), RECORDS[:40], RECORDS[40:50]
    reads = []

    def read():
        reads.append(1)
        return studies

    kept._kept.clear()
    first = standardised(default_model(book, hashed_encoder), read, book, hashed_encoder, version="v1")
    again = standardised(default_model(book, hashed_encoder), read, book, hashed_encoder, version="v1")
    assert len(reads) == 1 and again.suggest(records) == first.suggest(records)
    standardised(default_model(book, hashed_encoder), read, book, hashed_encoder, version="v2")
    assert len(reads) == 2 and len(kept._kept) == 2
