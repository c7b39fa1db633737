"""Start-up time of the command line: ``logicmap --help`` in fresh processes.

Runs ``logicmap --help`` (through ``python -m logicmap.cli``, the same entry
point as the console script) ``--runs`` times after one warm-up, and prints one
JSON line: the median, minimum and maximum wall time in seconds, and which heavy
libraries the command line imports at start-up (none of SQLAlchemy, pandas,
scikit-learn, NumPy should be among them). The peer is ``python -c pass`` in the
same run: the interpreter's own start-up, which no command can beat.

Target (issue 12): median under 0.5 s.

Usage: python benchmarks/cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

HEAVY = ("sqlalchemy", "pandas", "sklearn", "numpy", "alembic", "networkx", "logicmap.api")


def wall_times(command: list[str], runs: int) -> list[float]:
    """Seconds per run of ``command`` (after one warm-up run)."""
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def heavy_modules_at_startup() -> list[str]:
    """Heavy libraries imported by ``import logicmap.cli`` (should be none)."""
    probe = (
        "import sys, logicmap.cli; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return [name for name in out.strip().split(",") if name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    help_times = wall_times([sys.executable, "-m", "logicmap.cli", "--help"], args.runs)
    bare = wall_times([sys.executable, "-c", "pass"], args.runs)
    print(json.dumps({
        "benchmark": "cli_startup",
        "runs": args.runs,
        "help_median_s": round(statistics.median(help_times), 3),
        "help_min_s": round(min(help_times), 3),
        "help_max_s": round(max(help_times), 3),
        "python_bare_median_s": round(statistics.median(bare), 3),
        "ratio_to_bare_python": round(statistics.median(help_times) / statistics.median(bare), 2),
        "heavy_modules_at_startup": heavy_modules_at_startup(),
        "target_median_s": 0.5,
    }))


if __name__ == "__main__":
    main()
