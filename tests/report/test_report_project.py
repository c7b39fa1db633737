"""The report built from a project store alone, including projects with nothing to show yet."""

from __future__ import annotations

import re

from logicmap.store.codebook import current_codebook as project_codebook, save_codebook_version
from logicmap.demo import demo_data_dir
from logicmap.records.importer import import_files
from logicmap.report.project import report_project
from logicmap.store import create_store

FILES = ("index.html", "logic-model.svg", "logic-model.html", "logic-model.graphml", "logic-model.cyjs.json",
         "prisma.svg", "prisma.csv", "gap-map.svg", "evidence.csv", "included.ris")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_project_without_included_studies_says_so(tmp_path):
    with create_store(tmp_path / "p.db") as project:
        import_files(project, [demo_data_dir() / "medline-ovid.ris"])
        files = report_project(project, tmp_path / "report")
    assert all((tmp_path / "report" / name).is_file() for name in FILES)
    page = _text(files["index"].read_text(encoding="utf-8")).lower()
    assert "no included studies" in page
    assert "62" in (tmp_path / "report" / "prisma.csv").read_text()


def test_codebook_missing_a_kind_is_reported(tmp_path):
    from dataclasses import replace

    with create_store(tmp_path / "p.db") as project:
        codebook = project_codebook(project)
        kept = tuple(c for c in codebook.codes if c.kind != "moderator")
        save_codebook_version(project, replace(codebook, codes=kept, links=tuple(
            link for link in codebook.links if link.source in {c.code for c in kept} and link.target in {c.code for c in kept}
        )), "no moderators")
        files = report_project(project, tmp_path / "report")
    page = _text(files["index"].read_text(encoding="utf-8")).lower()
    assert "the codebook has no moderators" in page
