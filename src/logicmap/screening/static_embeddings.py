"""Static text embeddings that need no deep-learning framework (``static`` features).

A record's vector is the TF-IDF-weighted mean of its word pieces' vectors, read
from a small table shipped inside this package (``data/minilm_static.npz``). The
table was distilled from all-MiniLM-L6-v2 (the ``[embed]`` extra's model) the way
model2vec does it: every word piece of the model's vocabulary was passed through
the transformer on its own (``[CLS] piece [SEP]``, mean-pooled), and the vectors
reduced by PCA to 256 dimensions and quantised to int8, one scale per column
(``scripts/build_static_embeddings.py``; 7.5 MB).
Embedding is then one sparse matrix product: thousands of records a second on
one core, with numpy and scikit-learn only.

The word pieces come from a pure-Python WordPiece tokenizer with BERT's
uncased rules (lower case, accents stripped, punctuation and CJK characters
split off, greedy longest match), so no ``tokenizers`` package is needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

#: The packaged table (vocabulary and int8 vectors with a scale per column).
STATIC_TABLE = "minilm_static.npz"
#: Length of its vectors (the ``svm-fusion-static`` classifier splits columns by it).
STATIC_DIMENSION = 256
_MAX_WORD = 100


@lru_cache(maxsize=2)
def load_table(name: str = STATIC_TABLE) -> tuple[dict[str, int], np.ndarray]:
    """``(vocabulary, vectors)`` of a packaged table: word piece -> row, float32 rows
    (int8 values times their column's scale when the table is quantised)."""
    with files("logicmap.screening.data").joinpath(name).open("rb") as handle:
        data = np.load(handle)
        tokens = [str(t) for t in data["tokens"]]
        vectors = data["vectors"].astype(np.float32)
        if "scale" in data:  # int8 columns with one scale each
            vectors *= data["scale"]
    return {token: row for row, token in enumerate(tokens)}, vectors


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


#: ASCII words and single punctuation marks (BERT's rules, for texts that are all ASCII).
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~]")
#: ASCII control characters BERT deletes (tab, newline and return are spaces).
_ASCII_CONTROL = {code: None for code in [*range(0, 9), 11, 12, *range(14, 32), 127]}


def basic_words(text: str) -> list[str]:
    """BERT's uncased basic tokenisation: lower case, no accents, control characters
    deleted, punctuation and CJK characters apart."""
    if text.isascii():  # fast path, same result
        return _ASCII_WORDS.findall(text.translate(_ASCII_CONTROL).lower())
    spaced = []
    for char in unicodedata.normalize("NFD", text.lower()):
        category = unicodedata.category(char)
        if char.isspace():
            spaced.append(" ")
        elif category == "Mn" or category.startswith("C") or ord(char) == 0xFFFD:
            continue
        elif _is_punctuation(char) or _is_cjk(char):
            spaced.append(f" {char} ")
        else:
            spaced.append(char)
    return "".join(spaced).split()


class WordPieces:
    """Greedy longest-match WordPiece splitting over a vocabulary (results cached per word)."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self._cache: dict[str, list[str]] = {}

    def word(self, word: str) -> list[str]:
        """The pieces of one word (``[UNK]`` when it cannot be split)."""
        pieces = self._cache.get(word)
        if pieces is None:
            pieces = self._split(word)
            self._cache[word] = pieces
        return pieces

    def _split(self, word: str) -> list[str]:
        if len(word) > _MAX_WORD:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocabulary:
                    break
                end -= 1
            if end == start:
                return ["[UNK]"]
            pieces.append(piece)
            start = end
        return pieces

    def __call__(self, text: str) -> list[str]:
        """The word pieces of ``text``."""
        return [piece for word in basic_words(text) for piece in self.word(word)]


class StaticEmbeddingFeatures(TransformerMixin, BaseEstimator):
    """Unit-length static embeddings: TF-IDF over word pieces times the packaged table.

    Records without text (or without any known piece) get an all-zero row, as
    with TF-IDF. ``table`` names a file in ``logicmap.screening.data``.
    """

    def __init__(self, table: str = STATIC_TABLE) -> None:
        self.table = table

    def fit(self, texts: Sequence[str], y: Any = None) -> "StaticEmbeddingFeatures":
        """Learn the word pieces' IDF weights from ``texts``."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: Any = None, **params: Any) -> np.ndarray:
        """Fit on ``texts`` and return their embeddings (float32, one row per text)."""
        vocabulary, _ = load_table(self.table)
        self.vectorizer_ = TfidfVectorizer(analyzer=WordPieces(vocabulary), sublinear_tf=True,
                                           dtype=np.float32)
        try:
            counts = self.vectorizer_.fit_transform(["" if t is None else str(t) for t in texts])
        except ValueError:  # no text at all
            self.rows_ = np.zeros(0, dtype=np.int64)
            return np.zeros((len(texts), self.dimension), dtype=np.float32)
        names = self.vectorizer_.get_feature_names_out()
        self.rows_ = np.array([vocabulary[name] for name in names], dtype=np.int64)
        return self._embed(counts)

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of new ``texts`` with the fitted IDF weights."""
        if self.rows_.size == 0:
            return np.zeros((len(texts), self.dimension), dtype=np.float32)
        return self._embed(self.vectorizer_.transform(["" if t is None else str(t) for t in texts]))

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        return int(load_table(self.table)[1].shape[1])

    def _embed(self, counts) -> np.ndarray:
        vectors = load_table(self.table)[1][self.rows_]
        return normalize(np.asarray(counts @ vectors, dtype=np.float32)).astype(np.float32)
