"""``review.coding``: coding included studies against the project's codebook."""

from __future__ import annotations

from pathlib import Path

from logicmap.coding.fulltext import Extracted, attach_fulltext
from logicmap.coding.learning import project_suggestions, record_feedback
from logicmap.coding.project import (
    ReconcileSummary,
    add_coding,
    code_counts_by_kind,
    coded_items,
    coding_agreement,
    codings,
    descriptors_of,
    final_codings,
    reconcile_coders,
    record_texts,
    set_descriptor,
    undo_coding,
)
from logicmap.coding.spans import EvidenceSpan
from logicmap.codebook import load_codebook
from logicmap.coding.jsonl import read_records
from logicmap.coding.suggest import Suggestion, SuggestionBatch, suggest
from logicmap.errors import CodingError
from logicmap.review.codebook import CodebookStage
from logicmap.review.screening import ScreeningStage
from logicmap.store.database import Store


class CodingStage:
    """Codes given to the project's studies, each anchored to an exact span of their text."""

    def __init__(self, store: Store, *, screening: ScreeningStage, codebook: CodebookStage) -> None:
        self._store = store
        self._screening = screening
        self._codebook = codebook

    def add(self, record_id: int, code: str, *, reviewer: str, quote: str | None = None,
            span: EvidenceSpan | None = None, direction: str | None = None, note: str = "",
            target_code: str | None = None, source: str = "manual", kind: str = "independent") -> int:
        """Store one coding after checking code, direction and span; returns its id."""
        return add_coding(self._store, record_id, code, reviewer=reviewer, quote=quote, span=span,
                          direction=direction, note=note, target_code=target_code, source=source, kind=kind)

    def undo(self, coding_id: int) -> None:
        """Withdraw a coding (kept, marked undone)."""
        undo_coding(self._store, coding_id)

    def list(self, *, reviewer: str | None = None, kind: str | None = None):
        """Standing codings, optionally of one reviewer or kind."""
        return codings(self._store, reviewer=reviewer, kind=kind)

    def items(self, *, reviewer: str | None = None, kind: str | None = None):
        """Standing code assignments (links left out) as coded items."""
        return coded_items(self._store, reviewer=reviewer, kind=kind)

    def final(self):
        """The codings that count (reconciled where a study has any)."""
        return final_codings(self._store)

    def agreement(self, reviewer_a: str, reviewer_b: str):
        """Agreement of two coders per kind and code."""
        return coding_agreement(self._store, reviewer_a, reviewer_b)

    def reconcile(self, reviewer_a: str, reviewer_b: str, *, decided_by: str = "consensus") -> ReconcileSummary:
        """Store the codes both coders agree on as final."""
        return reconcile_coders(self._store, reviewer_a, reviewer_b, decided_by=decided_by)

    def attach(self, record_id: int, path: Path | str) -> Extracted:
        """Attach a full text (PDF, HTML, text) to a record."""
        return attach_fulltext(self._store, record_id, Path(path))

    def texts(self, record_id: int) -> dict[str, str]:
        """A record's codable texts: title, abstract and attached full text."""
        return record_texts(self._store, record_id)

    def suggest(self, record_ids: list[int], *, seed: int = 0) -> tuple[list[Suggestion], bool]:
        """Suggested codes for the records; the flag says whether they learnt from this project's reviewers."""
        return project_suggestions(self._store, record_ids, seed=seed)

    def suggest_included(self, *, seed: int = 0) -> SuggestionBatch:
        """Suggestions for every included study; raises :class:`CodingError` when none is included yet."""
        ids = self._screening.included()
        if not ids:
            raise CodingError("no included studies yet (screen first)")
        suggestions, learnt = self.suggest(ids, seed=seed)
        return SuggestionBatch([str(i) for i in ids], suggestions, learnt)

    def feedback(self, record_id: int, code: str, *, accepted: bool, reviewer: str) -> None:
        """Store a reviewer's verdict on a suggested code."""
        record_feedback(self._store, record_id, code, accepted=accepted, reviewer=reviewer)

    def set_descriptor(self, record_id: int, field: str, value: object, *, reviewer: str) -> None:
        """Record a study descriptor (design, country, ...), checked against the codebook."""
        set_descriptor(self._store, record_id, field, value, reviewer=reviewer)

    def descriptors(self, record_ids: list[int]) -> dict[int, dict[str, object]]:
        """Record -> descriptor field -> value, for the given records."""
        return descriptors_of(self._store, record_ids)

    def counts_by_kind(self) -> dict[str, int]:
        """Final code assignments per node kind."""
        return code_counts_by_kind(self._store)


def suggest_file(records: Path | str, codebook: Path | str | None = None) -> SuggestionBatch:
    """Suggestions for the records of a JSONL file (``id``, ``title``, ``abstract``), outside any project.

    ``codebook`` is a YAML file (default: the embedded recovery codebook).
    """
    rows = read_records(Path(records))
    return SuggestionBatch([r["id"] for r in rows], suggest(rows, load_codebook(codebook)))
