"""Cache the screening orders the stopping-rule calibration evaluates.

The order in which the engine ranks a dataset's records for one seed does not
depend on the stopping rule, so each (dataset, seed) is simulated once with the
TF-IDF + SVM engine (priors drawn with the seed, as ``logicmap simulate`` does)
and its order (0-based rows in screening order) is stored in a JSON file, one
entry per run, written after every run so an interrupted job resumes.

Usage::

    .venv/bin/python benchmarks/stopping_orders.py --seeds 1-10 \\
        --cache benchmarks/.stopping-cache/orders.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from logicmap.api import ActiveLearner, load_labelled, make_features, simulate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "screening"
CACHE = ROOT / "benchmarks" / ".stopping-cache" / "orders.json"


def parse_seeds(text: str) -> list[int]:
    """``"1-10"`` or ``"1,2,3"`` -> the seeds."""
    if "-" in text:
        low, high = (int(x) for x in text.split("-"))
        return list(range(low, high + 1))
    return [int(x) for x in text.split(",")]


def load_cache(path: Path) -> dict:
    """The cached runs, keyed ``"dataset:seed"``."""
    return json.loads(path.read_text()) if path.exists() else {}


def cache_orders(paths: list[Path], seeds: list[int], path: Path) -> dict:
    """Simulate every (dataset, seed) not yet in the cache at ``path``; returns the cache."""
    cache = load_cache(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for data_path in paths:
        data = None
        for seed in seeds:
            key = f"{data_path.stem}:{seed}"
            if key in cache:
                continue
            if data is None:
                data = load_labelled(data_path)
                matrix = make_features("tfidf").fit_transform(data.texts)
            start = time.perf_counter()
            learner = ActiveLearner(features="tfidf", classifier="svm", seed=seed)
            result = simulate(data.texts, data.labels, seed=seed, learner=learner, matrix=matrix, rules=[])
            cache[key] = {"order": [int(i) for i in result.order], "labels": [int(v) for v in result.labels],
                          "n_priors": result.n_priors, "seconds": round(time.perf_counter() - start, 1)}
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(cache))
            tmp.replace(path)
            print(json.dumps({"run": key, "records": len(data.labels),
                              "seconds": cache[key]["seconds"]}), flush=True)
    return cache


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-10")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--file", dest="files", action="append", type=Path)
    args = parser.parse_args(argv)
    paths = args.files or sorted(DATA.glob("*.csv"), key=lambda p: p.stat().st_size)
    cache_orders(paths, parse_seeds(args.seeds), args.cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
