"""``review.screening``: reviewers' decisions, active-learning sessions, conflicts."""

from __future__ import annotations

from dataclasses import dataclass

from logicmap.coding.semantic_features import with_own_terms
from logicmap.coding.sentence_roles import heading_spans
from logicmap.coding.text import mark_terms
from logicmap.review.codebook import CodebookStage
from logicmap.review.dedupe import DedupeStage
from logicmap.review.records import RecordsStage
from logicmap.review.screening_service import ScreeningService
from logicmap.review.screening_session import ScreeningSession, project_reasons, project_rule, store_decision
from logicmap.review.screening_spark import rank_on_spark
from logicmap.review.screening_team import TeamScreening
from logicmap.review.team_settings import TeamSettings, load_team_settings, save_settings
from logicmap.screening.decisions import (
    STAGES,
    Agreement,
    Conflict,
    Decision,
    agreement_between,
    clean_reasons,
    find_conflicts,
    included_ids,
    latest_standing,
    reasons_of,
    resolve_final,
    reviewer_decisions,
)
from logicmap.errors import ScreeningError
from logicmap.screening.stopping_rules import make_rule
from logicmap.store.changes import SCREENING_RECORDS, change_marks
from logicmap.store.database import Store
from logicmap.store.embeddings import ProjectEmbeddingCache
from logicmap.store.screening import (
    reviewers_by_activity,
    save_exclusion_reasons,
    save_stopping_choice,
    saved_stop,
    standing_decisions,
    undo_latest,
)


#: Final title/abstract decisions that put a record up for full text.
UP_FOR_FULL_TEXT = ("include", "maybe")


@dataclass(frozen=True)
class Decided:
    """A full-text decision's id and whether this call stored it (False: the same decision was standing)."""

    decision_id: int
    stored: bool


class ScreeningStage:
    """Title/abstract and full-text screening of the project's records.

    The records to screen come from ``dedupe`` (one per study); ``records`` and
    ``codebook`` give what a reviewer sees on a :meth:`card` (each built from the
    store when not given).
    """

    def __init__(self, store: Store, *, dedupe: DedupeStage, records: RecordsStage, codebook: CodebookStage) -> None:
        self._store = store
        self._dedupe = dedupe
        self._records = records
        self._codebook = codebook

    def candidates(self, stage: str = "title_abstract") -> list[int]:
        """The records to screen at ``stage``: one per study at title/abstract, then those included
        (or set aside as "maybe") at title/abstract for full text."""
        if stage not in STAGES:
            raise ScreeningError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
        if stage == "title_abstract":
            return self._dedupe.canonical_ids()
        return sorted(r for r, d in self.final("title_abstract").items() if d in UP_FOR_FULL_TEXT)

    def candidates_mark(self, stage: str = "title_abstract") -> str:
        """A cheap mark that moves whenever :meth:`candidates` may have changed, by any process: the
        records and their merges, and at full text the title/abstract decisions too."""
        tables = SCREENING_RECORDS if stage == "title_abstract" else SCREENING_RECORDS | {"screening_decisions"}
        return change_marks(self._store, tables)[1]

    def session(self, reviewer: str, *, stage: str = "title_abstract", **options) -> ScreeningSession:
        """An active-learning session of one reviewer at one stage (synchronous, deterministic)."""
        return ScreeningSession(self._store, reviewer=reviewer, stage=stage, record_ids=self.candidates(stage),
                                **options)

    def rank_on_spark(self, spark, *, reviewer: str, stage: str = "title_abstract", partitions: int = 8,
                      seed: int = 0) -> list[int]:
        """The reviewer's undecided records best first, ranked by Spark jobs on ``spark`` whose
        executors read the store themselves (word TF-IDF + linear SVM; see ``docs/spark.md``)."""
        return rank_on_spark(self._store, spark, reviewer=reviewer, stage=stage, candidates=self.candidates(stage),
                             partitions=partitions, seed=seed)

    def service(self, **options) -> ScreeningService:
        """Screening for many reviewers at once, retrained in the background (close it when done)."""
        return ScreeningService(self._store, candidates=self.candidates, **options)

    def team(self, **options) -> TeamScreening:
        """Screening shared by the project's team (one ranking, reviewers per record, blind or not),
        retrained in the background (close it when done)."""
        return TeamScreening(self._store, candidates=self.candidates, candidates_mark=self.candidates_mark, **options)

    def stopping_rule(self):
        """The project's stopping rule (until another is chosen, ``stopping_rules.default_rule`` for its
        records to screen on title and abstract: buscar at the confidence calibrated for that many)."""
        return project_rule(self._store, records=len(self.candidates()))

    def choose_stopping_rule(self, rule: str, recall_target: float = 0.95, confidence: float = 0.95):
        """Make ``rule`` (``buscar``, ``target``, ``qbcb``, ``safe``, ``knee`` or ``poisson``) at the target
        and confidence the project's stopping rule (sessions and services opened afterwards use it);
        returns it. An unknown name or a value outside [0.5, 1) changes nothing."""
        try:
            chosen = make_rule(rule, recall_target, confidence)
        except ValueError as exc:
            raise ScreeningError(str(exc)) from exc
        save_stopping_choice(self._store, {"rule": rule, "recall_target": recall_target, "confidence": confidence})
        return chosen

    def team_settings(self) -> TeamSettings:
        """How the team screens: reviewers per record and blind or not (1 and blind until changed)."""
        return load_team_settings(self._store)

    def set_team_settings(self, settings: TeamSettings) -> TeamSettings:
        """Store new team settings (a running :meth:`team` service takes them with its ``apply``)."""
        save_settings(self._store, settings)
        return settings

    def decide(self, record_id: int, decision: str, *, reviewer: str, stage: str = "title_abstract",
               reason: str | None = None, rank: int | None = None) -> int:
        """Store one decision now; returns its id."""
        return store_decision(self._store, record_id, reviewer=reviewer, stage=stage, decision=decision,
                              reason=reason, rank=rank)

    def full_text_queue(self, reviewer: str, *, up: list[int] | None = None) -> list[int]:
        """The records ``reviewer`` has still to assess at full text, by id: the title/abstract includes
        and maybes (read now, so later includes join; or ``up``, the ones known already) they have
        not decided at full text and that have fewer independent full-text decisions than the
        team's reviewers per record."""
        per_record = self.team_settings().reviewers_per_record
        deciders: dict[int, set[str]] = {}
        for record, who in latest_standing(standing_decisions(self._store, "full_text")):
            deciders.setdefault(record, set()).add(who)
        return [r for r in (self.candidates("full_text") if up is None else sorted(up))
                if reviewer not in deciders.get(r, ()) and len(deciders.get(r, ())) < per_record]

    def decide_full_text(self, record_id: int, decision: str, *, reviewer: str, reason: str | None = None) -> Decided:
        """Store one reviewer's full-text decision; returns its id and whether it was stored. An
        exclusion needs one of the project's reasons; a record not included (or maybe) at
        title/abstract is refused; the same decision sent again (a double click, a retried request)
        stores nothing and returns the first id with ``stored`` False. Reads only this record's
        decisions, however many the project holds."""
        title_abstract = resolve_final(standing_decisions(self._store, "title_abstract", record_id=record_id))
        if title_abstract.get(record_id) not in UP_FOR_FULL_TEXT:
            raise ScreeningError(f"record {record_id} is not up for full-text screening: it was not included "
                                 "(or set aside as maybe) at title/abstract")
        if decision == "exclude" and not reason:
            raise ScreeningError(f"record {record_id}: a full-text exclusion needs a reason (PRISMA reports them)")
        reason = reason if decision == "exclude" else None
        mine = standing_decisions(self._store, "full_text", reviewer=reviewer, record_id=record_id)
        same = latest_standing(mine).get((record_id, reviewer))
        if same is not None and (same.decision, same.reason) == (decision, reason):
            return Decided(same.id, stored=False)
        return Decided(self.decide(record_id, decision, reviewer=reviewer, stage="full_text", reason=reason),
                       stored=True)

    def undo_last(self, *, reviewer: str, stage: str = "title_abstract") -> Decision | None:
        """Withdraw the reviewer's latest standing decision at ``stage`` (kept, marked undone)."""
        return undo_latest(self._store, reviewer=reviewer, stage=stage)

    def decisions_of(self, reviewer: str, stage: str = "title_abstract") -> dict[int, str]:
        """A reviewer's own standing decisions (all a blind reviewer may see)."""
        return reviewer_decisions(standing_decisions(self._store, stage, reviewer=reviewer), reviewer)

    def conflicts(self, stage: str = "title_abstract") -> list[Conflict]:
        """Records the reviewers disagree on, not yet reconciled."""
        return find_conflicts(standing_decisions(self._store, stage))

    def reconcile(self, record_id: int, decision: str, *, reviewer: str, stage: str = "title_abstract",
                  reason: str | None = None) -> int:
        """Store the agreed decision of a conflict (both originals stay)."""
        return store_decision(self._store, record_id, reviewer=reviewer, stage=stage, decision=decision,
                              reason=reason, kind="reconciliation")

    def final(self, stage: str = "title_abstract") -> dict[int, str]:
        """Record -> final decision at ``stage`` (unresolved conflicts left out)."""
        return resolve_final(standing_decisions(self._store, stage))

    def agreement(self, reviewer_a: str, reviewer_b: str, stage: str = "title_abstract") -> Agreement:
        """Percent agreement and Cohen's kappa of two reviewers."""
        return agreement_between(self.decisions_of(reviewer_a, stage), self.decisions_of(reviewer_b, stage))

    def included(self) -> list[int]:
        """Records included in the review (full-text includes, else title/abstract includes)."""
        return included_ids(self.final("full_text"), self.final("title_abstract"))

    def exclusion_reasons(self) -> list[str]:
        """The project's exclusion reasons (the default list until changed)."""
        return project_reasons(self._store)

    def set_exclusion_reasons(self, reasons: list[str]) -> list[str]:
        """Replace the project's exclusion reasons; returns the list stored. Refused (nothing
        changed) when a standing exclusion gives a reason the new list leaves out."""
        cleaned = clean_reasons(reasons)
        missing = sorted(self.used_exclusion_reasons() - set(cleaned))
        if missing:
            raise ScreeningError("standing exclusions give reasons the new list leaves out: "
                                 + "; ".join(repr(r) for r in missing) + " (keep them in the list)")
        save_exclusion_reasons(self._store, cleaned)
        return cleaned

    def used_exclusion_reasons(self) -> set[str]:
        """The reasons given by standing exclusions, at either stage."""
        return {r for stage in STAGES for r in self.reasons(stage).values() if r}

    def reasons(self, stage: str, decision: str = "exclude") -> dict[int, str | None]:
        """Record -> the reason given with its latest standing ``decision`` at ``stage``."""
        return reasons_of(standing_decisions(self._store, stage), decision)

    def decision_log(self) -> list[Decision]:
        """Every standing decision at both stages (for the audit log), oldest first."""
        return sorted((d for stage in STAGES for d in standing_decisions(self._store, stage)), key=lambda d: d.id)

    def reviewers(self, stage: str = "title_abstract") -> list[str]:
        """Reviewers who decided at ``stage``, most decisions first."""
        return reviewers_by_activity(self._store, stage)

    def stopped(self) -> dict | None:
        """The stop made when the stopping rule fired (rule, target, estimate, interval, records left), or None."""
        return saved_stop(self._store)

    def embedding_cache(self) -> ProjectEmbeddingCache:
        """The project's sentence-embedding cache (what sessions use), for dataset-level work."""
        return ProjectEmbeddingCache(self._store)

    def key_terms(self) -> tuple[str, ...]:
        """The terms to highlight while screening: those of the codebook's codes, or for a codebook
        without term lists the phrases of their own labels and include notes (as the coding matcher
        takes them)."""
        return tuple(term for code in with_own_terms(self._codebook.current()).codes for term in code.terms)

    def card(self, record_id: int, *, terms: tuple[str, ...] | None = None) -> ScreeningCard:
        """The record as a reviewer screens it, with the terms to highlight (``terms``: the
        :meth:`key_terms` read once by the caller, else read here)."""
        return self.cards([record_id], terms=terms)[0]

    def cards(self, record_ids: list[int], *, terms: tuple[str, ...] | None = None) -> list[ScreeningCard]:
        """:meth:`card` of each record, read in one query."""
        terms = self.key_terms() if terms is None else terms
        return [ScreeningCard(record_id, record.title or "", record.abstract or "", record.year,
                              tuple(record.authors), record.journal, terms)
                for record_id, record in zip(record_ids, self._records.get_many(record_ids))]


@dataclass(frozen=True)
class ScreeningCard:
    """What a reviewer sees of one record while screening, with the codebook's key terms."""

    record_id: int
    title: str
    abstract: str
    year: int | None
    authors: tuple[str, ...]
    journal: str | None
    key_terms: tuple[str, ...]

    def marked(self, field: str) -> list[tuple[str, bool]]:
        """The ``title`` or ``abstract`` cut into ``(piece, is_key_term)`` pieces, the key terms found as
        the coding matcher finds them (word stems, ``*`` prefixes, acronyms only as written)."""
        if field not in ("title", "abstract"):
            raise ValueError(f"field must be 'title' or 'abstract', not {field!r}")
        return mark_terms(getattr(self, field), self.key_terms)

    def paragraphs(self) -> list[tuple[str, list[tuple[str, bool]]]]:
        """The abstract cut at its structured headings ("Methods:", "RESULTS"): one ``(heading, pieces)``
        per part, the pieces as :meth:`marked` cuts them; the text before the first heading (or all of an
        unstructured abstract) has the heading ``""``. Only the whitespace around a heading is dropped."""
        text, cuts = self.abstract, heading_spans(self.abstract)
        parts = [("", 0, cuts[0][0] if cuts else len(text))]
        parts += [(text[start:end], end, following) for (start, end), following
                  in zip(cuts, [c[0] for c in cuts[1:]] + [len(text)])]
        return [(heading, mark_terms(text[begin:stop].strip(), self.key_terms))
                for heading, begin, stop in parts if heading or text[begin:stop].strip()]
