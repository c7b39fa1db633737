"""PRISMA 2020 flow counts from plain inputs, and their PRISMA2020 CSV layout.

``count_flow`` takes what the earlier stages hold: the imported sources' record
counts, the deduplicated units (one record id per study), the final (reconciled)
decisions per screening stage and the reasons of the full-text exclusions.
``logicmap.api.Review.report.prisma()`` gathers them from a project.
``to_prisma2020_csv`` writes the counts in the CSV layout of the PRISMA2020 R package
(columns ``data,node,box,description,boxtext,tooltips,url,n``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

NOT_RETRIEVED = "full text not retrievable"
#: The reason counted for a full-text exclusion given without one.
REASON_NOT_GIVEN = "reason not given"


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


def database_results(sources: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Records per database, summed over the sources of the same name, in first-seen order."""
    results: dict[str, int] = {}
    for name, records in sources:
        results[name] = results.get(name, 0) + records
    return results


def _identification(counts: PrismaCounts, units: set[int], title_abstract: Mapping[int, str]) -> dict[int, str]:
    """Fill duplicates and title/abstract screening counts; returns the screened units' decisions."""
    counts.duplicates = counts.records_identified - len(units)
    screening = {r: d for r, d in title_abstract.items() if r in units}
    counts.excluded_automatic = len(units) - len(screening) if screening else 0
    counts.records_screened = len(screening)
    counts.records_excluded = sum(d == "exclude" for d in screening.values())
    return screening


def _retrieval(counts: PrismaCounts, sought: set[int], full_text: Mapping[int, str],
               reasons: Mapping[int, str | None]) -> None:
    """Fill the full-text counts of the reports sought for retrieval."""
    assessed = {r: d for r, d in full_text.items() if r in sought}
    excluded = Counter(reasons[r] or REASON_NOT_GIVEN for r, d in assessed.items() if d == "exclude" and r in reasons)
    counts.reports_sought = len(sought)
    counts.reports_not_retrieved = excluded.pop(NOT_RETRIEVED, 0)
    counts.reports_assessed = len(assessed) - counts.reports_not_retrieved
    counts.reports_excluded = dict(sorted(excluded.items()))
    counts.studies_included = counts.reports_included = sum(d == "include" for d in assessed.values())


def count_flow(sources: Iterable[tuple[str, int]], units: Iterable[int], title_abstract: Mapping[int, str],
               full_text: Mapping[int, str], full_text_reasons: Mapping[int, str | None]) -> PrismaCounts:
    """Every PRISMA 2020 count.

    ``sources`` are ``(database name, records)`` pairs, ``units`` the record ids left
    after deduplication, ``title_abstract`` and ``full_text`` the final decisions
    (``include``, ``exclude``, ``maybe``) per record, ``full_text_reasons`` the reason
    of each record's standing full-text exclusion.
    """
    counts = PrismaCounts(database_results=database_results(sources))
    screening = _identification(counts, set(units), title_abstract)
    sought = {r for r, d in screening.items() if d in ("include", "maybe")}
    _retrieval(counts, sought, full_text, full_text_reasons)
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
