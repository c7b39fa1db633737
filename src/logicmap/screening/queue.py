"""One reviewer's screening queue at one stage: decisions, learner and last ranking.

Pure (no store). A :class:`ReviewerQueue` keeps the reviewer's decisions in the
order made and a ranking of the records computed from them. Recording a
decision is cheap and only makes the ranking stale; retraining is the costly
step and comes in three parts so that it may run on another thread:
:meth:`~ReviewerQueue.snapshot` copies the labels to train on,
:meth:`~ReviewerQueue.rank` teaches the learner those labels, refits and ranks
(touching the learner only), and :meth:`~ReviewerQueue.install` swaps the new
ranking in. :meth:`~ReviewerQueue.next` always answers from the last ranking,
skipping every record decided since. A synchronous caller runs
:meth:`~ReviewerQueue.refresh` (all three parts) before asking for the next record.

When the stopping rule needs a random sample (:mod:`~logicmap.screening.stopping_draw`),
the queue offers the sample's records first (:meth:`~ReviewerQueue.is_sample` tells
them apart), keeps their labels from the model and judges the rule on the ranked
screening's labels plus the sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from logicmap.errors import ScreeningError
from logicmap.screening.engine import ActiveLearner
from logicmap.screening.stopping import StopReport, StoppingRule
from logicmap.screening.stopping_draw import StopSample, needs_sample
from logicmap.screening.stopping_sample import SampleState
from logicmap.screening.stopping_urn import RecallEstimate

#: Decisions the model learns from; "maybe" sets a record aside without a label.
LABELS = {"include": 1, "exclude": 0}


class StopVerdict:
    """What a progress object with a ``stop`` field (a :class:`StopReport`) says about stopping."""

    stop: StopReport

    @property
    def can_stop(self) -> bool:
        """True when the stopping rule says screening may stop now."""
        return self.stop.stopped

    @property
    def recall(self) -> RecallEstimate:
        """The rule's estimate of the recall so far."""
        return self.stop.recall


@dataclass
class ScreeningProgress(StopVerdict):
    """Where a reviewer stands, with the stopping rule's verdict: its estimate of recall so far
    (with a 95% interval), whether screening may stop and why (``stop.reason``)."""

    screened: int
    total: int
    included: int
    stop: StopReport
    #: (screened, wanted so far) of the random sample for the stopping rule; None: the rule needs none
    sample: tuple[int, int] | None = None


@dataclass(frozen=True)
class Snapshot:
    """The labels to train on: ``(position, label)`` in the order decided, at ``version``."""

    version: int
    labels: tuple[tuple[int, int], ...]
    #: the random sample for the stopping rule at ``version`` (its labels are not in ``labels``)
    sample: SampleState | None = None


def judge_labels(rule: StoppingRule, ranked: list[int], n_total: int, sample: SampleState | None) -> StopReport:
    """The rule's verdict on the ranked screening's labels (and the random sample, when it takes one)."""
    if sample is None:
        return rule.assess(ranked, n_total)
    return rule.assess(ranked, n_total, sample=sample)


def sample_count(sample: SampleState | None) -> tuple[int, int] | None:
    """(screened, wanted so far) of a random sample."""
    return None if sample is None else (sample.screened, len(sample.labels))


class ReviewerQueue:
    """The records of one reviewer at one stage, in the order to screen them.

    ``learner`` is fitted on the features of ``record_ids`` (in that order) and
    holds no labels yet; ``rule`` judges when it is safe to stop.
    """

    def __init__(self, learner: ActiveLearner, record_ids: Sequence[int], rule: StoppingRule, *,
                 seed: int = 0) -> None:
        self.learner = learner
        self.record_ids = list(record_ids)
        self._ids = np.asarray(self.record_ids, dtype=np.int64)  # to map ranked rows at numpy speed
        self.position = {record_id: i for i, record_id in enumerate(self.record_ids)}
        self.rule = rule
        #: the random sample the rule asks for (drawn with ``seed``), or None
        self.sample = StopSample(rule, self.record_ids, seed) if needs_sample(rule) else None
        self.decided: dict[int, str] = {}  # record -> standing decision, in the order first made
        self.version = 0
        self.ranking: tuple[int, ...] = ()
        self.ranked_version = -1

    # -- decisions (cheap) ------------------------------------------------------
    def check(self, record_id: int) -> None:
        """Refuse a record that is not among this queue's records."""
        if record_id not in self.position:
            raise ScreeningError(f"record {record_id} is not among the records to screen at this stage")

    def decide(self, record_id: int, decision: str) -> bool:
        """Take a decision; False when it changes nothing (the same decision again)."""
        self.check(record_id)
        if self.decided.get(record_id) == decision:
            return False
        self.decided[record_id] = decision
        self.version += 1
        return True

    def withdraw(self, record_id: int) -> bool:
        """Forget the decision on ``record_id`` (an undo); False when there was none."""
        if self.decided.pop(record_id, None) is None:
            return False
        self.version += 1
        return True

    @property
    def order(self) -> list[int]:
        """Labels in the order screened (1 include, 0 exclude; "maybe" left out)."""
        return [LABELS[d] for d in self.decided.values() if d in LABELS]

    def _labels(self) -> dict[int, int]:
        return {r: LABELS[d] for r, d in self.decided.items() if d in LABELS}

    def _members(self) -> set[int]:
        return set(self.sample.members(self._labels())) if self.sample else set()

    def is_sample(self, record_id: int) -> bool:
        """True when ``record_id`` is in the random sample for the stopping rule."""
        return record_id in self._members()

    def progress(self) -> ScreeningProgress:
        """Counts so far and whether the stopping rule says it is safe to stop (a rule taking a random
        sample judges by the last ranking: :meth:`refresh` first)."""
        order, total = self.order, len(self.record_ids)
        snapshot = self.snapshot()
        stop = judge_labels(self.rule, [label for _, label in snapshot.labels], total, snapshot.sample)
        return ScreeningProgress(len(order), total, sum(order), stop, sample_count(snapshot.sample))

    # -- ranking (costly) -------------------------------------------------------
    @property
    def stale(self) -> bool:
        """True when decisions changed since the installed ranking was computed."""
        return self.ranked_version != self.version

    def snapshot(self) -> Snapshot:
        """The current labels, to train on (the random sample's apart)."""
        members = self._members()
        labels = tuple((self.position[r], LABELS[d]) for r, d in self.decided.items()
                       if d in LABELS and r not in members)
        sample = self.sample.state(self._labels(), self.ranking, self.decided) if self.sample else None
        return Snapshot(self.version, labels, sample)

    def rank(self, snapshot: Snapshot) -> tuple[int, ...]:
        """Teach the learner ``snapshot``'s labels, retrain and rank: record ids, best first."""
        return rank_snapshot(self.learner, self._ids, snapshot)

    def install(self, ranking: tuple[int, ...], version: int) -> None:
        """Use ``ranking`` (computed at ``version``) unless a newer one is installed."""
        if version > self.ranked_version:
            self.ranking, self.ranked_version = ranking, version

    def refresh(self) -> None:
        """Retrain and rank now if decisions changed (the synchronous path)."""
        if self.stale:
            snapshot = self.snapshot()
            self.install(self.rank(snapshot), snapshot.version)

    def next(self) -> tuple[int, int] | None:
        """``(record id, rank)`` of the best undecided record in the last ranking, or None when done."""
        rank = len(self.decided) + 1
        if self.sample is not None:
            pending = self.sample.pending(self._labels(), self.decided)
            if pending:
                return pending[0], rank
        for record_id in self.ranking:
            if record_id not in self.decided:
                return record_id, rank
        for record_id in self.record_ids:  # decided when the ranking was made, undone since
            if record_id not in self.decided:
                return record_id, rank
        return None


def rank_snapshot(learner: ActiveLearner, record_ids: Sequence[int], snapshot: Snapshot) -> tuple[int, ...]:
    """Bring ``learner``'s labels to ``snapshot``'s (unlabel what it dropped, label what changed),
    retrain and rank: record ids (``record_ids`` in the learner's row order), best first."""
    wanted = dict(snapshot.labels)
    for index in np.flatnonzero(learner.labels_ >= 0):
        if int(index) not in wanted:
            learner.unlabel(int(index))
    for index, label in snapshot.labels:
        if learner.labels_[index] != label:
            learner.label(index, label)
    return tuple(np.asarray(record_ids, dtype=np.int64)[learner.rank()].tolist())
