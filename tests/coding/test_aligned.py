"""Codebooks that restate the recovery codebook in their own words borrow its fitted model, code by
code; codebooks about other concepts are left to the model for unseen codebooks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from logicmap.codebook import load_codebook
from logicmap.coding.aligned import AlignedModel, align
from logicmap.coding.feedback import feedback_from_labels
from logicmap.coding.semantic_adapt import standardise
from logicmap.coding.semantic_model import default_model
from logicmap.coding.semantic_rank import RankModel
from logicmap.screening.embeddings import EmbeddingFeatures
from tests.coding.test_semantic_suggest import RECORDS, hashed_encoder
from tests.support import benchmark_module

TEAMS = Path(__file__).resolve().parents[2] / "benchmarks" / "codebooks"
#: The benchmarks' team codebooks rewritten as other teams would shape them (``benchmarks/new_team.py``).
TEAM_VARIANTS = benchmark_module("new_team")


@pytest.fixture(scope="module")
def minilm():
    """The sentence encoder every install has (all-MiniLM-L6-v2 on numpy)."""
    return EmbeddingFeatures(backend="numpy").transform


def relabelled(book, suffix=" (ours)"):
    return replace(book, codes=tuple(replace(c, label=c.label + suffix) for c in book.codes))


@pytest.mark.parametrize("team", ["new-team", "second-team"])
def test_team_codebooks_align_code_for_code_with_the_codes_they_stand_for(minilm, team):
    """Written in other words (own layers, ids, labels, definitions), every code pairs with the
    recovery code its scoring map names: an assignment that could go wrong in 52 places."""
    truth = yaml.safe_load((TEAMS / f"{team}-map.yaml").read_text(encoding="utf-8"))
    assert align(load_codebook(TEAMS / f"{team}.yaml"), load_codebook(), minilm) == truth


@pytest.mark.parametrize("name", ["chime", "realist-cmo", "logic-model"])
def test_codebooks_about_other_concepts_align_nothing(minilm, name):
    book = load_codebook(name)
    assert align(book, load_codebook(), minilm) == {}
    assert isinstance(default_model(book, minilm), RankModel)


FOREIGN = ["Tonnes of freight moved by rail", "Kilowatt hours of solar power sold", "Hectares of wheat harvested",
           "Number of bridges inspected", "Litres of milk exported", "Miles of road resurfaced",
           "Patents filed by universities", "Container ships unloaded at port", "Barrels of crude oil refined",
           "Tickets sold for football matches", "Cargo flights landed", "Vineyards certified organic",
           "Fishing boats licensed"]


def foreign_outcomes(book):
    """``book`` with its outcome codes about something else entirely (labels only, no definitions)."""
    names = iter(FOREIGN)
    return replace(book, links=(), codes=tuple(
        replace(c, label=next(names), definition="", include="", exclude="", examples=())
        if c.kind == "outcome" else c for c in book.codes))


def test_a_layer_missing_a_code_still_aligns_code_for_code(minilm):
    """A team that leaves a code out (12 outcomes against 13) keeps the recovery model for the
    other 12: a layer no longer has to match code for code to align."""
    recovery = load_codebook()
    dropped = next(c.code for c in recovery.codes if c.kind == "outcome")
    book = relabelled(replace(recovery, links=(), codes=tuple(c for c in recovery.codes if c.code != dropped)))
    pairs = align(book, recovery, minilm)
    assert pairs == {c.code: c.code for c in book.codes}


def test_a_layer_about_other_concepts_falls_back_while_the_others_align(minilm):
    recovery = load_codebook()
    book = foreign_outcomes(relabelled(recovery))
    pairs = align(book, recovery, minilm)
    assert not any(book[c].kind == "outcome" for c in pairs)
    assert {book[c].kind for c in pairs} == {"typology", "mechanism", "process", "moderator"}
    assert all(mine == theirs for mine, theirs in pairs.items())


def test_least_sure_counts_each_code_once_with_the_model_that_suggests_it():
    """With the outcome layer left to the fallback, a study's uncertainty is the reference model's
    over the aligned codes plus the fallback's over the outcomes only, not over every code."""
    book = foreign_outcomes(relabelled(load_codebook()))
    model = standardise(default_model(book, hashed_encoder), RECORDS[:40])
    assert isinstance(model, AlignedModel) and 0 < len(model.pairs) < len(book.codes)
    records = RECORDS[40:50]
    outcomes = {c.code for c in book.codes if c.kind == "outcome"}
    mine = dict(model.reference.least_sure(records, codes=set(model.pairs.values())))
    left = dict(model.fallback.least_sure(records, codes=outcomes))
    everything = dict(model.fallback.least_sure(records))
    ranked = model.least_sure(records)
    assert [rid for rid, _ in ranked] == sorted(mine, key=lambda r: (-(mine[r] + left[r]), r))
    assert all(score == pytest.approx(mine[rid] + left[rid]) for rid, score in ranked)
    assert all(left[rid] < everything[rid] for rid, _ in ranked)


def test_scores_say_which_are_probabilities_and_which_only_rank():
    """Aligned codes take the fitted model's probabilities; the fallback's ranking scores are marked
    as such, so a page showing both does not put them on one scale."""
    book = foreign_outcomes(relabelled(load_codebook()))
    model = standardise(default_model(book, hashed_encoder), RECORDS[:40])
    got = model.suggest(RECORDS[40:60])
    mixed = {(s.code in model.pairs, s.score_is_probability) for s in got}
    assert mixed == {(True, True), (False, False)}, mixed
    assert all(s.to_dict()["score_is_probability"] == s.score_is_probability for s in got)


def test_aligned_suggestions_are_the_recovery_models_translated():
    recovery = load_codebook()
    book = replace(recovery, links=(), codes=tuple(replace(c, code=f"X-{c.code}", label=c.label + " (ours)")
                                                   for c in recovery.codes))
    model = default_model(book, hashed_encoder)
    assert isinstance(model, AlignedModel) and len(model.pairs) == len(recovery.codes)
    records = RECORDS[40:50]
    expected = [(s.record_id, f"X-{s.code}", s.quote, s.start) for s in default_model(recovery, hashed_encoder).suggest(records)]
    got = standardise(model, RECORDS[:40]).suggest(records)
    assert sorted((s.record_id, s.code, s.quote, s.start) for s in got) == sorted(expected)
    assert all(s.kind == book[s.code].kind for s in got)
    assert [s.record_id for s in got] == sorted((s.record_id for s in got), key=[r["id"] for r in records].index)


def test_with_every_code_aligned_the_fallback_is_not_standardised():
    """A codebook whose every code aligns needs no statistics from the project's studies: the
    fallback would serve no code, so standardising on them (a second per coding page) is skipped."""
    book = relabelled(load_codebook())
    model = default_model(book, hashed_encoder)
    assert isinstance(model, AlignedModel) and not model.left
    assert model.stats is not None and model.fallback.stats is None
    assert standardise(model, RECORDS[:40]).fallback.stats is None
    assert model.suggest(RECORDS[40:45])  # the reference's suggestions, translated


def test_reviewer_rejections_of_an_aligned_code_teach_the_recovery_model():
    book = relabelled(load_codebook())
    model = default_model(book, hashed_encoder)
    assert isinstance(model, AlignedModel)
    records = RECORDS[:20]
    before = [(s.record_id, s.code) for s in model.suggest(records)]
    code = next(c for _, c in before if book[c].kind == "outcome")
    rejected = [f for f in feedback_from_labels({r["id"]: [] for r in records}, book) if f.code == code]
    after = model.adapted(records, rejected)
    assert after.reference.roles["outcome"].code_coef[after.reference.codes.index(model.pairs[code])] < 0
    assert sum(c == code for _, c in {(s.record_id, s.code) for s in after.suggest(records)}) < \
        sum(c == code for _, c in set(before))


def test_a_project_with_a_team_codebook_gets_recovery_knowledge_and_learns(tmp_path):
    """Through the library API with the encoder a plain install has: suggestions in the team's own
    codes, the least sure study first, and reviewers' own codes adapt the borrowed model."""
    from logicmap.api import Review

    studies = RECORDS[:12]
    (tmp_path / "s.ris").write_text("".join(
        f"TY  - JOUR\nTI  - {r['title']}\nAB  - {r['abstract']}\nPY  - 2020\nER  - \n\n" for r in studies),
        encoding="utf-8")
    book = load_codebook(TEAMS / "new-team.yaml")
    with Review.create(tmp_path / "p.db", codebook=TEAMS / "new-team.yaml") as review:
        review.records.import_files([tmp_path / "s.ris"])
        ids = [rid for rid, _ in review.records.iter()]
        for rid in ids:
            review.screening.decide(rid, "include", reviewer="ana")
        model, learnt = review.coding.suggestion_model()
        assert isinstance(model, AlignedModel) and not learnt and len(model.pairs) == len(book.codes)
        batch = review.coding.suggestion_batch(ids)
        assert batch.aligned == len(book.codes) and batch.engine == "embeddings"
        suggestions = batch.suggestions
        assert suggestions and all(s.code in book for s in suggestions)
        for rid in ids:  # every study gets one or two approaches, as the recovery model gives typologies
            assert 1 <= sum(book[s.code].kind == "approach" for s in suggestions if s.record_id == str(rid)) <= 2
        ranked = review.coding.next_to_code()
        assert sorted(rid for rid, _ in ranked) == sorted(ids) and ranked[0][1] >= ranked[-1][1]
        truth = yaml.safe_load((TEAMS / "new-team-map.yaml").read_text(encoding="utf-8"))
        team_code = {theirs: mine for mine, theirs in truth.items()}
        for rid, record in zip(ids[:8], studies[:8]):
            typology = record["label"]["typologies"][0]
            review.coding.add(rid, team_code[typology], reviewer="ana", quote=record["title"][:40])
        model, learnt = review.coding.suggestion_model()
        assert learnt and isinstance(model, AlignedModel)
        assert any(role.code_coef for role in model.reference.roles.values())


def test_outcomes_written_one_layer_per_domain_align_as_one_layer(minilm):
    """A team drawing three outcome columns (one layer per domain, the first with the outcome role)
    keeps every pair: the layers sharing a role are aligned together."""
    book = TEAM_VARIANTS.outcomes_by_domain("new-team")
    assert len([k for k in book.kinds if k.startswith("result_")]) == 3
    truth = yaml.safe_load((TEAMS / "new-team-map.yaml").read_text(encoding="utf-8"))
    assert align(book, load_codebook(), minilm) == truth


def test_mechanisms_and_processes_written_as_one_layer_pair_with_both(minilm):
    """A team that does not tell mechanisms from processes (one middle layer) has its middle codes
    paired against the recovery mechanisms and processes together, each with the code it stands for."""
    data = yaml.safe_load((TEAMS / "second-team.yaml").read_text(encoding="utf-8"))
    middle = [layer["name"] for layer in data["layers"] if not layer.get("role")]
    assert len(middle) == 2
    book = TEAM_VARIANTS.middle_as_one("second-team")
    truth = yaml.safe_load((TEAMS / "second-team-map.yaml").read_text(encoding="utf-8"))
    pairs = align(book, load_codebook(), minilm)
    assert pairs == truth
    assert {book[c].kind for c, theirs in pairs.items() if theirs.startswith("P")} == {middle[0]}


@pytest.mark.parametrize("team", ["new-team", "second-team"])
def test_layers_with_codes_of_the_teams_own_added_still_align(minilm, team):
    """A team that adds CHIME's 14 recovery processes and 7 outcomes to its own keeps the recovery model
    for those layers (its 8 processes are then 8 of 22 codes): each recovery code still pairs, the
    team's own codes with the codes they stand for."""
    book, added = TEAM_VARIANTS.chime_codes_added(team)
    assert len(added) == 21
    truth = yaml.safe_load((TEAMS / f"{team}-map.yaml").read_text(encoding="utf-8"))
    pairs = align(book, load_codebook(), minilm)
    assert len(set(pairs.values())) == len(pairs) == len(truth)
    assert {c: theirs for c, theirs in pairs.items() if c not in added}.items() <= truth.items()
    assert {book[c].kind for c in pairs} == set(book.kinds)
