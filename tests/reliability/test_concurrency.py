"""Issue 16 item 2: 2 and 10 writer processes on one project at once (SQLite WAL and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from logicmap.api import Review
from tests.reliability.crash import ROOT, seed_project


def _files(folder: Path, writers: int) -> None:
    for index in range(writers):
        (folder / f"own-{index}.ris").write_text("".join(
            f"TY  - JOUR\nTI  - Writer {index} record {i} on recovery\nPY  - 2022\nER  - \n\n" for i in range(40)),
            encoding="utf-8")
    (folder / "shared.ris").write_text("".join(
        f"TY  - JOUR\nTI  - Shared record {i} on hope\nPY  - 2023\nER  - \n\n" for i in range(40)), encoding="utf-8")


def _run(location: str, writers: int, folder: Path) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
               LOGICMAP_BUSY_TIMEOUT="30")
    done = subprocess.run([sys.executable, "-m", "tests.reliability.concurrent", location, str(writers), str(folder)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("writers", [2, 10])
def test_concurrent_writers_lose_nothing_and_duplicate_nothing(project_location, tmp_path, writers):
    seed_project(project_location, tmp_path, records=200)
    _files(tmp_path, writers)
    reports = _run(project_location, writers, tmp_path)
    assert [r.get("crash") for r in reports] == [None] * writers, reports
    assert all(r["status"] == 0 for r in reports)
    events = [e for r in reports for e in r["events"]]
    assert not [e for e in events if e[0] == "error"], events
    shared = [e for e in events if e[1] == "shared.ris"]
    assert sum(e[0] == "import" for e in shared) == 1  # exactly one writer imported the shared file
    assert all("already imported" in e[2] for e in shared if e[0] == "refused")
    acknowledged = {(e[1], e[2]) for e in events if e[0] == "decision"}
    with Review.open(project_location) as review:
        names = [s.file for s in review.records.sources()]
        assert sorted(names) == sorted(["seed.ris", "shared.ris"] + [f"own-{i}.ris" for i in range(writers)])
        assert review.records.count() == 200 + 40 * (writers + 1)
        for index in range(writers):
            own = review.screening.decisions_of(f"w{index}")
            assert len(own) == 15  # every writer's decisions, the 5 shared records included, kept as its own
        stored_ids = {d for d, _ in acknowledged}
    assert len(stored_ids) == len(acknowledged) == 15 * writers  # no decision id handed out twice
