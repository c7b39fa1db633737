"""PRISMA 2020 counts of a real project, of plain inputs, and the PRISMA2020 CSV layout."""

from __future__ import annotations

import csv
import io

import pytest

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.report.prisma import NOT_RETRIEVED, count_flow, to_prisma2020_csv


@pytest.fixture
def review(tmp_path):
    with Review.create(tmp_path / "p.db") as review:
        for name, database in DEMO_EXPORTS.items():
            review.records.import_files([demo_data_dir() / name], database=database)
        review.dedupe.run()
        yield review


def test_counts_follow_decisions(review):
    units = review.dedupe.canonical_ids()
    reason = review.screening.exclusion_reasons()[1]
    for unit in units[:10]:
        review.screening.decide(unit, "exclude", reviewer="a", stage="title_abstract", reason=reason)
    for unit in units[10:16]:
        review.screening.decide(unit, "include", reviewer="a", stage="title_abstract")
    review.screening.decide(units[10], "exclude", reviewer="a", stage="full_text", reason=NOT_RETRIEVED)
    review.screening.decide(units[11], "exclude", reviewer="a", stage="full_text", reason=reason)
    for unit in units[12:16]:
        review.screening.decide(unit, "include", reviewer="a", stage="full_text")
    counts = review.report.prisma()
    assert counts.database_results == {"MEDLINE (Ovid)": 62, "APA PsycINFO": 50, "Scopus": 45}
    assert counts.duplicates == 157 - len(units)
    assert (counts.records_screened, counts.records_excluded, counts.excluded_automatic) == (16, 10, len(units) - 16)
    assert (counts.reports_sought, counts.reports_not_retrieved, counts.reports_assessed) == (6, 1, 5)
    assert counts.reports_excluded == {reason: 1}
    assert counts.studies_included == 4


def test_prisma2020_csv_layout(review):
    rows = list(csv.DictReader(io.StringIO(to_prisma2020_csv(review.report.prisma()))))
    assert list(rows[0]) == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    by_data = {row["data"]: row["n"] for row in rows}
    assert by_data["database_results"] == "MEDLINE (Ovid), 62; APA PsycINFO, 50; Scopus, 45"
    assert int(by_data["duplicates"]) == 157 - len(review.dedupe.canonical_ids())
    assert by_data["records_screened"] == "0" and by_data["dbr_excluded"] == "0"


def test_count_flow_from_plain_inputs():
    sources = [("MEDLINE", 5), ("Scopus", 4), ("MEDLINE", 1)]
    title_abstract = {1: "exclude", 2: "include", 3: "maybe", 4: "include", 5: "include", 99: "include"}
    full_text = {2: "include", 3: "exclude", 4: "exclude", 5: "exclude", 6: "include"}
    reasons = {3: NOT_RETRIEVED, 4: None, 5: "wrong population", 6: "ignored: not sought"}
    counts = count_flow(sources, [1, 2, 3, 4, 5, 6, 7], title_abstract, full_text, reasons)
    assert counts.database_results == {"MEDLINE": 6, "Scopus": 4} and counts.records_identified == 10
    assert (counts.duplicates, counts.excluded_automatic, counts.records_screened, counts.records_excluded) == (3, 2, 5, 1)
    assert (counts.reports_sought, counts.reports_not_retrieved, counts.reports_assessed) == (4, 1, 3)
    assert counts.reports_excluded == {"reason not given": 1, "wrong population": 1}
    assert counts.studies_included == counts.reports_included == 1


def test_count_flow_of_an_empty_project():
    counts = count_flow([], [], {}, {}, {})
    assert counts.records_identified == counts.duplicates == counts.excluded_automatic == counts.studies_included == 0
