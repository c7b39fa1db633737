"""The logistic regression of one layer role of :class:`~logicmap.coding.semantic_model.SemanticModel`:
standardised generic evidence features (:data:`~logicmap.coding.semantic_features.FEATURES`, or a
leaner set: :data:`VARIANTS`) plus optional per-code offsets learnt from reviewers' codes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from logicmap.coding.semantic_features import FEATURES


#: Feature sets a layer's regression may use, chosen per layer by inner cross-validation: every
#: feature, or the key-term score with the code-standardised and reviewer-example similarities.
VARIANTS: dict[str, tuple[str, ...]] = {
    "all": FEATURES,
    "lean": ("terms", "prior", "sim_z", "sim_proto"),
}


def variant_columns(variant: str) -> np.ndarray:
    """The positions in :data:`~logicmap.coding.semantic_features.FEATURES` of a variant's features."""
    return np.array([FEATURES.index(f) for f in VARIANTS[variant]])


class LayerRegression:
    """A standardised logistic regression on generic features plus optional per-code offsets."""

    def __init__(self, mean, scale, coef, intercept, code_coef: dict[int, float], variant: str = "all"):
        self.mean, self.scale, self.coef, self.intercept, self.code_coef = mean, scale, coef, intercept, code_coef
        self.variant = variant
        self.mask = variant_columns(variant)

    def decision(self, X: np.ndarray, cols: np.ndarray) -> np.ndarray:
        z = ((X[:, self.mask] - self.mean) / self.scale) @ self.coef + self.intercept
        return z + np.array([self.code_coef.get(int(c), 0.0) for c in cols])

    def to_dict(self) -> dict:
        return {"variant": self.variant, "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": float(self.intercept)}

    @classmethod
    def from_dict(cls, d: Mapping) -> LayerRegression:
        return cls(np.array(d["mean"]), np.array(d["scale"]), np.array(d["coef"]), float(d["intercept"]), {},
                   d.get("variant", "all"))


def fit_layer(X: np.ndarray, y: np.ndarray, cols: np.ndarray, *, C: float, seed: int, code_bias: bool,
              min_examples: int, variant: str = "all") -> LayerRegression | None:
    """The layer's regression fitted on its (record, code) rows ``X`` / ``y`` (``cols``: each row's code),
    with an offset for every code with ``min_examples`` positives when ``code_bias``; None when the rows
    hold only one class."""
    from sklearn.linear_model import LogisticRegression

    if y.sum() < 1 or (len(y) - y.sum()) < 1:
        return None
    X = X[:, variant_columns(variant)]
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    Z = (X - mean) / scale
    biased = sorted(c for c in set(cols.tolist()) if code_bias and y[cols == c].sum() >= min_examples)
    if biased:
        onehot = np.zeros((len(y), len(biased)))
        for k, c in enumerate(biased):
            onehot[cols == c, k] = 1.0
        Z = np.hstack([Z, onehot])
    lr = LogisticRegression(C=C, solver="liblinear", random_state=seed, max_iter=500).fit(Z, y)
    w = lr.coef_[0]
    n = X.shape[1]
    offsets = {c: float(w[n + k]) for k, c in enumerate(biased)}
    return LayerRegression(mean, scale, w[:n], float(lr.intercept_[0]), offsets, variant)
