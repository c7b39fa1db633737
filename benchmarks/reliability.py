"""Reliability proof (issue 16), one JSON line.

Crash safety: a harness forks workers that import, screen, code and dedupe through
the library API and kills each with SIGKILL after a seeded delay; after every kill
the store is checked (every acknowledged decision, coding and import present, no
half-visible import, ``PRAGMA integrity_check`` ok). SQLite always; PostgreSQL when
``--pg URL`` (a server database the benchmark may fill) is given.

Usage: ``python benchmarks/reliability.py [--kills 200] [--seed 16] [--pg postgresql://...]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.crash import run_harness, seed_project  # noqa: E402

MODES = ("import", "screen", "code", "dedupe")


def crash_line(location: str, tmp: Path, kills: int, seed: int) -> dict:
    seed_project(location, tmp)
    started = time.perf_counter()
    result = run_harness(location, tmp, modes=MODES, kills=kills, seed=seed)
    return {"kills": result["kills"], "acknowledged": result["acknowledged"],
            "found_after_recovery": result["found_after_recovery"], "by_kind": result["by_kind"],
            "problems": result["problems"], "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--pg", help="PostgreSQL URL of an empty database to use as well")
    args = parser.parse_args()
    line: dict = {"benchmark": "reliability"}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        line["crash_sqlite"] = crash_line(str(tmp / "p.db"), tmp, args.kills, args.seed)
        if args.pg:
            line["crash_postgres"] = crash_line(args.pg, tmp, max(10, args.kills // 5), args.seed + 1)
    line["not_measured_yet"] = ["concurrent_writers", "fuzz_executions", "backup_round_trip"]
    print(json.dumps(line))


if __name__ == "__main__":
    main()
