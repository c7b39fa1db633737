"""Concurrent writers: N processes import, decide and merge on one project at once.

Run as ``python -m tests.reliability.concurrent PROJECT WRITERS SEED``: imports the
library once, forks WRITERS workers that start together (a barrier pipe), and
prints one JSON line with what they acknowledged and what they reported as refused.
Each worker: imports its own file and a file every worker shares (exactly one of
those may succeed), decides on 15 records of which 5 every worker decides (the same
records, as its own reviewer), and runs dedupe.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _worker(location: str, index: int, folder: Path, start_fd: int, out_fd: int) -> None:
    from logicmap.api import LogicmapError, Review

    os.read(start_fd, 1)  # every writer starts at the same moment
    events = []
    with Review.open(location) as review:
        for name in (f"own-{index}.ris", "shared.ris"):
            try:
                review.records.import_files([folder / name])
                events.append(["import", name])
            except LogicmapError as exc:
                events.append(["refused", name, str(exc)[:200]])
        candidates = sorted(review.screening.candidates())
        mine = candidates[:5] + candidates[5 + index * 10: 15 + index * 10]
        for rid in mine:
            for attempt in range(20):
                try:
                    decision = review.screening.decide(rid, "include" if rid % 2 else "exclude", reviewer=f"w{index}")
                    events.append(["decision", decision, rid])
                    break
                except LogicmapError as exc:
                    if getattr(exc, "reason", None) != "busy":
                        events.append(["error", rid, str(exc)[:200]])
                        break
                    time.sleep(0.1 * (attempt + 1))
        try:
            summary = review.dedupe.run()
            events.append(["dedupe", summary.clusters])
        except LogicmapError as exc:
            events.append(["refused", "dedupe", str(exc)[:200]])
    os.write(out_fd, (json.dumps({"worker": index, "events": events}) + "\n").encode())


def run(location: str, writers: int, folder: Path) -> list[dict]:
    """Fork ``writers`` workers, release them together, collect their reports."""
    import logicmap.api  # noqa: F401 - inherited by the forked workers

    start_read, start_write = os.pipe()
    out_read, out_write = os.pipe()
    pids = []
    for index in range(writers):
        pid = os.fork()
        if pid == 0:
            os.close(start_write)
            os.close(out_read)
            code = 0
            try:
                _worker(location, index, folder, start_read, out_write)
            except BaseException as exc:  # reported, so the test shows it
                os.write(out_write, (json.dumps({"worker": index, "crash": repr(exc)[:500]}) + "\n").encode())
                code = 1
            os._exit(code)
        pids.append(pid)
    os.close(start_read)
    os.close(out_write)
    os.write(start_write, b"x" * writers)
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    chunks = []
    while chunk := os.read(out_read, 65536):
        chunks.append(chunk)
    reports = [json.loads(line) for line in b"".join(chunks).decode().splitlines()]
    return [{**r, "status": s} for r, s in zip(sorted(reports, key=lambda r: r["worker"]), statuses)]


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))))
