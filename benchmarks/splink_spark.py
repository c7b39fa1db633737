"""Benchmark: the splink dedupe engine on Spark (local mode) against DuckDB on the labelled set.

Runs the engine three ways on the shared ASySD labelled set: DuckDB (the default),
Spark predicting with a model trained in DuckDB (``train_api=duckdb_api``, what the
CI test checks), and Spark end to end (u-sampling and EM on Spark too). Prints one
JSON line: wall times, cluster counts, whether each Spark run's clusters equal
DuckDB's, how many pair scores differ, and the session start-up time.

    nice -n 10 .venv/bin/python benchmarks/splink_spark.py [--cores 2]

Needs the ``[splink,spark]`` extras and Java 17.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from logicmap.api import DedupeSettings, local_spark, make_engine, prepare_file, spark_engine

LABELLED = Path(__file__).resolve().parents[2] / "shared" / "data" / "dedup" / "labelled_test_set.csv"


def timed(engine, records) -> tuple[object, float]:
    start = time.perf_counter()
    result = engine.find_duplicates(records, settings=DedupeSettings())
    return result, round(time.perf_counter() - start, 1)


def scores(result) -> dict:
    return {(p.i, p.j): p.comparison.score for p in result.pairs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args(argv)
    records = prepare_file(LABELLED).records
    for record in records:
        record.extra.pop("source", None)
        record.extra.pop("label", None)
    start = time.perf_counter()
    spark = local_spark(cores=args.cores)
    session_s = round(time.perf_counter() - start, 1)
    local, local_s = timed(make_engine("splink"), records)
    row = {"benchmark": "splink_spark", "records": len(records), "cores": args.cores,
           "spark_session_s": session_s, "duckdb_s": local_s, "duckdb_clusters": len(local.clusters)}
    runs = {"spark_trained_in_duckdb": spark_engine(spark),
            "spark_end_to_end": spark_engine(spark, train_in_duckdb=False)}
    base = scores(local)
    for name, engine in runs.items():
        result, seconds = timed(engine, records)
        other = scores(result)
        row[f"{name}_s"] = seconds
        row[f"{name}_same_clusters"] = result.clusters == local.clusters
        row[f"{name}_pairs_scored_differently"] = sum(
            1 for k in base.keys() | other.keys() if abs(base.get(k, -1.0) - other.get(k, -1.0)) > 1e-6)
    row["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
