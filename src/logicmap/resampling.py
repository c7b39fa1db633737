"""Percentile bootstrap over units (records, datasets) for a figure that is a ratio of sums.

A micro-F1 is ``sum(2 tp) / sum(2 tp + fp + fn)`` over records; a mean margin over runs grouped
by dataset is ``sum(gaps) / sum(runs)`` over datasets. Drawing the units again says how far the
figure would move on another sample of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ratio_interval(numerators: Sequence[float], denominators: Sequence[float], *, draws: int = 2000,
                   level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Central ``level`` interval of ``sum(numerators) / sum(denominators)`` when the units (one
    numerator and one denominator each) are drawn with replacement ``draws`` times (seeded); a
    draw whose denominators sum to 0 counts as 0. No units: ``(0.0, 0.0)``."""
    top, bottom = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    if top.size == 0:
        return (0.0, 0.0)
    picks = np.random.default_rng(seed).integers(0, top.size, size=(draws, top.size))
    sums, totals = top[picks].sum(axis=1), bottom[picks].sum(axis=1)
    ratios = np.divide(sums, totals, out=np.zeros(draws), where=totals > 0)
    tail = (1 - level) / 2
    return float(np.quantile(ratios, tail)), float(np.quantile(ratios, 1 - tail))
