"""Web test helpers (not a conftest: the name would shadow tests/conftest.py): a real project served by
uvicorn on a free loopback port, users of every role; test modules import the fixtures they use."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from logicmap.api import Review
from logicmap.demo import CRITERIA, DEMO_EXPORTS, demo_data_dir
from logicmap.web import create_app

ENGINE = {"features": "tfidf", "classifier": "svm", "seed": 1, "criteria": CRITERIA}
PASSWORD = "correct horse battery"
#: user -> role (None: an account with no role in the project)
USERS = {"alice": "owner", "bob": "reviewer", "carol": "reviewer", "vic": "viewer", "nora": None}


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "template.db"
    with Review.create(path, name="Web test review") as review:
        for name in DEMO_EXPORTS:
            review.records.import_files([demo_data_dir() / name])
        review.dedupe.run()
        for user, role in USERS.items():
            review.accounts.add(user, PASSWORD, admin=role == "owner", role=role)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a thread; ``url`` is its base URL. ``service_options`` (default
    :data:`ENGINE`) and ``ready_wait`` go to :func:`~logicmap.web.create_app`."""

    def __init__(self, location, *, https: bool = False, service_options: dict | None = None,
                 ready_wait: float | None = None) -> None:
        self.location = location
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        waiting = {} if ready_wait is None else {"ready_wait": ready_wait}
        app = create_app(location, service_options=ENGINE if service_options is None else service_options, https=https,
                         **waiting)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def server(template, tmp_path_factory):
    location = tmp_path_factory.mktemp("served") / "review.db"
    shutil.copy(template, location)
    with LiveServer(location) as live:
        yield live


def login(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in as a browser does: fetch the form (its CSRF cookie and field), then post it."""
    form = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "csrf": csrf_in(form.text)})


def sign_in(server: LiveServer, name: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in as ``name`` (its ``csrf`` attribute holds the session's CSRF token)."""
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    response = login(client, name, password)
    assert response.status_code == 303, response.text
    client.csrf = client.get("/api/session").json()["csrf"]
    return client


def csrf_in(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def full_text_ranked(client: httpx.Client, timeout: float = 60) -> dict:
    """Poll ``/api/fulltext/next`` until the full-text order is ranked on the decisions made so far (a
    request never waits for the ranking, so a test that compares orders waits here); its answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get("/api/fulltext/next").json()
        if answer["ranking"] == "ranked":
            return answer
        assert time.monotonic() < deadline, f"the full-text order is still {answer['ranking']}"
        time.sleep(0.05)
