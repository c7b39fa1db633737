"""Import speed: a 100,000-record RIS built from the shared real exports.

Builds the file by repeating every RIS file in ../shared/data/formats/ris (record
identifiers suffixed per repetition so that they stay unique), then in separate
child processes (so each peak memory is its own) times:
  - rispy's bare parse of the file (``rispy.load``), the peer baseline;
  - logicmap's full import into a fresh SQLite project (parse, normalise, store
    records and per-field provenance, keep the original file).
Prints one JSON line: records/second of each, the ratio, peak memory.

Targets (issue 2): ratio >= 1/3 (import at least a third of rispy's parse speed),
import peak memory < 1 GB.

Usage: python benchmarks/import_speed.py [--records 100000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
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


def peak_mb() -> float:
    """Peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_rispy(path: Path) -> dict:
    import rispy

    start = time.perf_counter()
    with path.open(encoding="utf-8") as fh:
        entries = rispy.load(fh)
    seconds = time.perf_counter() - start
    return {"records": len(entries), "seconds": seconds, "peak_mb": peak_mb()}


def phase_import(path: Path, workdir: Path) -> dict:
    from logicmap.api import Review

    for suffix in ("", "-wal", "-shm"):
        (workdir / f"bench.db{suffix}").unlink(missing_ok=True)
    with Review.create(workdir / "bench.db") as review:
        start = time.perf_counter()
        report = review.records.import_files([path], max_bytes=2**31)
        seconds = time.perf_counter() - start
    return {"records": report.records, "seconds": seconds, "peak_mb": peak_mb()}


def run_phase(name: str, path: Path, workdir: Path) -> dict:
    """Run one phase in a child process and return its figures."""
    command = [sys.executable, __file__, "--phase", name, "--file", str(path), "--workdir", str(workdir)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"phase {name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--phase", choices=["rispy", "import"])
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.phase == "rispy":
        print(json.dumps(phase_rispy(args.file)))
        return
    if args.phase == "import":
        print(json.dumps(phase_import(args.file, args.workdir)))
        return
    if not SHARED_RIS.is_dir():
        sys.exit(f"needs the shared RIS exports at {SHARED_RIS}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        path = workdir / "bench.ris"
        built = build_file(args.records, path)
        rispy_run = run_phase("rispy", path, workdir)
        import_run = run_phase("import", path, workdir)
        rispy_rate = rispy_run["records"] / rispy_run["seconds"]
        import_rate = import_run["records"] / import_run["seconds"]
        print(
            json.dumps(
                {
                    "benchmark": "import_speed",
                    "file_mb": round(path.stat().st_size / 2**20, 1),
                    "records_in_file": built,
                    "rispy_records": rispy_run["records"],
                    "imported_records": import_run["records"],
                    "rispy_records_per_s": round(rispy_rate),
                    "import_records_per_s": round(import_rate),
                    "ratio_import_to_rispy": round(import_rate / rispy_rate, 3),
                    "target_ratio": round(1 / 3, 3),
                    "import_seconds": round(import_run["seconds"], 2),
                    "rispy_seconds": round(rispy_run["seconds"], 2),
                    "import_peak_mb": round(import_run["peak_mb"]),
                    "rispy_peak_mb": round(rispy_run["peak_mb"]),
                    "target_peak_mb": 1024,
                }
            )
        )


if __name__ == "__main__":
    main()
