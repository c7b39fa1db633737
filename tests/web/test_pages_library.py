"""What the web pages add to the library, on SQLite and PostgreSQL: source details, merges, the
decision log, invitations and the live report views."""

from __future__ import annotations

import pytest

from logicmap.api import AccountError, ImportRefused, NotFoundError, Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir


def test_the_page_library_calls_on_every_backend(project_location):
    with Review.create(project_location, name="Pages") as review:
        for name in DEMO_EXPORTS:
            review.records.import_files([demo_data_dir() / name])
        review.dedupe.run()

        first = review.records.sources()[0]
        edited = review.records.edit_source(first.id, database=" Ovid MEDLINE ", search_date="2026-02-01")
        assert (edited.database, edited.search_date) == ("Ovid MEDLINE", "2026-02-01")
        assert review.records.sources()[0].database == "Ovid MEDLINE"
        assert review.records.edit_source(first.id, database="", search_date="").database is None
        with pytest.raises(NotFoundError, match="no source 999"):
            review.records.edit_source(999, database="x", search_date="")
        with pytest.raises(ImportRefused, match="200 characters"):
            review.records.edit_source(first.id, database="x" * 201, search_date="")

        merges = review.dedupe.merges()
        assert merges and all(head in members and len(members) >= 2 for _, head, members in merges)
        assert [cid for cid, _, _ in merges] == sorted(cid for cid, _, _ in merges)
        review.dedupe.undo(merges[0][0], reviewer="ana")
        assert merges[0][0] not in {cid for cid, _, _ in review.dedupe.merges()}

        review.screening.decide(merges[1][1], "include", reviewer="ana")
        review.screening.decide(merges[2][1], "exclude", reviewer="ben", reason=review.screening.exclusion_reasons()[0])
        log = review.screening.decision_log()
        assert [(d.reviewer, d.decision) for d in log] == [("ana", "include"), ("ben", "exclude")]

        token = review.accounts.invite("viewer", by="ana")
        assert review.accounts.invitation(token) == "viewer" and review.accounts.invitation("nope") is None
        made = review.accounts.accept(token, "cleo", "a long password")
        assert made.role == "viewer" and review.accounts.invitation(token) is None
        with pytest.raises(AccountError, match="unknown, used or expired"):
            review.accounts.accept(token, "cleo2", "a long password")
        with pytest.raises(AccountError, match="unknown role"):
            review.accounts.invite("god", by="ana")

        views = review.report.live_views()
        assert views["logic_model_html"].lstrip().lower().startswith("<!doctype html")
        assert "<svg" in views["prisma_svg"] and "<svg" in views["gap_map_svg"]
