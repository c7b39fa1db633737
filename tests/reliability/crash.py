"""Crash safety: kill a worker with SIGKILL at seeded random moments and check the store.

A harness process (``python -m tests.reliability.crash harness PROJECT SEED MODES KILLS``)
imports the library once and forks one worker per kill; the worker opens the project
through the library API and works in a loop: imports (``import``), screening
decisions (``screen``), codings (``code``) or dedupe runs (``dedupe``). After each
operation returns, i.e. is committed, it prints ``ACK kind value`` and flushes.
:func:`kill_loop` starts workers, kills each after a seeded delay, and after every
kill checks that every acknowledged operation is in the store, that no import is
half-visible (a source's count equals its records), and that SQLite's
``PRAGMA integrity_check`` (or a PostgreSQL scan of every table) passes.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("import", "screen", "code", "dedupe")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class KillReport:
    """What a kill loop did and found."""

    kills: int = 0
    acknowledged: dict[str, set[str]] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """Counts for the benchmark line."""
        acked = sum(len(v) for v in self.acknowledged.values())
        return {"kills": self.kills, "acknowledged": acked, "found_after_recovery": sum(self.found.values()),
                "problems": len(self.problems)}


def seed_project(location: str, folder: Path, records: int = 60) -> None:
    """A project with ``records`` imported records, half of them included (so codings have studies)."""
    from logicmap.api import Review

    path = folder / "seed.ris"
    path.write_text("".join(
        f"TY  - JOUR\nTI  - Peer support study {i} on hope and recovery\nAB  - Participants in peer support "
        f"group {i} reported greater hope.\nPY  - {2000 + i % 20}\nER  - \n\n" for i in range(records)),
        encoding="utf-8")
    with Review.create(location) as review:
        review.records.import_files([path])
        for rid in review.screening.candidates()[: records // 2]:
            review.screening.decide(rid, "include", reviewer="seed")


_ACK_FD: int | None = None


def _ack(kind: str, value: object) -> None:
    os.write(_ACK_FD if _ACK_FD is not None else 1, f"ACK {kind} {value}\n".encode())


def work(mode: str, location: str, seed: int) -> None:
    """The worker loop (runs until killed)."""
    from logicmap.api import Review

    rng = random.Random(seed)
    folder = Path(os.environ.get("CRASH_TMP", "."))
    with Review.open(location) as review:
        included = review.screening.included()
        for step in range(10**9):
            if mode == "import":
                path = folder / f"w{seed}-{step}.ris"
                n = rng.randint(50, 400)
                path.write_text("".join(
                    f"TY  - JOUR\nTI  - Worker {seed} file {step} record {i}\nPY  - 2021\nER  - \n\n"
                    for i in range(n)), encoding="utf-8")
                review.records.import_files([path])
                _ack("import", f"{path.name}:{n}")
            elif mode == "screen":
                rid = rng.choice(review.screening.candidates())
                decision_id = review.screening.decide(rid, rng.choice(["include", "exclude", "maybe"]),
                                                      reviewer=f"r{seed % 3}")
                _ack("decision", decision_id)
            elif mode == "code":
                rid = rng.choice(included)
                title = review.records.get(rid).title
                coding_id = review.coding.add(rid, "T01", reviewer=f"c{seed % 3}", quote=title.split(" on ")[0])
                _ack("coding", coding_id)
            else:
                _ack("dedupe", review.dedupe.run(full=True).run_id)


def _fork_worker(mode: str, location: str, seed: int) -> tuple[int, int]:
    """Fork a worker (the library is already imported, so it starts at once); returns (pid, ack pipe)."""
    global _ACK_FD
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work until killed
        os.close(read_end)
        _ACK_FD = write_end
        try:
            work(mode, location, seed)
        finally:
            os._exit(3)
    os.close(write_end)
    return pid, read_end


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


def kill_loop(location: str, *, modes: tuple[str, ...], kills: int, seed: int,
              delay: tuple[float, float] = (0.2, 1.2)) -> KillReport:
    """Fork a worker per kill (modes in turn), SIGKILL it after a seeded delay, check the store.

    Runs in a single-threaded process (see :func:`run_harness`) so that forking is safe.
    """
    import logicmap.api  # noqa: F401 - imported once here, inherited by every forked worker

    rng = random.Random(seed)
    report = KillReport()
    for index in range(kills):
        mode = modes[index % len(modes)]
        pid, fd = _fork_worker(mode, location, seed * 10_000 + index)
        time.sleep(rng.uniform(*delay))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        out = _read_all(fd)
        if not os.WIFSIGNALED(status):
            report.problems.append(f"kill {index} ({mode}): worker ended by itself (status {status})")
        report.kills += 1
        for line in out.splitlines():
            if line.startswith("ACK "):
                _, kind, value = line.split(" ", 2)
                report.acknowledged.setdefault(kind, set()).add(value)
        report.problems.extend(f"after kill {index} ({mode}): {p}" for p in check_store(location, report))
    return report


def run_harness(location: str, tmp: Path, *, modes: tuple[str, ...], kills: int, seed: int) -> dict:
    """Run :func:`kill_loop` in a fresh single-threaded process; returns its report as a dict."""
    import json

    env = dict(os.environ, CRASH_TMP=str(tmp), PYTHONPATH=os.pathsep.join(
        [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "tests.reliability.crash", "harness", location, str(seed),
                           ",".join(modes), str(kills)], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"crash harness failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_store(location: str, report: KillReport) -> list[str]:
    """Everything acknowledged is stored, no import is half-visible, the database is sound."""
    problems = []
    if "://" not in location:
        with sqlite3.connect(f"file:{location}?mode=ro", uri=True) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                problems.append(f"integrity_check: {verdict}")
            rows = _facts(connection.execute)
    else:
        import psycopg

        with psycopg.connect(location) as connection:
            rows = _facts(connection.execute)
            for (table,) in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
                connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # every page readable
    sources, partial, decisions, codings, dedupe_runs = rows
    for kind, stored in (("decision", decisions), ("coding", codings), ("dedupe", dedupe_runs)):
        missing = report.acknowledged.get(kind, set()) - stored
        if missing:
            problems.append(f"{len(missing)} acknowledged {kind}(s) lost: {sorted(missing)[:5]}")
        report.found[kind] = len(report.acknowledged.get(kind, set()) & stored)
    imported = report.acknowledged.get("import", set())
    missing = {a for a in imported if a.split(":")[0] not in sources or sources[a.split(":")[0]] != int(a.split(":")[1])}
    if missing:
        problems.append(f"acknowledged import(s) missing or short: {sorted(missing)[:5]}")
    report.found["import"] = len(imported) - len(missing)
    if partial:
        problems.append(f"half-visible import(s): {partial[:5]}")
    return problems


def _facts(execute) -> tuple[dict[str, int], list, set[str], set[str], set[str]]:
    sources = {name: count for name, count in execute("SELECT name, record_count FROM sources").fetchall()}
    partial = execute(
        "SELECT s.name, s.record_count, COUNT(r.id) FROM sources s LEFT JOIN records r ON r.source_id = s.id "
        "GROUP BY s.id, s.name, s.record_count HAVING COUNT(r.id) <> s.record_count").fetchall()
    decisions = {str(row[0]) for row in execute("SELECT id FROM screening_decisions").fetchall()}
    codings = {str(row[0]) for row in execute("SELECT id FROM codings").fetchall()}
    dedupe_runs = {str(row[0]) for row in execute("SELECT id FROM dedupe_runs").fetchall()}
    return sources, partial, decisions, codings, dedupe_runs


if __name__ == "__main__":
    import json

    _, _, where, seed_text, mode_list, kill_count = sys.argv
    result = kill_loop(where, modes=tuple(mode_list.split(",")), kills=int(kill_count), seed=int(seed_text))
    print(json.dumps({**result.to_json(), "by_kind": {k: len(v) for k, v in result.acknowledged.items()},
                      "problem_list": result.problems[:20]}))
