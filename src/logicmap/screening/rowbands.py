"""Sparse matrix products split into row bands, one per core.

Scoring every record is one sparse matrix-vector product; at a million records
(220 million non-zeros of word features) it is most of a decision's retrain and
rank. SciPy's sparse product releases the GIL, so bands of rows multiplied on
threads run side by side. Each row's dot product is computed exactly as in the
whole product, so the scores are the same to the bit.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

#: Below this many non-zeros one thread is as fast (starting threads costs more than it saves).
MIN_PARALLEL_NNZ = 5_000_000
#: At most this many bands (memory bandwidth, not cores, limits a sparse product beyond it).
MAX_BANDS = 4

_pool: ThreadPoolExecutor | None = None


def _bands() -> int:
    return max(1, min(MAX_BANDS, os.cpu_count() or 1))


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_bands(), thread_name_prefix="logicmap-rows")
    return _pool


def row_band_views(X: sparse.csr_matrix, bands: int) -> list[sparse.csr_matrix]:
    """``X`` cut into ``bands`` CSR row bands sharing its data and indices (no copy of the non-zeros).

    The arrays are set on an empty matrix: the constructor would copy a slice
    holding under half of its base array (SciPy prunes such views to free memory).
    """
    bounds = np.linspace(0, X.shape[0], bands + 1).astype(np.int64)
    views = []
    for first, last in zip(bounds[:-1], bounds[1:]):
        start, stop = X.indptr[first], X.indptr[last]
        band = sparse.csr_matrix((int(last - first), X.shape[1]), dtype=X.dtype)
        band.indptr = X.indptr[first : last + 1] - start
        band.indices, band.data = X.indices[start:stop], X.data[start:stop]
        views.append(band)
    return views


def product(X, W: np.ndarray) -> np.ndarray:
    """``X @ W`` as a dense array, computed in row bands on threads when ``X`` is a large CSR matrix."""
    bands = _bands()
    if not sparse.isspmatrix_csr(X) or X.nnz < MIN_PARALLEL_NNZ or bands == 1 or X.shape[0] < bands:
        return np.asarray(X @ W)
    parts = list(_executor().map(lambda band: np.asarray(band @ W), row_band_views(X, bands)))
    return np.concatenate(parts, axis=0)
