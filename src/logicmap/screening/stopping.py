"""When to stop screening: the rule interface, buscar (central and biased urn) and two heuristics.

Every rule answers two questions about labels in the order screened (1 relevant):
:meth:`~StoppingRule.assess` -- may screening stop now, with the estimated recall, its
interval and the reason in words -- and :meth:`~StoppingRule.replay` -- where would
the rule first have stopped in a fully labelled replayed order (simulations and the
calibration). Both return a :class:`StopReport`.

:class:`BuscarRule` is the stopping criterion of Callaghan & Müller-Hansen (2020),
"Statistical stopping criteria for automated screening in systematic reviews"
(Systematic Reviews 9:273, doi:10.1186/s13643-020-01521-4), adapted from
``buscarpy`` 0.0.2 (``calculate_h0``, MIT licence, Max Callaghan); see
:mod:`logicmap.screening.stopping_urn`. Assumption: the records screened last are a
random (``bias=1``) or a ``bias``-times-richer sample of the records not screened
before them. With ``bias=1`` the guarantee holds whatever the ranking; a larger
bias saves more work and holds only as far as the calibration shows.

Heuristics: :class:`ConsecutiveIrrelevantRule` (stop after *n* irrelevant
decisions in a row) and :class:`FractionRule` (stop after a fixed share of all
records). They give no guarantee; their estimate and interval come from the
central urn test. Every interval is at 95% (:data:`INTERVAL_LEVEL`), also for a rule
tested at a lower confidence. Rules that need a random sample and the knee method live in
:mod:`~logicmap.screening.stopping_sample` and :mod:`~logicmap.screening.stopping_knee`;
the registry and the default rule in :mod:`~logicmap.screening.stopping_rules`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from logicmap.screening.stopping_urn import RecallEstimate, buscar_p, recall_interval, urn_p

#: Level of every reported recall interval, whatever the rule's own confidence.
INTERVAL_LEVEL = 0.95

__all__ = ["INTERVAL_LEVEL", "BuscarRule", "ConsecutiveIrrelevantRule", "FractionRule", "StopReport", "StoppingRule",
           "buscar_p", "checkpoints", "evaluate_rules", "padded", "recall_interval", "rule_name", "urn_p"]


def rule_name(prefix: str, recall_target: float, confidence: float) -> str:
    """A rule's report name from its target and confidence: ``rule_name("buscar", 0.95, 0.9)`` -> ``buscar_95_90``."""
    return f"{prefix}_{round(recall_target * 100)}_{round(confidence * 100)}"


@dataclass(frozen=True)
class StopReport:
    """A rule's verdict: whether (or where, in a replay) it stops, the recall estimate and why."""

    rule: str
    stopped: bool
    records_screened: int
    recall: RecallEstimate
    reason: str
    #: relevant records among those screened when a rule also screens a random sample (None: the prefix)
    relevant_found: int | None = None

    def words(self) -> str:
        """``stopping rule NAME at estimated recall 0.96 [0.93, 1.00]``."""
        return f"stopping rule {self.rule} at estimated recall {self.recall.words()}"


class StoppingRule(Protocol):
    """A rule deciding from the labels seen so far whether screening may stop."""

    name: str
    recall_target: float
    confidence: float

    def assess(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> StopReport:
        """May screening stop after ``ordered_labels``? With the estimate and the reason."""

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """Where the rule first stops in a fully labelled replayed order (``records_screened``)."""


def padded(ordered_labels: Sequence[int], n_total: int) -> np.ndarray:
    """The labels, with the records not listed appended as irrelevant (screened later)."""
    labels = np.asarray(ordered_labels, dtype=np.int64)
    return np.concatenate([labels, np.zeros(max(n_total - labels.size, 0), dtype=np.int64)])


def checkpoints(start: int, n_total: int, every: int | None) -> range:
    """The numbers of records screened at which a replay tests a rule (about 1000 tests by default)."""
    return range(start, n_total + 1, every or max(1, math.ceil(n_total / 1000)))


def replayed_report(rule: Any, labels: np.ndarray, n_total: int, stop: int | None, bias: float = 1.0) -> StopReport:
    """The report of a replay that stopped after ``stop`` records (None: never)."""
    screened = n_total if stop is None else stop
    estimate = recall_interval(labels[:screened], n_total, bias=bias, level=INTERVAL_LEVEL)
    reason = "never fired" if stop is None else f"fired after {stop} records"
    return StopReport(rule.name, stop is not None and stop < n_total, screened, estimate, reason)


@dataclass(frozen=True)
class BuscarRule:
    """Stop when recall >= ``recall_target`` holds with ``confidence`` under the urn test (module doc).

    ``bias`` is the assumed odds ratio of the records screened last against those not
    yet screened (1: buscar as published). ``min_screened`` avoids testing before a
    handful of decisions exist. A replay tests after every ``check_every`` decisions
    (default: about 1000 tests over the whole dataset); testing less often can only
    stop later, never earlier.
    """

    recall_target: float = 0.95
    confidence: float = 0.95
    bias: float = 1.0
    min_screened: int = 10
    check_every: int | None = None

    @property
    def name(self) -> str:
        """Rule name used in reports: ``buscar_95_95``, with ``_bias4`` for a biased urn."""
        base = rule_name("buscar", self.recall_target, self.confidence)
        return base if self.bias == 1 else f"{base}_bias{self.bias:g}"

    @property
    def description(self) -> str:
        """The rule in words, for the project's methods record."""
        urn = ("" if self.bias == 1 else
               f", ranked records assumed {self.bias:g} times likelier to be relevant than those left")
        return (f"statistical stopping (Callaghan & Müller-Hansen 2020): recall >= {self.recall_target:.0%} "
                f"with {self.confidence:.0%} confidence{urn}")

    def p_value(self, ordered_labels: Sequence[int], n_total: int) -> float:
        """p-value of "recall is below the target"."""
        return buscar_p(ordered_labels, n_total, self.recall_target, self.bias)

    def should_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> bool:
        """True when H0 (recall below target) is rejected at ``1 - confidence``."""
        if len(ordered_labels) < max(self.min_screened, n_priors + 1):
            return len(ordered_labels) >= n_total
        return self.p_value(ordered_labels, n_total) < 1 - self.confidence

    def assess(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> StopReport:
        """The test now: stop when p < 1 - confidence."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        estimate = recall_interval(labels, n_total, bias=self.bias, level=INTERVAL_LEVEL)
        stop = self.should_stop(labels, n_total, n_priors=n_priors) and labels.size < n_total
        p = self.p_value(labels, n_total) if labels.size else 1.0
        verdict = "below" if stop else "not below"
        reason = (f"p = {p:.3g} that recall is under {self.recall_target:.0%}, {verdict} "
                  f"{1 - self.confidence:.2g}")
        if p == 0 and labels.size:  # not a test's verdict but arithmetic: say so
            reason = (f"recall is at least {self.recall_target:.0%} even if every record left is relevant: "
                      f"p = 0, {verdict} {1 - self.confidence:.2g}")
        return StopReport(self.name, stop, int(labels.size), estimate, reason)

    def first_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0,
                   after: int = 0) -> int | None:
        """Records screened at the first checkpoint where the rule fires (None: never).

        ``after`` skips the checkpoints before it (for a caller who knows the rule does not
        fire there, e.g. because a larger bias did not).
        """
        full = padded(ordered_labels, n_total)
        for k in checkpoints(max(self.min_screened, n_priors + 1), n_total, self.check_every):
            if k >= after and self.should_stop(full[:k], n_total, n_priors=n_priors):
                return k
        return None

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0,
               after: int = 0) -> StopReport:
        """The first stop in a replayed order and the estimate there (``seed`` unused: no sample)."""
        full = padded(ordered_labels, n_total)
        return replayed_report(self, full, n_total, self.first_stop(full, n_total, n_priors=n_priors, after=after),
                         self.bias)


@dataclass(frozen=True)
class ConsecutiveIrrelevantRule:
    """Stop after ``n`` irrelevant decisions in a row (priors not counted). A heuristic."""

    n: int = 100
    recall_target: float = 0.95
    confidence: float = 0.95

    @property
    def name(self) -> str:
        """Rule name used in reports."""
        return f"consecutive_irrelevant_{self.n}"

    def should_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> bool:
        """True when the last ``n`` decisions after the priors were all irrelevant."""
        labels = np.asarray(ordered_labels[n_priors:], dtype=np.int64)
        return len(ordered_labels) >= n_total or (labels.size >= self.n and not labels[-self.n:].any())

    def assess(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> StopReport:
        """Stop once the streak of irrelevant decisions reaches ``n``."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        stop = self.should_stop(labels, n_total, n_priors=n_priors) and labels.size < n_total
        tail = labels[n_priors:]
        streak = int(tail.size - 1 - np.flatnonzero(tail)[-1]) if tail.any() else int(tail.size)
        return StopReport(self.name, stop, int(labels.size), recall_interval(labels, n_total, level=INTERVAL_LEVEL),
                          f"{streak} irrelevant decisions in a row (stops at {self.n})")

    def first_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> int | None:
        """Records screened when the streak first reaches ``n``."""
        full = padded(ordered_labels, n_total)
        streak = 0
        for k in range(n_priors, n_total):
            streak = 0 if full[k] else streak + 1
            if streak >= self.n:
                return k + 1
        return None

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """The first stop in a replayed order."""
        full = padded(ordered_labels, n_total)
        return replayed_report(self, full, n_total, self.first_stop(full, n_total, n_priors=n_priors))


@dataclass(frozen=True)
class FractionRule:
    """Stop after screening ``fraction`` of all records. A heuristic."""

    fraction: float = 0.5
    recall_target: float = 0.95
    confidence: float = 0.95

    @property
    def name(self) -> str:
        """Rule name used in reports."""
        return f"fraction_{round(self.fraction * 100)}%"

    def should_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> bool:
        """True once ``fraction * n_total`` records were screened."""
        return len(ordered_labels) >= math.ceil(self.fraction * n_total - 1e-9)

    def assess(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> StopReport:
        """Stop once the share is screened."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        stop = self.should_stop(labels, n_total) and labels.size < n_total
        return StopReport(self.name, stop, int(labels.size), recall_interval(labels, n_total, level=INTERVAL_LEVEL),
                          f"{labels.size} of {n_total} records screened (stops at {self.fraction:.0%})")

    def first_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> int | None:
        """``ceil(fraction * n_total)``."""
        return max(1, math.ceil(self.fraction * n_total - 1e-9))

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """Where the share is reached."""
        full = padded(ordered_labels, n_total)
        return replayed_report(self, full, n_total, self.first_stop(full, n_total))


def evaluate_rules(ordered_labels: Sequence[int], rules: Sequence[StoppingRule], *,
                   n_total: int | None = None, n_priors: int = 0, seed: int = 0) -> dict[str, dict[str, Any]]:
    """For each rule: where it stops, the recall achieved there, the work saved and the rule's estimate."""
    labels = np.asarray(ordered_labels, dtype=np.int64)
    n = labels.size if n_total is None else int(n_total)
    relevant = max(int(labels.sum()), 1)
    found = np.cumsum(padded(labels, n))
    outcome: dict[str, dict[str, Any]] = {}
    for rule in rules:
        report = rule.replay(labels, n, n_priors=n_priors, seed=seed)
        screened = report.records_screened
        outcome[rule.name] = {
            "stopped": report.stopped,
            "records_screened": screened,
            "recall": (report.relevant_found if report.relevant_found is not None
                       else int(found[screened - 1]) if screened else 0) / relevant,
            "work_saved": 1 - screened / n,
            "recall_estimate": round(report.recall.estimate, 4),
            "recall_interval": [round(report.recall.low, 4), round(report.recall.high, 4)],
        }
    return outcome
