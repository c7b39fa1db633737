"""Screening while the sentence vectors are made: with more titles and abstracts to embed than
``interim_above``, a team's stage opens at once on TF-IDF alone, the team screens, and the project's
own engine takes over by itself once the vectors are made, trained on every decision made meanwhile.
The switch is recorded in the project and the report's methods name both engines. Real project, real
encoder, real HTTP server; the embedding is held at its first report by a gate."""

from __future__ import annotations

import shutil

import pytest
from gate import Gate, poll
from web_helpers import LiveServer, sign_in, template  # noqa: F401  (fixtures)

from logicmap.api import Review

#: The default engine (sentence embeddings) with the interim start at any text still to embed.
INTERIM = {"seed": 1, "interim_above": 0}
TFIDF_WORDS = "TF-IDF over word 1-2 grams, class-weighted linear SVM"  # the interim engine (word TF-IDF alone since stop 49)


@pytest.fixture
def project(template, tmp_path):
    location = tmp_path / "review.db"
    shutil.copy(template, location)
    return location


def decide(team, reviewer: str, count: int) -> list[int]:
    """``count`` decisions by ``reviewer`` on the records the team hands them (every third included)."""
    decided = []
    for i in range(count):
        record_id, rank = team.next(reviewer)
        team.decide(reviewer, record_id, "include" if i % 3 == 0 else "exclude", rank=rank)
        decided.append(record_id)
    return decided


def over(client):
    """Poll the screening page's interim line until it says the full model ranks (an empty line)."""
    return poll(client, "/screen/interim", lambda answer: "hidden" in answer.text)


def test_a_team_screens_on_tfidf_until_its_own_engine_takes_over(project):
    gate = Gate()
    with Review.open(project) as review, review.screening.team(progress=gate, **INTERIM) as team:
        team.open_in_background()
        assert team.wait_open(60)  # TF-IDF alone: ready without any vector
        gate.reached()
        interim, to_embed = team.interim(), gate.reports[0][1]
        assert (interim.embedded, interim.to_embed, interim.failed) == (0, to_embed, None)
        assert "ranked by TF-IDF alone for now: 0 of" in interim.words()
        assert not team.wait_engine(0.2)
        decided = decide(team, "bob", 5)
        assert review.report.methods().screening_model.startswith(TFIDF_WORDS)
        gate.open()
        assert team.wait_engine(120)
        assert team.interim() is None
        after = team.next("bob")
        assert after is not None and after[0] not in decided  # the five decisions were replayed
        assert team.progress("bob").mine == 5
        words = review.report.methods().screening_model
        assert words.startswith(TFIDF_WORDS + " with ASReview LAB's ELAS u4 settings (logicmap) for the first 5 "
                                "records screened, while the sentence embeddings were made, then ")
        assert words.endswith("(logicmap svm-asreview-agree)")


def test_without_decisions_before_the_switch_the_methods_name_one_engine(project):
    gate = Gate()
    with Review.open(project) as review, review.screening.team(progress=gate, **INTERIM) as team:
        team.open_in_background()
        gate.reached()
        gate.open()
        assert team.wait_engine(120)
        decide(team, "bob", 1)
        words = review.report.methods().screening_model
        assert "for the first" not in words and words.endswith("(logicmap svm-asreview-agree)")


def test_decisions_made_on_tfidf_are_named_after_a_restart_with_the_vectors_made(project):
    gate = Gate(limit=5)
    with Review.open(project) as review, review.screening.team(progress=gate, **INTERIM) as team:
        team.open_in_background()
        assert team.wait_open(60)
        decide(team, "bob", 3)
    with Review.open(project) as review:  # the vectors made on request, the interim start refused
        with review.screening.team(seed=1, interim_above=None) as team:
            team.open()
            assert team.interim() is None
            decide(team, "bob", 1)
        words = review.report.methods().screening_model
        assert "for the first 3 records screened, while the sentence embeddings were made" in words


def test_few_texts_to_embed_open_on_the_projects_own_engine(project):
    with Review.open(project) as review, review.screening.team(seed=1) as team:  # default: above 1,000 texts
        team.open()
        assert team.interim() is None and team.wait_engine(0)


def test_the_screening_page_says_the_ranking_is_interim_until_the_full_model_ranks(project):
    gate = Gate()
    with LiveServer(project, service_options={**INTERIM, "progress": gate}, ready_wait=60) as server:
        bob = sign_in(server, "bob")
        gate.reached()
        page = bob.get("/screen")
        assert 'id="card"' in page.text and 'id="interim-status"' in page.text
        assert "ranked by TF-IDF alone for now" in page.text and 'hx-trigger="every 10s"' in page.text
        record = page.text.split('name="record_id" value="')[1].split('"')[0]
        answer = bob.post("/screen/decide", data={"record_id": record, "decision": "exclude", "csrf": bob.csrf})
        assert answer.status_code == 303
        status = bob.get("/screen/interim")
        assert 'id="interim-progress"' in status.text
        assert "ranked by TF-IDF alone for now" in bob.get("/api/screening/progress").json()["interim"]
        assert 'id="overview-interim"' in bob.get("/").text
        gate.open()
        status = over(bob)
        assert status.status_code == 200 and "hx-trigger" not in status.text
        page = bob.get("/screen")
        assert "ranked by TF-IDF alone" not in page.text and 'id="card"' in page.text
        assert bob.get("/api/screening/progress").json()["interim"] is None
        assert 'id="overview-interim"' not in bob.get("/").text
