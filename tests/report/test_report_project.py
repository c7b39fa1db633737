"""The report and its methods facts built from a project store alone, including projects with nothing to show yet."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir

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
    assert facts.dedupe_settings == f"{run.engine} engine, merge at score {run.merge_at}, manual review from {run.review_from}"
    assert facts.duplicates_removed == summary.duplicates_removed and facts.records_after_dedupe == len(units)
    assert facts.screening_agreement_n == 6 and facts.screening_agreement == pytest.approx(2 / 3)
    assert facts.codebook == codebook
