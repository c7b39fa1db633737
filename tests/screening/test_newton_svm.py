"""The exact (finite Newton) SVM a fusion engine may fit on sentence embeddings (``svm-asreview-agree-newton``):
the model liblinear's LinearSVC fits, at its minimum, the same from a warm start, and warm-started inside
the ensemble."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from logicmap.screening.classifiers import RatioSVC, fusion_classifier, make_classifier
from logicmap.screening.models import ratio_weights
from logicmap.screening.newton_svm import NewtonSVC


def _embeddings(n: int, seed: int = 3, relevant: float = 0.08) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of 384 dimensions, the relevant ones leaning one way (overlapping classes)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < relevant).astype(int)
    X = rng.normal(size=(n, 384)) + 0.35 * y[:, None] * rng.normal(size=384)
    return (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32), y


def _objective(coef, intercept, X, y, weights, C):
    signs = np.where(y == 1, 1.0, -1.0)
    loss = np.maximum(0, 1 - signs * (X.astype(np.float64) @ coef.ravel() + intercept[0]))
    return 0.5 * (coef.ravel() @ coef.ravel() + intercept[0] ** 2) + C * weights @ (loss * loss)


@pytest.mark.parametrize("n", [40, 600, 3000])
def test_it_reaches_the_minimum_liblinear_approaches(n):
    X, y = _embeddings(n)
    weights = ratio_weights(y, 9.8)
    exact = NewtonSVC(C=1.0).fit(X, y, sample_weight=weights)
    dual = RatioSVC(C=1.0, ratio=9.8, random_state=0).fit(X, y)
    ours, theirs = (_objective(m.coef_, m.intercept_, X, y, weights, 1.0) for m in (exact, dual))
    assert ours <= theirs + 1e-9 and theirs - ours < 1e-4 * theirs  # liblinear stops at a tolerance
    assert np.abs(exact.coef_ - dual.coef_).max() < 1e-3
    assert abs(exact.intercept_[0] - dual.intercept_[0]) < 1e-3
    signs = np.where(y == 1, 1.0, -1.0)
    margins = signs * exact.decision_function(X)
    gradient = np.append(exact.coef_.ravel(), exact.intercept_) - 2 * np.hstack([X, np.ones((n, 1))]).T @ (
        np.where(margins < 1, weights * signs * (1 - margins), 0))
    assert np.abs(gradient).max() < 1e-8  # the optimality condition holds


def test_without_weights_it_is_linear_svc_and_it_predicts_its_classes():
    X, y = _embeddings(500, seed=5, relevant=0.3)
    labels = np.where(y == 1, "include", "exclude")
    exact = NewtonSVC(C=0.5).fit(X, labels)
    dual = LinearSVC(C=0.5, dual=True, max_iter=20_000, tol=1e-8).fit(X, labels)
    assert np.abs(exact.coef_ - dual.coef_).max() < 1e-4
    assert list(exact.classes_) == ["exclude", "include"]
    assert (exact.predict(X) == dual.predict(X)).mean() > 0.99
    with pytest.raises(ValueError, match="two classes"):
        NewtonSVC().fit(X, np.zeros(500))


def test_a_warm_start_changes_the_steps_not_the_weights():
    X, y = _embeddings(2000)
    cold = NewtonSVC(ratio=9.8).fit(X, y)
    warm = NewtonSVC(ratio=9.8, warm_start=True).fit(X[:-1], y[:-1])
    warm.fit(X, y)
    assert warm.n_iter_ < cold.n_iter_
    assert np.abs(warm.coef_ - cold.coef_).max() < 1e-10


def test_the_fusion_engine_starts_its_embedding_svm_from_its_last_fit():
    X, y = _embeddings(1500)
    words = np.abs(np.random.default_rng(1).normal(size=(1500, 50)))
    matrix = np.hstack([words, X])
    first = make_classifier("svm-asreview-agree-newton", seed=1).set_params(n_jobs=1)
    first.fit(matrix[:1400], y[:1400])
    again = make_classifier("svm-asreview-agree-newton", seed=1).set_params(n_jobs=1)
    again.fit_views([matrix[:1401, :-384], matrix[:1401, -384:]], y[:1401], matrix.shape[1], previous=first)
    fresh = fusion_classifier(seed=1, n_jobs=1, first="svm-asreview", agreement=1.0, solver="newton")
    fresh.fit(matrix[:1401], y[:1401])
    assert isinstance(fresh.estimators_[1], NewtonSVC)
    assert again.estimators_[1].n_iter_ < fresh.estimators_[1].n_iter_
    np.testing.assert_allclose(again.coef_matrix_, fresh.coef_matrix_, atol=1e-7)
    default = make_classifier("svm-asreview-agree", seed=1).set_params(n_jobs=1).fit(matrix[:1401], y[:1401])
    assert isinstance(default.estimators_[1], RatioSVC)  # liblinear stays the default's solver (rule AA)
    np.testing.assert_allclose(default.coef_matrix_, fresh.coef_matrix_, atol=1e-3)
    with pytest.raises(ValueError, match="solver"):
        fusion_classifier(solver="exact")
