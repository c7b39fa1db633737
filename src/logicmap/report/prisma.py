"""PRISMA 2020 flow counts, every one taken from the project store.

Identification counts come from the imported sources, duplicates from the active
dedupe clusters, screening counts from the final (reconciled) decisions per stage.
``to_prisma2020_csv`` writes them in the CSV layout of the PRISMA2020 R package
(columns ``data,node,box,description,boxtext,tooltips,url,n``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from logicmap.store.dedupe import canonical_record_ids
from logicmap.screening.decisions import final_decisions
from logicmap.store.tables import ScreeningDecision, Source
from logicmap.store.database import Store

NOT_RETRIEVED = "full text not retrievable"


@dataclass
class PrismaCounts:
    """The numbers of a PRISMA 2020 flow diagram (databases and registers arm)."""

    database_results: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    excluded_automatic: int = 0
    records_screened: int = 0
    records_excluded: int = 0
    reports_sought: int = 0
    reports_not_retrieved: int = 0
    reports_assessed: int = 0
    reports_excluded: dict[str, int] = field(default_factory=dict)
    studies_included: int = 0
    reports_included: int = 0

    @property
    def records_identified(self) -> int:
        """All records identified from databases and registers."""
        return sum(self.database_results.values())


def _exclusion_reasons(project: Store, stage: str, records: set[int]) -> Counter[str]:
    """Reason counts of the final exclusions (the latest standing decision's reason)."""
    with project.session() as session:
        rows = session.scalars(
            select(ScreeningDecision)
            .where(ScreeningDecision.stage == stage, ScreeningDecision.undone_at.is_(None),
                   ScreeningDecision.decision == "exclude")
            .order_by(ScreeningDecision.id)
        ).all()
    reason_of = {row.record_id: row.reason or "reason not given" for row in rows if row.record_id in records}
    return Counter(reason_of.values())


def prisma_counts(project: Store) -> PrismaCounts:
    """Every PRISMA 2020 count from the store."""
    counts = PrismaCounts()
    with project.session() as session:
        for source in session.scalars(select(Source).order_by(Source.id)):
            name = source.database or source.name
            counts.database_results[name] = counts.database_results.get(name, 0) + source.record_count
    units = set(canonical_record_ids(project))
    counts.duplicates = counts.records_identified - len(units)
    screening = {r: d for r, d in final_decisions(project, "title_abstract").items() if r in units}
    undecided = len(units) - len(screening)
    counts.excluded_automatic = undecided if screening else 0
    counts.records_screened = len(screening)
    counts.records_excluded = sum(d == "exclude" for d in screening.values())
    sought = {r for r, d in screening.items() if d in ("include", "maybe")}
    counts.reports_sought = len(sought)
    full_text = {r: d for r, d in final_decisions(project, "full_text").items() if r in sought}
    excluded = {r for r, d in full_text.items() if d == "exclude"}
    reasons = _exclusion_reasons(project, "full_text", excluded)
    counts.reports_not_retrieved = reasons.pop(NOT_RETRIEVED, 0)
    counts.reports_assessed = len(full_text) - counts.reports_not_retrieved
    counts.reports_excluded = dict(sorted(reasons.items()))
    counts.studies_included = counts.reports_included = sum(d == "include" for d in full_text.values())
    return counts


def _pairs(values: dict[str, int]) -> str:
    return "; ".join(f"{name}, {n}" for name, n in values.items())


def to_prisma2020_csv(counts: PrismaCounts) -> str:
    """The counts in the PRISMA2020 R package's CSV layout (its ``PRISMA_data()`` reads it)."""
    rows = [
        ("database_results", "node7", "box2", "Records identified from: Databases", "Databases",
         _pairs(counts.database_results) if len(counts.database_results) > 1 else counts.records_identified),
        ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", 0),
        ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", counts.duplicates),
        ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
         "Records marked as ineligible by automation tools", counts.excluded_automatic),
        ("excluded_other", "NA", "box3", "Records removed for other reasons", "Records removed for other reasons", 0),
        ("records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened",
         counts.records_screened),
        ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded",
         counts.records_excluded),
        ("dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)",
         "Reports sought for retrieval", counts.reports_sought),
        ("dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)",
         "Reports not retrieved", counts.reports_not_retrieved),
        ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)",
         "Reports assessed for eligibility", counts.reports_assessed),
        ("dbr_excluded", "node14", "box9", "Reports excluded (databases and registers)", "Reports excluded",
         _pairs(counts.reports_excluded) or 0),
        ("new_studies", "node15", "box10", "New studies included in review", "New studies included in review",
         counts.studies_included),
        ("new_reports", "NA", "box10", "Reports of new included studies", "Reports of new included studies",
         counts.reports_included),
        ("total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review",
         counts.studies_included),
        ("total_reports", "NA", "box16", "Reports of total included studies", "Reports of total included studies",
         counts.reports_included),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"])
    for data, node, box, description, boxtext, n in rows:
        writer.writerow([data, node, box, description, boxtext, description, f"{data}.html", n])
    return out.getvalue()
