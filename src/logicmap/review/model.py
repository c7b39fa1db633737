"""``review.model``: the evidence-linked logic model of the project, and its snapshots.

The included studies are assembled here from the earlier stages (included records,
their final codings and descriptors); :func:`~logicmap.synthesis.build_model` builds
the model from them; snapshots are kept by :mod:`logicmap.store.synthesis`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from logicmap.coding.spans import CodedItem, EvidenceSpan
from logicmap.records.record import Record
from logicmap.review.codebook import CodebookStage
from logicmap.review.coding import CodingStage
from logicmap.review.records import RecordsStage
from logicmap.review.screening import ScreeningStage
from logicmap.store.database import Store
from logicmap.store.synthesis import load_snapshot, save_snapshot
from logicmap.synthesis import CodedLink, LogicModel, ModelDiff, ModelFilter, Study, build_model, diff
from logicmap.synthesis import snapshot as make_snapshot

#: The name that stands for the live model in :meth:`ModelStage.diff`.
CURRENT = "current"


class ModelStage:
    """The logic model built from the included, coded studies."""

    def __init__(self, store: Store, *, records: RecordsStage, screening: ScreeningStage, coding: CodingStage,
                 codebook: CodebookStage) -> None:
        self._store = store
        self._records = records
        self._screening = screening
        self._coding = coding
        self._codebook = codebook

    def studies(self) -> list[Study]:
        """The included studies with their descriptors, final codes and coded links."""
        ids = self._screening.included()
        codings = defaultdict(list)
        for coding in self._coding.final():
            codings[coding.record_id].append(coding)
        descriptors = self._coding.descriptors(ids)
        return [study_of(record_id, self._records.get(record_id), codings[record_id], descriptors.get(record_id, {}))
                for record_id in ids]

    def build(self, filters: ModelFilter | None = None) -> LogicModel:
        """The logic model of the included, coded studies (optionally filtered)."""
        return build_model(self._codebook.current(), self.studies(), filters=filters)

    def save_snapshot(self, name: str, model: LogicModel | None = None) -> None:
        """Keep the model (the live one unless given) under ``name``, replacing one of that name."""
        save_snapshot(self._store, name, make_snapshot(model if model is not None else self.build()))

    def snapshot(self, name: str) -> dict:
        """A saved snapshot (``"current"``: the live model's); :class:`NotFoundError` naming the saved ones."""
        if name == CURRENT:
            return make_snapshot(self.build())
        return load_snapshot(self._store, name)

    def diff(self, old: str, new: str = CURRENT) -> ModelDiff:
        """Links and strengths that changed between two snapshots (``"current"`` is the live model)."""
        return diff(self.snapshot(old), self.snapshot(new))


def study_of(record_id: int, record: Record, codings: Iterable, info: dict[str, object]) -> Study:
    """One included study: the record's bibliography, its descriptors, and its codings as items and links."""
    codings = list(codings)
    return Study(
        id=str(record_id), title=record.title or "", authors=tuple(record.authors), year=record.year,
        journal=record.journal, doi=record.doi, design=info.get("design"), country=info.get("country"),
        setting=info.get("setting"), population=info.get("population"), n=_n(info.get("n")),
        items=tuple(_item(record_id, c) for c in codings if not c.target_code),
        links=tuple(_link(record_id, c) for c in codings if c.target_code),
    )


def _span(coding) -> EvidenceSpan | None:
    return EvidenceSpan(coding.field, coding.start, coding.end, coding.quote) if coding.field else None


def _item(record_id: int, coding) -> CodedItem:
    """A coding of a code (no target) as a coded item."""
    return CodedItem(str(record_id), coding.code, coding.reviewer, _span(coding), coding.direction, coding.note or "")


def _link(record_id: int, coding) -> CodedLink:
    """A coding of a link (code -> target code) as a coded link."""
    return CodedLink(str(record_id), coding.code, coding.target_code, _span(coding), coding.direction,
                     coding.reviewer, coding.note or "")


def _n(value: object) -> int | None:
    """A descriptor's sample size as an integer (None when missing or not a number)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
