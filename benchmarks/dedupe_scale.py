"""Dedupe through the store at scale: growth curve 10k / 100k / 1M, and 50k with ~10 copies per paper.

For each size the seeded synthetic exports of ``scale_data.py`` (several formats,
~42% duplicates, large natural blocks) are imported once into a cached SQLite
project (not timed; kept under ``--cache``), copied, and ``review.dedupe.run()``
is timed in a child process of its own, so that each peak memory (RSS
high-water, ``resource.getrusage``) is that run's. Also measured: the longest
write transaction (first write statement to commit, i.e. how long the write
lock was held; ``longest_writes`` names the three longest by the run's stage
and first write statement), and the result against the generator's truth (pairwise
precision and recall of the clusters: records of one paper should share a
cluster, records of different papers should not).

Prints one JSON line per case and one for the growth curve (exponent of wall
time, and of CPU time, between the two largest sizes; 1.0 = linear). On a
shared machine the wall time depends on the load; the CPU time much less.

Targets (issue 17): 1M records <= 20 min, peak <= 4 GB, growth exponent
<= 1.15 from 100k to 1M; 50k records with ~10 copies each <= 120 s and
<= 1.5 GB; no write transaction over 2 s.

Usage: python benchmarks/dedupe_scale.py [--sizes 10000,100000,1000000] [--copies-case 50000]
       [--seed 7] [--cache DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_data  # noqa: E402

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from logicmap.api import Review  # noqa: E402

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteTimer:
    """The longest time any connection held a write transaction (first write statement to commit/rollback).

    The longest few are kept with what they were (the run's stage at the time,
    the first write statement, the statements run), to name the slow one.
    """

    KEEP = 3

    def __init__(self) -> None:
        self.started: dict[int, tuple[float, str, list[int], float]] = {}
        self.longest = 0.0
        self.count = 0
        self.stage = "-"
        self.slowest: list[dict] = []
        self.gc_seconds, self._gc_began = 0.0, 0.0  # garbage collection time, to tell it from SQL time
        gc.callbacks.append(self._gc)
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "commit", self._end)
        event.listen(Engine, "rollback", self._end)

    def _gc(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        else:
            self.gc_seconds += time.perf_counter() - self._gc_began

    def _statement(self, conn, _cursor, statement, *_args) -> None:
        key = id(conn.connection)
        if key in self.started:
            self.started[key][2][0] += 1
        elif statement.lstrip()[:7].upper().startswith(_WRITES):
            self.started[key] = (time.perf_counter(), f"{self.stage}: {' '.join(statement.split())[:60]}", [1],
                                 self.gc_seconds)

    def _end(self, conn) -> None:
        begun = self.started.pop(id(conn.connection), None)
        if begun is not None:
            held = time.perf_counter() - begun[0]
            self.count += 1
            self.longest = max(self.longest, held)
            self.slowest.append({"s": round(held, 3), "what": begun[1], "statements": begun[2][0],
                                 "gc_s": round(self.gc_seconds - begun[3], 3)})
            self.slowest = sorted(self.slowest, key=lambda w: -w["s"])[: self.KEEP]


def peak_mb() -> float:
    """Peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process (wall time on a loaded machine is longer)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prepared_project(size: int, seed: int, copies: int | None, cache: Path) -> Path:
    """A project with the synthetic records imported (built once, then reused)."""
    files = scale_data.build(size, seed, copies, cache)
    project = files[0].parent / "imported.db"
    if not project.is_file():
        partial = project.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with Review.create(partial) as review:
            review.records.import_files(files, skip_bad=True, max_bytes=2**40)
        partial.rename(project)
    return project


def quality(review: Review) -> dict:
    """Pairwise precision/recall of the clusters against the generator's papers."""
    paper_of = {rid: scale_data.paper_of(own) for _, own, _, rid in review.dedupe.assignments()}
    cluster_of = {rid: cid for _, _, cid, rid in review.dedupe.assignments()}
    truth = Counter(p for p in paper_of.values() if p)
    found = Counter(cluster_of.values())
    both = Counter((cluster_of[r], p) for r, p in paper_of.items() if p)
    pairs = lambda n: n * (n - 1) // 2  # noqa: E731
    true_pairs, found_pairs, hit = (sum(pairs(n) for n in c.values()) for c in (truth, found, both))
    return {
        "pair_precision": round(hit / found_pairs, 4) if found_pairs else None,
        "pair_recall": round(hit / true_pairs, 4) if true_pairs else None,
        "papers": len(truth),
    }


class StageLog:
    """Progress callback: appends each stage change with wall, CPU and peak memory to ``path``."""

    def __init__(self, path: Path, timer: WriteTimer | None = None) -> None:
        self.path, self.stage, self.begin, self.timer = path, None, time.perf_counter(), timer
        path.write_text("")

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.timer is not None:
            self.timer.stage = stage
        if stage != self.stage:
            self.stage = stage
            with self.path.open("a") as fh:
                fh.write(json.dumps({"stage": stage, "wall": round(time.perf_counter() - self.begin, 1),
                                     "cpu": round(cpu_seconds(), 1), "peak_mb": round(peak_mb())}) + "\n")


def phase_dedupe(project: Path, work: Path) -> dict:
    """Copy the imported project and time ``review.dedupe.run()`` on it (run in a child process).

    Stage changes are logged to ``stages.jsonl`` beside the project (to see where a long run is).
    """
    target = work / "dedupe.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(project, target)
    timer = WriteTimer()
    with Review.open(target) as review:
        begin, cpu = time.perf_counter(), cpu_seconds()
        summary = review.dedupe.run(progress=StageLog(work / "stages.jsonl", timer))
        seconds, cpu = time.perf_counter() - begin, cpu_seconds() - cpu
        peak = peak_mb()
        writes = (timer.count, timer.longest, timer.slowest)
        checked = quality(review)
    return {
        "records": summary.records, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "peak_rss_mb": round(peak),
        "pairs_compared": summary.pairs_compared, "clusters": summary.clusters,
        "duplicates_removed": summary.duplicates_removed, "review_pairs": summary.review_pairs,
        "write_transactions": writes[0], "longest_write_s": round(writes[1], 2),
        "longest_writes": writes[2], **checked,
    }


def run_case(size: int, seed: int, copies: int | None, cache: Path) -> dict:
    """Prepare (child process), then dedupe (another child process); returns the dedupe figures."""
    common = [sys.executable, __file__, "--seed", str(seed), "--cache", str(cache), "--sizes", str(size)]
    if copies:
        common += ["--copies", str(copies)]
    for phase in ("prepare", "dedupe"):
        result = subprocess.run([*common, "--phase", phase], capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"{phase} {size} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--copies-case", type=int, default=50_000, help="records of the ~10-copies case (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=scale_data.DEFAULT_CACHE)
    parser.add_argument("--phase", choices=["prepare", "dedupe"])
    parser.add_argument("--copies", type=int)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.phase:
        project = prepared_project(sizes[0], args.seed, args.copies, args.cache)
        out = phase_dedupe(project, project.parent) if args.phase == "dedupe" else {}
        print(json.dumps(out))
        return
    if args.copies_case:
        case = run_case(args.copies_case, args.seed, 10, args.cache)
        print(json.dumps({"benchmark": "dedupe_scale_ten_copies", "seed": args.seed, **case,
                          "target_seconds": 120, "target_peak_mb": 1536, "target_longest_write_s": 2}))
    runs = {}
    for size in sizes:
        runs[size] = run_case(size, args.seed, None, args.cache)
        print(json.dumps({"benchmark": "dedupe_scale", "seed": args.seed, **runs[size]}), flush=True)
    if len(sizes) > 1:
        small, large = sizes[-2], sizes[-1]
        exponent = math.log(runs[large]["seconds"] / runs[small]["seconds"]) / math.log(large / small)
        cpu_exponent = math.log(runs[large]["cpu_seconds"] / runs[small]["cpu_seconds"]) / math.log(large / small)
        print(json.dumps({
            "benchmark": "dedupe_scale_growth", "sizes": {s: {k: runs[s][k] for k in ("seconds", "cpu_seconds", "peak_rss_mb", "longest_write_s")} for s in sizes},
            "growth_exponent": round(exponent, 3), "cpu_growth_exponent": round(cpu_exponent, 3), "from": small, "to": large,
            "target_seconds_1m": 1200, "target_peak_mb": 4096, "target_exponent": 1.15, "target_longest_write_s": 2,
        }))  # fmt: skip


if __name__ == "__main__":
    main()
