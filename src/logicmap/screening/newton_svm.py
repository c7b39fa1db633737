"""A linear SVM on dense features solved exactly by finite Newton: :class:`NewtonSVC`.

The objective is liblinear's L2-regularised squared-hinge SVM, the one :class:`~logicmap.screening.
classifiers.RatioSVC` fits (``LinearSVC`` with its default ``intercept_scaling=1``, so the bias is a
constant feature whose weight is regularised like the others)::

    min_beta  0.5 * |beta|^2 + C * sum_i s_i * max(0, 1 - y_i * z_i . beta)^2,   z_i = [x_i, 1]

It is piecewise quadratic: on the set of records inside the margin it is a quadratic whose
minimum one linear solve of ``d + 1`` unknowns gives. Newton's method with a backtracking line
search (Keerthi & DeCoste 2005, "A modified finite Newton method for fast solution of large
scale linear SVMs") ends, in finitely many steps, at the exact minimum; liblinear's dual
coordinate descent stops at a tolerance instead. For the sentence embeddings (384 dense
columns, thousands of labelled records) that is one 385 x 385 system per step, and with
``warm_start`` a refit after one more decision starts from the last minimum and usually takes
one step: a fraction of liblinear's time, which also copies the dense matrix into its own
sparse format at every fit. The minimum is unique (the objective is strongly convex), so the
warm start changes the time, not the weights. Not the default engine's solver: with the two SVMs
fitted at once a decision was no faster (rule AA, stop 50; ``classifiers.fusion_classifier``).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from logicmap.screening.models import ratio_weights


def _objective(beta: np.ndarray, margin: np.ndarray, cs: np.ndarray) -> float:
    """The objective at ``beta``, whose margins ``y * (Z @ beta)`` are ``margin``."""
    loss = np.maximum(0.0, 1.0 - margin)
    return 0.5 * float(beta @ beta) + float(cs @ (loss * loss))


def newton_minimum(Z: np.ndarray, y: np.ndarray, cs: np.ndarray, start: np.ndarray | None = None, *,
                   max_iter: int = 100) -> tuple[np.ndarray, int]:
    """``(beta, steps)``: the minimum of ``0.5 |beta|^2 + sum_i cs_i max(0, 1 - y_i Z_i beta)^2``
    (``y`` in {-1, 1}, ``cs`` each record's C times its weight), from ``start`` (zeros if None)."""
    beta = np.zeros(Z.shape[1]) if start is None else np.array(start, dtype=np.float64)
    for step in range(max_iter):
        margin = y * (Z @ beta)
        inside = margin < 1.0
        Za, pull = Z[inside], cs[inside] * y[inside] * (1.0 - margin[inside])
        gradient = beta - 2.0 * (Za.T @ pull)
        if np.abs(gradient).max() <= 1e-10 * max(1.0, np.abs(beta).max()):
            return beta, step
        hessian = (Za * (2.0 * cs[inside])[:, None]).T @ Za
        hessian[np.diag_indices_from(hessian)] += 1.0
        direction = np.linalg.solve(hessian, -gradient)
        now, slope, t = _objective(beta, margin, cs), float(gradient @ direction), 1.0
        moved = y * (Z @ direction)  # margins along the direction: beta + t * direction has margin + t * moved
        while _objective(beta + t * direction, margin + t * moved, cs) > now + 1e-4 * t * slope and t > 1e-12:
            t *= 0.5
        if t <= 1e-12:  # no descent left in floating point: this is the minimum to machine precision
            return beta, step
        beta = beta + t * direction
    warnings.warn(f"the Newton SVM did not reach its minimum in {max_iter} steps", ConvergenceWarning,
                  stacklevel=3)
    return beta, max_iter


def _dense(X) -> np.ndarray:
    """``X`` as a dense float64 array (a sparse block of embedding columns is dense in all but type)."""
    return np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=np.float64)


class NewtonSVC(ClassifierMixin, BaseEstimator):
    """Linear SVM (squared hinge, L2, bias regularised) for two classes on dense features,
    fitted exactly by :func:`newton_minimum`: the model ``LinearSVC(C=C)`` fits, with sample
    weights. ``sample_weight`` None: :func:`ratio_weights` with ``ratio`` (the relevant class
    ``ratio`` times the other's total weight, as ``classifiers.RatioSVC``), or every record 1
    when ``ratio`` is None. ``warm_start``: a refit starts from the weights of the last fit
    (same columns), which changes the time, not the result."""

    def __init__(self, C: float = 1.0, ratio: float | None = None, warm_start: bool = False) -> None:
        self.C = C
        self.ratio = ratio
        self.warm_start = warm_start

    def fit(self, X, y, sample_weight=None) -> "NewtonSVC":
        """Fit on ``X`` (records x columns, made dense) and labels ``y`` (two classes, the larger one positive)."""
        X = _dense(X)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"NewtonSVC needs two classes, not {len(self.classes_)}")
        signs = np.where(y == self.classes_[1], 1.0, -1.0)
        if sample_weight is None:
            sample_weight = np.ones(len(y)) if self.ratio is None else ratio_weights(y, self.ratio)
        weights = np.asarray(sample_weight, dtype=np.float64)
        Z = np.hstack([X, np.ones((X.shape[0], 1))])
        start = None
        if self.warm_start and getattr(self, "coef_", None) is not None and self.coef_.shape[1] == X.shape[1]:
            start = np.append(self.coef_.ravel(), self.intercept_)
        beta, self.n_iter_ = newton_minimum(Z, signs, self.C * weights, start)
        self.coef_, self.intercept_ = beta[:-1][None, :], beta[-1:].copy()
        return self

    def decision_function(self, X) -> np.ndarray:
        """Signed distance-like score: positive leans to ``classes_[1]``."""
        return _dense(X) @ self.coef_.ravel() + self.intercept_[0]

    def predict(self, X) -> np.ndarray:
        """The class each row leans to."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
