"""``logicmap serve --projects DIR|FILE``: the real command serves every project of a folder on
loopback; a list file names SQLite and PostgreSQL projects together; ``-p`` and ``--projects`` are
one or the other; a missing folder or a bad list is refused before listening."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_helpers import ENGINE, PASSWORD, csrf_in, free_port, template  # noqa: F401  (fixtures)

from logicmap.api import Review
from logicmap.cli import app
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from logicmap.web.projects import create_hub, listed_projects
from tests.support import PG_URL_VAR, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]


def test_one_project_or_a_folder(tmp_path):
    runner = CliRunner()
    neither = runner.invoke(app, ["serve"], env={"LOGICMAP_PROJECT": ""})
    assert neither.exit_code == 1 and "-p PROJECT, or a folder of projects with --projects" in neither.output
    both = runner.invoke(app, ["serve", "-p", str(tmp_path / "a.db"), "--projects", str(tmp_path)])
    assert both.exit_code == 1
    missing = runner.invoke(app, ["serve", "--projects", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_serve_projects_signs_in_and_lists_them(template, tmp_path):
    shutil.copy(template, tmp_path / "first.db")
    shutil.copy(template, tmp_path / "second.db")
    (tmp_path / "notes.txt").write_text("not a project")
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    server = subprocess.Popen([sys.executable, "-m", "logicmap.cli", "serve", "--projects", str(tmp_path),
                               "--port", str(port), "--features", "tfidf", "--classifier", "svm"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        deadline = time.monotonic() + 120
        while True:
            try:
                health = client.get("/healthz").json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, server.stderr.read().decode()
                time.sleep(0.3)
        assert health == {"ok": True, "projects": 2}
        form = client.get("/login").text
        client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": csrf_in(form)})
        page = client.get("/projects").text
        assert 'data-project="first"' in page and 'data-project="second"' in page
        assert client.get("/screen?project=second").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_bad_project_list_is_refused_before_listening(tmp_path):
    listing = tmp_path / "projects.txt"
    listing.write_text("# our reviews\nalpha /somewhere/alpha.db\nBad Name here\n")
    answer = CliRunner().invoke(app, ["serve", "--projects", str(listing)])
    assert answer.exit_code == 1 and "projects.txt, line 3" in answer.output and "Traceback" not in answer.output


@pytest.mark.postgres
def test_a_list_serves_sqlite_and_postgresql_projects_together(template, tmp_path):
    if not os.environ.get(PG_URL_VAR):
        pytest.skip(f"PostgreSQL variant needs {PG_URL_VAR} (set by .ci/run)")
    url, drop = fresh_postgres_database()
    try:
        with Review.create(url, name="Team review on PostgreSQL") as review:
            review.records.import_files([demo_data_dir() / next(iter(DEMO_EXPORTS))])
            review.accounts.add("alice", PASSWORD, role="reviewer")
        shutil.copy(template, tmp_path / "local.db")
        listing = tmp_path / "projects.txt"
        listing.write_text(f"local {tmp_path / 'local.db'}\nteam {url}\n")
        hub = create_hub(listed_projects(listing), service_options=ENGINE)
        with TestClient(hub, base_url="http://127.0.0.1") as client:
            form = client.get("/login").text
            client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": csrf_in(form)})
            page = client.get("/projects").text
            assert 'data-project="local"' in page and 'data-project="team"' in page
            assert "Team review on PostgreSQL" in page
            team = {"X-Logicmap-Project": "team"}
            csrf = client.get("/api/session", headers=team).json()["csrf"]
            record = client.get("/api/screening/next", headers=team).json()["record"]["record_id"]
            decided = client.post("/api/screening/decide", json={"record_id": record, "decision": "include"},
                                  headers={**team, "X-CSRF-Token": csrf})
            assert decided.status_code == 200
        with Review.open(url) as review:
            assert review.screening.decisions_of("alice") == {record: "include"}
        with Review.open(tmp_path / "local.db") as review:
            assert review.screening.decisions_of("alice") == {}
    finally:
        drop()
