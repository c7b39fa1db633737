"""Spark in local mode (one session for the module): the splink engine and the screening ranking.

Skipped with the reason when pyspark or Java is missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.support import shared_path
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


def _key(title: str | None) -> str:
    """A title reduced to lower-case letters and digits (import tidies punctuation)."""
    return re.sub(r"[^a-z0-9]", "", (title or "").lower())


@pytest.fixture
def postgres_review(tmp_path):
    """A PostgreSQL project holding one shared screening dataset, and its labels by record id."""
    import csv
    import os

    from tests.support import PG_URL_VAR, fresh_postgres_database

    from logicmap.api import Review

    if not os.environ.get(PG_URL_VAR):
        pytest.skip(f"needs {PG_URL_VAR} (set by .ci/run)")
    source = shared_path("screening/Cohen_2006_UrinaryIncontinence.csv")
    url, drop = fresh_postgres_database()
    review = Review.create(url)
    try:
        review.records.import_files([source], database="PubMed")
        with source.open(encoding="utf-8") as handle:
            label_of = {_key(row["title"]): int(row["label_included"]) for row in csv.DictReader(handle)}
        yield review, label_of
    finally:
        review.close()
        drop()


@pytest.mark.postgres
def test_screening_ranking_as_spark_jobs_over_postgres_matches_the_local_engine(spark, postgres_review):
    import numpy as np

    from logicmap.api import ActiveLearner

    review, label_of = postgres_review
    ids = review.screening.candidates()
    cards = {c.record_id: c for c in review.screening.cards(ids)}
    labels = {i: label_of.get(_key(cards[i].title), -1) for i in ids}
    relevant = [i for i in ids if labels[i] == 1][:5]
    irrelevant = [i for i in ids if labels[i] == 0][:25]
    assert len(relevant) == 5 and len(irrelevant) == 25
    for i in relevant:
        review.screening.decide(i, "include", reviewer="ana")
    for i in irrelevant:
        review.screening.decide(i, "exclude", reviewer="ana")

    start = time.perf_counter()
    ranking = review.screening.rank_on_spark(spark, reviewer="ana", partitions=3)
    print(f"spark ranking of {len(ids)} records: {time.perf_counter() - start:.1f} s")

    texts = [" ".join(p for p in (cards[i].title, cards[i].abstract) if p).strip() for i in ids]
    learner = ActiveLearner(features="tfidf", classifier="svm").fit(texts)
    for n, i in enumerate(ids):
        if i in relevant or i in irrelevant:
            learner.label(n, 1 if i in relevant else 0)
    score, _ = learner.scores()
    pool = [n for n, i in enumerate(ids) if i not in relevant and i not in irrelevant]
    local = [ids[n] for n in sorted(pool, key=lambda n: (-score[n], ids[n]))]
    assert len(ranking) == len(local) == len(ids) - 30
    assert ranking[:50] == local[:50]
    found_by = {i: r for r, i in enumerate(ranking)}
    assert np.corrcoef([found_by[i] for i in local], range(len(local)))[0, 1] > 0.999
