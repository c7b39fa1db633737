"""A stopping rule with one calibrated parameter: the current run of irrelevant records against the
gaps between the relevant ones found so far.

While a ranking still finds relevant records, the irrelevant records between two relevant ones
(the gaps) stay short; once the relevant records run out, the run of irrelevant records since
the last relevant one grows without end. :class:`GapRule` stops when that run reaches

    ``scale * s / r ** power``

records, ``s`` the decisions after the priors and ``r`` the relevant records found (``s / r``
is the mean gap so far; ``power < 1`` asks a longer run of a project that has found many, since
a long ranking's mean gap understates how sparse its tail is). ``scale`` is the free parameter:
``benchmarks/stopping_calibration.py`` replays a grid of scales and chooses, leave-one-dataset-
out, the smallest one meeting recall 0.95 in at least 95% of the training datasets' runs; it is
scored on the held-out dataset. The guarantee is therefore empirical (as good as the datasets
it was calibrated on are like the project), not a statistical one.

``guard`` (optional) adds a statistical floor: the rule stops only where buscar's urn test
(:class:`~logicmap.screening.stopping.BuscarRule`, central urn) also rejects "recall below the
target" at confidence ``guard``. It keeps a run of irrelevant records early in a project with
few relevant records found from stopping it. The estimate and interval reported come from the
central urn test (:func:`~logicmap.screening.stopping_urn.recall_interval`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from logicmap.screening.stopping import INTERVAL_LEVEL, BuscarRule, StopReport, padded, replayed_report
from logicmap.screening.stopping_urn import recall_interval


def run_lengths(labels: np.ndarray, n_priors: int = 0) -> np.ndarray:
    """After each record: irrelevant decisions in a row since the last relevant one (priors not counted)."""
    positions = np.arange(labels.size)
    hit = (labels == 1) | (positions < n_priors)
    last = np.maximum.accumulate(np.where(hit, positions, -1))
    return positions - last


def gap_statistic(labels: np.ndarray, n_priors: int = 0, power: float = 0.5) -> np.ndarray:
    """After each record: run / (s / r ** power); the rule stops where it first reaches ``scale``
    (0 where nothing relevant was found or no decision after the priors was made)."""
    found = np.cumsum(labels)
    decided = np.arange(1, labels.size + 1) - n_priors
    with np.errstate(divide="ignore", invalid="ignore"):
        value = run_lengths(labels, n_priors) * np.power(np.maximum(found, 1), power) / decided
    return np.where((found > 0) & (decided > 0), value, 0.0)


@dataclass(frozen=True)
class GapRule:
    """Stop once the run of irrelevant records reaches ``scale`` times ``s / r ** power`` (module doc)."""

    scale: float = 1.0
    power: float = 0.5
    recall_target: float = 0.95
    confidence: float = 0.95
    guard: float | None = None
    min_screened: int = 20

    @property
    def name(self) -> str:
        """``gap_95_x1.5``, with ``_p1`` when ``power`` is not 0.5 and ``_b70`` for a guard at 70%."""
        name = f"gap_{round(self.recall_target * 100)}_x{self.scale:g}"
        name += "" if self.power == 0.5 else f"_p{self.power:g}"
        return name if self.guard is None else f"{name}_b{round(self.guard * 100)}"

    @property
    def guard_rule(self) -> BuscarRule | None:
        """buscar at the target and the guard's confidence (None: no guard)."""
        return None if self.guard is None else BuscarRule(self.recall_target, self.guard)

    @property
    def description(self) -> str:
        """The rule in words, for the project's methods record."""
        return (f"calibrated run rule: stop when the run of irrelevant records since the last relevant one reaches "
                f"{self.scale:g} x (records screened / relevant found^{self.power:g}), the factor chosen "
                f"leave-one-dataset-out on labelled datasets to reach recall >= {self.recall_target:.0%} in "
                f"{self.confidence:.0%} of runs" + ("" if self.guard is None else
                f", and only where buscar's urn test gives recall >= {self.recall_target:.0%} with "
                f"{self.guard:.0%} confidence"))

    def needed_run(self, ordered_labels: Sequence[int], n_priors: int = 0) -> float:
        """The run of irrelevant records at which the rule stops, given the decisions so far."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        found, decided = int(labels.sum()), labels.size - n_priors
        return float("inf") if found == 0 else self.scale * max(decided, 1) / found ** self.power

    def assess(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> StopReport:
        """Stop when the current run reaches :meth:`needed_run`."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        run = int(run_lengths(labels, n_priors)[-1]) if labels.size else 0
        needed = self.needed_run(labels, n_priors)
        stop = labels.size >= self.min_screened and run >= needed and labels.size < n_total
        goal = "never (nothing relevant found yet)" if needed == float("inf") else f"{needed:.0f}"
        reason = f"{run} irrelevant records in a row (stops at {goal})"
        guard = self.guard_rule
        if guard is not None:
            p = guard.p_value(labels, n_total) if labels.size else 1.0
            stop = stop and p < 1 - guard.confidence
            reason += f"; p = {p:.3g} that recall is under {self.recall_target:.0%} (needs < {1 - guard.confidence:.2g})"
        return StopReport(self.name, bool(stop), int(labels.size),
                          recall_interval(labels, n_total, level=INTERVAL_LEVEL), reason)

    def first_stops(self, ordered_labels: Sequence[int], n_total: int, scales: Sequence[float], *,
                    n_priors: int = 0, guard_from: int | None = None) -> dict[float, int | None]:
        """Records screened where the rule first stops, for each scale (None: never).

        With a guard, ``guard_from`` is where buscar first fires in this order (computed when not
        given); the rule's own test is applied from there on, and buscar's at each candidate.
        """
        full = padded(ordered_labels, n_total)
        statistic = gap_statistic(full, n_priors, self.power)
        statistic[: max(self.min_screened, n_priors + 1) - 1] = 0.0
        guard = self.guard_rule
        if guard is None:
            return self._unguarded(statistic, scales)
        if guard_from is None:
            guard_from = guard.first_stop(full, n_total, n_priors=n_priors)
        if guard_from is None:
            return {scale: None for scale in scales}
        statistic[: guard_from - 1] = 0.0
        memo: dict[int, bool] = {}

        def holds(k: int) -> bool:
            if k not in memo:
                memo[k] = guard.should_stop(full[: k + 1], n_total, n_priors=n_priors)
            return memo[k]

        stops: dict[float, int | None] = {}
        for scale in scales:
            candidates = np.flatnonzero(statistic[: n_total - 1] >= scale)
            stops[scale] = next((int(k) + 1 for k in candidates if holds(int(k))), None)
        return stops

    @staticmethod
    def _unguarded(statistic: np.ndarray, scales: Sequence[float]) -> dict[float, int | None]:
        peak = np.maximum.accumulate(statistic)
        stops: dict[float, int | None] = {}
        for scale in scales:
            k = int(np.searchsorted(peak, scale, side="left"))
            stops[scale] = k + 1 if k < peak.size - 1 and peak[k] > 0 else None
        return stops

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """The first stop in a replayed order (``seed`` unused: no sample)."""
        full = padded(ordered_labels, n_total)
        stop = self.first_stops(full, n_total, (self.scale,), n_priors=n_priors)[self.scale]
        return replayed_report(self, full, n_total, stop)
