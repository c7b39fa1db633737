"""The full-text order kept current off the request path (behind a web server): :class:`BackgroundRanking`.

A request (:meth:`~BackgroundRanking.queue`) reads one cheap mark of the decisions and records
(``FullTextStage.mark``: one query), serves the reviewer's records in the last ranking's order and,
when the mark moved since that ranking, wakes the one worker thread, which reads what a ranking
learns from (the records up for full text, the final decisions) and retrains when that changed;
decisions made meanwhile are learnt by its next round (coalescing). The records up for full text
are the last round's, so a request reads no title/abstract decision either. Before the first
ranking exists the records come in id order, and the answer says so (:attr:`FullTextOrder.ranked`
False). Between rounds the worker rests as long as the round took, so under load it takes at most
about half of the interpreter's time and requests keep theirs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from logicmap.review.worker import BackgroundWorker

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
    """A reviewer's records left at full text in the order served, and the records ``up`` for full text
    that order was drawn from. ``ranked`` False: in id order, because the first ranking is not ready
    yet; ``updating``: the decisions changed since the ranking served, and a newer one is coming."""

    records: list[int]
    up: list[int]
    ranked: bool
    updating: bool

    @property
    def state(self) -> str:
        """``ranked`` (current), ``updating`` (the last ranking, a newer one coming) or ``unranked`` (id order)."""
        return "unranked" if not self.ranked else "updating" if self.updating else "ranked"


@dataclass(frozen=True)
class _Served:
    mark: str  # the mark read before the snapshot
    snapshot: Snapshot
    ranking: list[int]


class BackgroundRanking(BackgroundWorker):
    """The full-text ranking of ``stage`` with ``engine``, retrained by a worker thread.

    ``before_rank()`` is called on the worker thread before each round (a hook for tests).
    Call :meth:`close` when done; :meth:`wait` blocks until the ranking is current.
    """

    def __init__(self, stage: FullTextStage, engine: Engine, *, before_rank: Callable[[], None] | None = None) -> None:
        self._stage, self._engine, self._before_rank = stage, engine, before_rank
        self._seen: str | None = None  # the mark the last request read
        self._served: _Served | None = None
        self._failed: str | None = None  # a mark whose round failed: not retried until the mark moves
        self._running = False
        self._start_worker(self._run, "logicmap-fulltext-rank")

    # -- requests -----------------------------------------------------------------
    def check(self) -> str:
        """Read the mark of the decisions and, if it moved, ask the worker for a new round (returns at
        once: one query, no training); the mark."""
        mark = self._stage.mark()
        with self._lock:
            if mark != self._seen:
                self._seen = mark
                self._changed.notify_all()
        return mark

    def queue(self, reviewer: str) -> FullTextOrder:
        """What ``reviewer`` has still to assess at full text, in the last ranking's order (before the
        first ranking, by id). Never waits for a retrain."""
        mark = self.check()
        with self._lock:
            served = self._served
        if served is None:
            up = self._stage.up()
            return FullTextOrder(self._stage.left(reviewer, up=up), up, ranked=False, updating=True)
        waiting = set(self._stage.left(reviewer, up=list(served.snapshot.up)))
        return FullTextOrder([r for r in served.ranking if r in waiting], list(served.snapshot.up), ranked=True,
                             updating=served.mark != mark)

    # -- lifecycle ----------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> bool:
        """Block until the ranking is learnt from the decisions as they are now (False on timeout); a
        failed round raises :class:`ScreeningError`."""
        self.check()
        return self._wait_until(lambda: not (self._due() or self._running), timeout,
                                "ranking the full-text records failed")

    # -- worker -------------------------------------------------------------------
    def _due(self) -> bool:
        """A round is wanted (caller holds the lock): the mark moved since the ranking served."""
        seen = self._seen
        return seen is not None and seen != self._failed and (self._served is None or self._served.mark != seen)

    def _run(self) -> None:
        while True:
            with self._lock:
                self._changed.wait_for(lambda: self._closed or self._due())
                if self._closed:
                    return
                mark, self._running = self._seen, True
            started = time.monotonic()
            try:
                if self._before_rank is not None:
                    self._before_rank()
                snapshot = self._stage.snapshot(self._engine)  # read after the mark: a change between moves it again
                served = _Served(mark, snapshot, self._stage.rank(snapshot))  # unchanged snapshot: no retrain
            except Exception as exc:  # kept for wait(); the last ranking stays in use
                with self._lock:
                    self._errors.append(exc)
                    self._failed, self._running = mark, False
                    self._changed.notify_all()
                continue
            with self._lock:
                self._served, self._running = served, False
                self._changed.notify_all()
                rest = min(time.monotonic() - started, MAX_REST)
                self._changed.wait_for(lambda: self._closed, rest)
