"""The linear models the screening classifiers are made of, and their class-imbalance weights: shared by
:mod:`~logicmap.screening.classifiers` (which names and combines them) and
:mod:`~logicmap.screening.newton_svm`."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC
from sklearn.utils.class_weight import compute_sample_weight


def ratio_weights(y: np.ndarray, ratio: float, normalise: bool = False) -> np.ndarray:
    """Sample weights giving the relevant class ``ratio`` times the irrelevant class's
    total weight (ASReview's "balanced" sampler with a ratio).

    ``normalise`` rescales them to sum to ``len(y)``, as ASReview does; without it
    the relevant records weigh 1 each, so the fit is regularised more strongly
    the larger the share of irrelevant decisions.
    """
    y = np.asarray(y)
    n1, n0 = int((y == 1).sum()), int((y == 0).sum())
    weights = np.where(y == 1, 1.0, n1 / (ratio * max(n0, 1)))
    if normalise and weights.sum() > 0:
        weights = weights * (len(y) / weights.sum())
    return weights


class RatioSVC(LinearSVC):
    """Linear SVM whose relevant class weighs ``ratio`` times the irrelevant class.

    ``C=0.11`` and ``ratio=9.8`` are the values ASReview's developers found on the
    SYNERGY datasets for their default model (ELAS u4); not tuned on our data.
    ``normalise=True`` rescales the weights as ASReview does (see :func:`ratio_weights`).
    """

    def __init__(self, C: float = 0.11, ratio: float = 9.8, random_state: int | None = None,
                 normalise: bool = False, presumed_irrelevant: int = 0) -> None:
        super().__init__(C=C, dual=True, max_iter=2000, random_state=random_state)
        self.ratio = ratio
        self.normalise = normalise
        self.presumed_irrelevant = presumed_irrelevant

    def fit(self, X, y, sample_weight=None):  # noqa: D102 - LinearSVC.fit with ratio weights
        if sample_weight is None:
            sample_weight = ratio_weights(y, self.ratio, self.normalise)
        return super().fit(X, y, sample_weight=sample_weight)


class BalancedNB(MultinomialNB):
    """Multinomial naive Bayes fitted with balanced sample weights and equal priors."""

    def __init__(self, alpha: float = 0.1) -> None:
        super().__init__(alpha=alpha, fit_prior=False)

    def fit(self, X, y, sample_weight=None):  # noqa: D102 - same as MultinomialNB.fit
        if sample_weight is None:
            sample_weight = compute_sample_weight("balanced", y)
        return super().fit(X, y, sample_weight=sample_weight)


def linear_parts(estimator: BaseEstimator) -> tuple[np.ndarray, float]:
    """``(w, b)`` with ``X @ w + b`` ordering records like the estimator's relevance score.

    Works for fitted logistic regression, linear SVM, SGD and multinomial NB (whose
    log-odds are linear in the counts).
    """
    if isinstance(estimator, MultinomialNB):
        flp = estimator.feature_log_prob_
        prior = estimator.class_log_prior_
        return np.asarray(flp[1] - flp[0]).ravel(), float(prior[1] - prior[0])
    coef = np.asarray(estimator.coef_).ravel()
    return coef, float(np.ravel(estimator.intercept_)[0])


def to_probability(raw: np.ndarray) -> np.ndarray:
    """Map a linear score to a probability-like value in [0, 1] (logistic link)."""
    return 1.0 / (1.0 + np.exp(-np.clip(raw, -30, 30)))
