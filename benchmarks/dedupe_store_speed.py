"""Dedupe through the project store: ``run_dedupe`` on N synthetic records (default 100,000).

The records are those of ``dedupe_speed.py`` (the shared real exports plus seeded
perturbed copies and new papers), written to a fresh SQLite project; the timing
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

from logicmap.dedupe.pipeline import run_dedupe  # noqa: E402
from logicmap.store import create_store  # noqa: E402
from logicmap.records.source import SourceInfo
from logicmap.store.records import add_records, finish_source, start_source  # noqa: E402


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
        project = create_store((args.workdir or Path(tmp)) / "dedupe-bench.db")
        with project.session() as session:
            source = start_source(session, SourceInfo("synthetic.ris", "0" * 64, "ris", 0))
            for start in range(0, len(records), 5000):
                add_records(session, source, records[start : start + 5000])
            finish_source(session, source, len(records), 0, None, None)
        begin = time.perf_counter()
        summary = run_dedupe(project)
        seconds = time.perf_counter() - begin
        project.close()
    print(json.dumps({
        "benchmark": "dedupe_store_speed", "records": args.records, "seconds": round(seconds, 1),
        "records_per_s": round(args.records / seconds), "pairs_compared": summary.pairs_compared,
        "clusters": summary.clusters, "duplicates_removed": summary.duplicates_removed,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_seconds": 60, "target_peak_mb": 2048,
    }))


if __name__ == "__main__":
    main()
