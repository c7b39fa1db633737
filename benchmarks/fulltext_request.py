"""Benchmark: what a full-text request costs while the order is retrained, on a large full-text stage
(the ranking's quality is measured by ``fulltext_order.py``).

Creates a project (``-p``, must not exist) from the shared screening datasets (../shared/data/screening
CSVs, whole files in name order until at least ``--records``), includes ``--up`` of its records at
title/abstract and excludes ``--excluded`` more (drawn with ``--seed``), then has one reviewer decide
``--decisions`` records at full text. After each decision it times:

- ``request``: ``BackgroundRanking.queue`` as the server's full-text page and ``/api/fulltext/next`` call
  it (the few queries that read the decisions, the last ranking served; never a retrain);
- ``blocking``: ``review.fulltext.queue``, which retrains in the caller when the decisions changed (what
  the page did before the ranking moved to a background thread).

The background worker keeps retraining meanwhile (``rounds``: how many it finished). Prints one JSON
line; wall milliseconds beside the process's CPU seconds, since a shared machine stretches wall time.

Usage::

    .venv/bin/python benchmarks/fulltext_request.py -p /tmp/ft.db --records 10000 --up 2500 \\
        --features tfidf-asreview+char --classifier svm-asreview
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from logicmap.api import Review

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "screening"


def make_project(location: str, at_least: int) -> Review:
    """The new project from the shared screening CSVs (open; the caller closes it)."""
    files = sorted(SHARED.glob("*.csv"))
    if not files:
        sys.exit(f"no screening datasets in {SHARED}")
    review = Review.create(location, name="full-text order benchmark")
    for path in files:
        review.records.import_files([path], database=path.stem)
        if review.records.count() >= at_least:
            break
    return review


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--project", required=True, help="new SQLite path or empty PostgreSQL URL")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--up", type=int, default=2_500, help="records included at title/abstract")
    parser.add_argument("--excluded", type=int, default=1_000, help="records excluded at title/abstract")
    parser.add_argument("--decisions", type=int, default=20, help="full-text decisions timed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--features", default="tfidf-asreview+char")
    parser.add_argument("--classifier", default="svm-asreview")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    engine = {"seed": args.seed, "features": args.features, "classifier": args.classifier}
    with make_project(args.project, args.records) as review:
        records = review.screening.candidates()
        drawn = rng.permutation(records)[: args.up + args.excluded].tolist()
        for i, record in enumerate(drawn):
            include = i < args.up
            review.screening.decide(record, "include" if include else "exclude", reviewer="ta",
                                    reason=None if include else "other")
        cpu, request, blocking, started = time.process_time(), [], [], time.perf_counter()
        with review.fulltext.background(**engine) as ranking:
            first = timed(lambda: ranking.queue("ft"))
            ranking.wait()
            rounds = 1
            for i in range(args.decisions):
                order = ranking.queue("ft").records
                review.fulltext.decide(order[0], "include" if i % 3 == 0 else "exclude", reviewer="ft",
                                       reason=None if i % 3 == 0 else "other")
                request.append(timed(lambda: ranking.queue("ft")))
                if i % 2 == 0:  # half the rounds: let the worker finish, so it retrains on fresh decisions
                    ranking.wait()
                    rounds += 1
            ranking.wait()
            for i in range(3):  # the old way, for comparison: a decision then a retrain in the request
                order = review.fulltext.queue("ft", **engine)
                review.fulltext.decide(order[0], "exclude", reviewer="ft", reason="other")
                blocking.append(timed(lambda: review.fulltext.queue("ft", **engine)))
        up = len(review.screening.candidates("full_text"))
    requests = np.array(request)
    print(json.dumps({
        "benchmark": "fulltext_request", "backend": "postgresql" if args.project.startswith("postgres") else "sqlite",
        "records": len(records), "up_for_full_text": up, "features": args.features, "classifier": args.classifier,
        "decisions": len(request), "first_request_ms": round(first, 1),
        "request_p50_ms": round(float(np.percentile(requests, 50)), 1),
        "request_p95_ms": round(float(np.percentile(requests, 95)), 1),
        "request_max_ms": round(float(requests.max()), 1), "rounds_waited_for": rounds,
        "blocking_request_ms_mean": round(float(np.mean(blocking)), 1),
        "wall_s": round(time.perf_counter() - started, 1), "cpu_s": round(time.process_time() - cpu, 1),
        "load_average": round(os.getloadavg()[0], 1), "cores": os.cpu_count(),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
