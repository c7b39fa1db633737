"""The urn test behind buscar: p-values of "recall is below target", central or biased, and
the recall interval it implies.

After screening ``seen`` of ``n_total`` records in a prioritised order, take the last
*k* records screened (the urn, for every *k*) together with the records not yet
screened (the population the urn was drawn from). If the project held ``K``
relevant records, the population held ``in_urn + K - r_seen`` of them. Callaghan &
Müller-Hansen (2020) treat the urn as a *random* sample of its population
(hypergeometric, ``bias = 1``). Under prioritised screening the urn was picked
*because* its records looked promising, so it is richer in relevant records than a
random sample: with ``bias = b > 1`` the urn is modelled as drawn from a biased urn
(Fisher's noncentral hypergeometric distribution, odds ratio ``b``: a record in the
urn had ``b`` times the odds of being relevant of a record left in the population).
buscarpy's ``calculate_h0`` has the same ``bias`` parameter with Wallenius'
distribution; Fisher's has a closed-form probability mass function, which we sum in
numpy, and differs little from Wallenius' for small urn shares.

:func:`urn_p` is the smallest, over urns, probability of seeing at most the relevant
records the urn holds if the project held ``K`` relevant records. :func:`buscar_p`
tests ``K = floor(r_seen / target + 1)`` (recall below the target);
:func:`recall_interval` inverts the test into an estimate and a lower bound of
recall. The bias is an assumption about the ranking: the calibration
(``benchmarks/stopping_calibration.py``) chooses it leave-one-dataset-out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln


def _log_factorials(top: int) -> np.ndarray:
    """``log(i!)`` for ``i`` in ``0..top`` (the same values ``gammaln(i + 1)`` gives one by one)."""
    return gammaln(np.arange(top + 1, dtype=np.float64) + 1)


def _log_choose(table: np.ndarray, n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """``log(n choose k)`` looked up in ``table`` (:func:`_log_factorials`); entries with ``k`` outside
    ``0..n`` come out finite but meaningless (the caller masks them)."""
    top = table.size - 1
    n, k = n.astype(np.int64), k.astype(np.int64)
    return table[np.clip(n, 0, top)] - table[np.clip(k, 0, top)] - table[np.clip(n - k, 0, top)]


def fisher_cdf(x: np.ndarray, population: np.ndarray, relevant: np.ndarray, drawn: np.ndarray,
               bias: float) -> np.ndarray:
    """P(X <= x) for Fisher's noncentral hypergeometric X (vectorised over urns).

    ``drawn`` records taken from ``population`` holding ``relevant`` relevant ones; a
    relevant record has ``bias`` times the odds of being drawn. ``bias = 1`` is the
    hypergeometric distribution. The binomial coefficients are looked up in one table of
    log factorials (a web server judges the stopping rule every few seconds: evaluating
    ``gammaln`` on every cell of the urns-by-outcomes grid took most of that time).
    """
    x, m, k, n = (np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in (x, population, relevant, drawn))
    top = int(np.max(np.minimum(n, k))) if x.size else 0
    if bias == 1 and x.size * (top + 1) > FULL_GRID_CELLS:
        half = _central_window(m, k, n)
        if x.size * (2 * half + 1) <= WINDOW_CELLS:
            return _central_cdf_near_mode(x, m, k, n, half)
        from scipy.stats import hypergeom

        return np.clip(hypergeom.cdf(x, m, k, n), 0.0, 1.0)
    return _cdf_over(np.arange(top + 1, dtype=np.float64)[None, :], x, m, k, n, bias)


def _cdf_over(grid: np.ndarray, x: np.ndarray, m: np.ndarray, k: np.ndarray, n: np.ndarray,
              bias: float) -> np.ndarray:
    """:func:`fisher_cdf` summed over the outcomes in ``grid`` (one row for every urn, or a row per
    urn), normalised by their own sum; outcomes an urn cannot have count for nothing."""
    low, high = np.maximum(0.0, n - (m - k))[:, None], np.minimum(n, k)[:, None]
    table = _log_factorials(int(np.max(m)) if m.size else 0)
    logs = (_log_choose(table, k[:, None], np.minimum(grid, k[:, None]))
            + _log_choose(table, (m - k)[:, None], np.clip(n[:, None] - grid, 0, None))
            + grid * math.log(bias))
    logs = np.where((grid >= low) & (grid <= high), logs, -np.inf)
    weights = np.exp(logs - logs.max(axis=1, keepdims=True))
    below = np.where(grid <= x[:, None], weights, 0.0).sum(axis=1)
    return np.clip(below / weights.sum(axis=1), 0.0, 1.0)


#: Urns x outcomes above which the central test (``bias = 1``) sums only the outcomes near each urn's
#: mode (:func:`_central_cdf_near_mode`), or, when even those are many, takes scipy's hypergeometric
#: cdf (Boost): with tens of thousands of relevant records the full grid takes seconds per test and
#: gigabytes. Each agrees with the full sums to about 1e-12 (tests/screening/test_stopping.py);
#: which of the two is faster depends on the urns (6k urns of a 57k population: the window, 0.2 s
#: against 0.6 s; 25k urns of 571k: scipy, 0.01 s against 1 s).
FULL_GRID_CELLS = 4_000_000
#: Cells of the window (urns x outcomes near the mode) above which scipy is used instead.
WINDOW_CELLS = 12_000_000
#: Half-width of the window in standard deviations: the terms beyond it are under e^-70 of the largest.
WINDOW_SD = 12


def _central_window(m: np.ndarray, k: np.ndarray, n: np.ndarray) -> int:
    """Half-width of the window around each urn's mode (:func:`_central_cdf_near_mode`)."""
    variance = n * k * (m - k) * (m - n) / np.maximum(m * m * (m - 1), 1.0)
    return int(WINDOW_SD * math.sqrt(float(np.max(variance)))) + 20


def _central_cdf_near_mode(x: np.ndarray, m: np.ndarray, k: np.ndarray, n: np.ndarray, half: int) -> np.ndarray:
    """:func:`fisher_cdf` with ``bias = 1`` (hypergeometric), summed over the outcomes within ``half``
    of each urn's mode (normalised by that window's sum, as the full grid is by its own)."""
    mode = np.floor((n + 1) * (k + 1) / (m + 2))
    start = np.maximum(np.maximum(0.0, n - (m - k)), mode - half)
    return _cdf_over(start[:, None] + np.arange(2 * half + 1, dtype=np.float64)[None, :], x, m, k, n, 1.0)


def _urns(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The decisive urns: (size, relevant inside) of the longest urn per count of relevant records.

    Adding an irrelevant record to an urn (and to its population) can only lower the
    cdf, so the minimum over urns is at urns that stop just before a relevant record,
    or at the whole sequence (exact, r_seen + 1 evaluations instead of one per record).
    """
    urns = labels[::-1]
    inside = np.cumsum(urns)
    sizes = np.append(np.flatnonzero(urns == 1), labels.size)
    sizes = sizes[sizes > 0]
    return sizes, inside[sizes - 1]


def urn_p(ordered_labels: Sequence[int], n_total: int, k_total: int, bias: float = 1.0) -> float:
    """The smallest, over urns, P(at most the urn's relevant records | ``k_total`` relevant in all)."""
    labels = np.asarray(ordered_labels, dtype=np.int64)
    seen, r_seen = labels.size, int(labels.sum())
    if seen >= n_total:
        return 0.0 if k_total > r_seen else 1.0
    if seen == 0:
        return 1.0
    sizes, in_urn = _urns(labels)
    population = n_total - (seen - sizes)
    relevant = in_urn + (k_total - r_seen)
    possible = relevant <= population
    if not possible.any():
        return 0.0
    p = fisher_cdf(in_urn[possible], population[possible], relevant[possible], sizes[possible], bias)
    return float(p.min())


def buscar_p(ordered_labels: Sequence[int], n_total: int, recall_target: float = 0.95,
             bias: float = 1.0) -> float:
    """p-value of H0 "recall < ``recall_target``" after screening ``ordered_labels``.

    With ``bias=1`` this is buscarpy's ``calculate_h0`` (urns whose H0 needs more
    relevant records than they and the unseen records hold count as p = 0).
    """
    r_seen = int(np.sum(ordered_labels))
    return urn_p(ordered_labels, n_total, math.floor(r_seen / recall_target + 1), bias)


@dataclass(frozen=True)
class RecallEstimate:
    """Estimated recall so far with a one-sided lower bound (the upper bound is 1: nothing shows that
    a relevant record is left), at the interval's ``level``."""

    estimate: float
    low: float
    high: float
    level: float

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {"estimate": round(self.estimate, 4), "interval": [round(self.low, 4), round(self.high, 4)],
                "level": self.level}

    def words(self) -> str:
        """``0.96 [0.93, 1.00]``."""
        return f"{self.estimate:.2f} [{self.low:.2f}, {self.high:.2f}]"


def _largest_k(labels: np.ndarray, n_total: int, bias: float, p_at_least: float) -> int:
    """The largest project total of relevant records with ``urn_p >= p_at_least`` (binary search)."""
    r_seen = int(labels.sum())
    low, high = r_seen, r_seen + (n_total - labels.size)
    if urn_p(labels, n_total, high, bias) >= p_at_least:
        return high
    while high - low > 1:  # urn_p(low) >= p_at_least > urn_p(high)
        mid = (low + high) // 2
        if urn_p(labels, n_total, mid, bias) >= p_at_least:
            low = mid
        else:
            high = mid
    return low


def recall_interval(ordered_labels: Sequence[int], n_total: int, *, bias: float = 1.0,
                    level: float = 0.95) -> RecallEstimate:
    """Recall so far: median estimate and lower bound at ``level`` from the (biased) urn test.

    The lower bound is ``r_seen / K_hi`` with ``K_hi`` the largest number of relevant
    records the test does not reject at ``1 - level``; the estimate uses the largest
    number it does not reject at 0.5 (median-unbiased under the urn model).
    """
    labels = np.asarray(ordered_labels, dtype=np.int64)
    r_seen = int(labels.sum())
    if labels.size >= n_total:
        return RecallEstimate(1.0, 1.0, 1.0, level)
    if r_seen == 0:
        return RecallEstimate(0.0, 0.0, 1.0, level)
    k_hi = _largest_k(labels, n_total, bias, 1 - level)
    k_mid = _largest_k(labels, n_total, bias, 0.5)
    return RecallEstimate(r_seen / max(k_mid, r_seen), r_seen / max(k_hi, r_seen), 1.0, level)
