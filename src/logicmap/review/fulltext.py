"""``review.fulltext``: the full-text stage around ``review.screening``'s full-text decisions.

The reviewer's queue comes likeliest includes first: the screening engine (the same features and
classifier as title/abstract screening, no other model) learns from the project's final
title/abstract decisions, with full-text decisions taking their record's place as they come, and
scores the records up for full text (:meth:`FullTextStage.queue` retrains in the caller; a server
uses :meth:`FullTextStage.background`, whose worker thread retrains). A decision sent twice is stored once and says so
(:class:`Decided`), undo withdraws the reviewer's latest full-text decision, and the attached file
itself is kept (checked and size-limited) so it can be downloaded again.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from logicmap.coding.fulltext import Extracted
from logicmap.errors import CodingError
from logicmap.review.coding import CodingStage
from logicmap.review.fulltext_ranking import BackgroundRanking, Engine, Snapshot
from logicmap.review.screening import Decided, ScreeningStage
from logicmap.review.screening_session import stage_features
from logicmap.screening.decisions import Decision
from logicmap.screening.engine import ActiveLearner
from logicmap.store.database import Store
from logicmap.store.fulltext import StoredFile, load_file, save_file

#: The largest full-text file kept (bytes).
MAX_FILE_BYTES = 50 * 2**20
#: Declared content types accepted for each kind of file found in the bytes.
DECLARED = {"application/pdf": {"application/pdf"}, "text/html": {"text/html", "application/xhtml+xml"},
            "text/plain": {"text/plain", "text/markdown"}}
#: Declared types that say nothing about the content (browsers send them for unknown files).
VAGUE = {"", "application/octet-stream", "binary/octet-stream"}


@dataclass(frozen=True)
class FullTextProgress:
    """The full-text stage in numbers: records up for it, final decisions so far, what is left for one reviewer."""

    up: int
    include: int
    exclude: int
    maybe: int
    left: int
    mine: int

    @property
    def assessed(self) -> int:
        """Records with a final full-text decision."""
        return self.include + self.exclude + self.maybe


def check_file(name: str, data: bytes, declared: str | None) -> None:
    """Refuse an empty, too large or binary non-PDF file, or one whose bytes contradict its name or
    declared content type (:class:`CodingError` naming the file)."""
    if not data:
        raise CodingError(f"{name}: the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise CodingError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB")
    pdf = data.startswith(b"%PDF-")
    if name.lower().endswith(".pdf") and not pdf:
        raise CodingError(f"{name}: named .pdf but not a PDF (it does not start with %PDF-)")
    if not pdf and b"\x00" in data[:65536]:
        raise CodingError(f"{name}: a binary file that is not a PDF; attach a PDF, HTML or text file")
    kind = (declared or "").split(";")[0].strip().lower()
    if kind in VAGUE:
        return
    allowed = DECLARED["application/pdf"] if pdf else DECLARED["text/html"] | DECLARED["text/plain"]
    if kind not in allowed:
        found = "a PDF" if pdf else "HTML or text"
        raise CodingError(f"{name}: sent as {kind} but its content is {found}")


class FullTextStage:
    """Full-text screening of the records included (or "maybe") at title/abstract."""

    def __init__(self, store: Store, *, screening: ScreeningStage, coding: CodingStage) -> None:
        self._store, self._screening, self._coding = store, screening, coding
        self._lock = threading.Lock()
        self._features: tuple[tuple, object] | None = None  # (records and engine, StageFeatures)
        self._ranked: tuple[Snapshot, list[int]] | None = None  # guarded by _lock

    # -- order --------------------------------------------------------------------------
    def ranking(self, *, seed: int = 0, features: str = "auto", classifier: str = "auto",
                criteria: str | None = None) -> list[int]:
        """The records up for full text, likeliest includes first (ties by record id), retrained here
        when the decisions changed since the last ranking; a server uses :meth:`background` instead."""
        return self.rank(self.snapshot(Engine(seed, features, classifier, criteria)))

    def snapshot(self, engine: Engine) -> Snapshot:
        """What a ranking with ``engine`` learns from now (a few queries, no training)."""
        up = self.up()
        labels = self._labels()
        return Snapshot(tuple(up), tuple(sorted(set(up) | set(labels))), tuple(sorted(labels.items())), engine)

    def rank(self, snapshot: Snapshot) -> list[int]:
        """``snapshot``'s records up for full text, likeliest includes first (the last ranking again
        when nothing changed)."""
        with self._lock:
            if self._ranked is None or self._ranked[0] != snapshot:
                score = self._scores(list(snapshot.records), dict(snapshot.labels), snapshot.engine)
                self._ranked = (snapshot, sorted(snapshot.up, key=lambda r: (-score[r], r)))
            return list(self._ranked[1])

    def background(self, *, seed: int = 0, features: str = "auto", classifier: str = "auto",
                   criteria: str | None = None, before_rank: Callable[[], None] | None = None) -> BackgroundRanking:
        """A ranking kept current by a worker thread, for a server: requests are answered from the last
        ranking and never wait for a retrain (close it when done; ``before_rank`` is a test hook)."""
        return BackgroundRanking(self, Engine(seed, features, classifier, criteria), before_rank=before_rank)

    def _labels(self) -> dict[int, int]:
        """Record -> 1 (include) / 0 (exclude): final title/abstract decisions, full-text ones over them."""
        labels: dict[int, int] = {}
        for stage in ("title_abstract", "full_text"):
            for record, decision in self._screening.final(stage).items():
                if decision in ("include", "exclude"):
                    labels[record] = int(decision == "include")
        return labels

    def _scores(self, records: list[int], labels: dict[int, int], engine: Engine) -> dict[int, float]:
        if not records:
            return {}
        feature_key = (tuple(records), engine.features, engine.classifier)
        if self._features is None or self._features[0] != feature_key:
            self._features = (feature_key, stage_features(self._store, records, features=engine.features,
                                                          classifier=engine.classifier))
        shared = self._features[1]
        learner = ActiveLearner(features=shared.extractor, classifier=shared.engine[1], seed=engine.seed,
                                criteria=engine.criteria).fit(matrix=shared.matrix, extractor=shared.extractor,
                                                              labels=[labels.get(r, -1) for r in records])
        score, _ = learner.scores()
        return dict(zip(records, np.asarray(score, dtype=float).tolist()))

    def queue(self, reviewer: str, **engine) -> list[int]:
        """What ``reviewer`` has still to assess at full text, likeliest includes first (``engine``:
        ``seed``, ``features``, ``classifier``, ``criteria`` of :meth:`ranking`)."""
        left = set(self.left(reviewer))
        return [r for r in self.ranking(**engine) if r in left]

    def left(self, reviewer: str, *, up: list[int] | None = None) -> list[int]:
        """What ``reviewer`` has still to assess at full text, by id (of ``up`` when given: the records
        up for full text known already, saving their query)."""
        return self._screening.full_text_queue(reviewer, up=up)

    def up(self) -> list[int]:
        """The records up for full text, by id: included (or "maybe") at title/abstract."""
        return self._screening.candidates("full_text")

    def mark(self) -> str:
        """A cheap mark (one query) that moves whenever the records up for full text or the decisions
        a ranking learns from may have changed, by any process."""
        return self._screening.candidates_mark("full_text")

    def progress(self, reviewer: str, *, up: list[int] | None = None) -> FullTextProgress:
        """Counts of the stage and of what ``reviewer`` has left and has decided (``up``: the records up
        for full text known already, saving their query)."""
        final = self._screening.final("full_text")
        up = self.up() if up is None else up
        done = {d: sum(1 for r in up if final.get(r) == d) for d in ("include", "exclude", "maybe")}
        return FullTextProgress(len(up), done["include"], done["exclude"], done["maybe"],
                                len(self._screening.full_text_queue(reviewer, up=up)),
                                len(self._screening.decisions_of(reviewer, "full_text")))

    # -- decisions ----------------------------------------------------------------------
    def decide(self, record_id: int, decision: str, *, reviewer: str, reason: str | None = None) -> Decided:
        """Store one full-text decision (see ``review.screening.decide_full_text``); ``stored`` is False
        when the same decision was already standing (a double click), so it is audited once."""
        return self._screening.decide_full_text(record_id, decision, reviewer=reviewer, reason=reason)

    def undo(self, reviewer: str) -> Decision | None:
        """Withdraw ``reviewer``'s latest standing full-text decision (kept, marked undone); None: none."""
        return self._screening.undo_last(reviewer=reviewer, stage="full_text")

    # -- files --------------------------------------------------------------------------
    def attach(self, record_id: int, path: Path | str, *, declared_type: str | None = None) -> Extracted:
        """Attach a full-text file to a record: its text (via ``review.coding``) and the file itself.
        An empty, too large, binary non-PDF file or one whose bytes contradict its name or
        ``declared_type`` is refused and nothing changes."""
        path = Path(path)
        data = path.read_bytes()
        check_file(path.name, data, declared_type)
        extracted = self._coding.attach(record_id, path)
        save_file(self._store, record_id, filename=path.name, media_type=extracted.media_type,
                  sha256=hashlib.sha256(data).hexdigest(), data=data)
        return extracted

    def file(self, record_id: int, *, data: bool = True) -> StoredFile | None:
        """The file attached to ``record_id`` (None when none is kept); ``data=False``: its name, type
        and size only."""
        return load_file(self._store, record_id, data=data)
