"""Reliability proof (issue 16), one JSON line.

Crash safety: a harness forks workers that import, screen, code and dedupe through
the library API and kills each with SIGKILL after a seeded delay; after every kill
the store is checked (every acknowledged decision, coding and import present, no
half-visible import, ``PRAGMA integrity_check`` ok). SQLite always; PostgreSQL when
``--pg URL`` (a server database the benchmark may fill) is given.

Concurrency: 10 writer processes at once (tests/reliability/concurrent.py); backup
round trip SQLite -> archive -> PostgreSQL (or SQLite) -> archive -> SQLite, canonical
dumps compared; fuzzing: atheris, coverage-guided, a few seconds per reader format.

Usage: ``python benchmarks/reliability.py [--kills 200] [--seed 16] [--pg URL --pg-concurrency URL
--pg-restore URL] [--fuzz-seconds 10]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.crash import ROOT, run_harness, seed_project  # noqa: E402
from tests.reliability.fuzz import FORMATS  # noqa: E402

MODES = ("import", "screen", "code", "dedupe")


def crash_line(location: str, tmp: Path, kills: int, seed: int) -> dict:
    seed_project(location, tmp)
    started = time.perf_counter()
    result = run_harness(location, tmp, modes=MODES, kills=kills, seed=seed)
    return {"kills": result["kills"], "acknowledged": result["acknowledged"],
            "found_after_recovery": result["found_after_recovery"], "by_kind": result["by_kind"],
            "problems": result["problems"], "seconds": round(time.perf_counter() - started, 1)}


def concurrency_line(location: str, tmp: Path, writers: int) -> dict:
    """10 writer processes at once: imports (one shared file), decisions on shared records, dedupe."""
    import os
    import subprocess

    from logicmap.api import Review

    seed_project(location, tmp, records=200)
    for index in range(writers):
        (tmp / f"own-{index}.ris").write_text("".join(
            f"TY  - JOUR\nTI  - Writer {index} record {i}\nPY  - 2022\nER  - \n\n" for i in range(40)), encoding="utf-8")
    (tmp / "shared.ris").write_text("".join(
        f"TY  - JOUR\nTI  - Shared record {i}\nPY  - 2023\nER  - \n\n" for i in range(40)), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]), LOGICMAP_BUSY_TIMEOUT="30")
    done = subprocess.run([sys.executable, "-m", "tests.reliability.concurrent", location, str(writers), str(tmp)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800)
    reports = json.loads(done.stdout.strip().splitlines()[-1])
    events = [e for r in reports for e in r.get("events", [])]
    sent = [e for e in events if e[0] == "decision"]
    with Review.open(location) as review:
        stored = sum(len(review.screening.decisions_of(f"w{i}")) for i in range(writers))
        sources = len(review.records.sources())
    return {"writers": writers, "crashed": sum(1 for r in reports if "crash" in r),
            "decisions_acknowledged": len(sent), "decisions_stored": stored,
            "shared_file_imports": sum(1 for e in events if e[0] == "import" and e[1] == "shared.ris"),
            "conflicts_reported": sum(1 for e in events if e[0] == "refused"), "sources": sources,
            "errors": sum(1 for e in events if e[0] == "error")}


def round_trip_line(tmp: Path, pg: str | None) -> dict:
    """SQLite -> archive -> (PostgreSQL ->) archive -> SQLite: canonical dumps equal?"""
    from logicmap.api import Review

    source = str(tmp / "rt.db")
    seed_project(source, tmp, records=300)
    with Review.open(source) as review:
        review.backup(tmp / "a.zip")
        expected = review.canonical_dump()
    middle = pg or str(tmp / "middle.db")
    with Review.restore(tmp / "a.zip", middle) as restored:
        same_middle = restored.canonical_dump() == expected
        restored.backup(tmp / "b.zip")
    with Review.restore(tmp / "b.zip", str(tmp / "back.db")) as back:
        same_back = back.canonical_dump() == expected
    return {"via": "postgresql" if pg else "sqlite", "bytes": len(expected), "equal": same_middle and same_back}


def fuzz_line(seconds: int) -> dict:
    """atheris, coverage-guided, ``seconds`` per reader format."""
    import re
    import subprocess

    runs, crashes = 0, 0
    for fmt in FORMATS:
        done = subprocess.run([sys.executable, "-m", "tests.reliability.fuzz", fmt, str(seconds)], capture_output=True,
                              text=True, cwd=ROOT, timeout=seconds * 10 + 120,
                              env={**__import__("os").environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"})
        found = re.search(r"Done (\d+) runs", done.stderr)
        runs += int(found.group(1)) if found else 0
        crashes += done.returncode != 0
    return {"formats": len(FORMATS), "seconds_per_format": seconds, "executions": runs, "crashes": crashes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--pg", help="PostgreSQL URL of an empty database for the crash loop")
    parser.add_argument("--pg-concurrency", help="another empty PostgreSQL database for the 10-writer run")
    parser.add_argument("--pg-restore", help="another empty PostgreSQL database for the backup round trip")
    parser.add_argument("--fuzz-seconds", type=int, default=10)
    args = parser.parse_args()
    line: dict = {"benchmark": "reliability"}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        line["crash_sqlite"] = crash_line(str(tmp / "p.db"), tmp, args.kills, args.seed)
        if args.pg:
            line["crash_postgres"] = crash_line(args.pg, tmp, max(10, args.kills // 5), args.seed + 1)
        with tempfile.TemporaryDirectory() as other:
            line["concurrency_sqlite"] = concurrency_line(str(Path(other) / "c.db"), Path(other), 10)
        if args.pg_concurrency:
            with tempfile.TemporaryDirectory() as other:
                line["concurrency_postgres"] = concurrency_line(args.pg_concurrency, Path(other), 10)
        with tempfile.TemporaryDirectory() as other:
            line["round_trip"] = round_trip_line(Path(other), args.pg_restore)
    line["fuzz"] = fuzz_line(args.fuzz_seconds)
    print(json.dumps(line))


if __name__ == "__main__":
    main()
