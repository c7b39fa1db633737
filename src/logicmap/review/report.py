"""``review.report``: the review report, PRISMA counts and methods facts."""

from __future__ import annotations

from pathlib import Path

from logicmap.report.narrative import MethodsFacts
from logicmap.report.prisma import PrismaCounts, prisma_counts
from logicmap.report.project import methods_facts, report_project
from logicmap.review.codebook import CodebookStage
from logicmap.review.coding import CodingStage
from logicmap.review.dedupe import DedupeStage
from logicmap.review.model import ModelStage
from logicmap.review.records import RecordsStage
from logicmap.review.screening import ScreeningStage
from logicmap.store.database import Store


class ReportStage:
    """Everything the report says, rebuilt from the project store alone."""

    def __init__(self, store: Store, *, records: RecordsStage, dedupe: DedupeStage, screening: ScreeningStage,
                 coding: CodingStage, codebook: CodebookStage, model: ModelStage) -> None:
        self._store = store
        self._records = records
        self._dedupe = dedupe
        self._screening = screening
        self._coding = coding
        self._codebook = codebook
        self._model = model

    def write(self, out_dir: Path | str) -> dict[str, Path]:
        """Write the whole report into ``out_dir`` (fixed file names); returns key -> path."""
        return report_project(self._store, out_dir)

    def prisma(self) -> PrismaCounts:
        """The PRISMA 2020 flow counts."""
        return prisma_counts(self._store)

    def methods(self) -> MethodsFacts:
        """What the methods section may say."""
        return methods_facts(self._store)
