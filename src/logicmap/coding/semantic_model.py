"""Coding suggestions from sentence embeddings: calibrated per-layer scores, per-code thresholds,
abstention below them, and learning from reviewers' decisions.

A logistic regression per layer role (intervention, mechanism, process, outcome, condition: see
:func:`~logicmap.coding.suggest.recovery_role`) turns the evidence features of
:mod:`logicmap.coding.semantic_features` into a probability that the code applies. Its features
describe how well the record's sentences match what the codebook says about the code, not the
code itself, so the weights carry over to codes (and codebooks) it has never seen; once reviewers
have judged a code (accepted, rejected or given it themselves), a per-code offset is learnt too.
Thresholds are chosen by an inner, seeded cross-validation on the training records: one per
layer maximising micro-F1, and one per code with enough positives, shrunk towards its layer's.
A code below its threshold is not suggested (abstention). The intervention layer always gets its
best code (every included study has an intervention), a second only when nearly as likely.

The quote of a suggestion is the sentence most similar to the code, favouring sentences naming one
of the code's key terms and (except for mechanisms) results and conclusions sentences that read like
findings over background and methods sentences (:func:`~logicmap.coding.semantic_quotes.best_sentence`).
Quotes are verbatim. An outcome or a process whose best sentence is still background is not suggested:
the record only cites that finding from other work (``finding_roles``).

Example::

    model = SemanticModel(codebook, encode, seed=0).fit(records, feedback)
    suggestions = model.suggest(new_records)
    order = model.least_sure(new_records)   # the next study to code first
"""

from __future__ import annotations

from collections import defaultdict
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from logicmap.codebook.codes import Codebook
from logicmap.coding.evaluate import f1_scores
from logicmap.coding.feedback import Feedback
from logicmap.coding.layer_regression import VARIANTS, LayerRegression, fit_layer
from logicmap.coding.semantic_features import FEATURES, Encoder, FeatureBuilder, RecordView
from logicmap.coding.semantic_quotes import FINDING_ROLES, best_sentence
from logicmap.coding.suggest import Suggestion, make_suggestion, recovery_role

if TYPE_CHECKING:
    from logicmap.coding.aligned import AlignedModel

GRID = tuple(np.round(np.arange(0.1, 0.91, 0.025), 3))
#: How far a code's own threshold moves from its layer's: n positives against this many pseudo-counts.
SHRINK = 6.0
SECOND_RATIO = 0.8
#: Repeats of the inner cross-validation (out-of-fold probabilities averaged): steadier choices.
REPEATS = 3


#: Fewer records than this and ``sim_z`` is not standardised on the records at hand (it is 0).
MIN_BATCH = 10


def _stats(views: Sequence[RecordView]) -> tuple[np.ndarray, np.ndarray]:
    """Per-code mean and standard deviation of ``sim_max`` over ``views``; too few records give
    means of +inf, so that ``sim_z`` is 0 (uninformative) rather than misleading."""
    if len(views) < MIN_BATCH:
        n = len(views[0].features) if views else 0
        return np.full(n, np.inf), np.full(n, np.inf)
    sims = np.array([v.features[:, 0] for v in views])
    return sims.mean(axis=0), sims.std(axis=0) + 0.02


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


class SemanticModel:
    """Per-role calibrated probabilities over embedding evidence, with per-code thresholds."""

    #: Layer roles whose codes are never suggested from a background sentence (see FINDING_ROLES).
    finding_roles: tuple[str, ...] = FINDING_ROLES
    #: Whether its suggestions' scores are probabilities that the code applies (:attr:`Suggestion.score_is_probability`).
    scores_are_probabilities: bool = True

    def __init__(self, codebook: Codebook, encode: Encoder, *, seed: int = 0, C: float = 0.5, folds: int = 3,
                 role_model=None, code_bias: bool = True, min_examples: int = 2, calibrate: bool = True,
                 builder: FeatureBuilder | None = None) -> None:
        self.codebook = codebook
        self.seed = seed
        self.C = C
        self.folds = folds
        self.code_bias = code_bias
        self.min_examples = min_examples
        self.calibrate = calibrate
        self.builder = builder or FeatureBuilder(codebook, encode, role_model=role_model)
        self.codes = self.builder.codes
        self.role_of = np.array([recovery_role(codebook, c.kind) for c in codebook.codes])
        self.roles = {}  # role -> LayerRegression
        self.variant: dict[str, str] = {}  # role -> key of VARIANTS (default "all")
        self.bias: dict[str, bool] = {}  # role -> per-code offsets learnt (default: code_bias)
        self.role_threshold: dict[str, float] = {}
        self.code_threshold: dict[str, float] = {}
        self.stats: tuple[np.ndarray, np.ndarray] | None = None  # per-code mean, sd of sim_max
        self.protos = np.zeros((0, 1), dtype=np.float32)  # reviewers' evidence quotes, embedded
        self.proto_code = np.zeros(0, dtype=int)
        self.proto_record = np.zeros(0, dtype=object)

    # -- fitting -----------------------------------------------------------------------------------
    def fit(self, records: Sequence[Mapping], feedback: Iterable[Feedback],
            evidence: Iterable[tuple[str, str, str]] = ()) -> SemanticModel:
        """Learn weights and thresholds from ``feedback`` on ``records``; ``evidence`` holds
        ``(record id, code, quote)`` of codes reviewers gave, whose quotes become examples."""
        records = list(records)
        feedback = list(feedback)
        views = self.builder.views(records)
        self.set_stats(views)
        self._set_protos(list(evidence))
        self._fit_views(views, feedback)
        if self.calibrate:
            self._thresholds(views, feedback)
        return self

    def set_stats(self, views: Sequence[RecordView]) -> None:
        """Standardise similarities on ``views`` (the project's studies) from now on."""
        self.stats = _stats(views)

    def clear_stats(self) -> None:
        """Standardise similarities on whichever records are being scored."""
        self.stats = None

    def _table(self, views: Sequence[RecordView], feedback: Sequence[Feedback]):
        row_of = {v.record_id: i for i, v in enumerate(views)}
        index = {c: j for j, c in enumerate(self.codes)}
        verdict: dict[tuple[int, int], bool] = {}
        for fb in feedback:
            if fb.record_id in row_of and fb.code in index:
                verdict[(row_of[fb.record_id], index[fb.code])] = fb.accepted
        return verdict

    def _set_protos(self, evidence: list[tuple[str, str, str]]) -> None:
        index = {c: j for j, c in enumerate(self.codes)}
        evidence = [e for e in evidence if e[1] in index and e[2].strip()]
        if not evidence:
            return
        self.protos = np.asarray(self.builder.encode([q for _, _, q in evidence]), dtype=np.float32)
        self.proto_code = np.array([index[c] for _, c, _ in evidence])
        self.proto_record = np.array([str(r) for r, _, _ in evidence], dtype=object)

    def _complete(self, views: Sequence[RecordView]) -> None:
        """Fill in the features that depend on the model: ``sim_z`` and ``sim_proto``."""
        z, p = FEATURES.index("sim_z"), FEATURES.index("sim_proto")
        mean, sd = self.stats if self.stats is not None else _stats(views)
        known = np.isfinite(mean)
        for v in views:
            v.features[:, z] = np.where(known, (v.features[:, 0] - np.where(known, mean, 0)) / np.where(known, sd, 1), 0.0)
            v.features[:, p] = 0.0
            if not len(self.proto_code) or not len(v.vectors):
                continue
            best = (v.vectors @ self.protos.T).max(axis=0)
            keep = self.proto_record != v.record_id
            for j in set(self.proto_code[keep].tolist()):
                v.features[j, p] = best[keep & (self.proto_code == j)].max()

    def _fit_views(self, views: Sequence[RecordView], feedback: Sequence[Feedback]) -> None:
        self._complete(views)
        verdict = self._table(views, feedback)
        by_role: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)
        for (i, j), ok in verdict.items():
            by_role[self.role_of[j]].append((i, j, ok))
        self.roles = {}
        for role, rows in by_role.items():
            X = np.array([views[i].features[j] for i, j, _ in rows])
            y = np.array([ok for _, _, ok in rows], dtype=int)
            cols = np.array([j for _, j, _ in rows])
            fitted = fit_layer(X, y, cols, C=self.C, seed=self.seed, code_bias=self.bias.get(role, self.code_bias),
                               min_examples=self.min_examples, variant=self.variant.get(role, "all"))
            if fitted is not None:
                self.roles[role] = fitted

    def _thresholds(self, views: Sequence[RecordView], feedback: Sequence[Feedback]) -> None:
        """Per layer, the feature set and threshold with the best inner cross-validated micro-F1; then
        per-code thresholds; then the layers' regressions refitted with the chosen feature sets."""
        verdict = self._table(views, feedback)
        truth = np.zeros((len(views), len(self.codes)), dtype=bool)
        judged = np.zeros_like(truth)
        for (i, j), ok in verdict.items():
            truth[i, j], judged[i, j] = ok, True
        choices = [(name, bias) for name in VARIANTS for bias in ((False, True) if self.code_bias else (False,))]
        oof = {c: self._oof(views, feedback, *c) for c in choices}
        self.role_threshold, self.code_threshold, self.variant, self.bias = {}, {}, {}, {}
        for role in sorted(set(self.role_of.tolist())):
            cols = np.flatnonzero(self.role_of == role)
            rows = np.flatnonzero(judged[:, cols].any(axis=1))
            if not len(rows):
                continue
            options = [(self._role_f1(oof[c][rows], truth[rows], cols, role, t), -abs(t - 0.5), -k, c, float(t))
                       for k, c in enumerate(choices) for t in GRID]
            _, _, _, choice, best = max(options)
            (self.variant[role], self.bias[role]), self.role_threshold[role] = choice, best
            probs = oof[choice]
            for j in cols:
                n_pos = int(truth[rows, j].sum())
                if n_pos < 3:
                    continue
                own = max(GRID, key=lambda t: (f1_scores([{1} if x else set() for x in truth[rows, j]],
                                                         [{1} if p >= t else set() for p in probs[rows, j]])["micro_f1"],
                                               -abs(t - best)))
                self.code_threshold[self.codes[j]] = float((n_pos * own + SHRINK * best) / (n_pos + SHRINK))
        self._fit_views(views, feedback)

    def _oof(self, views: Sequence[RecordView], feedback: Sequence[Feedback], variant: str, bias: bool) -> np.ndarray:
        """Out-of-fold probabilities of the inner cross-validation with one feature set (and with or
        without per-code offsets) everywhere."""
        rng = np.random.default_rng(self.seed)
        probs = np.zeros((len(views), len(self.codes)))
        for _ in range(REPEATS):
            order = rng.permutation(len(views))
            for k in range(self.folds):
                held = order[k :: self.folds]
                train = [views[i] for i in order if i not in set(held.tolist())]
                inner = SemanticModel(self.codebook, None, seed=self.seed, C=self.C, code_bias=bias,
                                      min_examples=self.min_examples, calibrate=False, builder=self.builder)
                inner.stats = _stats(train)
                inner.variant = {role: variant for role in set(self.role_of.tolist())}
                mine = np.array([r in {v.record_id for v in train} for r in self.proto_record], dtype=bool)
                inner.protos, inner.proto_code, inner.proto_record = (
                    self.protos[mine] if len(mine) else self.protos, self.proto_code[mine], self.proto_record[mine])
                inner._fit_views(train, feedback)
                probs[held] += inner.proba_views([views[i] for i in held]) / REPEATS
        return probs

    def _role_f1(self, probs, truth, cols, role, t) -> float:
        gold, pred = [], []
        for p, g in zip(probs, truth):
            gold.append({self.codes[j] for j in cols if g[j]})
            pred.append(set(self._pick(p, cols, role, {self.codes[j]: t for j in cols})))
        return f1_scores(gold, pred)["micro_f1"]

    # -- prediction --------------------------------------------------------------------------------
    def proba_views(self, views: Sequence[RecordView]) -> np.ndarray:
        """Probability per (record, code); codes of a role without a model get 0."""
        out = np.zeros((len(views), len(self.codes)))
        self._complete(views)
        for role, m in self.roles.items():
            cols = np.flatnonzero(self.role_of == role)
            for i, v in enumerate(views):
                out[i, cols] = 1.0 / (1.0 + np.exp(-m.decision(v.features[cols], cols)))
        return out

    def threshold(self, code: str) -> float:
        """The threshold a code's probability must reach to be suggested."""
        j = self.codes.index(code)
        return self.code_threshold.get(code, self.role_threshold.get(self.role_of[j], 0.5))

    def _pick(self, p: np.ndarray, cols: np.ndarray, role: str, thresholds: Mapping[str, float]) -> list[str]:
        ranked = sorted(cols, key=lambda j: -p[j])
        if not ranked:
            return []
        if role == "typology":
            best = ranked[0]
            out = [self.codes[best]]
            for j in ranked[1:2]:
                if p[j] >= thresholds[self.codes[j]] and p[j] >= SECOND_RATIO * p[best]:
                    out.append(self.codes[j])
            return out
        return [self.codes[j] for j in ranked if p[j] >= thresholds[self.codes[j]]]

    def choose(self, p: np.ndarray) -> list[str]:
        """The codes to suggest from one record's probabilities, layer by layer."""
        out = []
        for kind in self.codebook.kinds:
            cols = self.builder.kind_cols[kind]
            role = recovery_role(self.codebook, kind)
            out += self._pick(p, cols, role, {self.codes[j]: self.threshold(self.codes[j]) for j in cols})
        return out

    def suggest(self, records: Sequence[Mapping], settings=None) -> list[Suggestion]:
        """Suggestions with verbatim quotes for ``records`` (``settings`` is accepted and ignored)."""
        records = [r for r in records if (r.get("title") or "").strip() or (r.get("abstract") or "").strip()]
        views = self.builder.views(records)
        probs = self.proba_views(views)
        out = []
        for v, p in zip(views, probs):
            for code in self.choose(p):
                made = self._suggestion(v, code, float(p[self.codes.index(code)]))
                if made is not None:
                    out.append(made)
        return out

    def least_sure(self, records: Sequence[Mapping], codes: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Record ids with their uncertainty, least sure first: how close its codes' probabilities
        lie to their thresholds (summed over ``codes``, all when None, in logits; a finding the record
        only cites, which is never suggested, does not count)."""
        views = self.builder.views(list(records))
        probs = self.proba_views(views)
        thr = np.array([self.threshold(c) for c in self.codes])
        closeness = np.exp(-np.abs(_logit(probs) - _logit(thr)))
        counted = np.ones(len(self.codes), dtype=bool) if codes is None else np.isin(self.codes, list(codes))
        findings = [j for j in np.flatnonzero(counted) if self.role_of[j] in self.finding_roles]
        for i, v in enumerate(views):
            for j in findings:
                if self._quoted(v, j) is None:
                    closeness[i, j] = 0.0
        scored = [(v.record_id, float(u)) for v, u in zip(views, closeness[:, counted].sum(axis=1))]
        return sorted(scored, key=lambda x: (-x[1], x[0]))

    def _quoted(self, view: RecordView, j: int) -> int | None:
        """Where in ``view.sentences`` a suggestion of code column ``j`` quotes from; None for a finding (an
        outcome or a process, :attr:`finding_roles`) whose best sentence is background: the record only cites it."""
        role = self.role_of[j]
        k = best_sentence(view, j, self.codes[j], role)
        return None if role in self.finding_roles and view.roles[k] == "background" else k

    def _suggestion(self, view: RecordView, code: str, score: float) -> Suggestion | None:
        """The suggestion of ``code`` quoting its best sentence; None for a finding the record only cites."""
        j = self.codes.index(code)
        k = self._quoted(view, j)
        if k is None:
            return None
        return make_suggestion(view.evidence, code, self.codebook[code].kind, score, view.sentences[k],
                               str(self.role_of[j]), score_is_probability=self.scores_are_probabilities)

    # -- persistence -------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The generic weights, layer thresholds and per-code thresholds (per-code offsets left out)."""
        stats = {} if self.stats is None else {
            c: [float(m), float(s)] for c, m, s in zip(self.codes, *self.stats) if np.isfinite(m)}
        return {"features": list(FEATURES), "roles": {r: m.to_dict() for r, m in self.roles.items()},
                "thresholds": dict(self.role_threshold), "code_thresholds": dict(self.code_threshold), "stats": stats,
                "labels": {c.code: c.label for c in self.codebook.codes}}

    @classmethod
    def from_dict(cls, codebook: Codebook, encode: Encoder, params: Mapping, *, known_stats: bool = True,
                  **kwargs) -> SemanticModel:
        """A model with the generic weights and layer thresholds of :meth:`to_dict`; with
        ``known_stats`` and every code's label as fitted, its similarity statistics and per-code
        thresholds too (otherwise ``sim_z`` is standardised on the records being coded)."""
        if list(params["features"]) != list(FEATURES):
            raise ValueError("these weights were fitted on other features")
        model = cls(codebook, encode, **kwargs)
        model.roles = {r: LayerRegression.from_dict(d) for r, d in params["roles"].items()}
        model.role_threshold = dict(params["thresholds"])
        stats, labels = params.get("stats", {}), params.get("labels", {})
        if known_stats and all(c.code in stats and labels.get(c.code) == c.label for c in codebook.codes):
            model.stats = (np.array([stats[c][0] for c in model.codes]), np.array([stats[c][1] for c in model.codes]))
            model.code_threshold = dict(params.get("code_thresholds", {}))
        return model


#: The generic weights shipped with the package (:func:`default_model`), fitted by
#: ``scripts/fit_coding_defaults.py`` on the demo corpus's labels (never on held-out records).
DEFAULTS_FILE = "semantic_defaults.json"


def default_model(codebook: Codebook, encode: Encoder, *, known_stats: bool = True,
                  **kwargs) -> SemanticModel | AlignedModel:
    """The model a project starts with: for the codebook the shipped weights were fitted on, those
    (fitted without term lists when ``codebook`` has none); for any other, no weights fitted on codes
    but the shipped per-layer ranking constants (:class:`~logicmap.coding.semantic_rank.RankModel`),
    except for the codes that restate the recovery codebook's (:mod:`logicmap.coding.aligned`)."""
    shipped = json.loads((Path(__file__).with_name(DEFAULTS_FILE)).read_text(encoding="utf-8"))
    key = "terms" if any(c.terms for c in codebook.codes) else "no_terms"
    if not fitted_on(codebook, shipped[key]):
        from logicmap.coding.aligned import with_known_layers
        from logicmap.coding.semantic_rank import RankModel

        return with_known_layers(RankModel.from_dict(codebook, encode, shipped[f"unseen_{key}"], **kwargs),
                                 codebook, encode, **kwargs)
    return SemanticModel.from_dict(codebook, encode, shipped[key], known_stats=known_stats, **kwargs)


def fitted_on(codebook: Codebook, params: Mapping) -> bool:
    """Whether ``params`` were fitted on ``codebook``'s codes (the same codes with the same labels)."""
    labels = params.get("labels", {})
    return len(labels) == len(codebook.codes) and all(labels.get(c.code) == c.label for c in codebook.codes)
