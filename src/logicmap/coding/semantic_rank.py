"""Coding suggestions for a codebook the package has never seen, without weights fitted on any
codebook's codes: per-layer ranking of standardised similarities with a few general constants.

A code's score in a record is a fixed blend of its evidence features
(:mod:`logicmap.coding.semantic_features`), each similarity standardised per code over the
project's studies (so a code whose descriptions happen to resemble every abstract does not win
everywhere): best sentence, best finding sentence (results, conclusions), whole record, title,
the sentence-wise lead over the layer's other codes, plus the code's own-word or key-term score and
the prior from the codebook's hypothesised links. Within each layer the codes are ranked; a code is
suggested when its score reaches the layer's cut, it ranks among the layer's first ``k`` and lies
within ``margin`` of the layer's best (rank-based calibration instead of an absolute similarity
threshold). The intervention layer always gets its best code, a second only within the margin.

The constants per layer role (blend weights, cut, ``k``, margin) are chosen by :func:`tune` on a
labelled corpus (``scripts/fit_coding_defaults.py``: the packaged demo corpus with the recovery
codebook) and shipped; they describe how similarities behave, not what any code means. Reviewers'
decisions then move each code's score by a learnt offset (:func:`~logicmap.coding.semantic_adapt.adapt`).

Example::

    model = RankModel.from_dict(codebook, encode, shipped["unseen_no_terms"])
    model.set_stats(model.builder.views(included_studies))
    suggestions = model.suggest(records)
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from logicmap.coding.semantic_features import FEATURES, RecordView
from logicmap.coding.semantic_model import MIN_BATCH, SemanticModel

#: Features standardised per code over the project's studies, then blended.
STANDARDISED = ("sim_max", "sim_find", "sim_doc", "sim_title", "sim_rel")
#: Features blended as they are (already on a common 0-1 scale).
RAW = ("terms", "prior")
BLEND = STANDARDISED + RAW
_COL = np.array([FEATURES.index(f) for f in BLEND])
_STD = len(STANDARDISED)

#: The grid :func:`tune` searches: weights of each blended feature (``sim_max`` fixed at 1) and the rules.
WEIGHT_GRID = {"sim_find": (0, 0.5, 1), "sim_doc": (0, 0.5, 1), "sim_title": (0, 0.5), "sim_rel": (0, 0.5),
               "terms": (0, 1, 2, 3, 4, 6), "prior": (0, 1, 2)}
CUTS = tuple(np.round(np.arange(-1.0, 7.01, 0.25), 2))
KS = (1, 2, 3, 4)
MARGINS = (0.5, 1.0, 2.0, 99.0)


@dataclass
class Rule:
    """One layer role's constants: blend weights (in :data:`BLEND` order), cut, ``k`` and margin."""

    weights: tuple[float, ...]
    cut: float
    k: int
    margin: float

    def to_dict(self) -> dict:
        return {"weights": dict(zip(BLEND, map(float, self.weights))), "cut": float(self.cut), "k": int(self.k),
                "margin": float(self.margin)}

    @classmethod
    def from_dict(cls, d: Mapping) -> Rule:
        return cls(tuple(float(d["weights"].get(f, 0.0)) for f in BLEND), float(d["cut"]), int(d["k"]),
                   float(d["margin"]))


def rank_role(codebook, kind: str) -> str:
    """The layer role whose constants a layer takes: the recovery kind's
    (:func:`~logicmap.coding.suggest.recovery_role`), except that of two or more middle layers (between
    the intervention and the outcome) the last takes the recovery model's last middle layer's (process)."""
    from logicmap.coding.suggest import recovery_role

    role = recovery_role(codebook, kind)
    middle = [k for k in codebook.kinds if recovery_role(codebook, k) in ("mechanism", "process")]
    if role == "mechanism" and len(middle) >= 2 and kind == middle[-1]:
        return "process"
    return role


def feature_stats(views: Sequence[RecordView]) -> tuple[np.ndarray, np.ndarray]:
    """Per (code, blended feature) mean and standard deviation over ``views``; fewer than
    :data:`~logicmap.coding.semantic_model.MIN_BATCH` records give means of +inf (scores of 0)."""
    n = len(views[0].features) if views else 0
    if len(views) < MIN_BATCH:
        return np.full((n, len(BLEND)), np.inf), np.full((n, len(BLEND)), np.inf)
    X = np.array([v.features[:, _COL] for v in views])
    return X.mean(axis=0), X.std(axis=0) + 0.02


def blended(X: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """(..., codes, len(BLEND)) features -> the same with the similarities standardised."""
    out = np.array(X, dtype=float)
    known = np.isfinite(mean[..., :_STD])
    z = (out[..., :_STD] - np.where(known, mean[..., :_STD], 0)) / np.where(known, sd[..., :_STD], 1)
    out[..., :_STD] = np.where(known, z, 0.0)
    return out


def select(S: np.ndarray, rule: Rule, typology: bool) -> np.ndarray:
    """(records, layer codes) scores -> which codes the rule suggests."""
    rank = np.argsort(np.argsort(-S, axis=1), axis=1)
    best = S.max(axis=1, keepdims=True)
    near = S >= best - rule.margin
    if typology:
        return (rank == 0) | ((rank == 1) & (S >= rule.cut) & near)
    return (S >= rule.cut) & (rank < rule.k) & near


class _Blend:
    """A role's fixed blend as the per-code decision :func:`~logicmap.coding.semantic_adapt.adapt` offsets."""

    def __init__(self, model: RankModel, rule: Rule) -> None:
        self.model, self.rule, self.code_coef = model, rule, {}

    def decision(self, X: np.ndarray, cols: np.ndarray) -> np.ndarray:
        mean, sd = self.model.feature_stats_for(cols)
        Z = blended(X[:, _COL], mean, sd)
        offsets = np.array([self.code_coef.get(int(c), 0.0) for c in cols])
        return Z @ np.array(self.rule.weights) - self.rule.cut + offsets


class RankModel(SemanticModel):
    """Per-layer ranking of standardised similarities; decisions in score units above the cut."""

    #: The ranking may suggest a finding from a background sentence: its constants were chosen without
    #: that rule, and with it a new team's codebook lost outcome F1 in nested CV (0.549 -> 0.524, stop 41).
    finding_roles: tuple[str, ...] = ()
    #: Its scores place a code against its layer's cut (0.5), not a probability that it applies.
    scores_are_probabilities = False

    def __init__(self, codebook, encode, rules: Mapping[str, Rule], **kwargs) -> None:
        super().__init__(codebook, encode, **kwargs)
        self.role_of = np.array([rank_role(codebook, c.kind) for c in codebook.codes])
        self.rules = dict(rules)
        self.roles = {role: _Blend(self, rule) for role, rule in self.rules.items()}
        self.role_threshold = {role: 0.5 for role in self.rules}
        self.fstats: tuple[np.ndarray, np.ndarray] | None = None
        self._batch = feature_stats([])

    def set_stats(self, views: Sequence[RecordView]) -> None:
        super().set_stats(views)
        self.fstats = feature_stats(views)

    def clear_stats(self) -> None:
        super().clear_stats()
        self.fstats = None

    def feature_stats_for(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean, sd = self.fstats if self.fstats is not None else self._batch
        return mean[cols], sd[cols]

    def proba_views(self, views: Sequence[RecordView]) -> np.ndarray:
        self._batch = feature_stats(views)
        return super().proba_views(views)

    def choose(self, p: np.ndarray) -> list[str]:
        """The codes to suggest from one record's probabilities, layer by layer."""
        out = []
        for kind in self.codebook.kinds:
            cols = self.builder.kind_cols[kind]
            if len(cols):
                out += self._pick(p, cols, str(self.role_of[cols[0]]), {})
        return out

    def _pick(self, p: np.ndarray, cols: np.ndarray, role: str, thresholds: Mapping[str, float]) -> list[str]:
        rule = self.rules.get(role)
        if rule is None or not len(cols):
            return []
        S = np.log(np.clip(p[cols], 1e-12, 1)) - np.log(np.clip(1 - p[cols], 1e-12, 1))
        shifted = Rule(rule.weights, 0.0, rule.k, rule.margin)
        chosen = select(S[None, :], shifted, role == "typology")[0]
        return [self.codes[cols[i]] for i in np.argsort(-S) if chosen[i]]

    def to_dict(self) -> dict:
        return {"method": "rank", "features": list(BLEND), "rules": {r: rule.to_dict() for r, rule in self.rules.items()}}

    @classmethod
    def from_dict(cls, codebook, encode, params: Mapping, **kwargs) -> RankModel:
        rules = {role: Rule.from_dict(d) for role, d in params["rules"].items()}
        return cls(codebook, encode, rules, **kwargs)


def writing_styles(codebook) -> list:
    """``codebook`` as teams might write it more briefly: as it is; labels and definitions only;
    those with two examples. Tuning on all three keeps the constants from relying on a fully
    written codebook (the nested cross-validation of ``benchmarks/coding_quality.py`` chose this)."""
    from dataclasses import replace

    brief = [dict(include="", exclude="", examples=()), dict(include="", exclude="", examples=None)]
    out = [codebook]
    for change in brief:
        out.append(replace(codebook, codes=tuple(
            replace(c, **{**change, "examples": c.examples[:2] if change["examples"] is None else ()})
            for c in codebook.codes)))
    return out


def tuning_sets(codebook, encode, records: Sequence[Mapping], truth_of) -> list[tuple[list[RecordView], np.ndarray]]:
    """(views, truth) of ``records`` for each of :func:`writing_styles`; ``truth_of(record)`` gives
    the set of codes that apply to a record."""
    from logicmap.coding.semantic_features import FeatureBuilder

    out = []
    for book in writing_styles(codebook):
        builder = FeatureBuilder(book, encode)
        truth = np.array([[c in truth_of(r) for c in builder.codes] for r in records])
        views = builder.views(records)
        if builder.adapt_to(views):
            views = builder.views(records)
        out.append((views, truth))
    return out


def _cut_counts(S: np.ndarray, Y: np.ndarray, k: int, margin: float, typology: bool) -> np.ndarray:
    """(cuts, 3) true positives, false positives and false negatives for every cut of :data:`CUTS`."""
    rank = np.argsort(np.argsort(-S, axis=1), axis=1)
    near = S >= S.max(axis=1, keepdims=True) - margin
    above = S[None] >= np.array(CUTS)[:, None, None]
    if typology:
        sel = (rank == 0)[None] | (((rank == 1) & near)[None] & above)
    else:
        sel = ((rank < k) & near)[None] & above
    return np.stack([(sel & Y[None]).sum(axis=(1, 2)), (sel & ~Y[None]).sum(axis=(1, 2)),
                     (~sel & Y[None]).sum(axis=(1, 2))], axis=1)


def tune(sets: Sequence[tuple[Sequence[RecordView], np.ndarray]], role_of: np.ndarray,
         rows: np.ndarray | None = None) -> dict[str, Rule]:
    """Per layer role, the rule (weights on :data:`WEIGHT_GRID`, cut, ``k``, margin) with the best
    micro-F1 of its layer, pooled over ``sets`` of (views, truth) (truth: records x codes, True
    where the code applies; each set the same records and codes, described differently, e.g.
    codebooks written more or less fully), on ``rows`` of them; similarities standardised over all
    the views of a set (the project's studies, labels unused)."""
    Zs = []
    for views, _ in sets:
        mean, sd = feature_stats(views)
        Zs.append(blended(np.array([v.features[:, _COL] for v in views]), mean, sd))
    rows = np.arange(len(sets[0][0])) if rows is None else rows
    grid = list(itertools.product(*(WEIGHT_GRID[f] for f in BLEND[1:])))
    out = {}
    for role in sorted(set(role_of.tolist())):
        cols = np.flatnonzero(role_of == role)
        typology = role == "typology"
        best = None
        for weights in grid:
            w = np.array((1.0, *weights))
            for k, margin in itertools.product((2,) if typology else KS, MARGINS):
                counts = sum(_cut_counts(Z[np.ix_(rows, cols)] @ w, truth[np.ix_(rows, cols)], k, margin, typology)
                             for Z, (_, truth) in zip(Zs, sets))
                tp, fp, fn = counts.T
                f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
                i = int(np.argmax(f1))
                if best is None or f1[i] > best[0]:
                    best = (float(f1[i]), Rule(tuple(w), float(CUTS[i]), k, margin))
        out[role] = best[1]
    return out
