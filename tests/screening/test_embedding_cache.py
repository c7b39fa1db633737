"""Embedding cache: vectors kept by model and text hash, in memory or in the project store."""

from __future__ import annotations

import numpy as np

from logicmap.screening.embeddings import (
    EMBED_DIMENSION,
    EmbeddingFeatures,
    MemoryEmbeddingCache,
    model_id,
    text_key,
)
from logicmap.screening.minilm import MODEL_ID
from logicmap.store import create_store, open_store
from logicmap.store.embeddings import ProjectEmbeddingCache

TEXTS = [
    "Peer support workers in community mental health teams",
    "",
    "Recovery colleges: co-produced courses for people with mental illness",
    "Peer support workers in community mental health teams",  # a duplicate text
]


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=EMBED_DIMENSION).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_text_key_changes_with_the_text():
    assert text_key("a") == text_key("a") != text_key("a ")
    assert len(text_key("recovery")) == 64


def test_project_cache_round_trip_survives_reopening(project_location):
    vectors = {text_key(f"text {i}"): _unit(i) for i in range(3)}
    with create_store(project_location) as project:
        cache = ProjectEmbeddingCache(project)
        cache.save("model-a", vectors)
        cache.save("model-a", {text_key("text 0"): _unit(99)})  # a known key keeps its vector
    with open_store(project_location) as project:
        cache = ProjectEmbeddingCache(project)
        found = cache.load("model-a", [*vectors, text_key("never stored")])
        assert set(found) == set(vectors)
        for key, vector in vectors.items():
            assert found[key].dtype == np.float32 and np.array_equal(found[key], vector)
        assert cache.load("model-b", list(vectors)) == {}  # vectors belong to their model
        assert cache.count("model-a") == 3 == cache.count()


def test_project_cache_loads_more_keys_than_one_query_takes(tmp_path):
    keys = [text_key(str(i)) for i in range(1200)]
    with create_store(tmp_path / "many.db") as project:
        cache = ProjectEmbeddingCache(project)
        cache.save("m", {k: _unit(1) for k in keys})
        assert len(cache.load("m", keys)) == 1200


def test_cached_texts_are_not_embedded_again():
    cache = MemoryEmbeddingCache()
    calls: list[tuple[int, int]] = []
    first = EmbeddingFeatures(cache=cache, progress=lambda d, t: calls.append((d, t)), chunk_size=1)
    X = first.fit_transform(TEXTS)
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)  # two distinct non-empty texts
    assert len(cache.vectors) == 2 and np.array_equal(X[0], X[3]) and not X[1].any()

    again: list[tuple[int, int]] = []
    second = EmbeddingFeatures(cache=cache, progress=lambda d, t: again.append((d, t)))
    assert np.array_equal(second.fit_transform(TEXTS), X)
    assert again == [] and not hasattr(second, "model_")  # the model was never loaded

    edited = TEXTS[:2] + ["Recovery colleges: co-produced courses (edited)"]
    third = EmbeddingFeatures(cache=cache, progress=lambda d, t: again.append((d, t)))
    assert not np.array_equal(third.fit_transform(edited)[2], X[2])
    assert again[-1] == (1, 1) and len(cache.vectors) == 3


def test_texts_to_embed_counts_what_transform_would_embed(tmp_path):
    with create_store(tmp_path / "count.db") as project:
        for cache in (MemoryEmbeddingCache(), ProjectEmbeddingCache(project)):
            features = EmbeddingFeatures(cache=cache, max_pieces=32)
            assert features.to_embed(TEXTS) == 2  # the empty text and the repeat not counted
            heard: list[tuple[int, int]] = []
            features.progress = lambda d, t: heard.append((d, t))
            features.fit_transform(TEXTS[:1])
            assert heard[-1] == (1, 1) and features.to_embed(TEXTS) == 1
            assert cache.stored(features.model_id_, [text_key(t) for t in TEXTS]) == {text_key(TEXTS[0])}
            assert EmbeddingFeatures(cache=cache, max_pieces=64).to_embed(TEXTS) == 2  # other vectors
            assert EmbeddingFeatures().to_embed(TEXTS) == 2  # no cache: every distinct text


def test_uncached_and_cached_vectors_agree():
    plain = EmbeddingFeatures().fit_transform(TEXTS)
    cache = MemoryEmbeddingCache()
    features = EmbeddingFeatures(cache=cache)
    features.fit_transform(TEXTS)
    assert np.allclose(EmbeddingFeatures(cache=cache).fit_transform(TEXTS), plain, atol=1e-6)
    assert {model for model, _ in cache.vectors} == {features.model_id_}
    assert features.model_id_ in (model_id(), MODEL_ID)  # the [embed] extra's model, else the numpy encoder


def test_project_cache_save_while_another_writer_stores_the_same_texts(project_location):
    """A server's warm-up and a page (or two processes) embedding the same texts at once: the second
    save waits for the first writer's transaction and keeps its vectors, instead of failing on the
    duplicate keys it could not see when it looked."""
    import threading

    from logicmap.store.tables import TextEmbedding

    vectors = {text_key(f"text {i}"): _unit(i) for i in range(20)}
    with create_store(project_location) as first, open_store(project_location) as second:
        errors: list[BaseException] = []

        def save_second() -> None:
            try:
                ProjectEmbeddingCache(second).save("m", {k: _unit(99) for k in vectors})
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)

        with first.session() as session:
            session.add_all(TextEmbedding(model="m", text_key=k, vector=v.tobytes()) for k, v in vectors.items())
            session.flush()  # the rows exist, uncommitted, while the second save starts
            thread = threading.Thread(target=save_second)
            thread.start()
            thread.join(0.5)
        thread.join(30)
        assert not thread.is_alive() and errors == []
        found = ProjectEmbeddingCache(second).load("m", list(vectors))
        assert set(found) == set(vectors)
        assert all(np.array_equal(found[k], v) for k, v in vectors.items())  # the first writer's vectors


def test_vectors_of_64_pieces_are_cached_apart_and_a_large_project_goes_without(location, monkeypatch):
    from logicmap.api import Review
    from logicmap.screening import presets

    with Review.open(location) as review:
        records = len(review.screening.candidates("title_abstract"))
        session = review.screening.session("ana", seed=1, features="tfidf-asreview+charlsa+embed64")
        assert session.engine == presets.AGREE64_ENGINE
        cache = review.screening.embedding_cache()
        short, full = (EmbeddingFeatures(max_pieces=n).fit([]).model_id_ for n in (64, None))
        assert short.endswith("@64 pieces") and short.removesuffix("@64 pieces") == full
        assert cache.count(short) > 0.9 * records and cache.count(full) == 0
        monkeypatch.setattr(presets, "EMBED_MAX_RECORDS", records - 1)  # this small project counts as large
        assert review.screening.session("ana", seed=1).engine == presets.TFIDF_ENGINE
