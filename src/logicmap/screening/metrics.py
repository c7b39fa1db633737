"""Screening metrics computed from the labels in the order they were screened.

All functions take ``ordered_labels``: the 0/1 labels of the records in screening
order. It may stop early (e.g. once every relevant record was found); ``n_total``
then gives the dataset size and the records not listed are taken as screened
afterwards (they hold no relevant record when the sequence stopped at full
recall). Positions are 1-based counts of records screened, priors included.

Definitions (as in the screening literature, e.g. Cohen et al. 2006 for WSS):

* records to recall *r*: the smallest *k* such that the first *k* records hold at
  least ``ceil(r * n_relevant)`` relevant ones;
* WSS@r = ``(N - k_r) / N - (1 - r)``: work saved over random screening at recall r;
* recall@f = relevant found in the first ``ceil(f * N)`` records / ``n_relevant``;
* average time to discovery (ATD): the mean position at which each relevant
  record not given as prior knowledge was found (and as a fraction of N).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def _labels(ordered_labels: Sequence[int]) -> np.ndarray:
    return np.asarray(ordered_labels, dtype=np.int64).ravel()


def _check(labels: np.ndarray, n_total: int | None, n_relevant: int | None) -> tuple[int, int]:
    n = len(labels) if n_total is None else int(n_total)
    r = int(labels.sum()) if n_relevant is None else int(n_relevant)
    if n < len(labels):
        raise ValueError(f"n_total={n} is smaller than the {len(labels)} labels given")
    if r <= 0:
        raise ValueError("the metrics need at least one relevant record")
    return n, r


def relevant_needed(recall: float, n_relevant: int) -> int:
    """Relevant records to find for ``recall``: ``ceil(recall * n_relevant)``, at least one
    (the small tolerance keeps 0.14 * 50 at 7: in floating point it is 7.000000000000001)."""
    return max(1, math.ceil(recall * n_relevant - 1e-9))


def records_to_recall(ordered_labels: Sequence[int], recall: float, *,
                      n_relevant: int | None = None) -> int | None:
    """Records screened to reach ``recall`` (None when the sequence never gets there)."""
    labels = _labels(ordered_labels)
    r = int(labels.sum()) if n_relevant is None else int(n_relevant)
    needed = relevant_needed(recall, r)
    found = np.cumsum(labels)
    hits = np.flatnonzero(found >= needed)
    return int(hits[0]) + 1 if hits.size else None


def wss(ordered_labels: Sequence[int], recall: float = 0.95, *, n_total: int | None = None,
        n_relevant: int | None = None) -> float:
    """Work saved over sampling at ``recall``."""
    labels = _labels(ordered_labels)
    n, r = _check(labels, n_total, n_relevant)
    k = records_to_recall(labels, recall, n_relevant=r)
    if k is None:
        raise ValueError(f"the order never reaches recall {recall}")
    return (n - k) / n - (1 - recall)


def recall_at(ordered_labels: Sequence[int], fraction: float = 0.10, *,
              n_total: int | None = None, n_relevant: int | None = None) -> float:
    """Share of the relevant records found after screening ``fraction`` of all records."""
    labels = _labels(ordered_labels)
    n, r = _check(labels, n_total, n_relevant)
    k = math.ceil(fraction * n - 1e-9)
    return float(labels[:k].sum()) / r


def time_to_discovery(ordered_labels: Sequence[int], *, n_priors: int = 0) -> np.ndarray:
    """1-based positions at which each relevant record after the priors was found."""
    labels = _labels(ordered_labels)
    positions = np.flatnonzero(labels == 1) + 1
    return positions[positions > n_priors]


def recall_curve(ordered_labels: Sequence[int], *, n_total: int | None = None,
                 n_relevant: int | None = None) -> np.ndarray:
    """Recall after each record screened (length ``n_total``)."""
    labels = _labels(ordered_labels)
    n, r = _check(labels, n_total, n_relevant)
    found = np.concatenate([np.cumsum(labels), np.full(n - len(labels), labels.sum())])
    return found / r


def summarise(ordered_labels: Sequence[int], *, n_total: int | None = None,
              n_relevant: int | None = None, n_priors: int = 0) -> dict[str, float | int | None]:
    """Every metric of the issue in one dict (JSON-ready)."""
    labels = _labels(ordered_labels)
    n, r = _check(labels, n_total, n_relevant)
    td = time_to_discovery(labels, n_priors=n_priors)
    k95 = records_to_recall(labels, 0.95, n_relevant=r)
    k100 = records_to_recall(labels, 1.0, n_relevant=r)
    return {
        "n_records": n,
        "n_relevant": r,
        "n_priors": n_priors,
        "wss@95": None if k95 is None else (n - k95) / n - 0.05,
        "wss@100": None if k100 is None else (n - k100) / n,
        "recall@10%": recall_at(labels, 0.10, n_total=n, n_relevant=r),
        "records_to_95%": k95,
        "records_to_100%": k100,
        "atd": float(td.mean()) if td.size else None,
        "atd_fraction": float(td.mean()) / n if td.size else None,
    }
