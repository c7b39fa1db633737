"""``review.coding``: coding included studies against the project's codebook."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from logicmap.codebook import load_codebook
from logicmap.codebook.codes import LEGACY_MODERATOR_DIRECTIONS
from logicmap.coding.agreement import AgreementReport, agreement, reconcile
from logicmap.coding.codings import (
    StoredCoding,
    check_codes,
    check_descriptor,
    check_direction,
    coded_items,
    counts_by_kind,
    final_codings,
)
from logicmap.coding.feedback import MIN_STUDIES, Feedback, reviewer_feedback
from logicmap.coding.fulltext import Extracted, read_fulltext
from logicmap.coding.jsonl import read_records
from logicmap.coding.spans import CodedItem, EvidenceSpan, span_for_quote, validate_span
from logicmap.coding.suggest import Suggestion, SuggestionBatch, suggest
from logicmap.coding.suggestion_model import SuggestionModel
from logicmap.coding.semantic_adapt import adapt
from logicmap.coding.standardised import standardised
from logicmap.coding.aligned import AlignedModel
from logicmap.coding.semantic_model import SemanticModel, default_model
from logicmap.screening.embeddings import EmbeddingFeatures
from logicmap.errors import CodingError
from logicmap.review.codebook import CodebookStage
from logicmap.review.screening import ScreeningStage
from logicmap.store import coding as repository
from logicmap.store.coding import FullTextInfo
from logicmap.store.database import Store
from logicmap.store.embeddings import ProjectEmbeddingCache

#: ``LOGICMAP_SUGGESTER=terms`` asks for the key-term suggester instead of sentence embeddings.
SUGGESTER_ENV = "LOGICMAP_SUGGESTER"


def semantic_suggestions() -> bool:
    """Whether suggestions come from sentence embeddings (every install has them: the numpy
    encoder ships in the package): unless ``LOGICMAP_SUGGESTER`` asks for ``terms``."""
    import os

    return os.environ.get(SUGGESTER_ENV, "").lower() != "terms"


@dataclass(frozen=True)
class ReconcileSummary:
    """Counts of a reconciliation run."""

    agreed: int
    resolved: int
    unresolved: int


class CodingStage:
    """Codes given to the project's studies, each anchored to an exact span of their text.

    Every write is its own transaction: a code is saved the moment it is given.
    """

    def __init__(self, store: Store, *, screening: ScreeningStage, codebook: CodebookStage) -> None:
        self._store = store
        self._screening = screening
        self._codebook = codebook

    def add(self, record_id: int, code: str, *, reviewer: str, quote: str | None = None,
            span: EvidenceSpan | None = None, direction: str | None = None, note: str = "",
            target_code: str | None = None, source: str = "manual", kind: str = "independent") -> int:
        """Store one coding after checking code, direction and span; returns its id.

        Give ``span`` (an exact character range) or ``quote`` (its first occurrence
        in title, abstract or full text is used). A span that does not match the
        study's text is refused with :class:`~logicmap.errors.SpanError`.
        """
        codebook = self._codebook.current()
        check_codes(codebook, code, target_code)
        check_direction(direction, "moderator" if codebook[code].kind == codebook.condition_kind else codebook[code].kind)
        span = self._anchored(record_id, quote, span)
        return repository.insert_coding(self._store, record_id, code, reviewer=reviewer, kind=kind, source=source,
                                        span=span, direction=direction, note=note, target_code=target_code)

    def _anchored(self, record_id: int, quote: str | None, span: EvidenceSpan | None) -> EvidenceSpan | None:
        """``span`` checked against the study's texts, or the span of ``quote`` in them."""
        texts = self.texts(record_id)
        if span is None and quote is not None:
            span = span_for_quote(texts, quote)
        if span is not None:
            validate_span(str(record_id), span, texts)
        return span

    def undo(self, coding_id: int) -> None:
        """Withdraw a coding (kept, marked undone)."""
        repository.undo_coding(self._store, coding_id)

    def list(self, *, reviewer: str | None = None, kind: str | None = None,
             record_id: int | None = None) -> list[StoredCoding]:
        """Standing codings, optionally of one reviewer, kind or record."""
        return repository.standing_codings(self._store, reviewer=reviewer, kind=kind, record_id=record_id)

    def items(self, *, reviewer: str | None = None, kind: str | None = None) -> list[CodedItem]:
        """Standing code assignments (links left out) as coded items."""
        return coded_items(self.list(reviewer=reviewer, kind=kind))

    def final(self) -> list[StoredCoding]:
        """The codings that count (reconciled where a study has been reconciled)."""
        return final_codings(self.list() + self.list(kind=repository.DROPPED))

    def decided(self) -> set[tuple[int, str]]:
        """(record id, code) pairs reconciliation has settled: stored as final, or dropped."""
        return {(c.record_id, c.code) for kind in ("reconciled", repository.DROPPED)
                for c in self.list(kind=kind) if c.target_code is None}

    def agreement(self, reviewer_a: str, reviewer_b: str) -> AgreementReport:
        """Agreement of two coders per kind and code, on the studies both coded."""
        a, b = self.items(reviewer=reviewer_a), self.items(reviewer=reviewer_b)
        both = {i.study_id for i in a} & {i.study_id for i in b}
        if not both:
            raise CodingError(f"{reviewer_a} and {reviewer_b} have coded no study in common")
        return agreement(a, b, self._codebook.current(), studies=both)

    def reconcile(self, reviewer_a: str, reviewer_b: str, *, decisions=None,
                  decided_by: str = "consensus") -> ReconcileSummary:
        """Store final codes from two coders (both originals are kept); unresolved ones wait.

        A (study, code) with a final code already is not stored again, so a second run (or a
        double-submitted form) adds only what was decided since. A drop is stored too (kind
        ``"dropped"``, never a code), so a later run neither asks about it again nor keeps it.

        ``decisions`` maps ``(study id, code)`` to True (keep) or False (drop) for
        the codes only one coder gave.
        """
        stored = {(str(record_id), code) for record_id, code in self.decided()}
        dropped = {(str(c.record_id), c.code): False for c in self.list(kind=repository.DROPPED)}
        outcome = reconcile(self.items(reviewer=reviewer_a), self.items(reviewer=reviewer_b),
                            {**dropped, **(decisions or {})}, reviewer=decided_by)
        for item in outcome:
            if (item.study_id, item.code) in stored:  # run again: stored once
                continue
            if item.final is not None:
                self._add_final(item.study_id, item.final, decided_by)
            elif item.status == "resolved":  # dropped: remembered, so the next visit does not ask again
                repository.insert_coding(self._store, int(item.study_id), item.code, reviewer=decided_by,
                                         kind=repository.DROPPED, source="reconcile")
        counts = Counter(item.status for item in outcome)
        return ReconcileSummary(counts["agreed"], counts["resolved"], counts["unresolved"])

    def _add_final(self, study_id: str, final: CodedItem, decided_by: str) -> None:
        direction = final.direction
        codebook = self._codebook.current()
        if final.code in codebook and codebook[final.code].kind == codebook.condition_kind:
            direction = LEGACY_MODERATOR_DIRECTIONS.get(direction or "", direction)  # coded before strengthens/weakens
        self.add(int(study_id), final.code, reviewer=decided_by, span=final.span, direction=direction,
                 note=final.note, kind="reconciled", source="reconcile")

    def attach(self, record_id: int, path: Path | str) -> Extracted:
        """Attach a full text (PDF, HTML, text) to a record, replacing an earlier one."""
        attached = read_fulltext(record_id, Path(path))
        repository.save_fulltext(self._store, attached)
        return attached.extracted

    def fulltext(self, record_id: int) -> FullTextInfo | None:
        """The full text attached to a record (file name, pages, text), or None."""
        return repository.fulltext_info(self._store, record_id)

    def texts(self, record_id: int) -> dict[str, str]:
        """A record's codable texts: title, abstract and attached full text."""
        return repository.study_texts(self._store, record_id)

    def texts_of(self, record_ids: list[int]) -> list[dict[str, str]]:
        """:meth:`texts` of each record, in the order given."""
        return repository.studies_texts(self._store, record_ids)

    def suggest(self, record_ids: list[int], *, seed: int = 0) -> tuple[list[Suggestion], bool]:
        """Suggested codes for the records; the flag says whether they learnt from this project's reviewers.

        With the ``[embed]`` extra (see :func:`semantic_suggestions`) they come from a
        :class:`~logicmap.coding.semantic_model.SemanticModel`: the shipped generic weights (for a
        codebook the package has not seen, similarities standardised on the included studies, and its
        codes that restate the recovery codebook's suggested by the recovery model:
        :mod:`~logicmap.coding.aligned`), from
        :data:`~logicmap.coding.feedback.MIN_STUDIES` studies with feedback on adapted to the
        project's accepted, rejected and own codes (a learnt offset per code, their quotes as examples;
        see :mod:`~logicmap.coding.semantic_adapt`). Without it, from the
        codebook's key terms, then a TF-IDF model learnt from the same feedback.
        """
        batch = self.suggestion_batch(record_ids, seed=seed)
        return batch.suggestions, batch.learnt

    def suggestion_model(self, *, seed: int = 0):
        """(model, learnt): the model suggestions come from (None: key terms alone) and whether it
        learnt from this project's reviewers."""
        codebook = self._codebook.current()
        feedback = self.learning_feedback()
        taught = sorted({f.record_id for f in feedback})
        semantic = semantic_suggestions()
        if not semantic:
            if len(taught) < MIN_STUDIES:
                return None, False
            training = self.texts_of(taught)
            return SuggestionModel(codebook, seed=seed).fit(training, feedback), True
        encode = self._encoder()
        model = default_model(codebook, encode)
        if model.stats is None:  # a codebook the package has not seen: standardise on the included studies
            included = self._screening.included()
            model = standardised(model, lambda: self.texts_of(included), codebook, encode,
                                 version=repository.texts_version(self._store, included))
        if len(taught) < MIN_STUDIES:
            return model, False
        training = self.texts_of(taught)
        evidence = [(str(c.record_id), c.code, c.quote) for c in self.list()
                    if c.quote and c.target_code is None and str(c.record_id) in set(taught)]
        return adapt(model, training, feedback, evidence), True

    def prepare(self, *, seed: int = 0) -> None:
        """Build the suggestion model once, so that the first coding page need not wait: the
        codebook's code descriptions are embedded into the project's cache (seconds the first time)
        and, for a codebook the package has not seen, the model standardised on the included studies
        is kept. The web app does this at start, in a background thread."""
        self.suggestion_model(seed=seed)

    def _encoder(self):
        """Sentence embeddings (MiniLM) cached in the project store."""
        return EmbeddingFeatures(cache=ProjectEmbeddingCache(self._store)).transform

    def next_to_code(self, *, seed: int = 0) -> list[tuple[int, float]]:
        """Included studies nobody has coded yet, the one the suggestions are least sure about first
        (with the embedding suggester; otherwise in record order with uncertainty 0)."""
        coded = {c.record_id for c in self.list()}
        todo = [i for i in self._screening.included() if i not in coded]
        model, _ = self.suggestion_model(seed=seed)
        if not isinstance(model, (SemanticModel, AlignedModel)) or not todo:
            return [(i, 0.0) for i in todo]
        ranked = model.least_sure(self.texts_of(todo))
        return [(int(rid), score) for rid, score in ranked]

    def learning_feedback(self) -> list[Feedback]:
        """What the suggestions learn from: reviewers' own codings and their verdicts on suggestions."""
        return reviewer_feedback(self.list(), repository.verdicts(self._store), self._codebook.current())

    def suggest_included(self, *, seed: int = 0) -> SuggestionBatch:
        """Suggestions for every included study; raises :class:`CodingError` when none is included yet."""
        ids = self._screening.included()
        if not ids:
            raise CodingError("no included studies yet (screen first)")
        return self.suggestion_batch(ids, seed=seed)

    def suggestion_batch(self, record_ids: list[int], *, seed: int = 0) -> SuggestionBatch:
        """:meth:`suggest` for the records, with where the suggestions come from (the engine, whether
        they learnt from reviewers, how many codes the recovery model suggests)."""
        model, learnt = self.suggestion_model(seed=seed)
        texts = self.texts_of(record_ids)
        suggestions = suggest(texts, self._codebook.current(), model=model)
        return SuggestionBatch([str(i) for i in record_ids], suggestions, learnt,
                               "embeddings" if semantic_suggestions() else "terms", aligned=len(getattr(model, "pairs", {})))

    def feedback(self, record_id: int, code: str, *, accepted: bool, reviewer: str) -> None:
        """Store a reviewer's verdict on a suggested code (the suggestions learn from it)."""
        check_codes(self._codebook.current(), code)
        repository.save_verdict(self._store, record_id, code, accepted=accepted, reviewer=reviewer)

    def set_descriptor(self, record_id: int, field: str, value: object, *, reviewer: str) -> None:
        """Record a study descriptor (design, country, ...), checked against the codebook's vocabulary."""
        check_descriptor(self._codebook.current(), field, value)
        repository.save_descriptor(self._store, record_id, field, value, reviewer=reviewer)

    def descriptors(self, record_ids: list[int]) -> dict[int, dict[str, object]]:
        """Record -> descriptor field -> value, for the given records."""
        return repository.descriptors_of(self._store, record_ids)

    def counts_by_kind(self) -> dict[str, int]:
        """Final code assignments per node kind."""
        return counts_by_kind(self.final(), self._codebook.current())


def suggest_file(records: Path | str, codebook: Path | str | None = None) -> SuggestionBatch:
    """Suggestions for the records of a JSONL file (``id``, ``title``, ``abstract``), outside any project.

    ``codebook`` is a YAML file (default: the embedded recovery codebook).
    """
    rows = read_records(Path(records))
    book = load_codebook(codebook)
    model = default_model(book, EmbeddingFeatures().transform) if semantic_suggestions() else None
    return SuggestionBatch([r["id"] for r in rows], suggest(rows, book, model=model), False,
                           "terms" if model is None else "embeddings", aligned=len(getattr(model, "pairs", {})))
