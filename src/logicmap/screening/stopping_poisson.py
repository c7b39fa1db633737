"""A stopping rule that models the relevant records still to come as a Poisson process.

In the spirit of Sneyd & Stevenson (2021), "Stopping criteria for technology-assisted
reviews based on counting processes" (SIGIR), and Stevenson & Bin-Hezam (2023): the
rate at which relevant records turn up along a prioritised ranking falls as
screening goes on. :class:`PoissonProcessRule` counts the relevant records in equal
bins of the records screened after the priors, fits a falling exponential rate
``exp(a + b x)`` by Poisson regression (iteratively reweighted least squares), and
integrates the rate over the records not yet screened: the expected number of
relevant records left, ``m``. The fit counts one more relevant record as if it were
the next one screened (a pseudo-count that keeps a run of irrelevant records after
very few relevant ones from looking like a finished ranking). The number left is taken as Poisson(``m``);
screening stops when ``r / (r + q) >= recall_target`` with ``q`` the
``confidence`` quantile of that number (``r`` relevant records found so far).

Assumptions: the ranking keeps its order of promise (the rate keeps falling as
fitted) and relevant records arrive independently. Neither is guaranteed, so the
confidence level is calibrated on labelled datasets (leave-one-dataset-out in
``benchmarks/stopping_calibration.py``) rather than taken at face value. The recall
interval is ``r / (r + Poisson quantile)`` at 2.5% and 97.5% of ``m``; it leaves out
the uncertainty of the fitted rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

from logicmap.screening.stopping import StopReport, checkpoints, padded, rule_name
from logicmap.screening.stopping_urn import RecallEstimate

#: Bins the screened records (after the priors) are counted in for the fit.
BINS = 30


def fit_rate(labels: np.ndarray, bins: int = BINS) -> tuple[float, float, int] | None:
    """``(a, b, bin size)`` of the Poisson regression ``count per bin ~ exp(a + b * x)``, x = share
    of ``labels`` screened; None with fewer than 3 bins."""
    size = max(10, labels.size // bins)
    n_bins = labels.size // size
    if n_bins < 3:
        return None
    offset = labels.size - n_bins * size  # the oldest records left out: the newest always count
    counts = labels[offset:].reshape(n_bins, size).sum(axis=1).astype(np.float64)
    x = np.column_stack([np.ones(n_bins), (offset + (np.arange(n_bins) + 0.5) * size) / labels.size])
    beta = np.array([math.log(max(counts.mean(), 1e-3)), 0.0])
    for _ in range(50):
        eta = np.clip(x @ beta, -50, 50)
        mu = np.exp(eta)
        z = eta + (counts - mu) / np.maximum(mu, 1e-9)
        new = np.linalg.solve(x.T @ (mu[:, None] * x) + 1e-9 * np.eye(2), x.T @ (mu * z))
        done = np.max(np.abs(new - beta)) < 1e-8
        beta = new
        if done:
            break
    return float(beta[0]), float(beta[1]), size


def expected_left(labels: np.ndarray, n_left: int) -> float | None:
    """Expected relevant records among the next ``n_left`` records (None: no falling rate to fit)."""
    fit = fit_rate(labels)
    if fit is None or fit[1] >= 0:
        return None
    a, b, size = fit
    s = labels.size  # rate per record at position t: exp(a + b t / s) / size; integrate over (s, s + n_left]
    return math.exp(a) / size * s / b * (math.exp(b * (s + n_left) / s) - math.exp(b))


@dataclass(frozen=True)
class PoissonProcessRule:
    """Stop when recall >= ``recall_target`` at the ``confidence`` quantile of the records left (module doc)."""

    recall_target: float = 0.95
    confidence: float = 0.95
    min_screened: int = 50
    check_every: int | None = None

    @property
    def name(self) -> str:
        """``poisson_95_80``."""
        return rule_name("poisson", self.recall_target, self.confidence)

    @property
    def description(self) -> str:
        """The rule in words, for the project's methods record."""
        return (f"counting-process stopping (after Sneyd & Stevenson 2021): recall >= {self.recall_target:.0%} at the "
                f"{self.confidence:.0%} quantile of the relevant records expected among those left, the quantile "
                "calibrated leave-one-dataset-out")

    def _verdict(self, labels: np.ndarray, n_total: int, n_priors: int) -> tuple[bool, RecallEstimate, str]:
        r, left = int(labels.sum()), n_total - labels.size
        if left <= 0:
            return False, RecallEstimate(1.0, 1.0, 1.0, 0.95), "every record screened"
        if labels.size < max(self.min_screened, n_priors + 1) or r == 0:
            return False, RecallEstimate(0.0, 0.0, 1.0, 0.95), f"fewer than {self.min_screened} records screened"
        m = expected_left(np.append(labels[n_priors:], 1), left)
        if m is None:
            return False, RecallEstimate(0.0, 0.0, 1.0, 0.95), "the rate of relevant records is not falling yet"
        return judge(r, left, m, self.recall_target, self.confidence)

    def assess(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> StopReport:
        """The test now."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        stop, estimate, reason = self._verdict(labels, n_total, n_priors)
        return StopReport(self.name, stop, int(labels.size), estimate, reason)

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """The first checkpoint where the rule fires (``seed`` unused)."""
        return self.replay_confidences(ordered_labels, n_total, (self.confidence,), n_priors=n_priors)[self.confidence]

    def replay_confidences(self, ordered_labels: Sequence[int], n_total: int, confidences: Sequence[float], *,
                           n_priors: int = 0) -> dict[float, StopReport]:
        """:meth:`replay` at several confidence levels in one pass (the fit does not depend on the level)."""
        full = padded(ordered_labels, n_total)
        reports: dict[float, StopReport] = {}
        for k in checkpoints(max(self.min_screened, n_priors + 1), n_total - 1, self.check_every):
            labels = full[:k]
            r = int(labels.sum())
            m = expected_left(np.append(labels[n_priors:], 1), n_total - k) if r else None
            if m is None:
                continue
            for level in confidences:
                if level not in reports:
                    stop, estimate, reason = judge(r, n_total - k, m, self.recall_target, level)
                    if stop:
                        rule = PoissonProcessRule(self.recall_target, level, self.min_screened, self.check_every)
                        reports[level] = StopReport(rule.name, True, k, estimate, reason)
            if len(reports) == len(confidences):
                break
        for level in confidences:
            if level not in reports:
                name = PoissonProcessRule(self.recall_target, level).name
                reports[level] = StopReport(name, False, n_total, RecallEstimate(1.0, 1.0, 1.0, 0.95), "never fired")
        return reports


def judge(r: int, left: int, m: float, recall_target: float, confidence: float) -> tuple[bool, RecallEstimate, str]:
    """Stop when ``r / (r + q) >= recall_target``, ``q`` the ``confidence`` quantile of Poisson(``m``)."""
    q = float(poisson.ppf(confidence, m))
    low, high = (r / (r + float(poisson.ppf(p, m))) for p in (0.975, 0.025))
    stop = r / (r + q) >= recall_target
    reason = (f"about {m:.1f} relevant records expected among the {left} left; recall at the "
              f"{confidence:.0%} quantile {r / (r + q):.3f}, {'at or above' if stop else 'below'} {recall_target:.0%}")
    return stop, RecallEstimate(r / (r + m), low, high, 0.95), reason
