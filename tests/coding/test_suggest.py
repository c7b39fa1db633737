"""Suggestions: verbatim quotes always, sensible codes, quality on the labelled corpus."""

from __future__ import annotations

import json

import pytest
from tests.support import shared_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logicmap.codebook import load_codebook
from logicmap.coding import suggest
from logicmap.coding.evaluate import evaluate, gold_codes
from logicmap.coding.suggest import guess_direction
from logicmap.coding.text import split_sentences, stem, tokens

CB = load_codebook()


def _check_verbatim(records, suggestions):
    by_id = {r["id"]: r for r in records}
    for s in suggestions:
        text = by_id[s.record_id][s.field]
        assert s.quote and s.quote == text[s.start : s.end], s
        assert 0.0 <= s.score <= 1.0


def test_light_stemming_and_sentences():
    assert stem("relapses") == stem("relapse") == stem("relapsed")
    assert stem("stigmatization") == stem("stigmatisation")
    assert stem("employment") == stem("employed")
    text = "Background: peers help (e.g. WRAP). Results: Hope rose! “Good.” 3 left."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Background: peers help (e.g. WRAP).", "Results: Hope rose!", "“Good.”", "3 left."]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [t.norm for t in tokens("Øst café")] == ["øst", "cafe"]


def test_typical_record_gets_typology_first_with_quote():
    record = {
        "id": "r1",
        "title": "A randomised trial of peer support for people with psychosis",
        "abstract": "Peer support workers shared their lived experience. "
        "Participants reported significantly greater improvement in hope and quality of life. "
        "There was no significant difference in psychiatric symptoms or rehospitalisation.",
    }
    got = suggest([record], CB)
    _check_verbatim([record], got)
    codes = [s.code for s in got]
    assert codes[0] == "T01" and "OE5" in codes
    assert next(s for s in got if s.code == "OE5").direction == "benefit"
    symptoms = [s for s in got if s.code == "OF3"]
    assert not symptoms or symptoms[0].direction == "no_difference"


def test_a_publishers_notice_is_no_sentence_and_never_quoted():
    body = ("Peer support workers shared their lived experience. "
            "Participants reported significantly greater improvement in hope and quality of life.")
    notice = " (PsycINFO Database Record (c) 2019 APA, all rights reserved)"
    assert split_sentences(body + notice)[-1].end == len(body)
    plain = {"id": "r", "title": "Peer support for people with psychosis", "abstract": body}
    noticed = dict(plain, abstract=body + notice)
    got = suggest([noticed], CB)
    _check_verbatim([noticed], got)
    assert got == suggest([plain], CB)
    title = "Hope rose. © 2019 Elsevier Ltd."
    assert split_sentences(title, "title")[-1].end == len(title)  # only an abstract ends with a notice


def test_negation_and_empty_records():
    got = suggest([{"id": "x", "title": "Housing without peer support", "abstract": ""}], CB)
    assert "T01" not in [s.code for s in got]
    assert suggest([{"id": "e", "title": "  ", "abstract": ""}], CB) == []


def test_direction_cues():
    assert guess_direction("No significant difference between groups in quality of life.") == "no_difference"
    assert guess_direction("Hope improved significantly.") == "benefit"
    assert guess_direction("Symptoms worsened in the control group but improved in the intervention.") == "mixed"
    assert guess_direction("Quality of life was measured.") == "not_measured"


TERMS = [t for c in CB.codes for t in c.terms[:4] if "*" not in t]
WORDS = st.one_of(st.sampled_from(TERMS), st.text(alphabet="abcdeéøXYZ -’'()", min_size=1, max_size=12))
PUNCT = st.sampled_from([". ", "! ", "? ", "; ", ", ", " ", ".\u201d ", ".\n", "  "])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WORDS, PUNCT), min_size=0, max_size=25), st.lists(WORDS, max_size=4))
def test_quotes_are_always_verbatim(pieces, title_words):
    abstract = "".join(w + p for w, p in pieces)
    record = {"id": "h", "title": " ".join(title_words), "abstract": abstract}
    _check_verbatim([record], suggest([record], CB))


@pytest.fixture(scope="module")
def corpus():
    path = shared_path("recovery-corpus/records.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_zero_training_quality_on_the_corpus(corpus):
    eligible = [r for r in corpus if r["label"]["include"]]
    got = suggest(eligible, CB)
    _check_verbatim(eligible, got)
    predicted: dict[str, list[str]] = {}
    for s in got:
        predicted.setdefault(s.record_id, []).append(s.code)
    result = evaluate({r["id"]: gold_codes(r["label"]) for r in eligible}, predicted, CB)
    assert result["typology"]["micro_f1"] >= 0.85
    assert result["outcome_domain"]["micro_f1"] >= 0.75
    assert result["mechanism"]["micro_f1"] >= 0.6


def test_learning_from_feedback_is_seeded_and_verbatim(corpus):
    from logicmap.coding.feedback import Feedback, feedback_from_labels
    from logicmap.coding.suggestion_model import SuggestionModel

    eligible = [r for r in corpus if r["label"]["include"]]
    train, test = eligible[::2], eligible[1::2][:12]
    feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in train}, CB)
    one = SuggestionModel(CB, seed=3).fit(train, feedback)
    two = SuggestionModel(CB, seed=3).fit(train, feedback)
    assert (one.predict_proba(test) == two.predict_proba(test)).all()
    assert {"T01", "OF3"} <= set(one.models)
    got = suggest(test, CB, model=one)
    _check_verbatim(test, got)
    assert got and set(one.settings.kinds) == set(CB_KINDS)
    # partial feedback: only accepted/rejected suggestions, codes without both verdicts keep key terms
    sparse = [Feedback(train[0]["id"], "T01", False), Feedback(train[1]["id"], "T01", True)]
    assert SuggestionModel(CB, seed=0, calibrate=False).fit(train, sparse).models == {}


CB_KINDS = ("typology", "mechanism", "process", "outcome", "moderator")
