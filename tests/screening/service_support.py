"""A retrain hook the screening service tests hold and release (imported as tests.screening.service_support)."""

from __future__ import annotations

import threading


class HeldRetrain:
    """A ``before_retrain`` hook that records each retrain's arguments and holds it until released."""

    def __init__(self, held: bool = True) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        if not held:
            self.release.set()

    def __call__(self, *where: str) -> None:
        self.calls.append(where)
        self.entered.set()
        if not self.release.wait(timeout=30):
            raise TimeoutError("retrain held for too long")
