"""Screening for many reviewers at once (behind a web server): :class:`ScreeningService`.

The service holds one :class:`~logicmap.screening.queue.ReviewerQueue` per
(reviewer, stage). A stage's features are computed once, when its first reviewer
arrives, and shared by all its reviewers. :meth:`~ScreeningService.next`
answers at once from the queue's last ranking, skipping records decided since.
:meth:`~ScreeningService.decide` commits the decision to the store first, then
asks the one worker thread to retrain that queue: while a retrain runs, further
decisions only make the queue stale, and one more retrain follows (coalescing).
A finished ranking is swapped in under the lock, so a request sees either the
old ranking or the new one. The learners are touched by the worker thread only.

Use it as a context manager, or call :meth:`~ScreeningService.close` to stop the
worker; :meth:`~ScreeningService.wait` blocks until no retrain is pending.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from logicmap.errors import ScreeningError
from logicmap.review.screening_session import (
    StageFeatures,
    describe_engine,
    open_queue,
    project_rule,
    record_stop,
    reviewer_standing,
    stage_features,
    store_decision,
)
from logicmap.screening.embeddings import EmbedProgress
from logicmap.screening.queue import ReviewerQueue, ScreeningProgress, Snapshot
from logicmap.screening.stopping import StoppingRule
from logicmap.store.database import Store
from logicmap.store.screening import undo_latest

Key = tuple[str, str]  # (reviewer, stage)
#: before_retrain(reviewer, stage): called on the worker thread before each background retrain.
RetrainHook = Callable[[str, str], None]


class ScreeningService:
    """Active-learning screening for many reviewers, retrained off the request path.

    ``candidates(stage)`` gives the records to screen at a stage. The engine
    options (``seed``, ``criteria``, ``features``, ``classifier``, the stopping
    rule's ``recall_target`` and ``confidence``) are the same for every reviewer.
    ``progress(done, total)`` hears about computing a stage's embeddings;
    ``before_retrain`` is a hook for tests and monitoring.
    """

    def __init__(
        self, store: Store, *, candidates: Callable[[str], list[int]], seed: int = 0, criteria: str | None = None,
        recall_target: float | None = None, confidence: float | None = None, features: str = "auto", classifier: str = "auto",
        progress: EmbedProgress | None = None, before_retrain: RetrainHook | None = None,
    ) -> None:
        self._store, self._candidates = store, candidates
        self._engine_options = {"features": features, "classifier": classifier, "progress": progress}
        self._seed, self._criteria = seed, criteria
        self._rule_options = (recall_target, confidence)  # the rule follows a stage's size: _stage_features
        self._before_retrain = before_retrain
        self._lock = threading.Lock()  # guards every queue's decisions, ranking and the maps below
        self._idle = threading.Condition(self._lock)
        self._opening = threading.Lock()  # one queue (and stage's features) opened at a time
        self._features: dict[str, StageFeatures] = {}
        self._rules: dict[str, StoppingRule] = {}  # stage -> its stopping rule, made with its features
        self._queues: dict[Key, ReviewerQueue] = {}
        self._writing: dict[Key, threading.Lock] = {}  # one reviewer's writes, in order
        self._decision_ids: dict[tuple[str, str, int], int] = {}
        self._busy: set[Key] = set()
        self._errors: list[Exception] = []
        self._described = False
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="logicmap-retrain")

    # -- requests -----------------------------------------------------------------
    def open(self, reviewer: str, stage: str = "title_abstract") -> None:
        """Prepare the reviewer's queue (its first ranking is computed here, once)."""
        self._queue(reviewer, stage)

    def next(self, reviewer: str, stage: str = "title_abstract") -> tuple[int, int] | None:
        """``(record id, rank)`` of the reviewer's next record from the last ranking, or None when done."""
        queue = self._queue(reviewer, stage)
        with self._lock:
            return queue.next()

    def decide(self, reviewer: str, record_id: int, decision: str, *, stage: str = "title_abstract",
               reason: str | None = None, rank: int | None = None) -> int:
        """Store the decision now, then retrain in the background; returns the decision's id.

        The same decision submitted again is neither stored nor learnt twice: its id is returned.
        """
        key, queue = (reviewer, stage), self._queue(reviewer, stage)
        with self._writing[key]:
            with self._lock:
                queue.check(record_id)
                if queue.decided.get(record_id) == decision:
                    return self._decision_ids[(reviewer, stage, record_id)]
            decision_id = store_decision(self._store, record_id, reviewer=reviewer, stage=stage,
                                         decision=decision, reason=reason, rank=rank)
            self._describe_once(stage)
            with self._lock:
                queue.decide(record_id, decision)
                self._decision_ids[(reviewer, stage, record_id)] = decision_id
                self._schedule(key)
        return decision_id

    def undo(self, reviewer: str, stage: str = "title_abstract") -> int | None:
        """Withdraw the reviewer's latest decision; returns its record id (retrained in the background)."""
        key, queue = (reviewer, stage), self._queue(reviewer, stage)
        with self._writing[key]:
            undone = undo_latest(self._store, reviewer=reviewer, stage=stage)
            if undone is None:
                return None
            with self._lock:
                if queue.withdraw(undone.record_id):
                    self._decision_ids.pop((reviewer, stage, undone.record_id), None)
                    self._schedule(key)
        return undone.record_id

    def progress(self, reviewer: str, stage: str = "title_abstract") -> ScreeningProgress:
        """The reviewer's counts so far and the stopping rule's estimate."""
        queue = self._queue(reviewer, stage)
        with self._lock:
            return queue.progress()

    def stop(self, reviewer: str, stage: str = "title_abstract"):
        """Stop the reviewer's screening because the stopping rule fired (see ``ScreeningSession.stop``)."""
        queue = self._queue(reviewer, stage)
        with self._lock:
            return record_stop(self._store, queue, reviewer, stage)

    def retraining(self, reviewer: str, stage: str = "title_abstract") -> bool:
        """True while a retrain of the reviewer's queue is pending or running."""
        with self._lock:
            return (reviewer, stage) in self._busy

    # -- lifecycle ----------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> bool:
        """Block until no retrain is pending (False on timeout); a failed retrain raises :class:`ScreeningError`."""
        with self._idle:
            idle = self._idle.wait_for(lambda: not self._busy, timeout)
            errors, self._errors = self._errors, []
        if errors:
            raise ScreeningError(f"retraining the screening model failed: {errors[0]}") from errors[0]
        return idle

    def close(self) -> None:
        """Stop the worker thread once the retrain in progress (if any) is done."""
        self._worker.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ScreeningService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- inside -------------------------------------------------------------------
    def _queue(self, reviewer: str, stage: str) -> ReviewerQueue:
        with self._lock:
            queue = self._queues.get((reviewer, stage))
        return queue if queue is not None else self._open_queue(reviewer, stage)

    def _open_queue(self, reviewer: str, stage: str) -> ReviewerQueue:
        with self._opening:
            if (reviewer, stage) in self._queues:  # opened while this request waited
                return self._queues[(reviewer, stage)]
            decisions = reviewer_standing(self._store, reviewer, stage)
            features = self._stage_features(stage)  # makes the stage's rule too
            queue = open_queue(features, decisions, seed=self._seed, criteria=self._criteria, rule=self._rules[stage])
            queue.refresh()  # not yet shared: trained on this thread
            with self._lock:
                self._decision_ids.update({(reviewer, stage, r): d.id for r, d in decisions.items()})
                self._writing[(reviewer, stage)] = threading.Lock()
                self._queues[(reviewer, stage)] = queue
            return queue

    def _stage_features(self, stage: str) -> StageFeatures:
        """The stage's features, made once, and beside them its stopping rule (the project's, else the
        default for the stage's records)."""
        if stage not in self._features:
            features = stage_features(self._store, self._candidates(stage), **self._engine_options)
            self._rules[stage] = project_rule(self._store, *self._rule_options, records=len(features.record_ids))
            self._features[stage] = features
        return self._features[stage]

    def _describe_once(self, stage: str) -> None:
        with self._lock:
            first, self._described = not self._described, True
        if first:
            features = self._features[stage]
            describe_engine(self._store, features.engine, self._rules[stage], len(features.record_ids))

    def _schedule(self, key: Key) -> None:
        """Ask for a retrain of ``key`` (caller holds the lock); a running one will loop once more."""
        if key not in self._busy:
            self._busy.add(key)
            self._worker.submit(self._retrain, key)

    def _retrain(self, key: Key) -> None:
        """Worker thread: retrain ``key``'s queue until its ranking is current."""
        queue = self._queues[key]
        while (snapshot := self._snapshot_or_finish(key, queue)) is not None:
            try:
                if self._before_retrain is not None:
                    self._before_retrain(*key)
                ranking = queue.rank(snapshot)
            except Exception as exc:  # kept for wait(); the old ranking stays in use
                with self._lock:
                    self._errors.append(exc)
                    self._finish(key)
                return
            with self._lock:
                queue.install(ranking, snapshot.version)

    def _snapshot_or_finish(self, key: Key, queue: ReviewerQueue) -> Snapshot | None:
        """The labels to train on next; None, with ``key`` marked idle, once the ranking is current."""
        with self._lock:
            if queue.stale:
                return queue.snapshot()
            self._finish(key)
            return None

    def _finish(self, key: Key) -> None:
        """Mark ``key`` idle (caller holds the lock) and wake :meth:`wait`."""
        self._busy.discard(key)
        self._idle.notify_all()
