"""``review.report``: the review report, PRISMA counts and methods facts.

Each is gathered from the earlier stages and handed to the pure report core:
:func:`~logicmap.report.prisma.count_flow` counts the PRISMA flow,
:class:`~logicmap.report.narrative.MethodsFacts` holds what the methods section may say,
and :func:`~logicmap.report.render.render_report` writes the files.
"""

from __future__ import annotations

from pathlib import Path

from logicmap.report.narrative import MethodsFacts, search_sources
from logicmap.report.prisma import PrismaCounts, count_flow, to_prisma2020_csv
from logicmap.report.render import render_report
from logicmap.review.codebook import CodebookStage
from logicmap.review.coding import CodingStage
from logicmap.review.dedupe import DedupeStage
from logicmap.review.model import ModelStage
from logicmap.review.records import RecordsStage
from logicmap.review.screening import ScreeningStage
from logicmap.store.database import Store
from logicmap.synthesis import build_model

#: The screening stage whose reviewers' agreement the methods section reports.
SCREENING_STAGE = "title_abstract"


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
        studies = self._model.studies()
        model = build_model(self._codebook.current(), studies, role_model=self._model.role_model())
        context = self._model.context(model=model) if self._model.saved_context() else None
        counts = self.prisma()
        return render_report(
            out_dir, model=model, studies=studies, prisma=counts, prisma_csv=to_prisma2020_csv(counts),
            methods=self.methods(), included_records=[self._records.get(int(s.id)) for s in studies],
            title=f"{self._store.setting('name') or 'Review'}: evidence-linked logic model", context=context,
        )

    def prisma(self) -> PrismaCounts:
        """The PRISMA 2020 flow counts."""
        return count_flow(
            [(s.database or s.file, s.records) for s in self._records.sources()],
            self._dedupe.canonical_ids(),
            self._screening.final("title_abstract"),
            self._screening.final("full_text"),
            self._screening.reasons("full_text", "exclude"),
        )

    def methods(self) -> MethodsFacts:
        """What the methods section may say."""
        sources = search_sources((s.database or s.file, s.search_date, s.records) for s in self._records.sources())
        return MethodsFacts(
            sources=sources, **self._dedupe_facts(), **self._agreement_facts(),
            screening_model=self._store.setting("screening.model"),
            stopping_rule=self._store.setting("screening.stopping_rule"),
            codebook=self._codebook.current().name,
        )

    def _dedupe_facts(self) -> dict[str, object]:
        """The latest dedupe run's settings and outcome (nothing before the first run)."""
        run = self._dedupe.last_run()
        if run is None:
            return {}
        settings = f"{run.engine} engine, merge at score {run.merge_at}, manual review from {run.review_from}"
        return dict(dedupe_settings=settings, duplicates_removed=run.duplicates_removed,
                    records_after_dedupe=len(self._dedupe.canonical_ids()))

    def _agreement_facts(self) -> dict[str, object]:
        """Cohen's kappa of the two most active title/abstract reviewers (nothing with fewer than two)."""
        reviewers = self._screening.reviewers(SCREENING_STAGE)
        if len(reviewers) < 2:
            return {}
        both = self._screening.agreement(reviewers[0], reviewers[1], SCREENING_STAGE)
        return dict(screening_agreement=both.kappa, screening_agreement_n=both.records)

