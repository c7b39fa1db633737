"""`logicmap serve` says it is preparing, shows the embedding work, and says "Serving" only once ready."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from logicmap.api import Review
from logicmap.cli.progress import passing_bar
from logicmap.demo import DEMO_EXPORTS, demo_data_dir

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _project(location: str) -> None:
    with Review.create(location) as review:
        review.records.import_files([demo_data_dir() / next(iter(DEMO_EXPORTS))])
        review.accounts.add("alice", "correct horse battery", role="owner")


@pytest.mark.parametrize("many", [False, True], ids=["one project", "a folder of projects"])
def test_the_server_announces_its_address_only_when_it_takes_requests(tmp_path, many):
    location = str(tmp_path / "p.db")
    _project(location)
    port = _port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    which = ["--projects", str(tmp_path)] if many else ["-p", location, "--no-warm-model"]
    server = subprocess.Popen([sys.executable, "-m", "logicmap.cli", "serve", *which, "--port", str(port),
                               "--features", "tfidf", "--classifier", "svm"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    served = f"1 project(s) from {tmp_path}" if many else location
    try:
        assert server.stdout.readline().startswith(f"Preparing {served}")
        assert server.stdout.readline().startswith(f"Serving {served} on http://127.0.0.1:{port}/")
        deadline = time.monotonic() + 10  # the socket is bound right after the announcement
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "announced but not serving"
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_passing_bar_shows_while_work_remains_and_closes_at_the_end():
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    callback = passing_bar(console, "Embedding titles and abstracts")
    callback(3, 3)  # nothing to do: no bar
    assert console.file.getvalue() == ""
    callback(0, 4)
    callback(2, 4)
    callback(4, 4)
    shown = console.file.getvalue()
    assert "Embedding titles and abstracts" in shown and "4/4" in shown
    callback(1, 2)  # a later round opens a bar again
    callback(2, 2)
    assert console.file.getvalue().count("2/2") >= 1
