"""Full-text screening by keyboard in real headless Chromium: attach a PDF on the page and read its
text, i / e / m decide, u undoes the last decision (the record comes back), ? hides and shows the
keys; the decisions and the audit log follow, and the kept PDF downloads as an attachment.
Screenshots go to test-artifacts/web/.

Opt-in like the other browser tests: needs the playwright package and /usr/bin/chromium.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from web_helpers import ENGINE, PASSWORD, LiveServer, template  # noqa: F401  (fixtures)

from logicmap.api import Review
from tests.browser_support import (
    WEB_ARTIFACTS,
    keyboard_sign_in,
    needs_browser,
    press,
    shown,
    wait_full_text_ranked,
    watched_page,
)
from tests.support import make_pdf

pytestmark = needs_browser


@pytest.fixture
def fulltext_server(template, tmp_path):
    """A project with four records included at title/abstract, served; and their ids."""
    location = tmp_path / "review.db"
    shutil.copy(template, location)
    with Review.open(location) as review:
        up = review.dedupe.canonical_ids()[:4]
        for record in up:
            review.screening.decide(record, "include", reviewer="alice")
    with LiveServer(location) as live:
        yield live, up


def standing(location) -> list[tuple[int, str]]:
    with sqlite3.connect(location) as db:
        return db.execute("select record_id, decision from screening_decisions where stage = 'full_text' "
                          "and reviewer = 'bob' and undone_at is null order by id").fetchall()


def audit_actions(location) -> list[str]:
    with sqlite3.connect(location) as db:
        return [a for (a,) in db.execute("select action from audit_events where action like 'fulltext.%' "
                                         "order by id")]


def test_full_text_by_keyboard_with_a_pdf_and_undo(fulltext_server, browser):
    (server, up), errors = fulltext_server, []
    page = watched_page(browser, "bob", errors, height=1100)
    keyboard_sign_in(page, f"{server.url}/fulltext", "bob", PASSWORD)
    wait_full_text_ranked(page, server.url)
    page.reload()
    with Review.open(server.location) as review:
        order = review.fulltext.queue("bob", **ENGINE)
    first = shown(page)
    assert first == order[0] and sorted(order) == sorted(up)
    assert "0 of 4 records decided" in page.locator("#ft-progress").inner_text()

    pdf = make_pdf(["Methods: weekly peer support groups for twelve months.",
                    "Results: hope and social contact improved."])
    page.set_input_files("#fulltext-file", files=[{"name": "trial-report.pdf", "mimeType": "application/pdf",
                                                   "buffer": pdf}])
    page.click("#btn-attach")
    page.wait_for_selector("#fulltext-text")
    assert "hope and social contact improved" in page.locator("#fulltext-text").inner_text()
    assert "2 pages" in page.locator("#attached").inner_text()
    page.screenshot(path=str(WEB_ARTIFACTS / "30-fulltext-pdf-attached.png"), full_page=True)
    download = page.request.get(server.url + page.locator("#download-fulltext").get_attribute("href"))
    assert download.body() == pdf and download.headers["content-disposition"].startswith("attachment;")

    page.locator("body").click(position={"x": 5, "y": 5})  # focus off the file field: keys act again
    page.keyboard.press("?")
    assert page.locator("#keys-help").is_hidden()
    page.keyboard.press("?")
    assert page.locator("#keys-help").is_visible()

    press(page, "i")
    second = shown(page)
    assert second == order[1] and standing(server.location) == [(first, "include")]
    page.screenshot(path=str(WEB_ARTIFACTS / "31-fulltext-after-decision.png"), full_page=True)
    press(page, "e")  # excluded with the reason chosen in the list
    assert standing(server.location) == [(first, "include"), (second, "exclude")]
    assert "you: 2 decisions" in page.locator("#ft-progress").inner_text()
    press(page, "u")
    assert shown(page) == second and standing(server.location) == [(first, "include")]
    assert page.locator("#ft-undone").inner_text() == (f"Undone: your full-text decision on record {second} "
                                                       "(exclude) is withdrawn. Decide it again below.")
    assert "you: 1 decision," in page.locator("#ft-progress").inner_text()
    page.screenshot(path=str(WEB_ARTIFACTS / "32-fulltext-after-undo.png"), full_page=True)
    press(page, "m")
    assert standing(server.location) == [(first, "include"), (second, "maybe")]
    assert audit_actions(server.location) == ["fulltext.attach", "fulltext.decide", "fulltext.decide",
                                              "fulltext.undo", "fulltext.decide"]
    page.screenshot(path=str(WEB_ARTIFACTS / "33-fulltext-next.png"), full_page=True)
    assert errors == []
