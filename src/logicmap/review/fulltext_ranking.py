"""The full-text order kept current off the request path (behind a web server): :class:`BackgroundRanking`.

A request (:meth:`~BackgroundRanking.queue`) reads what the ranking would learn from now (a few
queries: the records up for full text and the final decisions, no training), serves the reviewer's
records in the last ranking's order and, when the decisions changed since, wakes the one worker
thread, which retrains; decisions made meanwhile are learnt by its next round (coalescing). Before
the first ranking exists the records come in id order, and the answer says so
(:attr:`FullTextOrder.ranked` False). Between rounds the worker rests as long as the round took, so
under load it takes at most about half of the interpreter's time and requests keep theirs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from logicmap.errors import ScreeningError

if TYPE_CHECKING:
    from logicmap.review.fulltext import FullTextStage

#: The longest rest between two rounds (seconds), however long the last round took.
MAX_REST = 5.0


@dataclass(frozen=True)
class Engine:
    """The screening engine the full-text order ranks with (as for title/abstract screening)."""

    seed: int = 0
    features: str = "auto"
    classifier: str = "auto"
    criteria: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """What one ranking learns from: the records ``up`` for full text, every record with features
    (``records``: those up and those labelled), the labels (record, 1 include / 0 exclude) and the engine."""

    up: tuple[int, ...]
    records: tuple[int, ...]
    labels: tuple[tuple[int, int], ...]
    engine: Engine


@dataclass(frozen=True)
class FullTextOrder:
    """A reviewer's records left at full text in the order served. ``ranked`` False: in id order,
    because the first ranking is not ready yet; ``updating``: the decisions changed since the ranking
    served, and a newer one is being computed."""

    records: list[int]
    ranked: bool
    updating: bool

    @property
    def state(self) -> str:
        """``ranked`` (current), ``updating`` (the last ranking, a newer one coming) or ``unranked`` (id order)."""
        return "unranked" if not self.ranked else "updating" if self.updating else "ranked"


class BackgroundRanking:
    """The full-text ranking of ``stage`` with ``engine``, retrained by a worker thread.

    ``before_rank()`` is called on the worker thread before each round (a hook for tests).
    Call :meth:`close` when done; :meth:`wait` blocks until the ranking is current.
    """

    def __init__(self, stage: FullTextStage, engine: Engine, *, before_rank: Callable[[], None] | None = None) -> None:
        self._stage, self._engine, self._before_rank = stage, engine, before_rank
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._wanted: Snapshot | None = None  # the decisions the last request saw
        self._served: tuple[Snapshot, list[int]] | None = None  # the last ranking and what it learnt from
        self._failed: Snapshot | None = None  # not retried until the decisions change again
        self._running = False
        self._closed = False
        self._errors: list[Exception] = []
        self._worker = threading.Thread(target=self._run, name="logicmap-fulltext-rank", daemon=True)
        self._worker.start()

    # -- requests -----------------------------------------------------------------
    def check(self) -> Snapshot:
        """Compare the decisions now with the last ranking's and, if they changed, ask the worker for a
        new ranking (returns at once; a few queries, no training)."""
        wanted = self._stage.snapshot(self._engine)
        with self._lock:
            if wanted != self._wanted:
                self._wanted = wanted
                self._changed.notify_all()
        return wanted

    def queue(self, reviewer: str) -> FullTextOrder:
        """What ``reviewer`` has still to assess at full text, in the last ranking's order (records up
        since that ranking follow by id; before the first ranking, all by id). Never waits for a retrain."""
        wanted = self.check()
        left = self._stage.left(reviewer)
        with self._lock:
            served = self._served
        if served is None:
            return FullTextOrder(sorted(left), ranked=False, updating=True)
        ranking, waiting = served[1], set(left)
        ordered = [r for r in ranking if r in waiting]
        known = set(ranking)
        ordered += sorted(r for r in waiting if r not in known)
        return FullTextOrder(ordered, ranked=True, updating=served[0] != wanted)

    # -- lifecycle ----------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> bool:
        """Block until the ranking learnt from the decisions the last request saw (False on timeout); a
        failed round raises :class:`ScreeningError`."""
        self.check()
        with self._changed:
            current = self._changed.wait_for(lambda: self._errors or not (self._due() or self._running), timeout)
            errors, self._errors = self._errors, []
        if errors:
            raise ScreeningError(f"ranking the full-text records failed: {errors[0]}") from errors[0]
        return bool(current)

    def close(self) -> None:
        """Stop the worker once the round in progress (if any) is done."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()
        self._worker.join()

    def __enter__(self) -> BackgroundRanking:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- worker -------------------------------------------------------------------
    def _due(self) -> bool:
        """A round is wanted (caller holds the lock): the decisions changed since the ranking served."""
        wanted = self._wanted
        return (wanted is not None and wanted != self._failed
                and (self._served is None or self._served[0] != wanted))

    def _run(self) -> None:
        while True:
            with self._lock:
                self._changed.wait_for(lambda: self._closed or self._due())
                if self._closed:
                    return
                wanted, self._running = self._wanted, True
            started = time.monotonic()
            try:
                if self._before_rank is not None:
                    self._before_rank()
                ranking = self._stage.rank(wanted)
            except Exception as exc:  # kept for wait(); the last ranking stays in use
                with self._lock:
                    self._errors.append(exc)
                    self._failed, self._running = wanted, False
                    self._changed.notify_all()
                continue
            with self._lock:
                self._served, self._running = (wanted, ranking), False
                self._changed.notify_all()
                rest = min(time.monotonic() - started, MAX_REST)
                self._changed.wait_for(lambda: self._closed, rest)
