"""Dedupe through a project: ``review.dedupe.run()`` on N synthetic records (default 100,000).

The records are those of ``dedupe_speed.py`` (the shared real exports plus seeded
perturbed copies and new papers), written as RIS and imported into a fresh
SQLite project (not timed); the timing
covers what ``logicmap dedupe`` does: load the records, compare, store the pairs,
build and merge the clusters. Prints one JSON line (seconds, clusters, peak memory).

Usage: python benchmarks/dedupe_store_speed.py [--records 100000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dedupe_speed  # noqa: E402  (the same record generator)

from logicmap.api import Review, write_records  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    base, _ = dedupe_speed.load_base(dedupe_speed.DEFAULT_FORMATS)
    records, _, _ = dedupe_speed.build(base, args.records, args.seed, 0.35)
    for position, record in enumerate(records, 1):
        record.position, record.source_id = position, None
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        write_records(records, "ris", workdir / "synthetic.ris")
        with Review.create(workdir / "dedupe-bench.db") as review:
            review.records.import_files([workdir / "synthetic.ris"], skip_bad=True, max_bytes=2**40)
            begin = time.perf_counter()
            summary = review.dedupe.run()
            seconds = time.perf_counter() - begin
    print(json.dumps({
        "benchmark": "dedupe_store_speed", "records": args.records, "seconds": round(seconds, 1),
        "records_per_s": round(args.records / seconds), "pairs_compared": summary.pairs_compared,
        "clusters": summary.clusters, "duplicates_removed": summary.duplicates_removed,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_seconds": 60, "target_peak_mb": 2048,
    }))


if __name__ == "__main__":
    main()
