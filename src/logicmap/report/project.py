"""Building the logic model and the report from a project store alone.

Everything here reads the store: included studies (final screening decisions),
their final codings and descriptors, the PRISMA counts, and the facts the
methods section is written from. Rebuilding the report needs nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from logicmap.coding.spans import CodedItem, EvidenceSpan
from logicmap.coding.codings import final_codings
from logicmap.store.codebook import current_codebook as project_codebook
from logicmap.store.coding import standing_codings
from logicmap.dedupe.pipeline import canonical_record_ids
from logicmap.errors import NotFoundError
from logicmap.report.narrative import MethodsFacts, SearchSource
from logicmap.report.prisma import prisma_counts, to_prisma2020_csv
from logicmap.report.render import render_report
from logicmap.screening.decisions import agreement, included_records
from logicmap.store.tables import Descriptor, DedupeRun, ModelSnapshot, RecordRow, ScreeningDecision, Source
from logicmap.store.database import Store
from logicmap.store.records import row_to_record
from logicmap.synthesis import CodedLink, LogicModel, ModelFilter, Study, build_model, snapshot

_DESCRIPTOR_FIELDS = ("design", "country", "setting", "population", "n")


def _descriptors(project: Store, ids: list[int]) -> dict[int, dict[str, object]]:
    found: dict[int, dict[str, object]] = defaultdict(dict)
    with project.session() as session:
        rows = session.scalars(select(Descriptor).where(Descriptor.record_id.in_(ids)).order_by(Descriptor.created_at))
        for row in rows:
            found[row.record_id][row.field] = row.value
    return found


def _n(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def included_studies(project: Store) -> list[Study]:
    """The included studies with their descriptors, final codes and coded links."""
    ids = included_records(project)
    codings = defaultdict(list)
    for row in final_codings(standing_codings(project)):
        codings[row.record_id].append(row)
    descriptors = _descriptors(project, ids)
    studies = []
    with project.session() as session:
        for record_id in ids:
            record = row_to_record(session.get(RecordRow, record_id))
            items, links = [], []
            for c in codings.get(record_id, []):
                span = EvidenceSpan(c.field, c.start, c.end, c.quote) if c.field else None
                if c.target_code:
                    links.append(CodedLink(str(record_id), c.code, c.target_code, span, c.direction, c.reviewer, c.note or ""))
                else:
                    items.append(CodedItem(str(record_id), c.code, c.reviewer, span, c.direction, c.note or ""))
            info = descriptors.get(record_id, {})
            studies.append(
                Study(
                    id=str(record_id), title=record.title or "", authors=tuple(record.authors), year=record.year,
                    journal=record.journal, doi=record.doi, design=info.get("design"), country=info.get("country"),
                    setting=info.get("setting"), population=info.get("population"), n=_n(info.get("n")),
                    items=tuple(items), links=tuple(links),
                )
            )
    return studies


def project_model(project: Store, filters: ModelFilter | None = None) -> LogicModel:
    """The logic model of the project's included, coded studies."""
    return build_model(project_codebook(project), included_studies(project), filters=filters)


def save_snapshot(project: Store, name: str, model: LogicModel) -> None:
    """Keep the model's current state under ``name`` (replacing one of the same name)."""
    with project.session() as session:
        existing = session.scalars(select(ModelSnapshot).where(ModelSnapshot.name == name)).first()
        if existing is not None:
            session.delete(existing)
            session.flush()
        session.add(ModelSnapshot(name=name, data=snapshot(model), created_at=datetime.now(UTC).replace(tzinfo=None)))


def load_snapshot(project: Store, name: str) -> dict:
    """A saved snapshot's data; raises NotFoundError naming the known snapshots."""
    with project.session() as session:
        row = session.scalars(select(ModelSnapshot).where(ModelSnapshot.name == name)).first()
        if row is None:
            known = ", ".join(session.scalars(select(ModelSnapshot.name))) or "none yet"
            raise NotFoundError(f"no snapshot {name!r} (saved: {known})")
        return row.data


def methods_facts(project: Store) -> MethodsFacts:
    """What the methods section may say, all read from the store."""
    with project.session() as session:
        sources = session.scalars(select(Source).order_by(Source.id)).all()
        run = session.scalars(select(DedupeRun).order_by(DedupeRun.id.desc())).first()
        reviewers = session.scalars(
            select(ScreeningDecision.reviewer).where(ScreeningDecision.stage == "title_abstract")
            .group_by(ScreeningDecision.reviewer).order_by(func.count().desc())
        ).all()
    by_db: dict[str, SearchSource] = {}
    for s in sources:
        name = s.database or s.name
        prior = by_db.get(name)
        by_db[name] = SearchSource(name, s.search_date, (prior.records if prior else 0) + s.record_count)
    facts = dict(sources=tuple(by_db.values()))
    if run is not None:
        facts.update(
            dedupe_settings=f"{run.engine} engine, merge at score {run.settings.get('merge_at')}, "
            f"manual review from {run.settings.get('review_from')}",
            duplicates_removed=run.duplicates_removed,
            records_after_dedupe=len(canonical_record_ids(project)),
        )
    if len(reviewers) >= 2:
        both = agreement(project, "title_abstract", reviewers[0], reviewers[1])
        facts.update(screening_agreement=both.kappa, screening_agreement_n=both.records)
    screening_model = project.setting("screening.model")
    stopping = project.setting("screening.stopping_rule")
    facts.update(screening_model=screening_model, stopping_rule=stopping,
                 codebook=project_codebook(project).name)
    return MethodsFacts(**facts)


def report_project(project: Store, out_dir: Path | str) -> dict[str, Path]:
    """Write the whole report of ``project`` into ``out_dir`` (fixed file names)."""
    studies = included_studies(project)
    model = build_model(project_codebook(project), studies)
    counts = prisma_counts(project)
    with project.session() as session:
        records = [row_to_record(session.get(RecordRow, int(s.id))) for s in studies]
    return render_report(
        out_dir, model=model, studies=studies, prisma=counts, prisma_csv=to_prisma2020_csv(counts),
        methods=methods_facts(project), included_records=records,
        title=f"{project.setting('name') or 'Review'}: evidence-linked logic model",
    )
