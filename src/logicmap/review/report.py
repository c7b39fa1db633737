"""``review.report``: the review report, PRISMA counts, methods and screening facts.

Each is gathered from the earlier stages and handed to the pure report core:
:func:`~logicmap.report.prisma.count_flow` counts the PRISMA flow,
:class:`~logicmap.report.narrative.MethodsFacts` holds what the methods section may say,
:class:`~logicmap.report.screening_facts.ScreeningFacts` the screening order behind the
recall curve and the stopping statement, and :func:`~logicmap.report.render.render_report`
writes the files. The included studies are cited with the merged record of their
duplicate cluster, so a canonical record without a year (or authors, journal, DOI) takes
it from a duplicate.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from logicmap.records.record import Record
from logicmap.report.charts import gap_map_svg
from logicmap.report.charts import prepare as prepare_charts
from logicmap.report.interactive import logic_model_html
from logicmap.report.prisma_svg import prisma_svg
from logicmap.report.narrative import MethodsFacts, dedupe_engine_name, search_sources
from logicmap.report.prisma import PrismaCounts, count_flow, to_prisma2020_csv
from logicmap.report.render import render_report
from logicmap.report.screening_facts import ScreeningFacts, automation_statement, rule_words, stopping_outcome
from logicmap.review.codebook import CodebookStage
from logicmap.review.coding import CodingStage
from logicmap.review.dedupe import DedupeStage
from logicmap.review.model import ModelStage
from logicmap.review.records import RecordsStage
from logicmap.review.screening import ScreeningStage
from logicmap.review.screening_session import project_rule
from logicmap.store.database import Store
from logicmap.store.screening import engine_settings, standing_decisions
from logicmap.synthesis import LogicModel, Study, build_model

#: The screening stage whose reviewers' agreement, recall curve and stopping the report states.
SCREENING_STAGE = "title_abstract"
#: Decisions that count as relevant on the recall curve.
RELEVANT = ("include", "maybe")


@dataclasses.dataclass(frozen=True)
class ReportBuild:
    """The included studies of a report (cited with their merged records) and the model built from them."""

    records: dict[int, Record]
    studies: list[Study]
    model: LogicModel


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

    def build(self) -> ReportBuild:
        """The slow part of :meth:`write`: the included studies cited with their merged records and the
        model built from them (a caller may keep it while ``review.model.build_version()`` stays)."""
        records = self._merged_included()
        studies = [_with_merged(s, records.get(int(s.id))) for s in self._model.studies()]
        return ReportBuild(records, studies, build_model(self._codebook.current(), studies,
                                                         role_model=self._model.role_model()))

    def write(self, out_dir: Path | str, *, built: ReportBuild | None = None) -> dict[str, Path]:
        """Write the whole report into ``out_dir`` (fixed file names); returns key -> path. ``built`` is
        :meth:`build` of the project as it stands, when the caller has kept one."""
        built = built if built is not None else self.build()
        records, studies, model = built.records, built.studies, built.model
        context = self._model.context(model=model) if self._model.saved_context() else None
        canonical = self._dedupe.canonical_ids()  # read once: a million-record project takes seconds
        counts = self.prisma(canonical=canonical)
        screening = self.screening(total=len(canonical))
        return render_report(
            out_dir, model=model, studies=studies, prisma=counts, prisma_csv=to_prisma2020_csv(counts),
            methods=self.methods(counts, screening, after_dedupe=len(canonical)), screening=screening,
            included_records=[records[int(s.id)] for s in studies],
            title=f"{self._store.setting('name') or 'Review'}: evidence-linked logic model", context=context,
        )

    def live_views(self, *, interactive: bool = True, figures: bool = True, prisma: bool = True,
                   model: LogicModel | None = None) -> dict[str, str]:
        """The report's views of the project as it stands, for the web app's model page: the
        interactive logic model (``logic_model_html``, one self-contained page; with ``interactive``),
        the evidence gap map (``gap_map_svg``; with ``figures``) and the PRISMA diagram (``prisma_svg``;
        with ``prisma``: it moves with every screening decision, the others only with the model, which
        is built only for them). ``model`` is the live model when the caller has just built it
        (``review.model.build()``)."""
        views = {}
        if interactive or figures:
            model = model if model is not None else self._model.build()
            if interactive:
                views["logic_model_html"] = logic_model_html(model, context=self._model.saved_context())
            if figures:
                views["gap_map_svg"] = gap_map_svg(model)
        if prisma:
            views["prisma_svg"] = prisma_svg(self.prisma())
        return views

    def prepare_charts(self) -> None:
        """Start the chart engine now (its first render takes seconds), as a web server does at start."""
        prepare_charts()

    def prisma(self, *, canonical: list[int] | None = None) -> PrismaCounts:
        """The PRISMA 2020 flow counts (sources named by database, else as other sources by file name).
        ``canonical``: ``review.dedupe.canonical_ids()`` when the caller has just read them."""
        canonical = self._dedupe.canonical_ids() if canonical is None else canonical
        title_abstract = self._screening.final(SCREENING_STAGE)
        return count_flow(
            [(s.database, s.file, s.records) for s in self._records.sources()],
            canonical,
            title_abstract,
            self._screening.final("full_text"),
            self._screening.reasons("full_text", "exclude"),
            automated=self._automated(canonical, title_abstract),
            conflicts=[c.record_id for c in self._screening.conflicts(SCREENING_STAGE)],
            included=self._screening.included(),
        )

    def screening(self, *, total: int | None = None) -> ScreeningFacts:
        """The most active title/abstract reviewer's labels in the order decided (1 include or maybe);
        ``total``: the records to screen, when the caller has just counted them."""
        total = len(self._dedupe.canonical_ids()) if total is None else total
        reviewers = self._screening.reviewers(SCREENING_STAGE)
        if not reviewers:
            return ScreeningFacts(total=total)
        decisions = standing_decisions(self._store, SCREENING_STAGE, reviewer=reviewers[0])
        latest = {d.record_id: d for d in decisions}  # a record decided again counts at its latest decision
        ordered = sorted(latest.values(), key=lambda d: d.id)
        stop = self._screening.stopped()
        return ScreeningFacts(tuple(int(d.decision in RELEVANT) for d in ordered), total, reviewers[0],
                              stop if stop and (stop.get("team") or stop.get("reviewer") == reviewers[0]) else None,
                              project_rule(self._store, records=total))

    def _automated(self, canonical: list[int], final: dict[int, str]) -> dict[int, str]:
        """Record -> the stopping rule that left it unscreened (every record of ``canonical`` without a
        ``final`` title/abstract decision, after a stop)."""
        stop = self._screening.stopped()
        if not stop:
            return {}
        left = [r for r in canonical if r not in final]
        return {r: rule_words(stop) for r in left}

    def methods(self, counts: PrismaCounts | None = None, screening: ScreeningFacts | None = None, *,
                after_dedupe: int | None = None) -> MethodsFacts:
        """What the methods section may say (``counts``, ``screening`` and ``after_dedupe``, the number
        of records after deduplication, are gathered when not given)."""
        counts = counts or self.prisma()
        screening = screening or self.screening()
        sources = search_sources((s.database or f"Other sources: {s.file}", s.search_date, s.records)
                                 for s in self._records.sources())
        model, rule = engine_settings(self._store)
        return MethodsFacts(
            sources=sources, **self._dedupe_facts(after_dedupe), **self._agreement_facts(),
            screening_model=model, stopping_rule=rule,
            records_screened=counts.records_screened, records_not_screened=counts.records_not_screened,
            stopping_statement=(automation_statement(screening.stop, counts.excluded_automatic)
                                if screening.stop and counts.excluded_automatic else stopping_outcome(screening)),
            codebook=self._codebook.current().name,
        )

    def _merged_included(self) -> dict[int, Record]:
        """Included record id -> its merged record (empty fields filled from its duplicates)."""
        return self._dedupe.merged(self._screening.included())

    def _dedupe_facts(self, after_dedupe: int | None) -> dict[str, object]:
        """The latest dedupe run's settings and outcome (nothing before the first run)."""
        run = self._dedupe.last_run()
        if run is None:
            return {}
        settings = (f"{dedupe_engine_name(run.engine)} (merge at score {run.merge_at}, "
                    f"manual review from {run.review_from})")
        return dict(dedupe_settings=settings, duplicates_removed=run.duplicates_removed,
                    records_after_dedupe=len(self._dedupe.canonical_ids()) if after_dedupe is None else after_dedupe)

    def _agreement_facts(self) -> dict[str, object]:
        """Cohen's kappa of the two most active title/abstract reviewers (nothing with fewer than two)."""
        reviewers = self._screening.reviewers(SCREENING_STAGE)
        if len(reviewers) < 2:
            return {}
        both = self._screening.agreement(reviewers[0], reviewers[1], SCREENING_STAGE)
        return dict(screening_agreement=both.kappa, screening_agreement_n=both.records)


#: Study fields a citation is made of, filled from the merged record when the study's own record lacks them.
CITATION_FIELDS = ("authors", "year", "journal", "doi")


def _with_merged(study: Study, merged: Record | None) -> Study:
    """``study`` with the citation fields its own record lacks taken from its merged record (its duplicates)."""
    if merged is None:
        return study
    fills = {name: getattr(merged, name) for name in CITATION_FIELDS
             if not getattr(study, name) and getattr(merged, name)}
    if "authors" in fills:
        fills["authors"] = tuple(fills["authors"])
    return dataclasses.replace(study, **fills) if fills else study
