"""Scores computed in row bands on threads (issue 17: ranking a million records)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from logicmap.screening import rowbands


@pytest.fixture
def matrix():
    rng = np.random.default_rng(3)
    X = sparse.random(2001, 300, density=0.05, format="csr", dtype=np.float32, random_state=rng)
    X[7] = 0  # an empty row, and bands of unequal size (2001 rows)
    X.eliminate_zeros()
    return X, rng.standard_normal((300, 1)).astype(np.float32)


@pytest.mark.parametrize("bands", [2, 3, 4])
def test_bands_share_the_matrix_and_cover_every_row(matrix, bands):
    X, _ = matrix
    views = rowbands.row_band_views(X, bands)
    assert sum(v.shape[0] for v in views) == X.shape[0]
    assert all(np.shares_memory(v.data, X.data) for v in views if v.nnz)
    assert (sparse.vstack(views) != X).nnz == 0


def test_banded_product_gives_the_same_scores_to_the_bit(matrix, monkeypatch):
    X, W = matrix
    monkeypatch.setattr(rowbands, "MIN_PARALLEL_NNZ", 0)
    monkeypatch.setattr(rowbands, "_bands", lambda: 3)
    monkeypatch.setattr(rowbands, "_pool", None)
    banded = rowbands.product(X, W)
    assert banded.shape == (X.shape[0], 1)
    assert np.array_equal(banded, np.asarray(X @ W))
    assert np.array_equal(rowbands.product(X, W[:, 0]), X @ W[:, 0])
    dense = X.toarray()
    assert np.array_equal(rowbands.product(dense, W), dense @ W)  # not CSR: one plain product
