"""Benchmark: 20 reviewers fetching their next record and deciding at once through `logicmap serve`.

Starts ``logicmap serve`` for the project on 127.0.0.1 (a free port; loopback only)
as a child process, adds the simulated reviewers' accounts (passwords drawn with
``secrets`` and never printed), signs each in, opens each reviewer's queue once
(its first ranking: timed apart as ``open_ms``), then lets every reviewer loop
``--decisions`` times over GET /api/screening/next and POST /api/screening/decide
concurrently (``--think`` seconds of reading before each decision, drawn from an
exponential distribution; 0 by default: requests back to back, a stress far beyond
twenty people). Decisions are drawn from a seeded Generator (include 10%, maybe 5%,
else exclude). It stops by itself: a bounded count of requests, ``--timeout``
seconds at most, and the server is stopped at the end.

``decisions_stored`` counts, through the library API, the standing decisions the
reviewers have after the run minus before it.

``--make N`` first creates the project (it must not exist) from the shared screening
datasets (../shared/data/screening CSVs, imported whole in name order until at
least N records).

Prints one JSON line; `server_cpu_ms_per_request` (the server's CPU time while the reviewers
screened, per request, retraining included) and the load average say how much of the latency is
the server's own work and how much is waiting for a shared machine.

``--features`` / ``--classifier`` choose the project's screening engine (as ``logicmap serve``'s;
default word ``tfidf`` + ``svm``; a plain install's own default is ``tfidf-asreview+char`` +
``svm-asreview``).

Usage::

    .venv/bin/python benchmarks/web_load.py -p /tmp/load.db --make 10000
    .venv/bin/python benchmarks/web_load.py -p /tmp/load.db --features tfidf-asreview+char --classifier svm-asreview
    .venv/bin/python benchmarks/web_load.py -p postgresql://postgres@127.0.0.1:55432/load --make 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from logicmap.api import Review

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "screening"


def make_project(location: str, at_least: int) -> int:
    """Create the project from the shared screening CSVs; returns its record count."""
    files = sorted(SHARED.glob("*.csv"))
    if not files:
        sys.exit(f"no screening datasets in {SHARED}")
    with Review.create(location, name="web load benchmark") as review:
        for path in files:
            review.records.import_files([path], database=path.stem)
            if review.records.count() >= at_least:
                break
        return review.records.count()


def add_reviewers(location: str, names: list[str]) -> dict[str, str]:
    """Accounts for the reviewers (reused when present: their password is reset by a new name)."""
    passwords = {}
    with Review.open(location) as review:
        for name in names:
            passwords[name] = secrets.token_urlsafe(16)
            review.accounts.add(name, passwords[name], role="reviewer", by="web_load benchmark")
    return passwords


def standing(location: str, names: list[str]) -> int:
    with Review.open(location) as review:
        return sum(len(review.screening.decisions_of(n)) for n in names)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc), its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(location: str, port: int, features: str, classifier: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "logicmap.cli", "serve", "-p", location, "--host", "127.0.0.1",
               "--port", str(port), "--features", features, "--classifier", classifier]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped: {server.stderr.read()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start within 120 s")


class Reviewer:
    """One simulated reviewer: a signed-in client, their timings and counts."""

    def __init__(self, base: str, name: str, password: str, rng: np.random.Generator) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=60)
        self.name, self.password, self.rng = name, password, rng
        self.times: list[float] = []
        self.errors = self.sent = 0
        self.open_ms = 0.0

    async def sign_in(self) -> None:
        form = (await self.client.get("/login")).text
        token = form.split('name="csrf" value="', 1)[1].split('"', 1)[0] if 'name="csrf"' in form else ""
        response = await self.client.post("/login", data={"name": self.name, "password": self.password,
                                                          "csrf": token})
        if response.status_code != 303:
            raise RuntimeError(f"{self.name} could not sign in: {response.status_code}")
        self.csrf = (await self.client.get("/api/session")).json()["csrf"]
        start = time.perf_counter()
        await self.client.get("/api/screening/next")  # opens the reviewer's queue (first ranking)
        self.open_ms = (time.perf_counter() - start) * 1000

    async def timed(self, method: str, url: str, **kwargs) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError:
            self.errors += 1
            return None
        self.times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            self.errors += 1
            return None
        return response

    async def run(self, decisions: int, think: float) -> None:
        for _ in range(decisions):
            if think:
                await asyncio.sleep(self.rng.exponential(think))  # reading the record
            response = await self.timed("GET", "/api/screening/next")
            if response is None:
                continue
            record = response.json()["record"]
            if record is None:
                return
            draw = self.rng.random()
            decision = "include" if draw < 0.10 else "maybe" if draw < 0.15 else "exclude"
            body = {"record_id": record["record_id"], "decision": decision, "rank": record["rank"]}
            self.sent += 1
            await self.timed("POST", "/api/screening/decide", json=body, headers={"X-CSRF-Token": self.csrf})


async def load(base: str, passwords: dict[str, str], decisions: int, seed: int, timeout: float,
               pid: int | None, think: float) -> tuple[list[Reviewer], float | None]:
    """Sign the reviewers in, then let them screen; returns them and the server's CPU seconds while they
    screened (None without the server's process id)."""
    rngs = np.random.default_rng(seed).spawn(len(passwords))
    reviewers = [Reviewer(base, n, p, r) for (n, p), r in zip(passwords.items(), rngs)]
    await asyncio.wait_for(asyncio.gather(*(r.sign_in() for r in reviewers)), timeout)
    before = cpu_seconds(pid) if pid else None
    await asyncio.wait_for(asyncio.gather(*(r.run(decisions, think) for r in reviewers)), timeout)
    used = cpu_seconds(pid) - before if pid else None
    for r in reviewers:
        await r.client.aclose()
    return reviewers, used


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--project", required=True)
    parser.add_argument("--make", type=int, default=0, help="create the project with at least N records first")
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=25, help="decisions per reviewer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900, help="seconds for sign-in and for the load, each")
    parser.add_argument("--features", default="tfidf")
    parser.add_argument("--classifier", default="svm")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a reviewer reads a record before deciding (exponential; 0: none, "
                             "every reviewer sends requests back to back)")
    parser.add_argument("--port", type=int, default=0,
                        help="load a server already serving the project on this loopback port (to profile it)")
    args = parser.parse_args(argv)

    if args.make:
        make_project(args.project, args.make)
    with Review.open(args.project) as review:
        records = len(review.screening.candidates())
    run = time.strftime("%H%M%S")
    names = [f"load{run}r{i:02d}" for i in range(args.reviewers)]
    passwords = add_reviewers(args.project, names)
    before = standing(args.project, names)
    port = args.port or free_port()
    server = None if args.port else start_server(args.project, port, args.features, args.classifier)
    started = time.perf_counter()
    try:
        reviewers, cpu_load = asyncio.run(load(f"http://127.0.0.1:{port}", passwords, args.decisions, args.seed,
                                               args.timeout, server.pid if server else None, args.think))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
    wall = time.perf_counter() - started
    times = np.array([t for r in reviewers for t in r.times])
    backend = "postgresql" if args.project.startswith("postgres") else "sqlite"
    print(json.dumps({
        "benchmark": "web_load", "backend": backend, "records": records, "reviewers": len(reviewers),
        "features": args.features, "classifier": args.classifier, "think_s": args.think,
        "requests": int(times.size),
        "p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1),
        "p99_ms": round(float(np.percentile(times, 99)), 1), "max_ms": round(float(times.max()), 1),
        "open_ms_max": round(max(r.open_ms for r in reviewers), 1), "errors": sum(r.errors for r in reviewers),
        "decisions_sent": sum(r.sent for r in reviewers),
        "decisions_stored": standing(args.project, names) - before, "wall_s": round(wall, 1),
        "server_cpu_ms_per_request": round(cpu_load * 1000 / times.size, 2) if cpu_load is not None else None,
        "load_average": round(os.getloadavg()[0], 1), "cores": os.cpu_count(),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
