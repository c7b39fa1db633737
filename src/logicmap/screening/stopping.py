"""When to stop screening: a statistical criterion and two heuristics.

:class:`BuscarRule` is the stopping criterion of Callaghan & Müller-Hansen (2020),
"Statistical stopping criteria for automated screening in systematic reviews"
(Systematic Reviews 9:273, doi:10.1186/s13643-020-01521-4), adapted from the
reference implementation ``buscarpy`` 0.0.2 (``calculate_h0``, MIT licence,
Max Callaghan). It tests the null hypothesis "recall is still below the target"
by treating the last *k* screened records, for every *k*, as a random sample
(urn) from the records not screened before them: if even the most favourable
urn makes the observed few relevant records improbable under H0 (hypergeometric
p below ``1 - confidence``), screening stops. Prioritised screening puts the
least promising records last, so the random-urn assumption is conservative.

Changes from buscarpy: only numpy/scipy are needed (no pandas/matplotlib); urns
whose H0 needs more relevant records than the urn and the unseen records hold
count as p = 0 (H0 impossible) instead of NaN; and a sequential scan finds the
first stop in a replayed order.

Heuristics: :class:`ConsecutiveIrrelevantRule` (stop after *n* irrelevant
decisions in a row) and :class:`FractionRule` (stop after a fixed share of all
records). They give no guarantee; simulations report how they fare.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy.stats import hypergeom


def buscar_p(ordered_labels: Sequence[int], n_total: int, recall_target: float = 0.95) -> float:
    """p-value of H0 "recall < ``recall_target``" after screening ``ordered_labels``.

    Port of ``buscarpy.calculate_h0`` with ``bias=1``: the minimum over urns (the
    last *k* records screened, for every *k*) of the hypergeometric probability
    of seeing at most the relevant records the urn holds if the population (urn
    + unseen records) held ``k_hat`` relevant.
    """
    labels = np.asarray(ordered_labels, dtype=np.int64)
    seen = labels.size
    if seen == 0 or seen >= n_total:
        return 0.0 if seen >= n_total else 1.0
    r_seen = int(labels.sum())
    urns = labels[::-1]
    in_urn_all = np.cumsum(urns)
    # Only the longest urn for each count of relevant records inside it matters:
    # adding an irrelevant record to an urn (and to its population) can only lower
    # the hypergeometric cdf, so the minimum is at urns that stop just before a
    # relevant record, or at the whole sequence. This is exact and needs
    # r_seen + 1 evaluations instead of one per screened record.
    sizes = np.append(np.flatnonzero(urns == 1), seen)
    sizes = sizes[sizes > 0]
    in_urn = in_urn_all[sizes - 1]
    k_hat = np.floor(r_seen / recall_target + 1 - (r_seen - in_urn))
    population = n_total - (seen - sizes)
    p = hypergeom.cdf(in_urn, population, np.minimum(k_hat, population), sizes)
    p = np.where(k_hat > population, 0.0, p)
    return float(np.nanmin(p))


class StoppingRule(Protocol):
    """A rule deciding from the labels seen so far whether screening may stop."""

    name: str

    def should_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> bool:
        """True when screening may stop after ``ordered_labels``."""

    def first_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> int | None:
        """Records screened when the rule first fires on a replayed order (None: never)."""


@dataclass(frozen=True)
class BuscarRule:
    """Stop when recall >= ``recall_target`` holds with ``confidence`` (see module doc).

    ``min_screened`` avoids testing before a handful of decisions exist.
    :meth:`first_stop` tests after every ``check_every`` decisions (default: about
    1000 tests over the whole dataset, each costing one pass over the screened
    records); testing less often can only stop later, never earlier.
    """

    recall_target: float = 0.95
    confidence: float = 0.95
    min_screened: int = 10
    check_every: int | None = None

    @property
    def name(self) -> str:
        """Rule name used in reports."""
        return f"buscar_{round(self.recall_target * 100)}_{round(self.confidence * 100)}"

    @property
    def description(self) -> str:
        """The rule in words, for the project's methods record."""
        return (f"statistical stopping (Callaghan & Müller-Hansen 2020): recall >= {self.recall_target:.0%} "
                f"with {self.confidence:.0%} confidence")

    def should_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> bool:
        """True when H0 (recall below target) is rejected at ``1 - confidence``."""
        if len(ordered_labels) < max(self.min_screened, n_priors + 1):
            return len(ordered_labels) >= n_total
        return buscar_p(ordered_labels, n_total, self.recall_target) < 1 - self.confidence

    def first_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> int | None:
        """Scan a replayed order; records not listed are irrelevant ones screened later."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        full = np.concatenate([labels, np.zeros(n_total - labels.size, dtype=np.int64)])
        start = max(self.min_screened, n_priors + 1)
        step = self.check_every or max(1, math.ceil(n_total / 1000))
        for k in range(start, n_total + 1, step):
            if self.should_stop(full[:k], n_total, n_priors=n_priors):
                return k
        return n_total if start <= n_total else None


@dataclass(frozen=True)
class ConsecutiveIrrelevantRule:
    """Stop after ``n`` irrelevant decisions in a row (priors not counted)."""

    n: int = 100

    @property
    def name(self) -> str:
        """Rule name used in reports."""
        return f"consecutive_irrelevant_{self.n}"

    def should_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> bool:
        """True when the last ``n`` decisions after the priors were all irrelevant."""
        labels = np.asarray(ordered_labels[n_priors:], dtype=np.int64)
        return len(ordered_labels) >= n_total or (labels.size >= self.n and not labels[-self.n:].any())

    def first_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> int | None:
        """Records screened when the streak first reaches ``n``."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        full = np.concatenate([labels, np.zeros(n_total - labels.size, dtype=np.int64)])
        streak = 0
        for k in range(n_priors, n_total):
            streak = 0 if full[k] else streak + 1
            if streak >= self.n:
                return k + 1
        return None


@dataclass(frozen=True)
class FractionRule:
    """Stop after screening ``fraction`` of all records."""

    fraction: float = 0.5

    @property
    def name(self) -> str:
        """Rule name used in reports."""
        return f"fraction_{round(self.fraction * 100)}%"

    def should_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> bool:
        """True once ``fraction * n_total`` records were screened."""
        return len(ordered_labels) >= math.ceil(self.fraction * n_total - 1e-9)

    def first_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> int | None:
        """``ceil(fraction * n_total)``."""
        return max(1, math.ceil(self.fraction * n_total - 1e-9))


def default_rules() -> list[StoppingRule]:
    """The rules reported by default: buscar 95%/95%, 100 and 50 irrelevant in a row, 50%."""
    return [BuscarRule(0.95, 0.95), ConsecutiveIrrelevantRule(100), ConsecutiveIrrelevantRule(50),
            FractionRule(0.5)]


def evaluate_rules(ordered_labels: Sequence[int], rules: Sequence[StoppingRule], *,
                   n_total: int | None = None, n_priors: int = 0) -> dict[str, dict[str, Any]]:
    """For each rule: where it stops, the recall achieved there and the work saved."""
    labels = np.asarray(ordered_labels, dtype=np.int64)
    n = labels.size if n_total is None else int(n_total)
    relevant = max(int(labels.sum()), 1)
    found = np.cumsum(labels)
    outcome: dict[str, dict[str, Any]] = {}
    for rule in rules:
        stop = rule.first_stop(labels, n, n_priors=n_priors)
        screened = n if stop is None else stop
        hit = int(found[min(screened, labels.size) - 1]) if labels.size else 0
        outcome[rule.name] = {
            "stopped": stop is not None,
            "records_screened": screened,
            "recall": hit / relevant,
            "work_saved": 1 - screened / n,
        }
    return outcome
