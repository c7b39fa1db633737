"""Screening prepared on its own thread: a server whose project is still embedding its titles and
abstracts answers at once; its screening pages say how far the preparation has got (the API: 503
with Retry-After), its other pages work, and screening starts by itself once it is ready. A failed
preparation is said in words, never a traceback. Real project, real encoder, real HTTP server."""

from __future__ import annotations

import shutil

import httpx
import pytest
from gate import Gate, poll
from web_helpers import LiveServer, sign_in, template  # noqa: F401  (fixtures)

from logicmap.api import Review, ScreeningError

#: The default engine (sentence embeddings, which report progress) with the test engine's seed.
AUTO = {"seed": 1}


@pytest.fixture
def project(template, tmp_path):
    location = tmp_path / "review.db"
    shutil.copy(template, location)
    return location


def ready(client: httpx.Client) -> httpx.Response:
    """Poll the preparing page's status until it answers that screening is ready (HX-Refresh)."""
    return poll(client, "/screen/preparing", lambda answer: answer.headers.get("HX-Refresh") == "true")


def test_the_team_service_is_prepared_on_its_own_thread(project):
    gate = Gate()
    with Review.open(project) as review, review.screening.team(progress=gate, **AUTO) as team:
        records = len(review.screening.candidates())
        team.open_in_background()
        gate.reached()
        assert not team.wait_open(0.2)
        state, to_embed = team.preparing(), gate.reports[0][1]
        assert 0 < to_embed <= records  # each distinct text once
        assert (state.embedded, state.to_embed, state.failed) == (0, to_embed, None)
        assert f"0 of {to_embed:,} titles and abstracts embedded" in state.words()
        gate.open()
        assert team.wait_open(120)
        assert team.preparing() is None
        assert team.next("bob") is not None
        assert gate.reports[-1] == (to_embed, to_embed)


def test_a_stage_opened_on_request_is_not_reported_as_preparing(project):
    with Review.open(project) as review, review.screening.team(features="tfidf", classifier="svm", seed=1) as team:
        assert team.preparing() is None  # nothing started in the background
        team.open()
        assert team.preparing() is None and team.next("bob") is not None


def test_a_server_answers_while_screening_is_prepared_and_screens_once_ready(project):
    gate = Gate()
    with LiveServer(project, service_options={**AUTO, "progress": gate}, ready_wait=0) as server:
        bob = sign_in(server, "bob")
        gate.reached()
        page = bob.get("/screen")
        assert page.status_code == 200 and "Preparing screening" in page.text
        assert "titles and abstracts embedded so far" in page.text and 'id="preparing-progress"' in page.text
        api = bob.get("/api/screening/next")
        assert api.status_code == 503 and api.headers["Retry-After"] == "3"
        assert "Screening is being prepared" in api.json()["detail"]
        overview = bob.get("/")
        assert overview.status_code == 200 and 'id="overview-preparing"' in overview.text
        assert bob.get("/dedupe").status_code == 200
        assert bob.get("/api/screening/settings").status_code == 200  # settings need no ranking
        status = bob.get("/screen/preparing")
        assert status.status_code == 200 and 'hx-trigger="every 3s"' in status.text
        gate.open()
        ready(bob)
        page = bob.get("/screen")
        assert 'id="card"' in page.text and "Preparing screening" not in page.text
        assert 'id="overview-preparing"' not in bob.get("/").text
        assert bob.get("/api/screening/next").json()["record"] is not None


def test_a_failed_preparation_is_said_in_words(project):
    def refuse(done: int, total: int) -> None:
        raise ScreeningError("the sentence model's files are unreadable")

    with LiveServer(project, service_options={**AUTO, "progress": refuse}, ready_wait=30) as server:
        bob = sign_in(server, "bob")
        page = bob.get("/screen")
        assert "Screening could not be prepared" in page.text
        assert "Preparing screening failed: the sentence model&#39;s files are unreadable" in page.text
        assert "hx-trigger" not in page.text and "Traceback" not in page.text
        api = bob.get("/api/screening/next")
        assert api.status_code == 503 and "Retry-After" not in api.headers
        assert api.json()["detail"].startswith("Preparing screening failed")
