"""PRISMA 2020 counts from a real store, and the PRISMA2020 CSV layout."""

from __future__ import annotations

import csv
import io

import pytest

from logicmap.dedupe.pipeline import canonical_record_ids, run_dedupe
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.records.importer import import_files
from logicmap.report.prisma import NOT_RETRIEVED, prisma_counts, to_prisma2020_csv
from logicmap.screening.decisions import DEFAULT_EXCLUSION_REASONS, record_decision
from logicmap.store import create_store


@pytest.fixture
def project(tmp_path):
    with create_store(tmp_path / "p.db") as store:
        for name, database in DEMO_EXPORTS.items():
            import_files(store, [demo_data_dir() / name], database=database)
        run_dedupe(store)
        yield store


def test_counts_follow_decisions(project):
    units = canonical_record_ids(project)
    reason = DEFAULT_EXCLUSION_REASONS[1]
    for unit in units[:10]:
        record_decision(project, unit, reviewer="a", stage="title_abstract", decision="exclude", reason=reason)
    for unit in units[10:16]:
        record_decision(project, unit, reviewer="a", stage="title_abstract", decision="include")
    record_decision(project, units[10], reviewer="a", stage="full_text", decision="exclude", reason=NOT_RETRIEVED)
    record_decision(project, units[11], reviewer="a", stage="full_text", decision="exclude", reason=reason)
    for unit in units[12:16]:
        record_decision(project, unit, reviewer="a", stage="full_text", decision="include")
    counts = prisma_counts(project)
    assert counts.database_results == {"MEDLINE (Ovid)": 62, "APA PsycINFO": 50, "Scopus": 45}
    assert counts.duplicates == 157 - len(units)
    assert (counts.records_screened, counts.records_excluded, counts.excluded_automatic) == (16, 10, len(units) - 16)
    assert (counts.reports_sought, counts.reports_not_retrieved, counts.reports_assessed) == (6, 1, 5)
    assert counts.reports_excluded == {reason: 1}
    assert counts.studies_included == 4


def test_prisma2020_csv_layout(project):
    rows = list(csv.DictReader(io.StringIO(to_prisma2020_csv(prisma_counts(project)))))
    assert list(rows[0]) == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    by_data = {row["data"]: row["n"] for row in rows}
    assert by_data["database_results"] == "MEDLINE (Ovid), 62; APA PsycINFO, 50; Scopus, 45"
    assert int(by_data["duplicates"]) == 157 - len(canonical_record_ids(project))
    assert by_data["records_screened"] == "0" and by_data["dbr_excluded"] == "0"
