"""Spark in local mode (one session for the module): the splink engine and the screening ranking.

Skipped with the reason when pyspark or Java is missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import time

import pytest

from conftest import shared_path
from spark_support import spark_session


@pytest.fixture(scope="module")
def spark():
    return spark_session()


@pytest.fixture(scope="module")
def labelled_records():
    from logicmap.records.reading import prepare_file

    records = prepare_file(shared_path("dedup/labelled_test_set.csv")).records
    for record in records:
        record.extra.pop("source", None)
        record.extra.pop("label", None)
    return records


def test_splink_on_spark_reproduces_the_duckdb_clusters_on_the_labelled_set(spark, labelled_records):
    pytest.importorskip("duckdb")
    from logicmap.dedupe.engine import DedupeSettings
    from logicmap.dedupe.splink_engine import SplinkEngine, duckdb_api
    from logicmap.dedupe.splink_spark import spark_db_api

    settings = DedupeSettings()
    start = time.perf_counter()
    local = SplinkEngine().find_duplicates(labelled_records, settings=settings)
    duckdb_s = time.perf_counter() - start
    start = time.perf_counter()
    engine = SplinkEngine(db_api=spark_db_api(spark), train_api=duckdb_api)
    on_spark = engine.find_duplicates(labelled_records, settings=settings)
    spark_s = time.perf_counter() - start
    print(f"labelled set ({len(labelled_records)} records): duckdb {duckdb_s:.1f} s, "
          f"spark local[2] {spark_s:.1f} s, {len(on_spark.clusters)} clusters")
    assert len(local.clusters) > 400
    assert on_spark.clusters == local.clusters
    scores = [{(p.i, p.j): (p.comparison.score, p.decision) for p in r.pairs} for r in (local, on_spark)]
    assert scores[0] == scores[1]
