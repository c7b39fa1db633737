"""Screening on the interim engine while the project's own engine is prepared: :class:`Interim`, :class:`TakeOver`.

When more than ``interim_above`` of the records' titles and abstracts still need sentence vectors,
a stage opens on :data:`~logicmap.screening.presets.INTERIM_ENGINE` (word TF-IDF alone: seconds to build
for a few thousand records, about 35 s at 100,000) and the reviewers screen while the vectors are made on another thread; then the project's
own engine takes over, trained on every decision made meanwhile. The project records the switch
(``screening_session.begin_engine_switch`` and ``record_engine_switch``), and the report's methods name both engines.
:class:`TakeOver` is that other thread for a reviewer's session; a team's service runs its own
(:mod:`~logicmap.review.preparation`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from logicmap.errors import LogicmapError, ScreeningError
from logicmap.screening.embeddings import EmbedProgress


@dataclass(frozen=True)
class Interim:
    """A stage ranked by the interim engine while its own engine's ``to_embed`` texts are embedded
    (``embedded`` so far); ``failed``: why the own engine could not be prepared (the interim one stays)."""

    embedded: int = 0
    to_embed: int = 0
    failed: str | None = None

    def words(self) -> str:
        """One sentence for a reviewer: why the ranking is the interim one, and for how long."""
        if self.failed is not None:
            return f"Records are ranked by TF-IDF alone: preparing the full screening model failed: {self.failed}"
        return (f"Records are ranked by TF-IDF alone for now: {self.embedded:,} of {self.to_embed:,} titles and "
                "abstracts embedded so far. The full model then takes over by itself, trained on every "
                "decision made meanwhile.")


class TakeOver:
    """``make(progress)`` (the own engine's features) run on a thread of its own: :attr:`state` says how
    far it has got, :meth:`result` hands its result over once, :meth:`cancel` stops it at its next
    progress report. A failure is kept in ``state.failed`` in words, never raised."""

    def __init__(self, make: Callable[[EmbedProgress], Any], to_embed: int) -> None:
        self.state = Interim(to_embed=to_embed)
        self._lock = threading.Lock()
        self._result: Any = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, args=(make,), name="logicmap-take-over", daemon=True)
        self._thread.start()

    def result(self) -> Any:
        """The result once made (handed over once; None before, after and on failure)."""
        with self._lock:
            made, self._result = self._result, None
            return made

    def cancel(self, wait: float = 30.0) -> None:
        """Stop at the next progress report, waiting up to ``wait`` seconds for the thread to end."""
        with self._lock:
            self._cancelled = True
        self._thread.join(wait)

    def _heard(self, done: int, total: int) -> None:
        with self._lock:
            if self._cancelled:
                raise ScreeningError("stopped while the sentence vectors were made")
            self.state = replace(self.state, embedded=done, to_embed=total)

    def _run(self, make: Callable[[EmbedProgress], Any]) -> None:
        try:
            made = make(self._heard)
        except Exception as exc:  # said in words: a session has no log to send a traceback to
            said = str(exc) if isinstance(exc, LogicmapError) else f"an unexpected error ({type(exc).__name__}: {exc})"
            with self._lock:
                if not self._cancelled:
                    self.state = replace(self.state, failed=said)
            return
        with self._lock:
            self._result = made
