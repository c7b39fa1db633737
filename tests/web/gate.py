"""A screening service's embedding progress callback that holds the preparation at its first report
until the test opens the gate: the project's screening is then seen while it is being prepared."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Gate:
    """``gate(done, total)`` blocks (at most ``limit`` seconds) until :meth:`open`; ``reports`` holds
    every ``(done, total)`` heard."""

    def __init__(self, limit: float = 120.0) -> None:
        self.reports: list[tuple[int, int]] = []
        self._open, self._heard, self._limit = threading.Event(), threading.Event(), limit

    def __call__(self, done: int, total: int) -> None:
        self.reports.append((done, total))
        self._heard.set()
        self._open.wait(self._limit)

    def reached(self, timeout: float = 120.0) -> None:
        """Wait until the preparation has reported (and so is held at the gate)."""
        assert self._heard.wait(timeout), "the preparation never reported its embedding"

    def open(self) -> None:
        self._open.set()


def poll(client, path: str, done: Callable, timeout: float = 120):
    """GET ``path`` every 0.2 s until ``done(answer)``; returns that answer (fails after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(path)
        if done(answer):
            return answer
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.2)
