"""One reviewer screening one stage of a project, synchronously: :class:`ScreeningSession`.

The session ranks the reviewer's unscreened records, stores every decision the
moment it is made (with the model's rank at the time) and retrains before it
offers the next record, so the order is deterministic for a given seed. The
CLI's interactive session and the demo drive it; many reviewers behind a server
use :class:`~logicmap.review.screening_service.ScreeningService`, built from the
same pieces: :func:`stage_features`, :func:`open_queue` and :func:`store_decision`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logicmap.screening.chart import save_recall_chart
from logicmap.screening.decisions import (
    DEFAULT_EXCLUSION_REASONS,
    Decision,
    check_decision,
    latest_standing,
)
from logicmap.screening.embeddings import EmbedProgress
from logicmap.screening.engine import ActiveLearner
from logicmap.screening.presets import INTERIM_ENGINE, engine_description, resolve_engine
from logicmap.screening.features import make_features, texts_to_embed
from logicmap.screening.metrics import summarise
from logicmap.screening.queue import ReviewerQueue, ScreeningProgress
from logicmap.errors import ScreeningError
from logicmap.review.interim import Interim, TakeOver
from logicmap.screening.stopping import StopReport, StoppingRule
from logicmap.screening.stopping_rules import default_choice, default_rule, make_rule
from logicmap.store.database import Store
from logicmap.store.embeddings import ProjectEmbeddingCache
from logicmap.store.screening import (
    add_decision,
    engine_settings,
    engine_switch,
    exclusion_reasons,
    save_engine_settings,
    save_engine_switch,
    save_stop,
    save_stopping_choice,
    screening_texts,
    stopping_choice,
    standing_decisions,
    undo_latest,
)


def project_reasons(store: Store) -> list[str]:
    """The project's exclusion reasons (the default list until changed)."""
    return exclusion_reasons(store) or list(DEFAULT_EXCLUSION_REASONS)


def store_decision(store: Store, record_id: int, *, reviewer: str, stage: str, decision: str,
                   reason: str | None = None, rank: int | None = None, kind: str = "independent") -> int:
    """Check one decision against the project's lists and store it now; returns its id."""
    reasons = project_reasons(store) if decision == "exclude" and reason is not None else []
    check_decision(stage, decision, reason, reasons)
    return add_decision(store, record_id, reviewer=reviewer, stage=stage, decision=decision, reason=reason,
                        rank=rank, kind=kind)


def reviewer_standing(store: Store, reviewer: str, stage: str) -> dict[int, Decision]:
    """Record -> the reviewer's standing independent decision at ``stage``."""
    decisions = standing_decisions(store, stage, reviewer=reviewer)
    return {record: d for (record, _), d in latest_standing(decisions).items()}


@dataclass(frozen=True)
class StageFeatures:
    """The feature matrix of one stage's records, computed once and shared by its reviewers."""

    record_ids: list[int]
    engine: tuple[str, str]
    extractor: Any
    matrix: Any


def stage_features(store: Store, record_ids: list[int], *, features: str = "auto", classifier: str = "auto",
                   progress: EmbedProgress | None = None, texts: list[str] | None = None) -> StageFeatures:
    """Features of ``record_ids``' titles and abstracts (sentence embeddings cached in the store);
    ``texts``: those titles and abstracts, when already read."""
    engine = resolve_engine(features, classifier, len(record_ids))
    extractor = make_features(engine[0], embedding_cache=ProjectEmbeddingCache(store), progress=progress)
    matrix = extractor.fit_transform(screening_texts(store, record_ids) if texts is None else texts)
    return StageFeatures(list(record_ids), engine, extractor, matrix)


@dataclass(frozen=True)
class StageOpening:
    """What :func:`open_stage` opened a stage on: ``features`` (the interim engine's when ``to_embed``
    texts still need sentence vectors for the stage's own ``engine``, else that engine's) and the
    records' ``texts`` (for the own engine's features, made later)."""

    features: StageFeatures
    engine: tuple[str, str]
    to_embed: int
    texts: list[str]


def open_stage(store: Store, stage: str, record_ids: list[int], *, features: str, classifier: str,
               interim_above: int | None, progress: EmbedProgress | None = None) -> StageOpening:
    """The features a stage opens on: its own engine's, or, when more than ``interim_above`` of the
    records' titles and abstracts still need sentence vectors (title and abstract screening only: the
    records of later stages were embedded for it), the interim engine's, the switch begun in the project
    (see :func:`begin_engine_switch`). The texts are read once; ``progress`` hears the embedding."""
    engine = resolve_engine(features, classifier, len(record_ids))
    texts = screening_texts(store, record_ids)
    extractor = make_features(engine[0], embedding_cache=ProjectEmbeddingCache(store), progress=progress)
    to_embed = 0
    if interim_above is not None and engine != INTERIM_ENGINE and stage == "title_abstract":
        missing = texts_to_embed(extractor, texts)
        to_embed = missing if missing > interim_above else 0
    if to_embed:
        begin_engine_switch(store, stage, interim=INTERIM_ENGINE, engine=engine)
        first, extractor = INTERIM_ENGINE, make_features(INTERIM_ENGINE[0])
    else:
        first = engine
    opened = StageFeatures(list(record_ids), first, extractor, extractor.fit_transform(texts))
    return StageOpening(opened, engine, to_embed, texts)


def records_screened(store: Store, stage: str) -> int:
    """How many records have a standing decision at ``stage`` (by anyone)."""
    return len({record_id for record_id, _ in latest_standing(standing_decisions(store, stage))})


def open_queue(features: StageFeatures, decisions: dict[int, Decision], *, seed: int, criteria: str | None,
               rule: StoppingRule) -> ReviewerQueue:
    """A reviewer's queue over ``features``, holding their earlier ``decisions`` (not ranked yet)."""
    learner = ActiveLearner(features=features.extractor, classifier=features.engine[1], seed=seed,
                            criteria=criteria).fit(matrix=features.matrix, extractor=features.extractor)
    queue = ReviewerQueue(learner, features.record_ids, rule, seed=seed)
    for record_id, decision in decisions.items():
        if record_id in queue.position:
            queue.decide(record_id, decision.decision)
    return queue


def project_rule(store: Store, recall_target: float | None = None, confidence: float | None = None, *,
                 records: int | None = None) -> StoppingRule:
    """The project's stopping rule (until one is chosen, the default for a stage of ``records`` records),
    with the target and confidence given (else the chosen ones)."""
    choice = {**default_choice(records), **stopping_choice(store)}
    try:
        return make_rule(choice["rule"], recall_target or choice["recall_target"], confidence or choice["confidence"])
    except ValueError as exc:
        raise ScreeningError(str(exc)) from exc


def record_stop(store: Store, queue: ReviewerQueue, reviewer: str, stage: str) -> StopReport:
    """Stop ``reviewer``'s screening at ``stage`` because the rule fired; the records left are then
    excluded by automation (recorded for the report). Refused unless the rule fired."""
    return save_rule_stop(store, queue.rule, queue.progress(), reviewer, stage)


def save_rule_stop(store: Store, rule: StoppingRule, progress: Any, reviewer: str, stage: str, *,
                   team: bool = False) -> StopReport:
    """Record the stop ``progress`` (a screening or team progress) allows; refused unless the rule fired.
    ``team``: the stop ends the team's screening (else the reviewer's)."""
    if stage != "title_abstract":
        raise ScreeningError("the stopping rule stops title/abstract screening only")
    if not progress.can_stop:
        raise ScreeningError(f"the stopping rule {progress.stop.rule} has not fired ({progress.stop.reason}); "
                             "keep screening")
    save_stop(store, {"reviewer": reviewer, "stage": stage, "rule": rule.name, "description": rule.description,
                      "recall_target": rule.recall_target, "confidence": rule.confidence,
                      "screened": progress.screened, "total": progress.total,
                      "left": progress.total - progress.screened, **progress.recall.as_dict(),
                      "reason": progress.stop.reason, "team": team})
    return progress.stop


def describe_engine(store: Store, engine: tuple[str, str], rule: StoppingRule, records: int) -> None:
    """Record the screening model and stopping rule in words in the project (for the report). A project
    screening by the default rule (for its ``records`` records) keeps it as its choice from then on, so
    a later version's default, or records added past ``CHAR_MAX_RECORDS``, does not change the rule of
    a screening under way (its methods describe one rule)."""
    save_engine_settings(store, model=engine_words(store, engine), stopping_rule=rule.description)
    if not stopping_choice(store) and rule.name == default_rule(records).name:
        save_stopping_choice(store, default_choice(records))


def engine_words(store: Store, engine: tuple[str, str]) -> str:
    """``engine`` in words, after the engine it took over from when the project recorded a switch to it
    (and after the model of the records screened before that switch began, if any were)."""
    words = engine_description(*engine)
    switch = engine_switch(store)
    if switch is None or switch["to"] != words or not switch["screened"]:
        return words
    before = switch.get("before") or 0  # switches recorded before stop 48 began with none screened
    meanwhile, earlier = switch["screened"] - before, switch.get("earlier") or words
    if meanwhile <= 0:
        return earlier
    if not before:
        return (f"{switch['from']} for the first {meanwhile:,} records screened, while the sentence "
                f"embeddings were made, then {words}")
    if earlier == words:
        return (f"{words} (records {before + 1:,} to {switch['screened']:,} screened ranked by {switch['from']}, "
                f"while sentence embeddings were made)")
    return (f"{earlier}, for the first {before:,} records screened; then {switch['from']} "
            f"for the next {meanwhile:,}, while sentence embeddings were made; then {words}")


def begin_engine_switch(store: Store, stage: str, *, interim: tuple[str, str], engine: tuple[str, str]) -> None:
    """Record that ``stage`` opens on ``interim`` until ``engine`` takes over: the records screened so far
    (``before``) were screened with the model the project recorded then (``earlier``, in words), which the
    report names first. A switch begun before the server stopped goes on as it was begun."""
    switch = {"from": engine_description(*interim), "to": engine_description(*engine), "screened": None}
    if _begun(store, switch) is not None:
        return
    before = records_screened(store, stage)
    save_engine_switch(store, {**switch, "before": before, "earlier": engine_settings(store)[0] if before else None})


def record_engine_switch(store: Store, *, interim: tuple[str, str], engine: tuple[str, str], screened: int) -> None:
    """Record that ``engine`` took over from ``interim`` after ``screened`` records were screened (those
    screened before the switch began, as :func:`begin_engine_switch` recorded them, included)."""
    switch = {"from": engine_description(*interim), "to": engine_description(*engine), "screened": screened}
    begun = _begun(store, switch)
    if begun is not None:
        switch.update(before=begun.get("before"), earlier=begun.get("earlier"))
    save_engine_switch(store, switch)


def _begun(store: Store, switch: dict) -> dict | None:
    """The project's switch between ``switch``'s two engines if it was begun and not yet made."""
    begun = engine_switch(store)
    if begun and begun["screened"] is None and (begun["from"], begun["to"]) == (switch["from"], switch["to"]):
        return begun
    return None


def settle_engine_switch(store: Store, engine: tuple[str, str], screened: int) -> None:
    """A stage opens on ``engine`` with ``screened`` records screened: when a switch to it was begun and
    never made (the server stopped while the vectors were made), those were screened on the interim
    engine (but for the ones screened before it began)."""
    switch = engine_switch(store)
    if switch is not None and switch["screened"] is None and switch["to"] == engine_description(*engine):
        save_engine_switch(store, {**switch, "screened": screened})


class ScreeningSession:
    """One reviewer screening one stage of a project with active learning.

    ``record_ids`` are the records to screen at ``stage``. ``features`` and
    ``classifier`` name the engine (``"auto"``: see
    :func:`~logicmap.screening.presets.default_engine`). Sentence embeddings are
    cached in the project store, so only the first session of a project (or new
    and edited records) pays for them; ``progress(done, total)`` hears about that
    work. The engine and stopping rule are recorded in the project with the
    session's first decision.

    With ``interim_above`` (None: never), a session whose records still need more
    sentence vectors than that ranks on TF-IDF alone while they are made on another
    thread (:meth:`interim` says how far; ``progress`` hears nothing of it), and the
    engine takes over at the next record once they are (see
    :mod:`~logicmap.review.interim`); the order then depends on when that happens,
    and the project records it. :meth:`close` stops that thread.
    """

    def __init__(
        self, store: Store, *, reviewer: str, record_ids: list[int], stage: str = "title_abstract",
        seed: int = 0, criteria: str | None = None, recall_target: float | None = None,
        confidence: float | None = None,
        features: str = "auto", classifier: str = "auto", progress: EmbedProgress | None = None,
        interim_above: int | None = None,
    ) -> None:
        self.store, self.reviewer, self.stage = store, reviewer, stage
        self._queue_options = {"seed": seed, "criteria": criteria,
                               "rule": project_rule(store, recall_target, confidence, records=len(record_ids))}
        opened = open_stage(store, stage, record_ids, features=features, classifier=classifier,
                            interim_above=interim_above, progress=progress)
        self.engine = opened.features.engine
        self.queue = open_queue(opened.features, reviewer_standing(store, reviewer, stage), **self._queue_options)
        self._take_over: TakeOver | None = None
        if opened.to_embed:
            engine = opened.engine
            self._take_over = TakeOver(lambda heard: stage_features(
                store, record_ids, features=engine[0], classifier=engine[1], progress=heard, texts=opened.texts),
                opened.to_embed)
        else:
            settle_engine_switch(store, opened.engine, records_screened(store, stage))
        self._described = False

    def interim(self) -> Interim | None:
        """How far the engine's vectors have got while the session ranks on TF-IDF alone (None: it ranks
        with its own engine)."""
        return self._take_over.state if self._take_over is not None else None

    def close(self) -> None:
        """Stop making the engine's vectors, if it still is (those made so far stay in the project)."""
        if self._take_over is not None:
            self._take_over.cancel()

    def _take_over_when_ready(self) -> None:
        """Let the engine take over once its features are made: its queue, the decisions so far replayed."""
        features = self._take_over.result() if self._take_over is not None else None
        if features is None:
            return
        self.queue = open_queue(features, reviewer_standing(self.store, self.reviewer, self.stage),
                                **self._queue_options)
        record_engine_switch(self.store, interim=self.engine, engine=features.engine,
                             screened=records_screened(self.store, self.stage))
        self.engine, self._take_over = features.engine, None
        if self._described:
            describe_engine(self.store, self.engine, self.queue.rule, len(self.queue.record_ids))

    @property
    def learner(self) -> ActiveLearner:
        """The session's ranking model."""
        return self.queue.learner

    @property
    def record_ids(self) -> list[int]:
        """The records to screen at this stage."""
        return self.queue.record_ids

    @property
    def order(self) -> list[int]:
        """Labels in the order screened (1 include, 0 exclude)."""
        return self.queue.order

    def next_record(self) -> tuple[int, int] | None:
        """``(record id, rank)`` of the most promising unscreened record, or None when done."""
        self._take_over_when_ready()
        self.queue.refresh()
        return self.queue.next()

    def decide(self, record_id: int, decision: str, *, reason: str | None = None, rank: int | None = None) -> int:
        """Store a decision now and teach the model; returns the decision's id."""
        self.queue.check(record_id)
        decision_id = store_decision(self.store, record_id, reviewer=self.reviewer, stage=self.stage,
                                     decision=decision, reason=reason, rank=rank)
        if not self._described:
            describe_engine(self.store, self.engine, self.queue.rule, len(self.queue.record_ids))
            self._described = True
        self.queue.decide(record_id, decision)
        return decision_id

    def undo(self) -> int | None:
        """Withdraw the last decision; returns its record id (the model forgets it)."""
        undone = undo_latest(self.store, reviewer=self.reviewer, stage=self.stage)
        if undone is None:
            return None
        self.queue.withdraw(undone.record_id)
        return undone.record_id

    def summary(self) -> dict:
        """Screening metrics of the labels so far, in the order screened (WSS, recall@10%, ...)."""
        return summarise(self.order)

    def save_recall_chart(self, out_dir: Path | str, *, stem: str = "recall-curve") -> list[Path]:
        """Draw the recall curve of the labels so far (SVG and PNG); returns the files."""
        return [Path(c) for c in save_recall_chart(self.order, Path(out_dir), stem=stem) or []]

    def progress(self) -> ScreeningProgress:
        """Counts so far, the recall estimate and whether the stopping rule says it is safe to stop."""
        self._take_over_when_ready()
        self.queue.refresh()
        return self.queue.progress()

    def is_sample(self, record_id: int) -> bool:
        """True when ``record_id`` is asked for by the stopping rule's random sample (not by the ranking)."""
        return self.queue.is_sample(record_id)

    def stop(self) -> StopReport:
        """Stop here because the stopping rule fired: the records not screened are excluded by it
        (the report says so). Raises :class:`ScreeningError` when the rule has not fired."""
        self.queue.refresh()
        return record_stop(self.store, self.queue, self.reviewer, self.stage)
