"""A review team screening one project together (behind the web server): :class:`TeamScreening`.

One :class:`~logicmap.screening.team_queue.TeamQueue` per stage holds every
reviewer's standing decisions and the team's last ranking, in memory. A request
(:meth:`~TeamScreening.next`, :meth:`~TeamScreening.progress`) reads that
memory under a lock held for microseconds: no query, no retrain, no ranking.
:meth:`~TeamScreening.decide` commits the decision to the store (one short
transaction), records it in memory and wakes the one worker thread, which
retrains, ranks and asks the stopping rule off the request path; decisions made
meanwhile are learnt by the next round (coalescing). The stopping rule's
verdict costs more than a retrain and is reached at most every ``judge_every``
seconds (and four times as long as it took). Between rounds the worker rests
at least as long as the round took (``rest``), so under load it takes at most
about half of the interpreter's time and requests keep theirs.

The team's settings (:class:`TeamSettings`: reviewers per record, blind or not)
live in the project; :meth:`~TeamScreening.apply` takes new ones at once.
Use it as a context manager, or call :meth:`~TeamScreening.close`;
:meth:`~TeamScreening.wait` blocks until the ranking is current.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from logicmap.errors import ScreeningError
from logicmap.review.interim import Interim
from logicmap.review.preparation import BackgroundOpening, Preparing
from logicmap.review.team_settings import TeamSettings, load_team_settings, save_settings
from logicmap.review.screening_session import (
    describe_engine,
    open_stage,
    project_rule,
    record_engine_switch,
    save_rule_stop,
    settle_engine_switch,
    stage_features,
    store_decision,
)
from logicmap.review.worker import BackgroundWorker
from logicmap.review.write_gate import WriteGate
from logicmap.screening.stopping import StopReport
from logicmap.screening.decisions import STAGES, latest_standing
from logicmap.screening.embeddings import EmbedProgress
from logicmap.screening.engine import ActiveLearner
from logicmap.screening.presets import INTERIM_ABOVE
from logicmap.screening.queue import Snapshot
from logicmap.screening.team_queue import TeamProgress, TeamQueue
from logicmap.store.database import Store
from logicmap.store.screening import standing_decisions, undo_latest


class TeamScreening(BackgroundWorker, BackgroundOpening):
    """Active-learning screening shared by a team, retrained off the request path.

    ``candidates(stage)`` gives the records to screen at a stage; the engine
    options (``seed``, ``criteria``, ``features``, ``classifier``, the rule's
    ``recall_target`` and ``confidence``) are the project's. ``clock`` gives
    seconds (monotonic) for the holds on records handed out; ``before_retrain(stage)``
    is called on the worker thread before each background retrain (a hook for tests).
    Every ``recheck_every`` seconds the worker compares each open stage's records with
    ``candidates(stage)`` (records imported or merged since, by any process) and, when they
    differ, builds the stage's queue again beside the one in use and swaps it in; with
    ``candidates_mark(stage)`` (a cheap mark of what the stage's records are read from) it reads
    them only when that mark moved. When more than ``interim_above`` of a stage's texts still need
    sentence vectors (None: never), the stage opens on the interim engine and its own takes over
    once they are made (see :mod:`~logicmap.review.preparation`).
    """

    def __init__(
        self, store: Store, *, candidates: Callable[[str], list[int]], seed: int = 0, criteria: str | None = None,
        recall_target: float | None = None, confidence: float | None = None, features: str = "auto",
        classifier: str = "auto", progress: EmbedProgress | None = None, rest: float = 0.2,
        judge_every: float = 3.0, recheck_every: float = 10.0, clock: Callable[[], float] = time.monotonic,
        before_retrain: Callable[[str], None] | None = None, candidates_mark: Callable[[str], str] | None = None,
        interim_above: int | None = INTERIM_ABOVE,
    ) -> None:
        self._store, self._candidates, self._clock = store, candidates, clock
        self._candidates_mark = candidates_mark or (lambda stage: None)
        self._marks: dict[str, str | None] = {}  # stage -> candidates_mark when its queue was built
        self._engine_options = {"features": features, "classifier": classifier}
        self._progress = progress
        self._preparing: dict[str, Preparing] = {}  # stage -> its preparation on its own thread, until ready
        self._interim: dict[str, Interim] = {}  # stage -> its own engine's preparation, while it ranks without
        self._interim_above = interim_above
        self._seed, self._criteria = seed, criteria
        self._rule_options = (recall_target, confidence)  # the rule follows a stage's size: _assemble
        self._rest, self._judge_every, self._judge_at = rest, judge_every, 0.0
        self._recheck_every, self._recheck_at = recheck_every, time.monotonic() + recheck_every
        self._before_retrain = before_retrain
        self.settings = load_team_settings(store)
        self._opening = threading.Lock()
        self._queues: dict[str, TeamQueue] = {}
        self._engines: dict[str, tuple[str, str]] = {}
        self._writing: dict[str, threading.Lock] = {}  # one reviewer's writes, in order
        self._gate = WriteGate(serial=store.dialect == "sqlite")  # SQLite: one write at a time
        self._decision_ids: dict[tuple[str, str, int], int] = {}
        self._described = False
        self._start_worker(self._work, "logicmap-team-retrain")  # its lock guards the queues, maps and flags

    # -- requests -----------------------------------------------------------------
    def open(self, stage: str = "title_abstract") -> None:
        """Prepare the stage's queue: features and first ranking (done once, on this thread)."""
        self._queue(stage)

    def next(self, reviewer: str, stage: str = "title_abstract") -> tuple[int, int] | None:
        """``(record id, rank)`` for the reviewer from the last ranking (held for them), or None."""
        queue = self._queue(stage)
        with self._lock:
            return queue.next(reviewer, self._clock())

    def peek(self, reviewer: str, record_id: int, stage: str = "title_abstract") -> bool:
        """Hold ``record_id`` for the reviewer if it still needs them (after an undo); False otherwise."""
        queue = self._queue(stage)
        with self._lock:
            if record_id not in queue.position or queue.decision_of(reviewer, record_id) is not None:
                return False
            queue.hold(reviewer, record_id, self._clock())
            return True

    def decide(self, reviewer: str, record_id: int, decision: str, *, stage: str = "title_abstract",
               reason: str | None = None, rank: int | None = None) -> int:
        """Store the decision now, learn it in the background; returns its id (the same decision again:
        the first one's id, nothing stored)."""
        queue = self._queue(stage)
        with self._writer(reviewer):
            with self._lock:
                queue.check(record_id)
                if queue.decision_of(reviewer, record_id) == decision:
                    queue.release(reviewer)
                    return self._decision_ids[(reviewer, stage, record_id)]
            with self._gate.write():
                decision_id = store_decision(self._store, record_id, reviewer=reviewer, stage=stage,
                                             decision=decision, reason=reason, rank=rank)
            self._describe_once(stage)
            with self._lock:
                queue = self._queues.get(stage, queue)  # a reload may have swapped it meanwhile
                queue.decide(reviewer, record_id, decision)
                self._decision_ids[(reviewer, stage, record_id)] = decision_id
                self._changed.notify_all()
        return decision_id

    def undo(self, reviewer: str, stage: str = "title_abstract") -> int | None:
        """Withdraw the reviewer's latest decision (kept, marked undone); returns its record id."""
        queue = self._queue(stage)
        with self._writer(reviewer):
            with self._gate.write():
                undone = undo_latest(self._store, reviewer=reviewer, stage=stage)
            if undone is None:
                return None
            with self._lock:
                queue = self._queues.get(stage, queue)
                if undone.kind == "reconciliation":
                    queue.reconcile(undone.record_id, None)
                elif queue.withdraw(reviewer, undone.record_id, self._clock()):
                    self._decision_ids.pop((reviewer, stage, undone.record_id), None)
                self._changed.notify_all()
        return undone.record_id

    def reconcile(self, reviewer: str, record_id: int, decision: str, *, stage: str = "title_abstract",
                  reason: str | None = None) -> int:
        """Store the agreed decision of a conflict (the reviewers' decisions stay); returns its id."""
        queue = self._queue(stage)
        with self._lock:
            queue.check(record_id)
        with self._gate.write():
            decision_id = store_decision(self._store, record_id, reviewer=reviewer, stage=stage,
                                         decision=decision, reason=reason, kind="reconciliation")
        with self._lock:
            self._queues.get(stage, queue).reconcile(record_id, decision)
            self._changed.notify_all()
        return decision_id

    def progress(self, reviewer: str, stage: str = "title_abstract") -> TeamProgress:
        """The reviewer's and the team's counts, and the stopping rule's verdict as of the last retrain."""
        queue = self._queue(stage)
        with self._lock:
            return queue.progress(reviewer)

    def is_sample(self, record_id: int, stage: str = "title_abstract") -> bool:
        """True when ``record_id`` is asked for by the stopping rule's random sample (not by the ranking)."""
        queue = self._queue(stage)
        with self._lock:
            return queue.is_sample(record_id)

    def stop(self, by: str, stage: str = "title_abstract") -> StopReport:
        """Stop the team's screening because the stopping rule fired (its verdict at the last retrain):
        the records no one screened are excluded by it, and the report says so. Refused (changing
        nothing) unless the rule fired."""
        queue = self._queue(stage)
        with self._lock:
            progress = queue.progress(by)
        return save_rule_stop(self._store, queue.rule, progress, by, stage, team=True)

    def upcoming(self, count: int, stage: str = "title_abstract") -> list[int]:
        """Up to ``count`` records next in the team's ranking that still need decisions (to read ahead)."""
        queue = self._queue(stage)
        with self._lock:
            return queue.upcoming(count)

    def decision_of(self, reviewer: str, record_id: int, stage: str = "title_abstract") -> str | None:
        """The reviewer's standing decision on the record."""
        queue = self._queue(stage)
        with self._lock:
            return queue.decision_of(reviewer, record_id)

    def others(self, reviewer: str, record_id: int, stage: str = "title_abstract") -> dict[str, str]:
        """Other reviewers' decisions on the record (shown only when screening is not blind)."""
        queue = self._queue(stage)
        with self._lock:
            return {who: d for who, d in queue.votes.get(record_id, {}).items() if who != reviewer}

    def order(self, stage: str = "title_abstract") -> list[int]:
        """The team's labels in the order first decided (1 include, 0 exclude), for the recall curve."""
        queue = self._queue(stage)
        with self._lock:
            return queue.order

    def apply(self, settings: TeamSettings, *, by: str | None = None) -> TeamSettings:
        """Store new team settings and use them at once."""
        save_settings(self._store, settings)
        with self._lock:
            self.settings = settings
            for queue in self._queues.values():
                queue.set_per_record(settings.reviewers_per_record)
        return settings

    # -- lifecycle ----------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> bool:
        """Block until every opened queue's ranking and verdict are current (False on timeout); a failed
        retrain raises :class:`ScreeningError`."""
        return self._wait_until(lambda: all(not (q.stale or q.unjudged) for q in self._queues.values()), timeout,
                                "retraining the screening model failed")

    # -- inside -------------------------------------------------------------------
    def _writer(self, reviewer: str) -> threading.Lock:
        with self._lock:
            return self._writing.setdefault(reviewer, threading.Lock())

    def _queue(self, stage: str) -> TeamQueue:
        with self._lock:
            queue = self._queues.get(stage)
        return queue if queue is not None else self._open_queue(stage)

    def _open_queue(self, stage: str) -> TeamQueue:
        if stage not in STAGES:
            raise ScreeningError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
        with self._opening:
            if stage in self._queues:  # opened while this request waited
                return self._queues[stage]
            self._marks[stage] = self._candidates_mark(stage)  # before the records: a change between shows later
            record_ids = self._candidates(stage)
            opened = open_stage(self._store, stage, record_ids, **self._engine_options,
                                interim_above=self._interim_above, progress=self._heard(stage))
            queue = self._assemble(stage, opened.features)
            if not opened.to_embed:
                settle_engine_switch(self._store, opened.engine, len(queue.votes))
            with self._changed:
                self._engines[stage] = opened.features.engine
                self._queues[stage] = queue
                self._preparing.pop(stage, None)
                if opened.to_embed:
                    self._interim[stage] = Interim(to_embed=opened.to_embed)
                self._changed.notify_all()
            if opened.to_embed:
                self._take_over_in_background(stage, record_ids, opened.engine, opened.texts)
            return queue

    def _assemble(self, stage: str, features) -> TeamQueue:
        """A queue over ``features`` with the stage's standing decisions replayed, trained and ranked."""
        learner = ActiveLearner(features=features.extractor, classifier=features.engine[1], seed=self._seed,
                                criteria=self._criteria).fit(matrix=features.matrix, extractor=features.extractor)
        rule = project_rule(self._store, *self._rule_options, records=len(features.record_ids))
        queue = TeamQueue(learner, features.record_ids, rule,
                          per_record=self.settings.reviewers_per_record, seed=self._seed)
        decisions = standing_decisions(self._store, stage)
        for (record_id, reviewer), d in latest_standing(decisions).items():
            if record_id in queue.position:
                queue.decide(reviewer, record_id, d.decision)
                self._decision_ids[(reviewer, stage, record_id)] = d.id
        for (record_id, _), d in latest_standing(decisions, "reconciliation").items():
            if record_id in queue.position:
                queue.reconcile(record_id, d.decision)
        queue.refresh()  # not yet shared: trained on this thread
        return queue

    def _reload_changed(self) -> None:
        """Worker thread: rebuild the queue of every open stage whose records changed since it was built."""
        with self._lock:
            stages = [stage for stage in self._queues if stage not in self._interim]  # its own engine not yet in
        for stage in stages:
            with self._lock:
                current = self._queues[stage]
            mark = self._candidates_mark(stage)
            if mark is not None and mark == self._marks.get(stage):
                continue  # nothing the records are read from has changed
            ids = self._candidates(stage)
            if len(ids) == len(current.position) and all(r in current.position for r in ids):
                self._marks[stage] = mark
                continue
            features = stage_features(self._store, ids, **self._engine_options,  # the slow part, no lock
                                      progress=self._progress)
            self._swap(stage, features, mark=mark)

    def _swap(self, stage: str, features, *, mark: str | None = None, interim: bool = False) -> None:
        """Put a queue over ``features`` in place of the stage's, every decision replayed and each
        reviewer's hold kept; ``mark``: the candidates mark it was built at (``interim``: none, it takes
        over from the interim engine, and the switch is recorded with the records screened so far)."""
        with self._opening, self._gate.exclusive():  # no decision is stored between the replay and the swap
            if self._closed:
                return
            queue = self._assemble(stage, features)
            with self._changed:
                queue.keep_holds(self._queues[stage])
                interim_engine = self._engines[stage]
                self._engines[stage] = features.engine
                self._queues[stage] = queue
                if not interim:
                    self._marks[stage] = mark
                self._interim.pop(stage, None)
                self._changed.notify_all()
                described = self._described
            if interim:
                record_engine_switch(self._store, interim=interim_engine, engine=features.engine,
                                     screened=len(queue.votes))
                if described:
                    describe_engine(self._store, features.engine, queue.rule, len(queue.record_ids))

    def _describe_once(self, stage: str) -> None:
        with self._lock:
            first, self._described = not self._described, True
            queue, engine = self._queues[stage], self._engines[stage]
        if first:
            describe_engine(self._store, engine, queue.rule, len(queue.record_ids))

    def _work(self) -> None:
        """Worker thread: judge (when due) and retrain stale queues, resting between rounds, until closed."""
        while True:
            job = self._next_job()
            if job is None:
                return
            if job == "reload":
                try:
                    self._reload_changed()
                except Exception as exc:  # kept for wait(); the queues in use stay
                    with self._changed:
                        self._errors.append(exc)
                continue
            judge, queue, snapshot = job
            started = time.perf_counter()
            try:
                if self._before_retrain is not None and not judge:
                    self._before_retrain(next(s for s, q in self._queues.items() if q is queue))
                result = queue.judge(snapshot) if judge else queue.rank(snapshot)
            except Exception as exc:  # kept for wait(); the old ranking and verdict stay in use
                result = None
                with self._changed:
                    self._errors.append(exc)
            took = time.perf_counter() - started
            with self._changed:
                if judge:
                    queue.install_stop(result if result is not None else queue.stop, snapshot.version)
                    self._judge_at = time.monotonic() + max(self._judge_every, 4 * took)
                else:
                    queue.install(result if result is not None else queue.ranking, snapshot.version)
                self._changed.notify_all()
            if self._rest:
                time.sleep(max(self._rest, took))

    def _next_job(self) -> tuple[bool, TeamQueue, Snapshot] | str | None:
        """``(judge?, queue, labels)``: a due verdict first, else a stale ranking, else ``"reload"`` when the
        records are due a recheck; waits for one (None: closed)."""
        with self._changed:
            while not self._closed:
                if not self._queues:  # nothing open: nothing to recheck
                    self._recheck_at = time.monotonic() + self._recheck_every
                elif self._recheck_at <= time.monotonic():
                    self._recheck_at = time.monotonic() + self._recheck_every
                    return "reload"
                unjudged = [q for q in self._queues.values() if q.unjudged]
                due = self._judge_at - time.monotonic()
                if unjudged and due <= 0:
                    return True, unjudged[0], unjudged[0].snapshot()
                stale = [q for q in self._queues.values() if q.stale]
                if stale:
                    return False, stale[0], stale[0].snapshot()
                recheck = self._recheck_at - time.monotonic()
                self._changed.wait(min(due, recheck) if unjudged else recheck)
            return None
