"""How far the background preparation of a screening stage has got: :class:`Preparing`.

A team's stage is prepared once, before its first record is offered: the sentence embeddings of
its titles and abstracts (on a large project's first run, many minutes), the other features and the
first ranking. :meth:`~logicmap.review.screening_team.TeamScreening.open_in_background` does that
on its own thread, so a server can answer its other pages meanwhile and say how far it has got.

When more than ``interim_above`` texts still need their sentence vectors, the stage opens at once on
the interim engine and the team screens while the vectors are made on another thread (see
:mod:`~logicmap.review.interim`; :class:`~logicmap.review.interim.Interim` says how far it has got).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from logicmap.errors import LogicmapError, ScreeningError
from logicmap.review.interim import Interim
from logicmap.review.screening_session import stage_features
from logicmap.screening.embeddings import EmbedProgress


@dataclass(frozen=True)
class Preparing:
    """A stage still being prepared: ``embedded`` of ``to_embed`` texts embedded so far (0 of 0
    before the embedding reports, and when every text's vectors were already in the project), and
    ``failed``, what stopped the preparation (None while it runs)."""

    embedded: int = 0
    to_embed: int = 0
    failed: str | None = None

    def words(self) -> str:
        """One sentence for a reader: what is being done, or what went wrong."""
        if self.failed is not None:
            return f"Preparing screening failed: {self.failed}"
        if self.to_embed and self.embedded < self.to_embed:
            return (f"Screening is being prepared: {self.embedded:,} of {self.to_embed:,} titles and "
                    "abstracts embedded so far, then the model is trained.")
        return "Screening is being prepared: the model is being trained on the project's records."


class BackgroundOpening:
    """Opening a stage on its own thread, for a :class:`~logicmap.review.worker.BackgroundWorker` with
    ``_closed``, ``_store``, ``_queues`` (stage -> its open queue, set under ``_changed`` with a
    notification), ``_preparing`` (stage -> :class:`Preparing`), ``_interim`` (stage -> :class:`Interim`,
    while it ranks with the interim engine), ``_interim_above``, ``_progress`` (the caller's embedding
    progress), ``_queue(stage)`` (the stage's queue, opened on this thread if need be) and
    ``_swap(stage, features, interim=True)`` (the stage's queue rebuilt over ``features``)."""

    def open_in_background(self, stage: str = "title_abstract") -> None:
        """Start preparing the stage's queue on its own thread, once (a failed preparation is not
        started again; a request for the stage meanwhile waits for it, then opens it itself if it
        failed); :meth:`preparing` says how far it has got, :meth:`wait_open` waits for it."""
        with self._lock:
            if stage in self._queues or stage in self._preparing:
                return
            self._preparing[stage] = Preparing()

        def prepare() -> None:
            try:
                self._queue(stage)
            except Exception as exc:
                if self._closed:
                    return  # stopped while preparing: nothing is waiting for it
                said = str(exc) if isinstance(exc, LogicmapError) else "an unexpected error; see the server's log"
                with self._changed:
                    self._preparing[stage] = replace(self._preparing[stage], failed=said)
                    self._changed.notify_all()
                if not isinstance(exc, LogicmapError):
                    raise  # the thread's default hook prints the traceback to the server's log

        threading.Thread(target=prepare, name=f"logicmap-prepare-{stage}", daemon=True).start()

    def preparing(self, stage: str = "title_abstract") -> Preparing | None:
        """How far the stage's preparation started by :meth:`open_in_background` has got (or why it
        failed); None once the stage is ready, or when it is prepared on request instead."""
        with self._lock:
            return None if stage in self._queues else self._preparing.get(stage)

    def wait_open(self, timeout: float | None = None, stage: str = "title_abstract") -> bool:
        """Block until the stage is ready (True), its preparation failed or ``timeout`` passed (False)."""
        with self._changed:
            self._changed.wait_for(lambda: stage in self._queues or (
                stage in self._preparing and self._preparing[stage].failed is not None), timeout)
            return stage in self._queues

    def interim(self, stage: str = "title_abstract") -> Interim | None:
        """How far the stage's own engine has got while it ranks with the interim engine (None: it ranks
        with its own, or is not open)."""
        with self._lock:
            return self._interim.get(stage)

    def wait_engine(self, timeout: float | None = None, stage: str = "title_abstract") -> bool:
        """Block until the open stage ranks with its own engine (True), preparing that failed or
        ``timeout`` passed (False)."""
        with self._changed:
            self._changed.wait_for(lambda: stage not in self._interim or self._interim[stage].failed is not None,
                                   timeout)
            return stage in self._queues and stage not in self._interim

    def _take_over_in_background(self, stage: str, record_ids: list[int], engine: tuple[str, str],
                                 texts: list[str]) -> None:
        """Prepare ``engine``'s features of the stage (its records' ``texts``) on their own thread, then let
        it take over from the interim engine (a failure is kept in :meth:`interim`; the interim ranking
        stays in use)."""
        def take_over() -> None:
            try:
                features = stage_features(self._store, record_ids, features=engine[0], classifier=engine[1],
                                          progress=self._heard(stage, self._interim), texts=texts)
                self._swap(stage, features, interim=True)
            except Exception as exc:
                if self._closed:
                    return
                said = str(exc) if isinstance(exc, LogicmapError) else "an unexpected error; see the server's log"
                with self._changed:
                    self._interim[stage] = replace(self._interim[stage], failed=said)
                    self._changed.notify_all()
                if not isinstance(exc, LogicmapError):
                    raise

        threading.Thread(target=take_over, name=f"logicmap-engine-{stage}", daemon=True).start()

    def _heard(self, stage: str, kept: dict | None = None) -> EmbedProgress:
        """The embedding progress of the stage's preparation: kept in ``kept`` (stage -> its :class:`Preparing`,
        the default, or :class:`Interim`), and passed on."""
        kept = self._preparing if kept is None else kept

        def heard(done: int, total: int) -> None:
            with self._lock:
                if self._closed:  # the server is stopping: no reason to embed the rest
                    raise ScreeningError("closed while screening was being prepared")
                if stage in kept:
                    kept[stage] = replace(kept[stage], embedded=done, to_embed=total)
            if self._progress is not None:
                self._progress(done, total)
        return heard
