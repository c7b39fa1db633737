"""The report of a project store counts what the store holds and keeps its interactive page lazy.

A small project (the three demo exports, deduplicated, screened by two reviewers, coded with
quotes from the records' own abstracts) is written with the study-list threshold lowered to
two studies, as a map of 2,000+ studies is written (``benchmarks/report_scale.py`` times one of
a million records and 20,000 studies).
"""

from __future__ import annotations

import csv
import io
import re

import pytest

import logicmap.report.interactive as interactive
from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.report.study_parts import PART_DIR


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A deduplicated demo project: 12 records decided (8 included, 1 excluded at full text), 7 coded."""
    path = tmp_path_factory.mktemp("scale") / "p.db"
    with Review.create(path) as review:
        for name, database in DEMO_EXPORTS.items():
            review.records.import_files([demo_data_dir() / name], database=database)
        review.dedupe.run()
        units = [r for r in review.dedupe.canonical_ids() if len(review.records.get(r).abstract or "") > 200][:12]
        for i, unit in enumerate(units):
            review.screening.decide(unit, "include" if i < 8 else "exclude", reviewer="ana")
            if i % 3 == 0:
                review.screening.decide(unit, "include" if i < 8 else "exclude", reviewer="ben")
        reason = review.screening.exclusion_reasons()[0]
        review.screening.decide_full_text(units[7], "exclude", reviewer="ana", reason=reason)
        for unit in units[:7]:
            review.screening.decide_full_text(unit, "include", reviewer="ana")
            sentence = re.split(r"(?<=[.!?])\s+", review.records.get(unit).abstract.strip())[-1]
            review.coding.add(unit, "T01", reviewer="ana")
            review.coding.add(unit, "OE1", reviewer="ana", quote=sentence, direction="benefit")
    return path, units


def test_the_report_counts_what_the_store_holds_and_its_page_stays_lazy(project, tmp_path, monkeypatch):
    path, units = project
    monkeypatch.setattr(interactive, "LAZY_FROM", 2)
    with Review.open(path) as review:
        files = review.report.write(tmp_path / "report")
        records, canonical = review.records.count(), review.dedupe.canonical_ids()
        included = review.screening.included()
        titles = [review.records.get(r).title for r in included]
        facts = review.report.methods()
    counts = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(files["prisma_csv"].read_text()))}
    assert records == 157 and included == units[:7]
    assert counts["duplicates"] == str(records - len(canonical))
    assert (counts["records_screened"], counts["records_excluded"], counts["dbr_assessed"]) == ("12", "4", "8")
    assert counts["new_studies"] == "7"
    index = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", files["index"].read_text(encoding="utf-8")))
    assert f"{len(included)} included studies" in index
    assert f"{len(canonical) - 12} records not yet screened" in index
    assert facts.records_after_dedupe == len(canonical) and facts.records_screened == 12
    assert facts.records_not_screened == len(canonical) - 12
    page = files["logic_model_html"].read_text(encoding="utf-8")
    parts = sorted((tmp_path / "report" / PART_DIR).glob("*.js"))
    assert parts, "a lazy page writes its study lists as part files"
    assert not [t for t in titles if t[:60] in page]  # no study is listed in the page itself...
    joined = "".join(p.read_text(encoding="utf-8") for p in parts)
    assert all(t[:40].replace('"', '\\"') in joined for t in titles)  # ...each is in a part, loaded when opened
    assert len(files["ris"].read_text(encoding="utf-8").split("ER  -")) - 1 == len(included)
