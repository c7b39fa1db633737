"""``review.model``: the evidence-linked logic model of the project, and its snapshots."""

from __future__ import annotations

from logicmap.report.project import load_snapshot, project_model, save_snapshot
from logicmap.review.codebook import CodebookStage
from logicmap.review.coding import CodingStage
from logicmap.review.records import RecordsStage
from logicmap.review.screening import ScreeningStage
from logicmap.store.database import Store
from logicmap.synthesis import LogicModel, ModelDiff, ModelFilter, diff
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

    def build(self, filters: ModelFilter | None = None) -> LogicModel:
        """The logic model of the included, coded studies (optionally filtered)."""
        return project_model(self._store, filters)

    def save_snapshot(self, name: str, model: LogicModel | None = None) -> None:
        """Keep the model (the live one unless given) under ``name``, replacing one of that name."""
        save_snapshot(self._store, name, model if model is not None else self.build())

    def snapshot(self, name: str) -> dict:
        """A saved snapshot (``"current"``: the live model's)."""
        if name == CURRENT:
            return make_snapshot(self.build())
        return load_snapshot(self._store, name)

    def diff(self, old: str, new: str = CURRENT) -> ModelDiff:
        """Links and strengths that changed between two snapshots (``"current"`` is the live model)."""
        return diff(self.snapshot(old), self.snapshot(new))
