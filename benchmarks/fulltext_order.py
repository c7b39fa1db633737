"""Benchmark: does the full-text queue (``review.fulltext.queue``) put the final includes first?

On every shared screening dataset with both labels (``label_abstract_screening`` and the final
``label_included``: the Cohen 2006 sets and Nagtegaal 2019), a fresh project holds the records and
every title/abstract decision as labelled; the records included there are up for full text. Two
held-out measures of the queue's order, neither tuned on (the engine and its options are the
screening defaults named below, fixed before these runs):

* ``auc_cold``: before any full-text decision, the probability that a final include comes before a
  final exclusion in the queue (0.5: no better than chance, as the old order by record id);
* ``auc_warm``: after a random half of the full-text records (``--seed``) are decided as labelled,
  the same on the other half.

Also the time of ``queue`` after a decision (it retrains; ``queue_ms``, median). Prints one JSON line;
the last run's is in ``benchmarks/fulltext_order.jsonl`` (a machine shared by six sessions, load
about 20 on 2 cores: the times are upper bounds).

Usage::

    .venv/bin/python benchmarks/fulltext_order.py [--datasets N] [--seed S]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from logicmap.api import Review

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "screening"
ENGINE = {"features": "tfidf", "classifier": "svm", "seed": 0}


def auc(order: list[int], positives: set[int]) -> float | None:
    """Probability that a positive of ``order`` comes before a negative (None: one class only)."""
    wins, negatives = 0, 0
    for record in reversed(order):
        if record in positives:
            wins += negatives
        else:
            negatives += 1
    npos = len(order) - negatives
    return wins / (npos * negatives) if npos and negatives else None


def labels_by_id(path: Path) -> dict[str, tuple[int, int]]:
    """The dataset's ``record_id`` (a record's source id once imported) -> (title/abstract, final) label."""
    with path.open(encoding="utf-8") as handle:
        return {row["record_id"]: (int(row["label_abstract_screening"]), int(row["label_included"]))
                for row in csv.DictReader(handle)}


def run_dataset(path: Path, folder: Path, seed: int) -> dict:
    labels = labels_by_id(path)
    with Review.create(folder / f"{path.stem}.db") as review:
        review.records.import_files([path], database=path.stem)
        final: dict[int, int] = {}
        for record in review.screening.candidates():
            ta, included = labels.get(review.records.get(record).source_id or "", (None, None))
            if ta is None:
                continue
            review.screening.decide(record, "include" if ta else "exclude", reviewer="ta",
                                    reason=None if ta else "other")
            if ta:
                final[record] = included
        positives = {r for r, v in final.items() if v}
        cold = auc(review.fulltext.queue("ft", **ENGINE), positives)
        decided = sorted(final)
        random.Random(seed).shuffle(decided)
        taught, held = decided[: len(decided) // 2], set(decided[len(decided) // 2:])
        times = []
        for record in taught:
            review.fulltext.decide(record, "include" if final[record] else "exclude", reviewer="ft",
                                   reason=None if final[record] else "other")
            start = time.perf_counter()
            queue = review.fulltext.queue("ft", **ENGINE)
            times.append((time.perf_counter() - start) * 1000)
        warm = auc([r for r in queue if r in held], positives & held)
        return {"dataset": path.stem, "records": review.records.count(), "up": len(final),
                "final_includes": len(positives), "auc_cold": cold and round(cold, 3),
                "auc_warm": warm and round(warm, 3), "queue_ms": round(statistics.median(times), 1) if times else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=13, help="at most this many datasets, smallest first")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    files = [p for p in sorted(SHARED.glob("*.csv"), key=lambda p: p.stat().st_size)
             if "label_abstract_screening" in p.open(encoding="utf-8").readline()][: args.datasets]
    if not files:
        sys.exit(f"no dataset with title/abstract and final labels in {SHARED}")
    with tempfile.TemporaryDirectory(prefix="logicmap-fulltext-order-") as folder:
        rows = [run_dataset(path, Path(folder), args.seed) for path in files]
    colds = [r["auc_cold"] for r in rows if r["auc_cold"] is not None]
    warms = [r["auc_warm"] for r in rows if r["auc_warm"] is not None]
    print(json.dumps({"benchmark": "fulltext_order", "engine": ENGINE, "seed": args.seed, "datasets": rows,
                      "auc_cold_mean": round(statistics.mean(colds), 3) if colds else None,
                      "auc_warm_mean": round(statistics.mean(warms), 3) if warms else None}))


if __name__ == "__main__":
    main()
