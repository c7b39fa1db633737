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
    assert counts.other_sources == {} and counts.duplicates == 157 - len(units)
    assert (counts.records_screened, counts.records_excluded, counts.excluded_automatic) == (16, 10, 0)
    assert counts.records_not_screened == len(units) - 16
    assert (counts.reports_sought, counts.reports_not_retrieved, counts.reports_assessed) == (6, 1, 5)
    assert counts.reports_excluded == {reason: 1} and counts.reports_awaiting == 0
    assert counts.studies_included == 4 == len(review.screening.included())


def test_prisma2020_csv_layout(review):
    rows = list(csv.DictReader(io.StringIO(to_prisma2020_csv(review.report.prisma()))))
    assert list(rows[0]) == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    by_data = {row["data"]: row["n"] for row in rows}
    assert by_data["database_results"] == "MEDLINE (Ovid), 62; APA PsycINFO, 50; Scopus, 45"
    assert int(by_data["duplicates"]) == 157 - len(review.dedupe.canonical_ids())
    assert by_data["records_screened"] == "0" and by_data["dbr_excluded"] == "0"


def test_count_flow_from_plain_inputs():
    sources = [("MEDLINE", "a.ris", 5), ("Scopus", "b.csv", 4), ("MEDLINE", "c.ris", 1), (None, "mine.ris", 2)]
    title_abstract = {1: "exclude", 2: "include", 3: "maybe", 4: "include", 5: "include", 99: "include"}
    full_text = {2: "include", 3: "exclude", 4: "exclude", 5: "exclude", 6: "include"}
    reasons = {3: NOT_RETRIEVED, 4: None, 5: "wrong population", 6: "ignored: not sought"}
    counts = count_flow(sources, [1, 2, 3, 4, 5, 6, 7, 8], title_abstract, full_text, reasons)
    assert counts.database_results == {"MEDLINE": 6, "Scopus": 4} and counts.other_sources == {"mine.ris": 2}
    assert counts.records_identified == 12 and counts.identified_lines()[-1] == ("Other sources: mine.ris", 2)
    assert (counts.duplicates, counts.excluded_automatic, counts.records_screened, counts.records_excluded) == (4, 0, 5, 1)
    assert counts.records_not_screened == 3  # 6, 7 and 8: no decision is not an automated exclusion
    assert (counts.reports_sought, counts.reports_not_retrieved, counts.reports_assessed) == (4, 1, 3)
    assert counts.reports_excluded == {"reason not given": 1, "wrong population": 1}
    assert counts.studies_included == counts.reports_included == 1 and counts.included_without_full_text == 0


def test_automation_counts_only_records_a_named_rule_excluded():
    automated = {7: "stopping rule: recall >= 95%", 8: "stopping rule: recall >= 95%", 1: "stopping rule: recall >= 95%"}
    counts = count_flow([("MEDLINE", "a.ris", 8)], range(1, 9), {1: "exclude", 2: "include"}, {}, {},
                        automated=automated)
    assert counts.automation == {"stopping rule: recall >= 95%": 2}  # record 1 has a reviewer's decision
    assert (counts.excluded_automatic, counts.records_screened, counts.records_not_screened) == (2, 2, 4)
    rows = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(to_prisma2020_csv(counts)))}
    assert rows["excluded_automatic"] == "2" and rows["database_results"] == "8"


def test_included_without_full_text_are_counted_as_such():
    counts = count_flow([("MEDLINE", "a.ris", 3)], [1, 2, 3], {1: "include", 2: "exclude"}, {}, {}, included=[1])
    assert (counts.studies_included, counts.included_without_full_text) == (1, 1)
    assert (counts.reports_sought, counts.reports_assessed, counts.reports_awaiting) == (1, 0, 1)


def test_count_flow_of_an_empty_project():
    counts = count_flow([], [], {}, {}, {})
    assert counts.records_identified == counts.duplicates == counts.excluded_automatic == counts.studies_included == 0
