"""Screening a project: the active learner over the project's records, decisions in the store.

A :class:`ScreeningSession` ranks one reviewer's unscreened records at a stage,
stores every decision the moment it is made (with the model's rank at the time)
and retrains after each one. The CLI's interactive session and the web app both
drive this class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from logicmap.store.dedupe import canonical_record_ids
from logicmap.screening.decisions import decisions_of, final_decisions, record_decision, undo_last
from logicmap.screening.embeddings import EmbedProgress
from logicmap.screening.engine import ActiveLearner, resolve_engine
from logicmap.screening.features import make_features
from logicmap.screening.stopping import BuscarRule
from logicmap.store.embeddings import ProjectEmbeddingCache
from logicmap.store.tables import RecordRow
from logicmap.store.database import Store

_LABEL = {"include": 1, "exclude": 0}


@dataclass
class Progress:
    """Where a session stands, with the stopping rule's current estimate."""

    screened: int
    total: int
    included: int
    stop_p: float
    can_stop: bool


class ScreeningSession:
    """One reviewer screening one stage of a project with active learning.

    ``features`` and ``classifier`` name the engine (``"auto"``: see
    :func:`~logicmap.screening.engine.default_engine`). Sentence embeddings are
    cached in the project store, so only the first session of a project (or
    new and edited records) pays for them; ``progress(done, total)`` hears
    about that work.
    """

    def __init__(
        self, project: Store, *, reviewer: str, stage: str = "title_abstract", seed: int = 0,
        criteria: str | None = None, recall_target: float = 0.95, confidence: float = 0.95,
        features: str = "auto", classifier: str = "auto", progress: EmbedProgress | None = None,
    ) -> None:
        self.project, self.reviewer, self.stage = project, reviewer, stage
        self.record_ids = self._candidates()
        self.position = {record_id: i for i, record_id in enumerate(self.record_ids)}
        texts = self._texts()
        self.engine = resolve_engine(features, classifier)
        extractor = make_features(self.engine[0], embedding_cache=ProjectEmbeddingCache(project),
                                  progress=progress)
        self.learner = ActiveLearner(features=extractor, classifier=self.engine[1], seed=seed,
                                     criteria=criteria).fit(texts)
        self.order: list[int] = []  # labels in screening order, for the stopping rule
        self.set_aside: set[int] = set()  # "maybe": decided for now, not a label to learn from
        self.rule = BuscarRule(recall_target=recall_target, confidence=confidence)
        for record_id, decision in decisions_of(project, reviewer, stage).items():
            if record_id in self.position and decision in _LABEL:
                self.learner.label(self.position[record_id], _LABEL[decision])
                self.order.append(_LABEL[decision])
            elif record_id in self.position:
                self.set_aside.add(self.position[record_id])
        project.set_setting("screening.model", engine_description(*self.engine))
        project.set_setting(
            "screening.stopping_rule",
            f"statistical stopping (Callaghan & Müller-Hansen 2020): recall >= {recall_target:.0%} "
            f"with {confidence:.0%} confidence",
        )

    def _candidates(self) -> list[int]:
        if self.stage == "title_abstract":
            return canonical_record_ids(self.project)
        earlier = final_decisions(self.project, "title_abstract")
        return sorted(r for r, d in earlier.items() if d in ("include", "maybe"))

    def _texts(self) -> list[str]:
        with self.project.session() as session:
            rows = {r.id: r for r in session.query(RecordRow).filter(RecordRow.id.in_(self.record_ids))}
        return [f"{rows[i].title or ''} {rows[i].abstract or ''}".strip() for i in self.record_ids]

    def next_record(self) -> tuple[int, int] | None:
        """``(record id, rank)`` of the most promising unscreened record, or None when done."""
        waiting = int((self.learner.labels_ < 0).sum()) - len(self.set_aside)
        if waiting <= 0:
            return None
        if not self.set_aside:
            index = self.learner.next()
        else:
            index = next(int(i) for i in self.learner.rank() if int(i) not in self.set_aside)
        return self.record_ids[index], len(self.order) + len(self.set_aside) + 1

    def decide(self, record_id: int, decision: str, *, reason: str | None = None, rank: int | None = None) -> int:
        """Store a decision now and teach the model; returns the decision's id."""
        decision_id = record_decision(
            self.project, record_id, reviewer=self.reviewer, stage=self.stage, decision=decision,
            reason=reason, rank=rank,
        )
        if decision in _LABEL:
            self.learner.label(self.position[record_id], _LABEL[decision])
            self.order.append(_LABEL[decision])
        else:
            self.set_aside.add(self.position[record_id])
        return decision_id

    def undo(self) -> int | None:
        """Withdraw the last decision; returns its record id (the model forgets it)."""
        row = undo_last(self.project, reviewer=self.reviewer, stage=self.stage)
        if row is None:
            return None
        index = self.position.get(row.record_id)
        self.set_aside.discard(index)
        if index is not None and self.learner.labels_[index] >= 0:
            self.learner.unlabel(index)
            if row.decision in _LABEL and self.order:
                self.order.pop()
        return row.record_id

    def summary(self) -> dict:
        """Screening metrics of the labels so far, in the order screened (WSS, recall@10%, ...)."""
        from logicmap.screening.metrics import summarise

        return summarise(self.order)

    def save_recall_chart(self, out_dir: Path | str, *, stem: str = "recall-curve") -> list[Path]:
        """Draw the recall curve of the labels so far (SVG and PNG); returns the files."""
        from logicmap.screening.chart import save_recall_chart

        return [Path(c) for c in save_recall_chart(self.order, Path(out_dir), stem=stem) or []]

    def progress(self) -> Progress:
        """Counts so far and whether the stopping rule says it is safe to stop."""
        from logicmap.screening.stopping import buscar_p

        total = len(self.record_ids)
        p = buscar_p(self.order, total, self.rule.recall_target) if self.order else 1.0
        return Progress(len(self.order), total, sum(self.order), p, p < 1 - self.rule.confidence)


def engine_description(features: str, classifier: str) -> str:
    """The screening engine in words, for the project's methods record."""
    known = {
        ("tfidf+embed", "svm-fusion"): "TF-IDF and all-MiniLM-L6-v2 sentence embeddings, one linear "
                                       "SVM on each, the better rank of the two first (logicmap svm-fusion)",
        ("tfidf", "svm"): "TF-IDF features, class-weighted linear SVM (logicmap)",
    }
    return known.get((features, classifier), f"{features} features, {classifier} classifier (logicmap)")
