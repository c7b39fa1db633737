"""The project's stopping rule takes a random sample: in real headless Chromium the screening page asks
for the sample's records first, labelled, shows the rule's decision, reason and estimate, and only the
owner gets the "stop screening" button; the stop is recorded and the report states it.
Screenshots go to test-artifacts/web/.

Opt-in like the other browser tests: needs the playwright package and /usr/bin/chromium.
"""

from __future__ import annotations

import re
import shutil

import pytest
from web_helpers import PASSWORD, LiveServer, sign_in, template  # noqa: F401  (fixtures)

from logicmap.api import Review
from logicmap.demo import demo_data_dir
from logicmap.demo.simulated import corpus_id, corpus_labels
from tests.browser_support import WEB_ARTIFACTS, keyboard_sign_in, needs_browser, press, watched_page

pytestmark = needs_browser


@pytest.fixture
def sampled_server(template, tmp_path):
    """A project whose stopping rule is QBCB at 60% recall and 60% confidence (a 10% random sample), and
    the demo corpus's labels of its records (record id -> relevant)."""
    location = tmp_path / "review.db"
    shutil.copy(template, location)
    labels = corpus_labels(demo_data_dir() / "corpus.jsonl")
    with Review.open(location) as review:
        review.screening.choose_stopping_rule("qbcb", 0.6, 0.6)
        truth = {r: bool(labels[corpus_id(review, r)]["include"]) for r in review.screening.candidates()}
    with LiveServer(location) as live:
        yield live, truth


def signed_in_page(browser, server, name: str, errors: list[str]):
    page = watched_page(browser, name, errors, height=1000)
    keyboard_sign_in(page, f"{server.url}/screen", name, PASSWORD)
    return page


def test_the_sample_comes_first_labelled_and_the_owner_stops_when_the_rule_fires(sampled_server, browser):
    (server, truth), errors = sampled_server, []

    def key(page) -> str:  # the reviewer follows the corpus's labels
        return "i" if truth[int(page.locator("#card").get_attribute("data-record"))] else "e"

    page = signed_in_page(browser, server, "alice", errors)
    sample_size = int(re.search(r"of (\d+) records screened", page.locator("#sample-progress").inner_text())[1])
    assert sample_size == -(-len(truth) // 10)  # 10% of the records, rounded up
    for i in range(sample_size):
        label = page.locator("#sample-label")
        assert label.count() == 1 and f"(record {i + 1} of {sample_size})" in label.inner_text()
        assert "Random sample for the stopping rule" in label.inner_text()
        if i == 1:
            page.screenshot(path=WEB_ARTIFACTS / "21-stopping-sample.png", full_page=True)
        press(page, key(page))
    assert page.locator("#sample-label").count() == 0  # ranked records now, unlabelled
    assert f"{sample_size} of {sample_size} records screened" in page.locator("#sample-progress").inner_text()
    ranked = 0
    while page.locator("#btn-stop").count() == 0:
        assert ranked < len(truth), page.locator("#estimate").inner_text()
        press(page, key(page))
        ranked += 1
        if page.locator("#btn-stop").count() == 0:
            page.wait_for_timeout(400)  # the rule is judged in the background: look again
            page.reload()
    estimate = page.locator("#estimate").inner_text()
    assert "Stopping rule qbcb_60_60: safe to stop" in estimate and "relevant records found by the ranking" in estimate
    assert re.search(r"estimated recall \d\.\d\d \[\d\.\d\d, \d\.\d\d\]", estimate)
    page.screenshot(path=WEB_ARTIFACTS / "22-stopping-rule-fired.png", full_page=True)

    reviewer = signed_in_page(browser, server, "bob", errors)
    assert reviewer.locator("#btn-stop").count() == 0  # a reviewer may not stop the team's screening
    assert reviewer.locator("#stop-owner").count() == 1
    bob = sign_in(server, "bob")
    refused = bob.post("/screen/stop", data={"csrf": bob.csrf})
    assert refused.status_code == 403
    assert bob.post("/api/screening/stop", headers={"X-CSRF-Token": bob.csrf}).status_code == 403
    shown = sign_in(server, "alice").get("/api/screening/progress").json()
    assert shown["sample_size"] == shown["sample_screened"] == sample_size and shown["can_stop"]
    with Review.open(server.location) as review:
        assert review.screening.stopped() is None  # refused: nothing changed

    page.locator("#btn-stop").click()
    page.wait_for_selector("#stopped")
    stopped = page.locator("#stopped").inner_text()
    assert "excluded by automation: " in stopped and "stopping rule qbcb_60_60 at estimated recall" in stopped
    assert page.locator("h1").inner_text() == "Screening stopped"
    page.screenshot(path=WEB_ARTIFACTS / "23-screening-stopped.png", full_page=True)
    with Review.open(server.location) as review:
        stop = review.screening.stopped()
        counts = review.report.prisma()
        methods = review.report.methods(counts)
    assert stop["rule"] == "qbcb_60_60" and stop["reviewer"] == "alice" and stop["team"]
    assert counts.excluded_automatic == stop["left"] > 0
    assert f"excluded by automation: {stop['left']}, stopping rule qbcb_60_60" in methods.stopping_statement
    assert not errors, errors
