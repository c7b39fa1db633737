"""Stopping rules that certify recall with a random sample of the records.

A random sample of the records is a sample of the relevant ones too, whatever the
ranking: if the ranked screening has found ``j`` of the ``r`` relevant records the
sample holds, recall is estimated by ``j / r`` with a binomial (Clopper-Pearson)
interval. The price is screening the sample, and with 95% recall targets the sample
must hold many relevant records.

- :class:`TargetRule` -- Cormack & Grossman (2016), "Engineering quality and
  reliability in technology-assisted review" (SIGIR), the target method: screen
  random records until ``k`` relevant ones (the target set) are found, with ``k`` the
  smallest such that ``recall_target ** k <= 1 - confidence``; stop the ranked
  screening once it has found every target.
- :class:`QuantileRule` -- in the spirit of Lewis, Yang & Frieder (2021), "Certifying
  one-phase technology-assisted reviews" (CIKM), QBCB: a random sample of
  ``sample_share`` of the records drawn up front; stop once the ranking has found
  the ``j``-th of its ``r`` relevant records, ``j`` the smallest with
  ``P[Binomial(r, recall_target) >= j] <= 1 - confidence``; never when no ``j`` does.
- :class:`SafeRule` -- in the spirit of Boetje & van de Schoot (2024), SAFE: a random
  sample estimates prevalence, ranked screening follows, and screening stops when the
  relevant records found reach ``recall_target`` of the estimated total *and* the last
  ``max(min_run, run_share * N)`` ranked decisions were all irrelevant (a heuristic
  combination; the interval comes from the prevalence's Clopper-Pearson interval).

In a replay the sample is simulated: positions drawn with ``seed`` from the records
after the priors (the order is a permutation of all records, so random positions are
random records), screened alongside the ranking; ``records_screened`` counts the
union of the ranked prefix and the sample.

In a live project (:meth:`assess`) the screening queue draws the sample with the
project's seed (:mod:`~logicmap.screening.stopping_draw`) and asks the reviewer for
its records first; :meth:`sample_size` says how many records of the draw the rule
needs so far. The model does not learn the sample's labels, and a sample record
counts as *found by the ranking* once the ranking has put it ahead of every record
still to screen (``SampleState.reached``): what a ranked screening without the
sample would have reached by then. ``ordered_labels`` are then the labels of the
ranked screening alone.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import beta, binom

from logicmap.screening.stopping import StopReport, padded, rule_name
from logicmap.screening.stopping_urn import RecallEstimate


#: The recall of a replay that never stopped: every record screened, recall known to be 1.
SCREENED_ALL = RecallEstimate(1.0, 1.0, 1.0, 0.95)


def sample_positions(n_total: int, n_priors: int, seed: int) -> np.ndarray:
    """Every position after the priors in a random order drawn with ``seed``."""
    return n_priors + np.random.default_rng(seed).permutation(n_total - n_priors)


def clopper_pearson(found: int, of: int, confidence: float) -> RecallEstimate:
    """``found / of`` with the two-sided Clopper-Pearson interval at ``confidence``."""
    if of == 0:
        return RecallEstimate(0.0, 0.0, 1.0, confidence)
    alpha = 1 - confidence
    low = float(beta.ppf(alpha / 2, found, of - found + 1)) if found else 0.0
    high = float(beta.ppf(1 - alpha / 2, found + 1, of - found)) if found < of else 1.0
    return RecallEstimate(found / of, low, high, confidence)


def _union_stop(full: np.ndarray, sample: np.ndarray, prefix: int) -> tuple[int, int]:
    """(records screened, relevant found) when the ranked prefix and ``sample`` are both screened."""
    outside = sample[sample >= prefix]
    return prefix + int(outside.size), int(full[:prefix].sum() + full[outside].sum())


def _prefix_finding(full: np.ndarray, targets: np.ndarray, j: int) -> int:
    """The ranked prefix that holds the ``j``-th earliest of ``targets`` (positions)."""
    return int(np.sort(targets)[j - 1]) + 1


@dataclass(frozen=True)
class SampleState:
    """A live project's random sample for the stopping rule, in the order drawn: each record's
    label (1 relevant, 0 not, None not screened yet) and whether the ranking has reached it."""

    labels: tuple[int | None, ...]
    reached: tuple[bool, ...]

    @property
    def screened(self) -> int:
        """Sample records screened so far."""
        return sum(label is not None for label in self.labels)

    @property
    def positives(self) -> int:
        """Relevant records in the sample."""
        return sum(label == 1 for label in self.labels)

    @property
    def found(self) -> int:
        """Relevant sample records the ranking has reached."""
        return sum(label == 1 and hit for label, hit in zip(self.labels, self.reached))


class _LiveSample:
    """What the three rules share in a live project: the sample's progress and the verdict's frame."""

    needs_sample = True

    def sample_size(self, drawn: Sequence[int | None], n_total: int) -> int:
        """Records of the draw the rule needs, given the labels of those drawn so far (default: a share)."""
        return min(n_total, math.ceil(self.sample_share * n_total))

    def _sample_words(self, state: SampleState, wanted: int) -> str:
        return f"{state.screened} of {wanted} records screened"

    def assess(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0,
               sample: SampleState | None = None) -> StopReport:
        """The verdict now: ``ordered_labels`` from the ranked screening, ``sample`` the random sample."""
        ranked = np.asarray(ordered_labels, dtype=np.int64)
        state = sample or SampleState((), ())
        wanted = self.sample_size(state.labels, n_total)
        screened = int(ranked.size) + state.screened
        if state.screened < wanted:
            return StopReport(self.name, False, screened, RecallEstimate(0.0, 0.0, 1.0, self.confidence),
                              f"random sample for the stopping rule: {self._sample_words(state, wanted)}",
                              int(ranked.sum()) + state.positives)
        report = self._verdict(ranked, state, n_total)
        return dataclasses.replace(report, stopped=report.stopped and screened < n_total, records_screened=screened)


def _sample(share: float, n_total: int, n_priors: int, seed: int) -> np.ndarray:
    """The first ``share`` of the seeded random draw of the records after the priors."""
    return sample_positions(n_total, n_priors, seed)[: math.ceil(share * (n_total - n_priors))]


@dataclass(frozen=True)
class TargetRule(_LiveSample):
    """Cormack & Grossman's target method (module doc)."""

    recall_target: float = 0.95
    confidence: float = 0.95

    @property
    def name(self) -> str:
        """``target_95_95``."""
        return rule_name("target", self.recall_target, self.confidence)

    @property
    def description(self) -> str:
        """The rule in words, for the project's methods record."""
        return (f"target method (Cormack & Grossman 2016): random records screened until {self.targets} relevant "
                f"ones, ranked screening until all are found; recall >= {self.recall_target:.0%} with "
                f"{self.confidence:.0%} confidence")

    @property
    def targets(self) -> int:
        """Relevant records in the target set: smallest ``k`` with ``recall_target ** k <= 1 - confidence``."""
        return math.ceil(math.log(1 - self.confidence) / math.log(self.recall_target))

    def sample_size(self, drawn: Sequence[int | None], n_total: int) -> int:
        """The draw up to its ``targets``-th relevant record (one more record while fewer are known)."""
        hits = 0
        for i, label in enumerate(drawn):
            if label is None:
                return i + 1
            hits += label == 1
            if hits == self.targets:
                return i + 1
        return min(n_total, len(drawn) + 1)

    def _sample_words(self, state: SampleState, wanted: int) -> str:
        return (f"{state.screened} records screened, {state.positives} of the {self.targets} relevant ones "
                "it needs found")

    def _verdict(self, ranked: np.ndarray, state: SampleState, n_total: int) -> StopReport:
        """Stop once the ranking has reached every target record."""
        found = int(ranked.sum()) + state.positives
        if state.found < self.targets:
            return StopReport(self.name, False, 0, RecallEstimate(0.0, 0.0, 1.0, self.confidence),
                              f"{state.found} of the {self.targets} target records found by the ranking", found)
        estimate = RecallEstimate(1.0, (1 - self.confidence) ** (1 / self.targets), 1.0, self.confidence)
        return StopReport(self.name, True, 0, estimate, f"all {self.targets} target records found", found)

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """Draw random records until ``targets`` relevant ones, then rank until all are found."""
        full = padded(ordered_labels, n_total)
        drawn = sample_positions(n_total, n_priors, seed)
        hits = np.flatnonzero(full[drawn] == 1)
        if hits.size < self.targets:  # the sample ran through every record
            relevant = int(full.sum())
            return StopReport(self.name, False, n_total, SCREENED_ALL,
                              f"fewer than {self.targets} relevant records in all", relevant)
        sample = drawn[: hits[self.targets - 1] + 1]
        prefix = _prefix_finding(full, drawn[hits[: self.targets]], self.targets)
        screened, found = _union_stop(full, sample, prefix)
        estimate = RecallEstimate(1.0, (1 - self.confidence) ** (1 / self.targets), 1.0, self.confidence)
        return StopReport(self.name, screened < n_total, screened, estimate,
                          f"all {self.targets} target records found", found)


@dataclass(frozen=True)
class QuantileRule(_LiveSample):
    """One-phase certification with a random sample drawn up front (QBCB-like, module doc)."""

    recall_target: float = 0.95
    confidence: float = 0.95
    sample_share: float = 0.1

    @property
    def name(self) -> str:
        """``qbcb_95_95``."""
        return rule_name("qbcb", self.recall_target, self.confidence)

    @property
    def description(self) -> str:
        """The rule in words, for the project's methods record."""
        return (f"quantile binomial certification (after Lewis, Yang & Frieder 2021) with a {self.sample_share:.0%} "
                f"random sample: recall >= {self.recall_target:.0%} with {self.confidence:.0%} confidence")

    def needed(self, r: int) -> int | None:
        """Sample relevant records the ranking must find (None: no number certifies)."""
        for j in range(1, r + 1):
            if binom.sf(j - 1, r, self.recall_target) <= 1 - self.confidence:
                return j
        return None

    def _verdict(self, ranked: np.ndarray, state: SampleState, n_total: int) -> StopReport:
        """Stop once the ranking has reached the ``needed`` relevant records of the sample."""
        found, j = int(ranked.sum()) + state.positives, self.needed(state.positives)
        estimate = clopper_pearson(state.found, state.positives, self.confidence)
        if j is None:
            return StopReport(self.name, False, 0, estimate, f"{state.positives} relevant records in the "
                              "sample certify no stop", found)
        return StopReport(self.name, state.found >= j, 0, estimate, f"{state.found} of the sample's "
                          f"{state.positives} relevant records found by the ranking (stops at {j})", found)

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """Stop once the ranking has found the ``needed`` sample relevant records."""
        full = padded(ordered_labels, n_total)
        sample = _sample(self.sample_share, n_total, n_priors, seed)
        positives = sample[full[sample] == 1]
        j = self.needed(int(positives.size))
        if j is None:
            relevant = int(full.sum())
            return StopReport(self.name, False, n_total, SCREENED_ALL,
                              f"{positives.size} relevant records in the sample certify no stop", relevant)
        prefix = _prefix_finding(full, positives, j)
        screened, found = _union_stop(full, sample, prefix)
        return StopReport(self.name, screened < n_total, screened,
                          clopper_pearson(j, int(positives.size), self.confidence),
                          f"{j} of the sample's {positives.size} relevant records found", found)


@dataclass(frozen=True)
class SafeRule(_LiveSample):
    """SAFE-style: prevalence from a random sample, ranked screening, stop on estimate and a run (module doc)."""

    recall_target: float = 0.95
    confidence: float = 0.95
    sample_share: float = 0.1
    run_share: float = 0.05
    min_run: int = 50

    @property
    def name(self) -> str:
        """``safe_95_95``."""
        return rule_name("safe", self.recall_target, self.confidence)

    @property
    def description(self) -> str:
        """The rule in words, for the project's methods record."""
        return (f"SAFE-style heuristic (after Boetje & van de Schoot 2024): a {self.sample_share:.0%} random sample "
                f"estimates prevalence; stop at {self.recall_target:.0%} of the estimated relevant records after a "
                f"run of {self.run_share:.0%} of the records (at least {self.min_run}) without one")

    def _verdict(self, ranked: np.ndarray, state: SampleState, n_total: int) -> StopReport:
        """Stop when the relevant records found reach the target share of the estimate after a run."""
        prevalence = clopper_pearson(state.positives, len(state.labels), self.confidence)
        expected = prevalence.estimate * n_total
        run = max(self.min_run, math.ceil(self.run_share * n_total))
        hits = np.flatnonzero(ranked)
        streak = int(ranked.size - 1 - hits[-1]) if hits.size else int(ranked.size)
        found = int(ranked.sum()) + state.positives
        stop = streak >= run and found >= self.recall_target * expected
        return StopReport(self.name, stop, 0, self._estimate(found, prevalence, n_total),
                          f"{found} relevant found of about {expected:.0f} expected, {streak} irrelevant in a row "
                          f"(stops at {run})", found)

    def replay(self, ordered_labels: Sequence[int], n_total: int, *, n_priors: int = 0, seed: int = 0) -> StopReport:
        """Scan the ranking for the first point where both conditions hold."""
        full = padded(ordered_labels, n_total)
        sample = _sample(self.sample_share, n_total, n_priors, seed)
        prevalence = clopper_pearson(int(full[sample].sum()), int(sample.size), self.confidence)
        expected = prevalence.estimate * n_total
        run = max(self.min_run, math.ceil(self.run_share * n_total))
        in_sample = np.zeros(n_total, dtype=bool)
        in_sample[sample] = True
        sample_hits = int(full[sample].sum())
        streak, found_prefix, sample_in_prefix = 0, 0, 0
        for k in range(n_total):
            found_prefix += int(full[k])
            sample_in_prefix += int(full[k] and in_sample[k])
            streak = 0 if full[k] else streak + 1
            found = found_prefix + sample_hits - sample_in_prefix
            if k >= n_priors and streak >= run and found >= self.recall_target * expected:
                screened, found = _union_stop(full, sample, k + 1)
                return StopReport(self.name, screened < n_total, screened, self._estimate(found, prevalence, n_total),
                                  f"{found} relevant found of about {expected:.0f} expected, {streak} irrelevant "
                                  "in a row", found)
        relevant = int(full.sum())
        return StopReport(self.name, False, n_total, SCREENED_ALL, "never fired", relevant)

    def _estimate(self, found: int, prevalence: RecallEstimate, n_total: int) -> RecallEstimate:
        def share(p: float) -> float:
            return 1.0 if p * n_total <= found else found / (p * n_total)

        return RecallEstimate(share(prevalence.estimate), share(prevalence.high), share(prevalence.low),
                              self.confidence)
