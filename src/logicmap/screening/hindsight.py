"""Member weights of a fusion from hindsight: which member would have found the latest relevant records.

A fusion ranks each record by its best member (see :class:`~logicmap.screening.classifiers.RankEnsemble`).
On some reviews one member's picks are mostly irrelevant (sentence embeddings on drug-class
reviews, where the exact drug name decides), and giving it half the queue costs records. Hindsight
measures that without keeping any state beyond the ordered decisions: the decisions before the
``k``-th-last relevant one are a prefix; the classifier fitted on the prefix alone ranks the records
the prefix had not decided; each of the ``k`` relevant records found after it gives a credit to the
member that ranked it better (half each on a tie). A member's weight is its credit plus one over
``k + 2`` (so neither member is ever silenced).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def hindsight_weights(fit_prefix: Callable[[np.ndarray, np.ndarray], Any], score_all: Callable[[Any], np.ndarray],
                      history: Sequence[int], labels: np.ndarray, k: int) -> np.ndarray | None:
    """Member weights from the last ``k`` relevant decisions, or None while there are too few.

    ``history`` gives the decided record positions in decision order and ``labels`` every record's
    decision; ``fit_prefix(rows, y)`` returns a model fitted on those rows and ``score_all(model)``
    its members' raw scores for every record (one column per member).
    """
    order = np.asarray(history, dtype=np.intp)
    y = labels[order]
    relevant = np.flatnonzero(y == 1)
    if k < 1 or relevant.size < k + 1:
        return None
    cut = relevant[-k]
    if not (y[:cut] == 0).any():
        return None
    raw = np.asarray(score_all(fit_prefix(order[:cut], y[:cut])))
    outside = np.ones(labels.shape[0], dtype=bool)
    outside[order[:cut]] = False
    held = order[cut:][y[cut:] == 1]
    # each held-out record's position among the records the prefix had not decided, per member
    positions = np.column_stack([
        (raw[outside, m][None, :] > raw[held, m][:, None]).sum(axis=1) for m in range(raw.shape[1])
    ])
    best = positions == positions.min(axis=1, keepdims=True)
    credit = (best / best.sum(axis=1, keepdims=True)).sum(axis=0)
    return (credit + 1.0) / (k + 2.0)
