"""The lifecycle shared by the review's background workers (team retraining, full-text ranking).

A worker thread does rounds under ``_lock``; ``_changed`` (a condition on that lock) is notified
whenever a round ends, a request asks for one, or the worker is closed. A round that fails appends
its exception to ``_errors``, which the next :meth:`BackgroundWorker._wait_until` raises.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from logicmap.errors import ScreeningError


class BackgroundWorker:
    """Owns the lock, the condition, the error list and the thread of one background worker."""

    def _start_worker(self, target: Callable[[], None], name: str) -> None:
        """Create the lock, condition and error list, then start ``target`` on a daemon thread."""
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closed = False
        self._errors: list[Exception] = []
        self._worker = threading.Thread(target=target, name=name, daemon=True)
        self._worker.start()

    def _wait_until(self, current: Callable[[], bool], timeout: float | None, failed: str) -> bool:
        """Block until ``current()`` holds (False on timeout); a failed round raises
        :class:`ScreeningError` starting with ``failed``."""
        with self._changed:
            done = self._changed.wait_for(lambda: self._errors or current(), timeout)
            errors, self._errors = self._errors, []
        if errors:
            raise ScreeningError(f"{failed}: {errors[0]}") from errors[0]
        return bool(done)

    def close(self) -> None:
        """Stop the worker once the round in progress (if any) is done."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()
        self._worker.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
