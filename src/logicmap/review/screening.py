"""``review.screening``: reviewers' decisions, active-learning sessions, conflicts."""

from __future__ import annotations

from dataclasses import dataclass

from logicmap.review.codebook import CodebookStage
from logicmap.review.dedupe import DedupeStage
from logicmap.review.records import RecordsStage
from logicmap.review.screening_service import ScreeningService
from logicmap.review.screening_session import ScreeningSession, project_reasons, store_decision
from logicmap.screening.decisions import (
    STAGES,
    Agreement,
    Conflict,
    Decision,
    agreement_between,
    clean_reasons,
    find_conflicts,
    included_ids,
    reasons_of,
    resolve_final,
    reviewer_decisions,
)
from logicmap.errors import ScreeningError
from logicmap.store.database import Store
from logicmap.store.embeddings import ProjectEmbeddingCache
from logicmap.store.screening import (
    reviewers_by_activity,
    save_exclusion_reasons,
    saved_stop,
    standing_decisions,
    undo_latest,
)


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
        return sorted(r for r, d in self.final("title_abstract").items() if d in ("include", "maybe"))

    def session(self, reviewer: str, *, stage: str = "title_abstract", **options) -> ScreeningSession:
        """An active-learning session of one reviewer at one stage (synchronous, deterministic)."""
        return ScreeningSession(self._store, reviewer=reviewer, stage=stage, record_ids=self.candidates(stage),
                                **options)

    def service(self, **options) -> ScreeningService:
        """Screening for many reviewers at once, retrained in the background (close it when done)."""
        return ScreeningService(self._store, candidates=self.candidates, **options)

    def decide(self, record_id: int, decision: str, *, reviewer: str, stage: str = "title_abstract",
               reason: str | None = None, rank: int | None = None) -> int:
        """Store one decision now; returns its id."""
        return store_decision(self._store, record_id, reviewer=reviewer, stage=stage, decision=decision,
                              reason=reason, rank=rank)

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

    def team(self) -> TeamSettings:
        """How the team screens: blind dual screening on or off, reviewers wanted per record at each stage."""
        wanted = {stage: int(self._store.setting(f"{REVIEWERS_SETTING}.{stage}") or 1) for stage in STAGES}
        return TeamSettings(blind=(self._store.setting(BLIND_SETTING) or "on") == "on", reviewers=wanted)

    def set_team(self, *, blind: bool, reviewers: dict[str, int]) -> TeamSettings:
        """Keep the team settings (reviewers per record: 1-5 at each stage named); returns them as stored."""
        wrong = [f"{stage}={n}" for stage, n in reviewers.items() if stage not in STAGES or not 1 <= n <= 5]
        if wrong:
            raise ScreeningError(f"reviewers per record must be 1-5 at a stage of {', '.join(STAGES)}: "
                                 f"{', '.join(wrong)}")
        self._store.set_setting(BLIND_SETTING, "on" if blind else "off")
        for stage, n in reviewers.items():
            self._store.set_setting(f"{REVIEWERS_SETTING}.{stage}", str(n))
        return self.team()

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

    def card(self, record_id: int) -> ScreeningCard:
        """The record as a reviewer screens it, with the terms to highlight."""
        record = self._records.get(record_id)
        terms = tuple(term for code in self._codebook.current().codes for term in code.terms)
        return ScreeningCard(record_id, record.title or "", record.abstract or "", record.year,
                             tuple(record.authors), record.journal, terms)


#: Project settings of the screening team.
BLIND_SETTING = "screening.blind"
REVIEWERS_SETTING = "screening.reviewers_per_record"


@dataclass(frozen=True)
class TeamSettings:
    """Blind dual screening on or off, and the reviewers wanted per record at each stage."""

    blind: bool
    reviewers: dict[str, int]


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
