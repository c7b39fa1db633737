"""The knee method of Cormack & Grossman (2016), "Engineering quality and reliability in
technology-assisted review" (SIGIR).

After ``s`` records screened with ``r_s`` relevant found, the knee is the point ``i`` of
the gain curve farthest from the straight line from (0, 0) to (s, r_s). The slope
ratio is ``(r_i / i) / ((r_s - r_i + 1) / (s - i))``; screening stops once it reaches
``156 - min(r_s, 150)`` and at least ``min_screened`` (150) records were screened.
Assumption: the gain curve of a good ranking flattens after the knee. It is a
heuristic (no confidence level); its estimate and interval come from the central
urn test (:func:`~logicmap.screening.stopping_urn.recall_interval`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from logicmap.screening.stopping import INTERVAL_LEVEL, StopReport, replayed_report, checkpoints, padded
from logicmap.screening.stopping_urn import recall_interval


def knee_ratio(ordered_labels: Sequence[int]) -> float:
    """The slope ratio at the knee of the gain curve (0 when nothing relevant was found)."""
    labels = np.asarray(ordered_labels, dtype=np.int64)
    s, found = labels.size, np.cumsum(labels)
    r_s = int(found[-1]) if s else 0
    if r_s == 0 or s < 2:
        return 0.0
    i = np.arange(1, s)
    distance = found[:-1] * s - i * r_s  # proportional to the distance above the diagonal
    knee = int(i[np.argmax(distance)])
    r_i = int(found[knee - 1])
    return (r_i / knee) / ((r_s - r_i + 1) / (s - knee))


@dataclass(frozen=True)
class KneeRule:
    """Cormack & Grossman's knee method (module doc)."""

    recall_target: float = 0.95
    confidence: float = 0.95
    min_screened: int = 150
    check_every: int | None = None

    @property
    def name(self) -> str:
        """``knee``."""
        return "knee"

    @property
    def description(self) -> str:
        """The rule in words, for the project's methods record."""
        return ("knee method (Cormack & Grossman 2016), a heuristic: stop once the recall curve's slope ratio at "
                f"its knee reaches 156 minus the relevant records found (at least {self.min_screened} screened)")

    def should_stop(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> bool:
        """True once the knee's slope ratio reaches ``156 - min(r_s, 150)``."""
        if len(ordered_labels) < self.min_screened:
            return len(ordered_labels) >= n_total
        return knee_ratio(ordered_labels) >= 156 - min(int(np.sum(ordered_labels)), 150)

    def assess(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0) -> StopReport:
        """The knee test now."""
        labels = np.asarray(ordered_labels, dtype=np.int64)
        stop = self.should_stop(labels, n_total) and labels.size < n_total
        needed = 156 - min(int(labels.sum()), 150)
        return StopReport(self.name, stop, int(labels.size), recall_interval(labels, n_total, level=INTERVAL_LEVEL),
                          f"slope ratio at the knee {knee_ratio(labels):.1f} (stops at {needed})")

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """The first checkpoint where the knee test holds."""
        full = padded(ordered_labels, n_total)
        stop = next((k for k in checkpoints(self.min_screened, n_total, self.check_every)
                     if self.should_stop(full[:k], n_total)), None)
        return replayed_report(self, full, n_total, stop)
