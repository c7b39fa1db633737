"""Replay a fully labelled dataset through the engine and measure it.

:func:`simulate` screens the records one at a time in the order the engine asks
for, answering with the known labels, retraining after every decision. By
default it stops once every relevant record was found (like ASReview's
``simulate``): the remaining records are appended in the last model's order.
They are all irrelevant, so every metric and stopping rule comes out exactly as
if the replay had continued (``until_all_found=False`` replays to the end).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from logicmap.screening.engine import ActiveLearner
from logicmap.errors import ScreeningDataError
from logicmap.screening.metrics import relevant_needed, summarise
from logicmap.screening.stopping import StoppingRule, evaluate_rules
from logicmap.screening.stopping_rules import default_rule, default_rules

#: ``callback(done, total)`` after each decision.
ProgressCallback = Callable[[int, int], None]


@dataclass
class SimulationResult:
    """Outcome of :func:`simulate`.

    ``order`` holds every record's 0-based position in screening order (priors
    first), ``labels`` their labels in that order, ``metrics`` the dict of
    :func:`~logicmap.screening.metrics.summarise`, ``stopping`` one entry per
    stopping rule, ``decision_seconds`` the retrain+rank time of each decision.
    """

    order: np.ndarray
    labels: np.ndarray
    n_priors: int
    metrics: dict[str, Any]
    stopping: dict[str, dict[str, Any]] = field(default_factory=dict)
    decision_seconds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    seed: int = 0

    @property
    def prior_ids(self) -> list[int]:
        """The prior records' positions."""
        return [int(i) for i in self.order[: self.n_priors]]

    def summary(self) -> dict[str, Any]:
        """Metrics, stopping outcomes and timing as one JSON-ready dict."""
        times = self.decision_seconds
        return {
            **self.metrics,
            "seed": self.seed,
            "prior_ids": self.prior_ids,
            "ms_per_decision_median": float(np.median(times) * 1000) if times.size else None,
            "stopping": self.stopping,
        }


def draw_priors(labels: Sequence[int], seed: int) -> list[int]:
    """One relevant and one irrelevant record drawn with ``seed`` (relevant first)."""
    y = np.asarray(labels)
    rng = np.random.default_rng(seed)
    relevant, irrelevant = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    if not relevant.size or not irrelevant.size:
        raise ScreeningDataError("priors need at least one relevant and one irrelevant record")
    return [int(rng.choice(relevant)), int(rng.choice(irrelevant))]


def _check_priors(prior_ids: Sequence[int], n: int) -> list[int]:
    priors: list[int] = []
    for value in prior_ids:
        index = int(value)
        if not 0 <= index < n:
            raise ScreeningDataError(f"prior id {index} is outside the rows 0..{n - 1}")
        if index in priors:
            raise ScreeningDataError(f"prior id {index} is given twice")
        priors.append(index)
    return priors


def simulate(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    seed: int,
    prior_ids: Sequence[int] | None = None,
    criteria: str | None = None,
    learner: ActiveLearner | None = None,
    rules: Sequence[StoppingRule] | None = None,
    until_all_found: bool = True,
    callback: ProgressCallback | None = None,
    matrix: Any = None,
    stop_at_recall: float = 1.0,
) -> SimulationResult:
    """Replay ``labels`` in the order the engine asks for; see the module doc.

    ``prior_ids`` are 0-based positions screened first (their labels are given
    to the engine as prior knowledge). Without them, one relevant and one
    irrelevant record are drawn with ``seed`` -- unless ``criteria`` is given,
    in which case the replay starts from the criteria text alone. ``learner``
    defaults to ``ActiveLearner(seed=seed, criteria=criteria)``; ``matrix`` reuses
    a feature matrix computed earlier for the same texts. With ``until_all_found``,
    the replay stops once ``stop_at_recall`` of the relevant records are found (the
    rest appended in the last model's order): WSS@95 needs only ``0.95``.
    """
    y = np.asarray(labels, dtype=np.int8)
    n = len(y)
    if len(texts) != n:
        raise ScreeningDataError(f"{len(texts)} texts but {n} labels")
    if n < 2 or set(np.unique(y)) - {0, 1} or len(np.unique(y)) < 2:
        raise ScreeningDataError("a simulation needs at least 2 records with both labels 0 and 1")
    if prior_ids is None:
        prior_ids = [] if criteria else draw_priors(y, seed)
    priors = _check_priors(prior_ids, n)
    learner = learner if learner is not None else ActiveLearner(seed=seed, criteria=criteria)
    learner.fit(texts, matrix=matrix)
    for index in priors:
        learner.label(index, int(y[index]))
    needed = relevant_needed(stop_at_recall, int(y.sum()))
    found = int(y[priors].sum())
    times: list[float] = []
    while len(learner.history_) < n:
        if until_all_found and found >= needed:
            break
        start = time.perf_counter()
        pick = learner.next()
        times.append(time.perf_counter() - start)
        learner.label(pick, int(y[pick]))
        found += int(y[pick])
        if callback is not None:
            callback(len(learner.history_), n)
    order = np.array(learner.history_, dtype=np.int64)
    if len(order) < n:
        order = np.concatenate([order, learner.rank()])
    ordered = y[order]
    result = SimulationResult(
        order=order, labels=ordered, n_priors=len(priors),
        metrics=summarise(ordered, n_priors=len(priors)),
        decision_seconds=np.array(times), seed=seed,
    )
    result.stopping = evaluate_rules(ordered, rules if rules is not None else default_rules(),
                                     n_priors=len(priors), seed=seed)
    if rules is None:
        result.stopping["default"] = default_rule(n).name
    if callback is not None:
        callback(n, n)
    return result
