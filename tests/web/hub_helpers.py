"""A live server of several projects for the web tests: a folder with the web test project
(``alpha``: alice owner, bob and carol reviewers, vic viewer, nora no role) and a small second
project (``beta``: carol owner, dave reviewer), served by :func:`logicmap.web.projects.create_hub`."""

from __future__ import annotations

import shutil
import threading

import httpx
import pytest
import uvicorn
from web_helpers import ENGINE, PASSWORD, LiveServer, csrf_in, free_port

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.web.projects import create_hub

BETA_USERS = {"carol": "owner", "dave": "reviewer"}


class LiveHub(LiveServer):
    """uvicorn serving every project of ``folder`` in a thread."""

    def __init__(self, folder) -> None:  # noqa: D107  (LiveServer's start and stop are kept)
        self.folder = folder
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.app = create_hub(folder=folder, service_options=ENGINE)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)


@pytest.fixture(scope="module")
def hub(template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("projects")
    shutil.copy(template, folder / "alpha.db")
    with Review.create(folder / "beta.db", name="Beta review") as beta:
        beta.records.import_files([demo_data_dir() / next(iter(DEMO_EXPORTS))])
        for user, role in BETA_USERS.items():
            beta.accounts.add(user, PASSWORD, admin=role == "owner", role=role)
    with LiveHub(folder) as live:
        yield live


def hub_sign_in(hub: LiveHub, name: str, project: str | None = None) -> httpx.Client:
    """A client signed in to the hub as ``name`` (and with ``project`` chosen); ``csrf`` holds the
    chosen project's CSRF token (else the hub's, read from the project list)."""
    client = httpx.Client(base_url=hub.url, follow_redirects=False, timeout=60)
    form = client.get("/login")
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf_in(form.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/projects", answer.text
    if project is None:
        client.csrf = csrf_in(client.get("/projects").text)
    else:
        assert client.get(f"/projects/{project}").status_code == 303
        client.csrf = client.get("/api/session").json()["csrf"]
    return client
