"""Benchmark: how long each page of `logicmap serve` takes on a real project (one signed-in owner).

Starts ``logicmap serve`` for the project on 127.0.0.1 (a free port; loopback only) as a child
process, adds a throwaway owner account (password drawn with ``secrets``, never printed), signs
in, then fetches every page ``--rounds`` times in turn (the first round apart, as ``first_ms``:
it includes the server's first model build unless the server built it meanwhile). Then the
account excludes one record not included (as a reviewer screening beside the reader would) and
the model views are fetched once more (``after_decision_ms``: a decision that leaves the included
studies alone should not rebuild the model); the exclusion is withdrawn at the end (kept, marked
undone). It stops by itself (``--timeout`` seconds at most) and stops the server at the end.
Nothing else is written but the account and its sign-in lines.

Prints one JSON line: per page the median and slowest of the later rounds, the errors (any
status but 200), and the load average (the machine is shared: latency includes waiting for it).

Usage::

    .venv/bin/logicmap demo --out demo-output
    .venv/bin/python benchmarks/web_pages.py -p demo-output/demo.db
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time

import httpx

from logicmap.api import Review

#: The model's views, fetched again after a screening decision.
MODEL_PAGES = ("/model", "/model/interactive", "/api/model")
PAGES = ("/", "/import", "/dedupe", "/code", "/code/agreement", "/model", "/model/interactive", "/audit",
         "/settings", "/api/model", "/model/report.zip")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(project: str, port: int, deadline: float) -> subprocess.Popen:
    """``logicmap serve`` on 127.0.0.1:port, once it answers /healthz."""
    server = subprocess.Popen([sys.executable, "-m", "logicmap.cli", "serve", "-p", project, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
        if server.poll() is not None:
            sys.exit(f"the server stopped: {server.stderr.read().decode()[-2000:]}")
    server.kill()
    sys.exit("the server did not start in time")


def measure(client: httpx.Client, rounds: int, deadline: float) -> tuple[dict, dict, list]:
    """``(first round ms, later rounds ms lists, errors)`` per page."""
    first, later, errors = {}, {page: [] for page in PAGES}, []
    for number in range(rounds):
        for page in PAGES:
            if time.monotonic() > deadline:
                return first, later, errors + [f"stopped at the time limit in round {number + 1}"]
            started = time.perf_counter()
            response = client.get(page)
            took = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                errors.append(f"{page}: {response.status_code}")
            if number == 0:
                first[page] = round(took, 1)
            else:
                later[page].append(took)
    return first, later, errors


def after_decision(client: httpx.Client, project: str, name: str) -> dict[str, float]:
    """Exclude one record not included (by ``name``), then fetch the model's views once each (ms)."""
    with Review.open(project) as review:
        included = set(review.screening.included())
        decided = set(review.screening.decisions_of(name))
        record = next(r for r in review.screening.candidates() if r not in included and r not in decided)
        review.screening.decide(record, "exclude", reviewer=name)
    took = {}
    for page in MODEL_PAGES:
        started = time.perf_counter()
        client.get(page)
        took[page] = round((time.perf_counter() - started) * 1000, 1)
    return took


def withdraw(project: str, name: str) -> None:
    """Withdraw the benchmark account's decisions (kept, marked undone)."""
    with Review.open(project) as review:
        while review.screening.undo_last(reviewer=name) is not None:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--project", required=True, help="Project to serve (SQLite path or PostgreSQL URL).")
    parser.add_argument("--rounds", type=int, default=4, help="Times each page is fetched (the first apart).")
    parser.add_argument("--timeout", type=float, default=600, help="Seconds at most, server start included.")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    name, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    with Review.open(args.project) as review:
        review.accounts.add(name, password, admin=True, by="benchmarks/web_pages.py")
        records, included, where = review.records.count(), len(review.screening.included()), review.location
    port = free_port()
    server = start_server(args.project, port, deadline)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            form = re.search(r'name="csrf" value="([^"]*)"', client.get("/login").text)
            signed = client.post("/login", data={"name": name, "password": password,
                                                 "csrf": form.group(1) if form else ""})
            if signed.status_code != 303:
                sys.exit(f"sign-in failed: {signed.status_code}")
            first, later, errors = measure(client, max(2, args.rounds), deadline)
            after = after_decision(client, args.project, name)
    finally:
        server.terminate()
        server.wait(timeout=30)
        withdraw(args.project, name)
    pages = {page: {"first_ms": first.get(page), "p50_ms": round(statistics.median(times), 1) if times else None,
                    "max_ms": round(max(times), 1) if times else None} for page, times in later.items()}
    print(json.dumps({"benchmark": "web_pages", "project": where, "records": records,
                      "included": included, "rounds": max(2, args.rounds), "pages": pages,
                      "after_decision_ms": after, "errors": errors,
                      "load_average": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
