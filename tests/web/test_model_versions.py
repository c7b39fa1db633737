"""The marks the web app caches by, on SQLite and PostgreSQL: a screening decision that leaves the
included studies as they were moves the project's version but not the model's (``build_version``)
nor the mark of the records to screen; an inclusion or a code moves the model's. The report
written from a kept build is the report written from scratch."""

from __future__ import annotations

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir


def _files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_screening_moves_the_model_version_only_when_inclusion_changes(project_location, tmp_path):
    with Review.create(project_location, name="Versions") as review:
        for name in DEMO_EXPORTS:
            review.records.import_files([demo_data_dir() / name])
        first, second, third, fourth = review.screening.candidates()[:4]
        review.screening.decide(first, "include", reviewer="ana")
        whole, model = review.model.version(), review.model.build_version()
        records, full_text = review.screening.candidates_mark(), review.screening.candidates_mark("full_text")
        assert review.model.build_version() == model  # nothing changed: the same marks

        review.screening.decide(second, "exclude", reviewer="ana")
        review.screening.decide(third, "maybe", reviewer="ben")
        assert review.model.version() != whole
        assert review.model.build_version() == model  # still one study included: the model stands
        assert review.screening.candidates_mark() == records  # the team service's recheck reads nothing
        assert review.screening.candidates_mark("full_text") != full_text  # "maybe" goes on to full text

        review.screening.decide(fourth, "include", reviewer="ben")
        assert review.model.build_version() != model  # a second study: the model is built again
        model = review.model.build_version()
        title = review.coding.texts(first)["title"]
        review.coding.add(first, "T03", reviewer="ana", quote=title[:10], target_code="M2")
        assert review.model.build_version() != model  # a code: built again

        review.report.write(tmp_path / "fresh")
        review.report.write(tmp_path / "kept", built=review.report.build())
        assert _files(tmp_path / "kept") == _files(tmp_path / "fresh")
