"""Issue 16 item 1 for the web server: SIGKILL `logicmap serve` while reviewers decide over HTTP.

Every decision the server answered 200 for (an acknowledged decision) must be in the store
after each kill, and SQLite's integrity check must pass; the next server start works on it.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir
from tests.reliability.crash import ROOT, KillReport, check_store

PASSWORD = "correct horse battery"
KILLS = 12


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(location: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-m", "logicmap.cli", "serve", "-p", location, "--port", str(port),
                             "--features", "tfidf", "--classifier", "svm", "--seed", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def _signed_in(url: str, name: str, deadline: float) -> httpx.Client:
    while True:
        try:
            client = httpx.Client(base_url=url, timeout=30)
            form = client.get("/login").text
            csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            assert client.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf}).status_code in (200, 303)
            client.headers["X-CSRF-Token"] = client.get("/api/session").json()["csrf"]
            return client
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _decide_until_killed(client: httpx.Client, acked: set[str], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            card = client.get("/api/screening/next").json().get("record")
            if not card:
                return
            answer = client.post("/api/screening/decide",
                                 json={"record_id": card["record_id"], "decision": random.choice(["include", "exclude"])})
            if answer.status_code == 200:
                acked.add(str(answer.json()["decision_id"]))
        except (httpx.TransportError, ValueError):
            return


def test_sigkill_of_the_web_server_loses_no_acknowledged_decision(tmp_path):
    location = str(tmp_path / "review.db")
    with Review.create(location) as review:
        for name in DEMO_EXPORTS:
            review.records.import_files([demo_data_dir() / name])
        review.dedupe.run()
        for user in ("ana", "ben"):
            review.accounts.add(user, PASSWORD, role="reviewer")
    rng = random.Random(16)
    report = KillReport()
    for kill in range(KILLS):
        port = _port()
        server = _serve(location, port)
        try:
            clients = [_signed_in(f"http://127.0.0.1:{port}", user, time.monotonic() + 60) for user in ("ana", "ben")]
            acked: set[str] = set()
            stop = threading.Event()
            threads = [threading.Thread(target=_decide_until_killed, args=(c, acked, stop)) for c in clients]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.3, 2.0))
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        finally:
            if server.poll() is None:
                server.kill()
        report.kills += 1
        report.acknowledged.setdefault("decision", set()).update(acked)
        assert check_store(location, report) == [], f"after kill {kill}"
    assert report.kills == KILLS
    assert len(report.acknowledged["decision"]) > KILLS  # the kills landed while decisions were being made
    assert report.found["decision"] == len(report.acknowledged["decision"])
