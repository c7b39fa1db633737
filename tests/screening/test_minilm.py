"""The numpy sentence encoder shipped in the package (all-MiniLM-L6-v2 quantised to int8)."""

from __future__ import annotations

import numpy as np
import pytest

from logicmap.screening import embeddings
from logicmap.screening.embeddings import EmbeddingFeatures, MemoryEmbeddingCache, torch_model_installed
from logicmap.screening.minilm import MAX_PIECES, MODEL_ID, MiniLMEncoder, load_weights

SAMPLES = [
    "Peer support workers delivered weekly recovery groups for people with psychosis.",
    "Weekly groups run by peer workers supported the recovery of people with psychosis.",
    "Beta-blockers after myocardial infarction: a meta-analysis of 23 randomised trials.",
    "Naïve Anti-inflammatory drugs (NSAIDs) reduced pain: 12.5% vs placebo [n=40] — São Paulo 高血压",
    "Zolpidem and eszopiclone for insomnia. " * 60,  # longer than 256 word pieces
]


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return MiniLMEncoder(threads=2)


def test_weights_are_int8_matrices_with_the_whole_vocabulary():
    vocabulary, weights = load_weights()
    assert len(vocabulary) == 30522 and vocabulary["[CLS]"] == 101 and vocabulary["[SEP]"] == 102
    assert weights["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert weights["encoder.layer.5.intermediate.dense.weight"].shape == (384, 1536)
    assert all(w.dtype == np.float32 for w in weights.values())


def test_vectors_are_unit_length_and_a_paraphrase_is_nearer_than_another_topic(encoder):
    vectors = encoder.encode(SAMPLES)
    assert vectors.shape == (len(SAMPLES), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > 0.7
    assert similarity[0, 1] > similarity[0, 2] + 0.4


def test_long_texts_are_cut_at_256_pieces_and_batches_do_not_change_vectors(encoder):
    ids = encoder.ids(SAMPLES[4])
    assert len(ids) == MAX_PIECES and ids[0] == 101 and ids[-1] == 102
    alone = np.vstack([encoder.encode([text]) for text in SAMPLES])
    together = encoder.encode(SAMPLES, batch_size=2)
    assert np.allclose(alone, together, atol=1e-5)


def test_without_the_extra_features_use_the_numpy_encoder_under_their_own_cache_name(monkeypatch):
    monkeypatch.setattr(embeddings, "torch_model_installed", lambda: False)
    cache = MemoryEmbeddingCache()
    vectors = EmbeddingFeatures(cache=cache).fit_transform(["", *SAMPLES[:3]])
    assert not vectors[0].any()  # no text, no vector
    assert np.allclose(np.linalg.norm(vectors[1:], axis=1), 1, atol=1e-5)
    assert {model for model, _ in cache.vectors} == {MODEL_ID}


def test_the_backend_is_explicit_and_checked():
    vectors = EmbeddingFeatures(backend="numpy").fit_transform(SAMPLES[:2])
    assert vectors.shape == (2, 384) and float(vectors[0] @ vectors[1]) > 0.7
    with pytest.raises(ValueError, match="backend must be"):
        EmbeddingFeatures(backend="onnx").fit_transform(SAMPLES[:1])


@pytest.mark.skipif(not torch_model_installed(), reason="needs the [embed] extra (the float32 model to compare with)")
def test_the_int8_encoder_agrees_with_the_float32_model(encoder):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(embeddings._packaged_model_path(), device="cpu")
    texts = SAMPLES + [f"Record {i}: {SAMPLES[i % 4]} follow-up at {i} months" for i in range(20)]
    for text in texts:
        assert [model.tokenizer.convert_tokens_to_ids(p) for p in model.tokenizer.tokenize(text)][
            : MAX_PIECES - 2] == encoder.ids(text)[1:-1]
    cosine = (encoder.encode(texts) * model.encode(texts, normalize_embeddings=True)).sum(axis=1)
    assert cosine.min() > 0.99 and cosine.mean() > 0.998


def test_fewer_pieces_cut_long_texts_only_and_are_cached_under_their_own_name():
    short = MiniLMEncoder(threads=1, max_pieces=128)
    assert len(short.ids(SAMPLES[4])) == 128 and short.ids(SAMPLES[0]) == MiniLMEncoder(threads=1).ids(SAMPLES[0])
    cache = MemoryEmbeddingCache()
    full = EmbeddingFeatures(backend="numpy", cache=cache).fit_transform(SAMPLES)
    cut = EmbeddingFeatures(backend="numpy", cache=cache, max_pieces=128).fit_transform(SAMPLES)
    assert np.allclose(full[:4], cut[:4], atol=1e-5)  # under 128 pieces: the same vectors
    assert float(full[4] @ cut[4]) < 0.999  # the long text is read only in part
    assert {model for model, _ in cache.vectors} == {MODEL_ID, f"{MODEL_ID}@128 pieces"}
    assert EmbeddingFeatures(backend="numpy", max_pieces=MAX_PIECES).fit([]).model_id_ == MODEL_ID
    with pytest.raises(ValueError, match="max_pieces must be between 3 and 256"):
        MiniLMEncoder(max_pieces=512)


@pytest.mark.skipif(not torch_model_installed(), reason="needs the [embed] extra (the torch model's cache name)")
def test_reading_the_models_own_256_pieces_keeps_its_plain_cache_name_on_either_backend():
    for backend in ("numpy", "torch"):
        plain = EmbeddingFeatures(backend=backend).fit([]).model_id_
        assert EmbeddingFeatures(backend=backend, max_pieces=MAX_PIECES).fit([]).model_id_ == plain
        assert EmbeddingFeatures(backend=backend, max_pieces=128).fit([]).model_id_ == f"{plain}@128 pieces"
