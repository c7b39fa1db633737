"""``review.screening``: reviewers' decisions, active-learning sessions, conflicts."""

from __future__ import annotations

from dataclasses import dataclass

from logicmap.screening.decisions import (
    Agreement,
    Conflict,
    agreement,
    conflicts,
    decisions_of,
    exclusion_reasons,
    final_decisions,
    included_records,
    reconcile,
    reviewers_by_activity,
    standing_reasons,
    record_decision,
    set_exclusion_reasons,
    undo_last,
)
from logicmap.screening.session import ScreeningSession
from logicmap.store.codebook import current_codebook
from logicmap.review.dedupe import DedupeStage
from logicmap.store.database import Store
from logicmap.store.records import get_record


class ScreeningStage:
    """Title/abstract and full-text screening of the project's records."""

    def __init__(self, store: Store, *, dedupe: DedupeStage) -> None:
        self._store = store
        self._dedupe = dedupe

    def session(self, reviewer: str, *, stage: str = "title_abstract", **options) -> ScreeningSession:
        """An active-learning session of one reviewer at one stage."""
        return ScreeningSession(self._store, reviewer=reviewer, stage=stage, **options)

    def decide(self, record_id: int, decision: str, *, reviewer: str, stage: str = "title_abstract",
               reason: str | None = None, rank: int | None = None) -> int:
        """Store one decision now; returns its id."""
        return record_decision(self._store, record_id, reviewer=reviewer, stage=stage, decision=decision,
                               reason=reason, rank=rank)

    def undo_last(self, *, reviewer: str, stage: str = "title_abstract"):
        """Withdraw the reviewer's latest standing decision at ``stage``."""
        return undo_last(self._store, reviewer=reviewer, stage=stage)

    def decisions_of(self, reviewer: str, stage: str = "title_abstract") -> dict[int, str]:
        """A reviewer's own standing decisions (all a blind reviewer may see)."""
        return decisions_of(self._store, reviewer, stage)

    def conflicts(self, stage: str = "title_abstract") -> list[Conflict]:
        """Records the reviewers disagree on, not yet reconciled."""
        return conflicts(self._store, stage)

    def reconcile(self, record_id: int, decision: str, *, reviewer: str, stage: str = "title_abstract",
                  reason: str | None = None) -> int:
        """Store the agreed decision of a conflict (both originals stay)."""
        return reconcile(self._store, record_id, stage=stage, decision=decision, reviewer=reviewer, reason=reason)

    def final(self, stage: str = "title_abstract") -> dict[int, str]:
        """Record -> final decision at ``stage`` (unresolved conflicts left out)."""
        return final_decisions(self._store, stage)

    def agreement(self, reviewer_a: str, reviewer_b: str, stage: str = "title_abstract") -> Agreement:
        """Percent agreement and Cohen's kappa of two reviewers."""
        return agreement(self._store, stage, reviewer_a, reviewer_b)

    def included(self) -> list[int]:
        """Records included in the review (full-text includes, else title/abstract includes)."""
        return included_records(self._store)

    def exclusion_reasons(self) -> list[str]:
        """The project's exclusion reasons."""
        return exclusion_reasons(self._store)

    def set_exclusion_reasons(self, reasons: list[str]) -> None:
        """Replace the project's exclusion reasons."""
        set_exclusion_reasons(self._store, reasons)

    def reasons(self, stage: str, decision: str = "exclude") -> dict[int, str | None]:
        """Record -> the reason given with its latest standing ``decision`` at ``stage``."""
        return standing_reasons(self._store, stage, decision)

    def reviewers(self, stage: str = "title_abstract") -> list[str]:
        """Reviewers who decided at ``stage``, most decisions first."""
        return reviewers_by_activity(self._store, stage)

    def card(self, record_id: int) -> ScreeningCard:
        """The record as a reviewer screens it, with the terms to highlight."""
        record = get_record(self._store, record_id)
        terms = tuple(term for code in current_codebook(self._store).codes for term in code.terms)
        return ScreeningCard(record_id, record.title or "", record.abstract or "", record.year,
                             tuple(record.authors), record.journal, terms)


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
