"""Import speed: RIS files of 10k / 100k / 1M records built from the shared real exports.

Builds each file by repeating every RIS file in ../shared/data/formats/ris (record
identifiers suffixed per repetition so that they stay unique), then in separate
child processes (so each peak memory is its own) times:
  - rispy's bare parse of the file (``rispy.load``), the peer baseline;
  - logicmap's full import into a fresh SQLite project (parse, normalise, store
    records and per-field provenance, keep the original file).
Prints one JSON line per size: records/second of each and their ratio, by wall
time and by CPU time (on a shared, loaded machine the wall ratio is noisy; the
import's CPU time includes its worker processes'), peak memory (RSS high-water,
``resource.getrusage``; ``import_total_peak_mb`` adds the worker processes'
memory, sampled); then one line with the growth exponent of the import's time
between the two largest sizes.

With ``--bibtex FILE`` it also imports that BibTeX file (e.g. the 1M scale data's
``scopus.bib``, 170 MB) in a child process and prints one ``import_bibtex`` line
with its time and peak memory (the same <= 1 GB target; no peer baseline).

Targets (issues 2 and 17): ratio >= 1/3 (import at least a third of rispy's
parse speed, same file, same run), import peak memory <= 1 GB at any size.

Usage: python benchmarks/import_speed.py [--sizes 10000,100000,1000000] [--workdir DIR] [--bibtex FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SHARED_RIS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "formats" / "ris"
_ID_LINE = re.compile(r"^(ID|AN|U1)  -\s+(\S.*)$", re.M)
_TY_LINE = re.compile(r"^TY  - ", re.M)


def build_file(target: int, out: Path) -> int:
    """Write at least ``target`` records by repeating the shared RIS files."""
    texts = []
    for path in sorted(SHARED_RIS.iterdir()):
        text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        texts.append((text, len(_TY_LINE.findall(text))))
    written, rep = 0, 0
    with out.open("w", encoding="utf-8") as fh:
        while written < target:
            rep += 1
            for index, (text, count) in enumerate(texts):
                suffix = f"-f{index}r{rep}"
                fh.write(_ID_LINE.sub(lambda m: f"{m.group(1)}  - {m.group(2)}{suffix}", text))
                fh.write("\n")
                written += count
    return written


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its ended child processes (the import's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> float:
    """Peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TotalPeak:
    """Samples the resident memory of this process plus its live children (the import's worker
    processes) every 50 ms on a thread; ``mb`` is the largest sum seen (Linux /proc; 0 elsewhere).

    A child's own ``ru_maxrss`` cannot be used: it counts the parent's pages at the fork before exec.
    """

    def __init__(self) -> None:
        self.mb, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TotalPeak":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.mb = max(self.mb, sum(_rss_mb(pid) for pid in ["self", *_children()]))


def _children() -> list[str]:
    found = []
    for task in Path("/proc/self/task").glob("*/children"):
        found += task.read_text().split()
    return found


def _rss_mb(pid: str) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


def phase_rispy(path: Path) -> dict:
    import rispy

    start, cpu = time.perf_counter(), cpu_seconds()
    with path.open(encoding="utf-8") as fh:
        entries = rispy.load(fh)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return {"records": len(entries), "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak_mb()}


def phase_import(path: Path, workdir: Path) -> dict:
    from logicmap.api import Review

    for suffix in ("", "-wal", "-shm"):
        (workdir / f"bench.db{suffix}").unlink(missing_ok=True)
    with Review.create(workdir / "bench.db") as review, TotalPeak() as total:
        start, cpu = time.perf_counter(), cpu_seconds()
        report = review.records.import_files([path], max_bytes=2**40, skip_bad=path.suffix == ".bib")
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return {"records": report.records, "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak_mb(),
            "total_peak_mb": max(total.mb, peak_mb())}


def run_phase(name: str, path: Path, workdir: Path) -> dict:
    """Run one phase in a child process and return its figures."""
    command = [sys.executable, __file__, "--phase", name, "--file", str(path), "--workdir", str(workdir)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"phase {name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(size: int, workdir: Path) -> dict:
    """Build a file of ``size`` records, time rispy and the import on it, return the JSON line's fields."""
    path = workdir / "bench.ris"
    built = build_file(size, path)
    rispy_run = run_phase("rispy", path, workdir)
    import_run = run_phase("import", path, workdir)
    rispy_rate = rispy_run["records"] / rispy_run["seconds"]
    import_rate = import_run["records"] / import_run["seconds"]
    cpu_ratio = (import_run["records"] / import_run["cpu_seconds"]) / (rispy_run["records"] / rispy_run["cpu_seconds"])
    figures = {
        "benchmark": "import_speed",
        "size": size,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "records_in_file": built,
        "rispy_records": rispy_run["records"],
        "imported_records": import_run["records"],
        "rispy_records_per_s": round(rispy_rate),
        "import_records_per_s": round(import_rate),
        "ratio_import_to_rispy": round(import_rate / rispy_rate, 3),
        "ratio_by_cpu_time": round(cpu_ratio, 3),
        "target_ratio": round(1 / 3, 3),
        "import_seconds": round(import_run["seconds"], 2),
        "import_cpu_seconds": round(import_run["cpu_seconds"], 2),
        "rispy_seconds": round(rispy_run["seconds"], 2),
        "rispy_cpu_seconds": round(rispy_run["cpu_seconds"], 2),
        "import_peak_mb": round(import_run["peak_mb"]),
        "import_total_peak_mb": round(import_run["total_peak_mb"]),
        "rispy_peak_mb": round(rispy_run["peak_mb"]),
        "target_peak_mb": 1024,
    }
    for name in ("bench.ris", "bench.db", "bench.db-wal", "bench.db-shm"):
        (workdir / name).unlink(missing_ok=True)
    return figures


def measure_bibtex(path: Path, workdir: Path) -> dict:
    """Import one (large) BibTeX file into a fresh project; its figures as a JSON line's fields."""
    run = run_phase("import", path, workdir)
    for name in ("bench.db", "bench.db-wal", "bench.db-shm"):
        (workdir / name).unlink(missing_ok=True)
    return {
        "benchmark": "import_bibtex", "file": path.name, "file_mb": round(path.stat().st_size / 2**20, 1),
        "imported_records": run["records"], "import_seconds": round(run["seconds"], 2),
        "import_cpu_seconds": round(run["cpu_seconds"], 2), "import_peak_mb": round(run["peak_mb"]),
        "import_total_peak_mb": round(run["total_peak_mb"]),
        "target_peak_mb": 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--phase", choices=["rispy", "import"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--bibtex", type=Path, help="also import this BibTeX file and report its peak memory")
    args = parser.parse_args()
    if args.phase == "rispy":
        print(json.dumps(phase_rispy(args.file)))
        return
    if args.phase == "import":
        print(json.dumps(phase_import(args.file, args.workdir)))
        return
    if not SHARED_RIS.is_dir():
        sys.exit(f"needs the shared RIS exports at {SHARED_RIS}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            runs[size] = measure(size, workdir)
            print(json.dumps(runs[size]), flush=True)
        if args.bibtex:
            print(json.dumps(measure_bibtex(args.bibtex, workdir)), flush=True)
    if len(sizes) > 1:
        small, large = sizes[-2], sizes[-1]
        grow = lambda key: math.log(runs[large][key] / runs[small][key]) / math.log(large / small)  # noqa: E731
        print(json.dumps({
            "benchmark": "import_speed_growth", "from": small, "to": large,
            "sizes": {s: {k: runs[s][k] for k in ("import_seconds", "import_cpu_seconds", "import_peak_mb", "import_total_peak_mb",
                                                  "ratio_import_to_rispy", "ratio_by_cpu_time")} for s in sizes},
            "growth_exponent": round(grow("import_seconds"), 3),
            "cpu_growth_exponent": round(grow("import_cpu_seconds"), 3),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
