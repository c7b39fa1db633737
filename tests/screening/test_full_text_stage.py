"""The full-text stage through the library: what is up for it, one reviewer's queue, decisions with
reasons, double submits stored once, and the PRISMA counts that follow (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from logicmap.api import DEFAULT_EXCLUSION_REASONS, Review, ScreeningError, TeamSettings
from logicmap.demo import DEMO_EXPORTS, demo_data_dir

TA, FT = "title_abstract", "full_text"


@pytest.fixture
def review(project_location):
    with Review.create(project_location) as review:
        for name in DEMO_EXPORTS:
            review.records.import_files([demo_data_dir() / name])
        review.dedupe.run()
        yield review


def test_full_text_queue_decisions_and_prisma(review, tmp_path):
    screening = review.screening
    units = review.dedupe.canonical_ids()[:5]
    reason = DEFAULT_EXCLUSION_REASONS[0]
    for unit, decision in zip(units, ["include", "include", "maybe", "exclude", "include"]):
        screening.decide(unit, decision, reviewer="ana", stage=TA, reason=reason if decision == "exclude" else None)
    up = [units[0], units[1], units[2], units[4]]
    assert screening.full_text_queue("ben") == sorted(up)

    first = screening.decide_full_text(units[0], "include", reviewer="ben")
    assert screening.decide_full_text(units[0], "include", reviewer="ben") == first  # a double submit: once
    full_reason = "full text not retrievable"
    excluded = screening.decide_full_text(units[1], "exclude", reviewer="ben", reason=full_reason)
    assert screening.decide_full_text(units[1], "exclude", reviewer="ben", reason=full_reason) == excluded
    assert len([d for d in screening.decision_log() if d.stage == FT]) == 2
    assert screening.full_text_queue("ben") == sorted([units[2], units[4]])
    assert screening.full_text_queue("cy") == sorted([units[2], units[4]])  # one reviewer per record
    screening.set_team_settings(TeamSettings(reviewers_per_record=2))
    assert screening.full_text_queue("cy") == sorted(up)  # dual: each record needs cy's decision too

    with pytest.raises(ScreeningError, match="not up for full-text"):
        screening.decide_full_text(units[3], "include", reviewer="ben")  # excluded at title/abstract
    with pytest.raises(ScreeningError, match="needs a reason"):
        screening.decide_full_text(units[4], "exclude", reviewer="ben")
    with pytest.raises(ScreeningError, match="unknown exclusion reason"):
        screening.decide_full_text(units[4], "exclude", reviewer="ben", reason="not a listed reason")
    assert screening.full_text_queue("ben") == sorted([units[2], units[4]])  # refused: nothing stored

    assert screening.final(FT) == {units[0]: "include", units[1]: "exclude"}
    prisma = review.report.prisma()
    assert prisma.reports_sought == len(up)
    assert prisma.reports_included == 1 and prisma.studies_included >= 1
    assert prisma.reports_not_retrieved + sum(prisma.reports_excluded.values()) == 1


def test_attached_full_text_is_read_back(review, tmp_path):
    unit = review.dedupe.canonical_ids()[0]
    assert review.coding.fulltext(unit) is None
    paper = tmp_path / "paper.txt"
    paper.write_text("Methods. Peer support workers met each participant weekly.\n", encoding="utf-8")
    review.coding.attach(unit, paper)
    attached = review.coding.fulltext(unit)
    assert attached.filename == "paper.txt" and attached.pages >= 1
    assert "Peer support workers" in attached.text
