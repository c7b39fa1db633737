"""A review team's screening queue at one stage: who decided what, who holds which record, one ranking.

Pure (no store, no clock of its own: callers pass ``now``). A :class:`TeamQueue`
shares one ranking among all the reviewers of a project, as a team splits the
work: each record needs ``per_record`` reviewers' independent decisions (2 for
dual screening). :meth:`~TeamQueue.next` hands a reviewer, first, a record a
colleague has already screened or is reading that still needs them (so pairs
complete while fresh), else the best record of the last ranking; the record
is held for that reviewer (a lease of ``hold`` seconds), so two reviewers are
not handed the same record beyond ``per_record``. Asking again returns the
record held. Decisions and undos are cheap; retraining comes in the same three
parts as :class:`~logicmap.screening.queue.ReviewerQueue` (:meth:`snapshot`,
:meth:`rank`, :meth:`install`), so it may run on another thread.

A record's label for the model is its reconciliation when there is one, else
include when any reviewer included it, else exclude when one excluded it
("maybe" alone: no label).

When the stopping rule needs a random sample, the sample's records are handed out
first and kept from the model, as in :class:`~logicmap.screening.queue.ReviewerQueue`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from logicmap.errors import ScreeningError
from logicmap.screening.engine import ActiveLearner
from logicmap.screening.queue import LABELS, Snapshot, StopVerdict, judge_labels, rank_snapshot, sample_count
from logicmap.screening.stopping import StopReport, StoppingRule
from logicmap.screening.stopping_draw import StopSample, needs_sample

#: Seconds a record handed to a reviewer stays theirs while they read it.
HOLD_SECONDS = 900.0


@dataclass(frozen=True)
class TeamProgress(StopVerdict):
    """Where one reviewer and the team stand, with the stopping rule's verdict on the team's labels.

    ``screened`` and ``included`` count the team's labelled records (what the rule
    judges); ``mine`` the reviewer's own decisions; ``complete`` the records with
    all the decisions they need; ``stop`` is the rule's verdict at the last retrain.
    """

    mine: int
    screened: int
    included: int
    complete: int
    total: int
    per_record: int
    stop: StopReport
    #: (screened, wanted so far) of the random sample for the stopping rule; None: the rule needs none
    sample: tuple[int, int] | None = None


class TeamQueue:
    """The records of one stage, their reviewers' decisions and the team's last ranking.

    ``learner`` is fitted on the features of ``record_ids`` (in that order) and
    holds no labels yet; ``rule`` judges when it is safe to stop.
    """

    def __init__(self, learner: ActiveLearner, record_ids: Sequence[int], rule: StoppingRule, *,
                 per_record: int = 1, hold: float = HOLD_SECONDS, seed: int = 0) -> None:
        if per_record < 1:
            raise ScreeningError("reviewers per record must be 1 or more")
        self.learner, self.rule = learner, rule
        self.record_ids = list(record_ids)
        self.position = {record_id: i for i, record_id in enumerate(self.record_ids)}
        self.per_record, self.hold_seconds = per_record, hold
        self.votes: dict[int, dict[str, str]] = {}  # record -> reviewer -> decision, records in first-decided order
        self.agreed: dict[int, str] = {}  # record -> reconciled decision
        self.open: dict[int, None] = {}  # records some, not all, of their reviewers decided (oldest first)
        self.holds: dict[int, dict[str, float]] = {}  # record -> reviewer -> lease end
        self.held: dict[str, int] = {}  # reviewer -> the record they hold
        # kept up to date with every change, so a request never walks all the decisions:
        self.labels: dict[int, int] = {}  # record -> its label for the model, in the order first labelled
        self._included = 0  # records labelled 1
        self._done: set[int] = set()  # records with all the decisions they need (or agreed)
        self._mine: dict[str, int] = {}  # reviewer -> their standing decisions
        self.version = 0
        self.ranking: tuple[int, ...] = ()
        self.ranked_version = -1
        self.stop: StopReport = rule.assess([], len(self.record_ids))
        #: the random sample the rule asks for (drawn with ``seed``), or None
        self.sample = StopSample(rule, self.record_ids, seed) if needs_sample(rule) else None
        self.judged_version = -1
        self._cursor = 0  # ranking[:cursor] are complete

    # -- decisions (cheap) ------------------------------------------------------
    def check(self, record_id: int) -> None:
        """Refuse a record that is not among this stage's records."""
        if record_id not in self.position:
            raise ScreeningError(f"record {record_id} is not among the records to screen at this stage")

    def decision_of(self, reviewer: str, record_id: int) -> str | None:
        """The reviewer's standing decision on the record, or None."""
        return self.votes.get(record_id, {}).get(reviewer)

    def decide(self, reviewer: str, record_id: int, decision: str) -> bool:
        """Take a reviewer's decision (releasing their hold); False when it changes nothing."""
        self.check(record_id)
        self.release(reviewer)
        if self.decision_of(reviewer, record_id) == decision:
            return False
        found = self.votes.setdefault(record_id, {})
        if reviewer not in found:
            self._mine[reviewer] = self._mine.get(reviewer, 0) + 1
        found[reviewer] = decision
        if self._touch(record_id):
            self.version += 1
        return True

    def set_per_record(self, per_record: int) -> None:
        """Change how many reviewers each record needs (decisions made stay)."""
        if per_record < 1:
            raise ScreeningError("reviewers per record must be 1 or more")
        self.per_record, self._cursor = per_record, 0
        self.open.clear()
        for record_id in list(self.votes):
            self._touch(record_id)

    def _touch(self, record_id: int) -> bool:
        """Bring ``open``, ``labels`` and the counts up to date for the record; True when its label changed."""
        decided = len(self.votes.get(record_id, {}))
        if 0 < decided < self.per_record and record_id not in self.agreed:
            self.open.setdefault(record_id, None)
        else:
            self.open.pop(record_id, None)
        if decided >= self.per_record or record_id in self.agreed:
            self._done.add(record_id)
        else:
            self._done.discard(record_id)
        before, after = self.labels.get(record_id), self._label(record_id)
        if after is None:
            self.labels.pop(record_id, None)
        else:
            self.labels[record_id] = after
        self._included += (after == 1) - (before == 1)
        return before != after

    def withdraw(self, reviewer: str, record_id: int, now: float) -> bool:
        """Forget the reviewer's decision on the record (an undo) and hold it for them again."""
        found = self.votes.get(record_id, {})
        if found.pop(reviewer, None) is None:
            return False
        self._mine[reviewer] -= 1
        if not found:
            del self.votes[record_id]
        self._touch(record_id)
        self.version += 1
        self._cursor = 0
        self.hold(reviewer, record_id, now)
        return True

    def reconcile(self, record_id: int, decision: str | None) -> None:
        """Set (or, with None, withdraw) the agreed decision of a conflict."""
        self.check(record_id)
        if decision is None:
            self.agreed.pop(record_id, None)
        else:
            self.agreed[record_id] = decision
        self._touch(record_id)
        self.version += 1

    def _label(self, record_id: int) -> int | None:
        agreed = self.agreed.get(record_id)
        if agreed is not None:
            return LABELS.get(agreed)
        found = set(self.votes.get(record_id, {}).values())
        return 1 if "include" in found else 0 if "exclude" in found else None

    @property
    def order(self) -> list[int]:
        """The team's labels in the order records were first labelled ("maybe" alone: none)."""
        return list(self.labels.values())

    def progress(self, reviewer: str) -> TeamProgress:
        """Counts now, kept as decisions come (no walk over them); the stopping verdict as of the last
        retrain (no assessment here)."""
        sample = sample_count(self.sample.state(self.labels, (), {})) if self.sample else None
        return TeamProgress(self._mine.get(reviewer, 0), len(self.labels), self._included, len(self._done),
                            len(self.record_ids), self.per_record, self.stop, sample)

    def _members(self) -> set[int]:
        return set(self.sample.members(self.labels)) if self.sample else set()

    def is_sample(self, record_id: int) -> bool:
        """True when ``record_id`` is in the random sample for the stopping rule."""
        return record_id in self._members()

    # -- handing out records ----------------------------------------------------
    def release(self, reviewer: str) -> None:
        """Give back the record the reviewer holds, if any."""
        record_id = self.held.pop(reviewer, None)
        if record_id is not None:
            holders = self.holds.get(record_id, {})
            holders.pop(reviewer, None)
            if not holders:
                self.holds.pop(record_id, None)

    def hold(self, reviewer: str, record_id: int, now: float) -> None:
        """Hold ``record_id`` for the reviewer until ``now`` + ``hold_seconds`` (giving back the one held before)."""
        self.release(reviewer)
        self.held[reviewer] = record_id
        self.holds.setdefault(record_id, {})[reviewer] = now + self.hold_seconds

    def keep_holds(self, previous: TeamQueue) -> None:
        """Take over ``previous``'s holds on records this queue also has and the holder has not decided
        (a queue rebuilt over changed records keeps who is reading what, so pairs stay together)."""
        for reviewer, record_id in previous.held.items():
            end = previous.holds.get(record_id, {}).get(reviewer)
            if end is None or record_id not in self.position or self.decision_of(reviewer, record_id) is not None:
                continue
            self.held[reviewer] = record_id
            self.holds.setdefault(record_id, {})[reviewer] = end

    def _room(self, record_id: int, reviewer: str, now: float) -> bool:
        """True when the reviewer has not decided the record and it needs more reviewers than hold it."""
        found = self.votes.get(record_id, {})
        if reviewer in found or record_id in self.agreed:
            return False
        others = sum(1 for who, end in self.holds.get(record_id, {}).items() if who != reviewer and end > now)
        return len(found) + others < self.per_record

    def next(self, reviewer: str, now: float) -> tuple[int, int] | None:
        """``(record id, rank)`` for the reviewer, held for them; None when nothing is left for them."""
        held = self.held.get(reviewer)
        if held is not None and self.decision_of(reviewer, held) is None and held not in self.agreed:
            self.holds.setdefault(held, {})[reviewer] = now + self.hold_seconds
            return held, self._rank()
        chosen = self._pick(reviewer, now)
        if chosen is None:
            self.release(reviewer)
            return None
        self.hold(reviewer, chosen, now)
        return chosen, self._rank()

    def _rank(self) -> int:
        return len(self.votes) + 1

    def _pick(self, reviewer: str, now: float) -> int | None:
        for record_id in self.open:
            if self._room(record_id, reviewer, now):
                return record_id
        if self.per_record > 1:  # a record a colleague is reading: the pair stays together
            for record_id in list(self.holds):
                if record_id not in self.votes and self._room(record_id, reviewer, now):
                    return record_id
        if self.sample is not None:
            members = self.sample.members(self.labels)
            for record_id in members:
                if self._room(record_id, reviewer, now):
                    return record_id
        while self._cursor < len(self.ranking) and self._complete(self.ranking[self._cursor]):
            self._cursor += 1
        for record_id in self.ranking[self._cursor:]:
            if record_id not in self.votes and self._room(record_id, reviewer, now):
                return record_id
        for record_id in self.record_ids:  # decided when the ranking was made, undone since
            if self._room(record_id, reviewer, now):
                return record_id
        return None

    def upcoming(self, count: int) -> list[int]:
        """Up to ``count`` records that still need decisions: open ones first, then the ranking's best."""
        found = list(self.open)[:count]
        for record_id in self.ranking[self._cursor:]:
            if len(found) >= count:
                break
            if record_id not in self.votes and record_id not in self.agreed:
                found.append(record_id)
        return found

    def _complete(self, record_id: int) -> bool:
        return record_id in self._done

    # -- ranking (costly) -------------------------------------------------------
    @property
    def stale(self) -> bool:
        """True when the team's labels changed since the installed ranking was computed."""
        return self.ranked_version != self.version

    @property
    def unjudged(self) -> bool:
        """True when the labels changed since the stopping rule's verdict was reached."""
        return self.judged_version != self.version

    def snapshot(self) -> Snapshot:
        """The current labels, to train on (positions in the order first labelled)."""
        position, members = self.position, self._members()
        labels = tuple((position[r], label) for r, label in self.labels.items() if r not in members)
        sample = self.sample.state(self.labels, self.ranking, self.votes) if self.sample else None
        return Snapshot(self.version, labels, sample)

    def rank(self, snapshot: Snapshot) -> tuple[int, ...]:
        """Teach the learner ``snapshot``'s labels, retrain and rank: record ids, best first."""
        return rank_snapshot(self.learner, self.record_ids, snapshot)

    def judge(self, snapshot: Snapshot) -> StopReport:
        """The stopping rule's verdict on ``snapshot``'s labels (costly: pure arithmetic over them)."""
        return judge_labels(self.rule, [label for _, label in snapshot.labels], len(self.record_ids),
                            snapshot.sample)

    def install(self, ranking: tuple[int, ...], version: int) -> None:
        """Use ``ranking`` (computed at ``version``) unless a newer one is installed."""
        if version > self.ranked_version:
            self.ranking, self.ranked_version = ranking, version
            self._cursor = 0

    def install_stop(self, stop: StopReport, version: int) -> None:
        """Use the verdict ``stop`` (judged at ``version``) unless a newer one is installed."""
        if version > self.judged_version:
            self.stop, self.judged_version = stop, version

    def refresh(self) -> None:
        """Retrain, rank and judge now if the labels changed (the synchronous path)."""
        if self.stale or self.unjudged:
            snapshot = self.snapshot()
            self.install(self.rank(snapshot), snapshot.version)
            self.install_stop(self.judge(snapshot), snapshot.version)
