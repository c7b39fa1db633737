"""Benchmark: screening at 10k / 100k / 1M records: retrain+rank per decision and the next
record served from the last ranking, with feature time, peak memory and growth exponents.

Synthetic records as in ``screening_speed.py`` (halves of two real records from the
shared screening datasets, seeded). Engine: the plain-install default, TF-IDF words
+ the ratio-weighted linear SVM (``tfidf:svm``). Each size runs in a fresh child
process (``--one``) so its peak resident memory is its own. Per size the queue
starts with ``--labelled`` decisions (10% relevant); then ``--decisions`` times:
decide the served record, time ``refresh()`` (retrain + rank every undecided
record, what the web app runs in the background after a decision) and time
``next()`` on the ranking installed *before* the refresh (what the reviewer waits for).

Prints one JSON line per size and one with the growth exponents
(``log(t2/t1) / log(n2/n1)``) and the targets at 1M records: retrain+rank
<= 1 s per decision, next record <= 50 ms.

    nice -n 10 .venv/bin/python benchmarks/screening_scale.py [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

import numpy as np

from logicmap.api import ActiveLearner, ReviewerQueue, stopping_rules
from screening_speed import source_corpus, synthetic

TARGET_RANK_S, TARGET_NEXT_MS = 1.0, 50.0


def one_size(n: int, *, labelled: int, decisions: int, seed: int) -> dict:
    """Feature, retrain+rank and serve times at ``n`` records (run in its own process)."""
    texts, labels = source_corpus()
    data, y, _ = synthetic(texts, labels, n, np.random.default_rng(seed + n))
    del texts
    start = time.perf_counter()
    learner = ActiveLearner(features="tfidf", classifier="svm", seed=seed).fit(data)
    features_s = time.perf_counter() - start
    del data
    queue = ReviewerQueue(learner, range(n), stopping_rules.default_rule())
    rng = np.random.default_rng(seed)
    relevant, irrelevant = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    n_rel = max(1, labelled // 10)
    for i in np.concatenate([rng.choice(relevant, n_rel, replace=False),
                             rng.choice(irrelevant, labelled - n_rel, replace=False)]):
        queue.decide(int(i), "include" if y[i] else "exclude")
    queue.refresh()
    rank_s, rank_cpu_s, next_ms = [], [], []
    for _ in range(decisions):
        start = time.perf_counter()
        record, _ = queue.next()  # served from the last ranking
        next_ms.append((time.perf_counter() - start) * 1000)
        queue.decide(record, "include" if y[record] else "exclude")
        start, cpu = time.perf_counter(), time.process_time()
        queue.refresh()
        rank_s.append(time.perf_counter() - start)
        rank_cpu_s.append(time.process_time() - cpu)
    return {
        "benchmark": "screening_scale", "engine": f"{learner.features_}:{learner.classifier_}",
        "records": n, "features": int(learner.X_.shape[1]), "nnz": int(learner.X_.nnz),
        "labelled_at_start": labelled, "decisions": decisions,
        "feature_s": round(features_s, 1),
        "retrain_rank_median_s": round(float(np.median(rank_s)), 3),
        "retrain_rank_p90_s": round(float(np.percentile(rank_s, 90)), 3),
        "retrain_rank_cpu_median_s": round(float(np.median(rank_cpu_s)), 3),  # all threads' CPU
        "next_median_ms": round(float(np.median(next_ms)), 3),
        "next_max_ms": round(float(np.max(next_ms)), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def exponent(a: dict, b: dict, key: str) -> float:
    """Growth exponent of ``key`` between two sizes."""
    return round(math.log(b[key] / a[key]) / math.log(b["records"] / a["records"]), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--labelled", type=int, default=200)
    parser.add_argument("--decisions", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        row = one_size(args.one, labelled=args.labelled, decisions=args.decisions, seed=args.seed)
        print(json.dumps(row), flush=True)
        return 0
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--labelled", str(args.labelled),
                              "--decisions", str(args.decisions), "--seed", str(args.seed)],
                             check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    keys = ("feature_s", "retrain_rank_median_s", "next_median_ms", "peak_rss_mb")
    growth = {f"{a['records']}->{b['records']}": {k: exponent(a, b, k) for k in keys}
              for a, b in zip(rows, rows[1:])}
    last = rows[-1]
    print(json.dumps({
        "benchmark": "screening_scale", "growth_exponent": growth, "largest": last["records"],
        "retrain_rank_ok": last["retrain_rank_median_s"] <= TARGET_RANK_S,
        "next_ok": last["next_max_ms"] <= TARGET_NEXT_MS, "cores": os.cpu_count(),
    }), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
