"""``logicmap serve --projects DIR``: the real command serves every project of a folder on loopback;
``-p`` and ``--projects`` are one or the other, a missing folder is refused before listening."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner
from web_helpers import PASSWORD, csrf_in, free_port, template  # noqa: F401  (fixtures)

from logicmap.cli import app

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
