"""The report and its methods facts built from a project store alone, including projects with nothing to show yet."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.report.narrative import methods_sections

FILES = ("index.html", "logic-model.svg", "logic-model.html", "logic-model.graphml", "logic-model.cyjs.json",
         "prisma.svg", "prisma.csv", "gap-map.svg", "evidence.csv", "included.ris")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_project_without_included_studies_says_so(tmp_path):
    with Review.create(tmp_path / "p.db") as review:
        review.records.import_files([demo_data_dir() / "medline-ovid.ris"])
        files = review.report.write(tmp_path / "report")
    assert all((tmp_path / "report" / name).is_file() for name in FILES)
    page = _text(files["index"].read_text(encoding="utf-8")).lower()
    assert "no included studies" in page
    assert "62" in (tmp_path / "report" / "prisma.csv").read_text()


def test_codebook_missing_a_kind_is_reported(tmp_path):
    with Review.create(tmp_path / "p.db") as review:
        codebook = review.codebook.current()
        kept = tuple(c for c in codebook.codes if c.kind != "moderator")
        review.codebook.save(replace(codebook, codes=kept, links=tuple(
            link for link in codebook.links if link.source in {c.code for c in kept} and link.target in {c.code for c in kept}
        )), note="no moderators")
        files = review.report.write(tmp_path / "report")
    page = _text(files["index"].read_text(encoding="utf-8")).lower()
    assert "the codebook has no moderators" in page


def test_methods_facts_come_from_the_project(tmp_path):
    with Review.create(tmp_path / "p.db") as review:
        for name, database in DEMO_EXPORTS.items():
            review.records.import_files([demo_data_dir() / name], database=database)
        before = review.report.methods()
        summary = review.dedupe.run()
        units = review.dedupe.canonical_ids()
        reason = review.screening.exclusion_reasons()[0]
        for unit, a, b in zip(units, "iiieee", "iiiiee"):
            for reviewer, decision in (("a", a), ("b", b)):
                review.screening.decide(unit, "include" if decision == "i" else "exclude", reviewer=reviewer,
                                        reason=None if decision == "i" else reason)
        review.screening.decide(units[6], "include", reviewer="b")
        facts = review.report.methods()
        run = review.dedupe.last_run()
        codebook = review.codebook.current().name
    assert before.dedupe_settings is None and before.screening_agreement is None
    assert [(s.database, s.records) for s in facts.sources] == [
        ("MEDLINE (Ovid)", 62), ("APA PsycINFO", 50), ("Scopus", 45)]
    assert run.engine == "InProcessEngine"
    assert facts.dedupe_settings == (f"logicmap's in-process engine (merge at score {run.merge_at}, "
                                     f"manual review from {run.review_from})")
    assert facts.duplicates_removed == summary.duplicates_removed and facts.records_after_dedupe == len(units)
    assert facts.screening_agreement_n == 6 and facts.screening_agreement == pytest.approx(2 / 3)
    assert (facts.records_screened, facts.records_not_screened) == (7, len(units) - 7)  # one conflict among the 7
    assert facts.codebook == codebook


def _screen_two(tmp_path):
    """A real import of N records without duplicates, 2 of them screened (one included, one excluded)."""
    review = Review.create(tmp_path / "p.db")
    review.records.import_files([demo_data_dir() / "medline-ovid.ris"])
    assert review.dedupe.run().duplicates_removed == 0
    first, second = review.dedupe.canonical_ids()[:2]
    review.screening.decide(first, "include", reviewer="ana")
    review.screening.decide(second, "exclude", reviewer="ana", reason=review.screening.exclusion_reasons()[0])
    return review


def test_unfinished_screening_is_stated_not_counted_as_automation(tmp_path):
    with _screen_two(tmp_path) as review:
        n = review.records.count()
        files = review.report.write(tmp_path / "report")
        methods = dict(methods_sections(review.report.methods()))
    rows = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(files["prisma_csv"].read_text()))}
    assert n == 62 and rows["excluded_automatic"] == "0" and rows["records_screened"] == "2"
    page = _text(files["index"].read_text(encoding="utf-8"))
    assert f"{n - 2} records not yet screened" in page  # "60 records not yet screened"
    assert page.index(f"{n - 2} records not yet screened") < page.index("Contents")  # stated first, under the title
    assert "Records not yet screened (n = 60)" in _text(files["prisma_svg"].read_text(encoding="utf-8"))
    assert "Records screened: 2 (60 not yet screened)." in methods["Screening"]
    assert "2 of 62 records were screened on title and abstract (1 relevant record found); 60 records not yet" in page


def test_header_and_prisma_agree_and_sources_are_never_file_names_posing_as_databases(tmp_path):
    with _screen_two(tmp_path) as review:
        files = review.report.write(tmp_path / "report")
        counts = review.report.prisma()
    lead = re.search(r'<p class="lead">(.*?)</p>', files["index"].read_text(encoding="utf-8")).group(1)
    assert counts.studies_included == counts.included_without_full_text == 1
    assert lead.startswith("1 included study;")
    assert "Studies included in review (n = 1)" in _text(files["prisma_svg"].read_text(encoding="utf-8"))
    assert counts.database_results == {} and counts.other_sources == {"medline-ovid.ris": 62}
    rows = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(files["prisma_csv"].read_text()))}
    assert rows["database_results"] == "Other sources: medline-ovid.ris, 62"
    assert "Other sources: medline-ovid.ris (n = 62)" in _text(files["prisma_svg"].read_text(encoding="utf-8"))


RIS_WITHOUT_YEAR = (
    "TY  - JOUR\nID  - full\nTI  - Peer support and personal recovery in community mental health teams\n"
    "AU  - Cook, Judith A.\nAU  - Burke-Miller, Jane\nJO  - Psychiatric Services\nDO  - 10.1176/appi.ps.2011001\n"
    "AB  - Participants in peer support reported greater hope and empowerment than those in usual care.\nER  - \n"
)
RIS_WITH_YEAR = (
    "TY  - JOUR\nID  - short\nTI  - Peer support and personal recovery in community mental health teams\n"
    "AU  - Cook, J.\nPY  - 2012\nDO  - 10.1176/appi.ps.2011001\nER  - \n"
)


def test_citation_year_comes_from_a_duplicate_when_the_canonical_record_has_none(tmp_path):
    (tmp_path / "a.ris").write_text(RIS_WITHOUT_YEAR)
    (tmp_path / "b.ris").write_text(RIS_WITH_YEAR)
    with Review.create(tmp_path / "p.db") as review:
        review.records.import_files([tmp_path / "a.ris", tmp_path / "b.ris"], database=["Embase", "PubMed"])
        review.dedupe.run()
        (unit,) = review.dedupe.canonical_ids()
        assert review.records.get(unit).year is None  # the canonical record (with the abstract) has no year
        review.screening.decide(unit, "include", reviewer="ana")
        files = review.report.write(tmp_path / "report")
    page = _text(files["index"].read_text(encoding="utf-8"))
    assert "Cook &amp; Burke-Miller 2012" in page and "n.d." not in page
    assert "PY  - 2012" in files["ris"].read_text(encoding="utf-8")
