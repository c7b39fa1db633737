"""PRISMA 2020 flow counts from plain inputs, and their PRISMA2020 CSV layout.

``count_flow`` takes what the earlier stages hold: the imported sources, the
deduplicated units (one record id per study), the final (reconciled) decisions per
screening stage, the reasons of the full-text exclusions, the records an automated
rule excluded (with the rule's name) and the studies the review synthesises.
``logicmap.api.Review.report.prisma()`` gathers them from a project.

The counts tell the truth about an unfinished review: records without a screening
decision are counted as not yet screened (never as excluded by automation, which
counts only records an automated rule excluded, by rule), records the reviewers
disagree on as screened and awaiting reconciliation, and reports sought but not yet
assessed as awaiting assessment.

``to_prisma2020_csv`` writes the counts in the CSV layout of the PRISMA2020 R package
(columns ``data,node,box,description,boxtext,tooltips,url,n``); that layout has no row
for records not yet screened, so the CSV leaves them out (its screened count is the
true one) and the report states them.
"""

from __future__ import annotations

from logicmap.safe_text import SafeCsvWriter
import io
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

NOT_RETRIEVED = "full text not retrievable"
#: The reason counted for a full-text exclusion given without one.
REASON_NOT_GIVEN = "reason not given"
#: How a source without a database name is listed (with its file name), apart from the databases.
OTHER_SOURCES = "Other sources"


@dataclass
class PrismaCounts:
    """The numbers of a PRISMA 2020 flow diagram (databases and registers arm).

    ``other_sources`` are files without a database name, by file name: they count among
    the records identified but are not databases. ``automation`` holds the records
    excluded by each automated rule, by the rule's name.
    """

    database_results: dict[str, int] = field(default_factory=dict)
    other_sources: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    automation: dict[str, int] = field(default_factory=dict)
    records_screened: int = 0
    records_not_screened: int = 0
    records_in_conflict: int = 0
    records_excluded: int = 0
    reports_sought: int = 0
    reports_not_retrieved: int = 0
    reports_assessed: int = 0
    reports_awaiting: int = 0
    reports_excluded: dict[str, int] = field(default_factory=dict)
    studies_included: int = 0
    reports_included: int = 0
    included_without_full_text: int = 0

    @property
    def records_identified(self) -> int:
        """All records identified from databases, registers and other sources."""
        return sum(self.database_results.values()) + sum(self.other_sources.values())

    @property
    def excluded_automatic(self) -> int:
        """Records marked as ineligible by automation tools (0 unless an automated rule excluded some)."""
        return sum(self.automation.values())

    def identified_lines(self) -> list[tuple[str, int]]:
        """``(label, records)`` per database, then per other source as "Other sources: FILE"."""
        return list(self.database_results.items()) + [
            (f"{OTHER_SOURCES}: {name}", n) for name, n in self.other_sources.items()]


def _summed(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    results: dict[str, int] = {}
    for name, records in pairs:
        results[name] = results.get(name, 0) + records
    return results


def database_results(sources: Iterable[tuple[str | None, str, int]]) -> tuple[dict[str, int], dict[str, int]]:
    """Records per database and per other source (file name, for a source without a database name).

    ``sources`` are ``(database name or None, file name, records)`` per imported file;
    files of the same database are summed, in first-seen order.
    """
    sources = list(sources)
    named = _summed((db, n) for db, _, n in sources if db)
    other = _summed((file, n) for db, file, n in sources if not db)
    return named, other


def _identification(counts: PrismaCounts, units: set[int], title_abstract: Mapping[int, str],
                    automated: Mapping[int, str], conflicts: Collection[int]) -> dict[int, str]:
    """Fill duplicates and title/abstract screening counts; returns the screened units' final decisions."""
    counts.duplicates = counts.records_identified - len(units)
    screening = {r: d for r, d in title_abstract.items() if r in units}
    conflicted = {r for r in conflicts if r in units and r not in screening}
    by_rule = {r: rule for r, rule in automated.items() if r in units and r not in screening and r not in conflicted}
    counts.automation = dict(sorted(Counter(by_rule.values()).items()))
    counts.records_screened = len(screening) + len(conflicted)
    counts.records_in_conflict = len(conflicted)
    counts.records_not_screened = len(units) - counts.records_screened - len(by_rule)
    counts.records_excluded = sum(d == "exclude" for d in screening.values())
    return screening


def _retrieval(counts: PrismaCounts, sought: set[int], full_text: Mapping[int, str],
               reasons: Mapping[int, str | None]) -> set[int]:
    """Fill the full-text counts of the reports sought for retrieval; returns the full-text includes."""
    assessed = {r: d for r, d in full_text.items() if r in sought}
    excluded = Counter(reasons[r] or REASON_NOT_GIVEN for r, d in assessed.items() if d == "exclude" and r in reasons)
    counts.reports_sought = len(sought)
    counts.reports_not_retrieved = excluded.pop(NOT_RETRIEVED, 0)
    counts.reports_assessed = len(assessed) - counts.reports_not_retrieved
    counts.reports_awaiting = len(sought) - len(assessed)
    counts.reports_excluded = dict(sorted(excluded.items()))
    return {r for r, d in assessed.items() if d == "include"}


def count_flow(sources: Iterable[tuple[str | None, str, int]], units: Iterable[int], title_abstract: Mapping[int, str],
               full_text: Mapping[int, str], full_text_reasons: Mapping[int, str | None], *,
               automated: Mapping[int, str] | None = None, conflicts: Collection[int] = (),
               included: Collection[int] | None = None) -> PrismaCounts:
    """Every PRISMA 2020 count.

    ``sources`` are ``(database name or None, file name, records)`` per imported file,
    ``units`` the record ids left after deduplication, ``title_abstract`` and
    ``full_text`` the final decisions (``include``, ``exclude``, ``maybe``) per record,
    ``full_text_reasons`` the reason of each record's standing full-text exclusion,
    ``automated`` the records an automated rule excluded (record -> the rule's name;
    a reviewer's own decision on a record stands over it), ``conflicts`` the records the
    reviewers disagree on, not yet reconciled (screened, with no final decision yet: they
    count as screened and in conflict, never as not screened). ``included`` are the studies
    the review synthesises (default: the full-text includes); those without a full-text
    include were included on title and abstract, and are counted as such.
    """
    named, other = database_results(sources)
    counts = PrismaCounts(database_results=named, other_sources=other)
    screening = _identification(counts, set(units), title_abstract, automated or {}, conflicts)
    sought = {r for r, d in screening.items() if d in ("include", "maybe")}
    full_text_includes = _retrieval(counts, sought, full_text, full_text_reasons)
    studies = full_text_includes if included is None else set(included)
    counts.studies_included = counts.reports_included = len(studies)
    counts.included_without_full_text = len(studies - full_text_includes)
    return counts


def _pairs(values: dict[str, int]) -> str:
    return "; ".join(f"{name}, {n}" for name, n in values.items())


def _identified(counts: PrismaCounts) -> str | int:
    """The records-identified cell: the total of one database, else "name, n" pairs (other sources named as such)."""
    if len(counts.database_results) == 1 and not counts.other_sources:
        return counts.records_identified
    return _pairs(dict(counts.identified_lines())) or 0


def to_prisma2020_csv(counts: PrismaCounts) -> str:
    """The counts in the PRISMA2020 R package's CSV layout (its ``PRISMA_data()`` reads it)."""
    rows = [
        ("database_results", "node7", "box2", "Records identified from: Databases", "Databases",
         _identified(counts)),
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
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"])
    for data, node, box, description, boxtext, n in rows:
        writer.writerow([data, node, box, description, boxtext, description, f"{data}.html", n])
    return out.getvalue()
