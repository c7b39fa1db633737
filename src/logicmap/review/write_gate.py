"""The gate of a team's writes to the store: :class:`WriteGate`.

Request threads store decisions through :meth:`~WriteGate.write`: on PostgreSQL any
number at once (the database takes concurrent inserts, each on its own pooled
connection), on SQLite one at a time (SQLite has one writer; the others would
sleep-wait in its busy handler, far longer than queueing here). A rebuild of a queue
that replays the stored decisions holds :meth:`~WriteGate.exclusive`: it waits for
the writes in flight and lets no new one start until it is done, so no decision is
stored between the replay and the swap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext


class WriteGate:
    """Concurrent writes (serial ones when ``serial``), and an exclusive hold that waits them out."""

    def __init__(self, *, serial: bool) -> None:
        self._state = threading.Condition()
        self._writing = 0
        self._exclusive = False
        self._serial = threading.Lock() if serial else None

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write (queued behind an exclusive hold; on a serial gate, behind the other writes)."""
        with self._state:
            self._state.wait_for(lambda: not self._exclusive)
            self._writing += 1
        try:
            with self._serial if self._serial is not None else nullcontext():
                yield
        finally:
            with self._state:
                self._writing -= 1
                self._state.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No write in flight or starting while this is held."""
        with self._state:
            self._state.wait_for(lambda: not self._exclusive)
            self._exclusive = True
            self._state.wait_for(lambda: self._writing == 0)
        try:
            yield
        finally:
            with self._state:
                self._exclusive = False
                self._state.notify_all()
