"""How far to trust each member of a rank fusion, from a held-out check on the project's own decisions.

The default engine fuses an SVM on TF-IDF and one on sentence embeddings by rank. On some reviews one
member ranks the relevant records far lower than the other (``benchmarks/screening_members.py``: the
embedding member on the drug-class reviews the default loses to ASReview LAB). This check asks the
project's decisions which member to lean on: the decided records are split in two seeded folds, the
fusion is fitted on each fold, and for every relevant record of the other fold each member's *share
above* is read: the share of the records not trained on (unscreened, or decided in the held-out fold
and irrelevant) that the member ranks above it. A member that ranks relevant records it has not seen
lower is trusted less: for the best rank its depth (1 - rank) is stretched by how much larger its mean
share is than the best member's, and its weight in the mean rank cut alike (:func:`member_weights`,
:meth:`~logicmap.screening.classifiers.RankEnsemble.combine_ranks`).

The check costs two fits of the fusion on half the decisions, so it runs only when the relevant
decisions reach :data:`MIN_RELEVANT` and then each time they have grown by :data:`GROWTH` (at most a
few dozen times in a screening); its weights stand until the next check. A learner rebuilt from stored
decisions checks at its first fit, on all of them.

Rule AB (stop 51) tried it as ``svm-asreview-agree-weighed``: on tuning seeds it gained where the default
loses to ASReview LAB but lost more elsewhere, so it is not the default (README).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, clone

#: Relevant decisions before the first check (at least three per fold).
MIN_RELEVANT = 6
#: A new check once the relevant decisions have grown by this factor since the last.
GROWTH = 1.25
#: Held-out relevant records' worth of the members' mean share that each member's share is shrunk toward,
#: so a check on few records moves the weights little.
PSEUDO_COUNT = 5


class MemberCheck:
    """A screening's member weights: the last check's (``weights_``, None before the first; ``shares_``
    its mean shares), checked again when due."""

    def __init__(self) -> None:
        self.weights_: np.ndarray | None = None
        self.shares_: np.ndarray | None = None
        self.checked_at_: int | None = None

    def weights(self, model: BaseEstimator, views: Sequence | None, labels: np.ndarray, folds: np.ndarray,
                n_columns: int) -> np.ndarray | None:
        """The weights for ``model`` (an unfitted ensemble with ``weighing``) at ``labels``: a new check's
        when one is due (:func:`check_due`), else the last's."""
        relevant = int((labels == 1).sum())
        if views is not None and check_due(relevant, self.checked_at_):
            self.shares_, count = held_out_shares(clone(model), views, labels, folds, n_columns)
            self.weights_ = member_weights(self.shares_, count, model.weighing)
            self.checked_at_ = relevant
        return self.weights_


def check_due(relevant: int, last: int | None) -> bool:
    """Whether a check is due with ``relevant`` relevant decisions, the last check made at ``last`` (None: none yet)."""
    return relevant >= MIN_RELEVANT and (last is None or relevant >= GROWTH * last)


def held_out_shares(model: BaseEstimator, views: Sequence, labels: np.ndarray, folds: np.ndarray,
                    n_columns: int) -> tuple[np.ndarray, int]:
    """``(mean share above per member, held-out relevant records)`` of the two-fold check.

    ``model`` is an unfitted :class:`~logicmap.screening.classifiers.RankEnsemble` (cloned per fold),
    ``views`` its column blocks of every record, ``labels`` 1 / 0 / -1 (unscreened) per record and
    ``folds`` 0 or 1 per record. A fold whose training part lacks either class is skipped; with no
    held-out relevant record at all the shares are NaN."""
    decided = labels >= 0
    totals, count = np.zeros(len(views)), 0
    for fold in (0, 1):
        train = np.flatnonzero(decided & (folds != fold))
        y = labels[train]
        held = np.flatnonzero((labels == 1) & (folds == fold))
        if held.size == 0 or not (y == 1).any() or not (y == 0).any():
            continue
        pool = ~decided | ((labels == 0) & (folds == fold))
        fitted = clone(model).fit_views([view[train].astype(np.float64) for view in views], y, n_columns=n_columns)
        raw = fitted.block_raw_scores(views)
        for j in range(raw.shape[1]):
            ordered = np.sort(raw[pool, j])
            above = ordered.size - np.searchsorted(ordered, raw[held, j], side="right")
            totals[j] += float(above.sum()) / max(ordered.size, 1)
        count += held.size
    return (totals / count if count else np.full(len(views), np.nan)), count


def member_weights(shares: np.ndarray, count: int, alpha: float) -> np.ndarray:
    """Each member's weight in (0, 1] (the best member's 1): ``(best share / own share) ** alpha``, the shares
    first shrunk toward their mean by :data:`PSEUDO_COUNT`. Equal weights when the check had nothing to read."""
    if count == 0 or not np.all(np.isfinite(shares)):
        return np.ones(len(shares))
    shrunk = (count * shares + PSEUDO_COUNT * shares.mean()) / (count + PSEUDO_COUNT)
    shrunk = np.maximum(shrunk, 1e-6)
    return (shrunk.min() / shrunk) ** alpha
