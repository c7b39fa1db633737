"""Benchmark: engine configurations against ASReview LAB over several seeds.

A single seed is a noisy judge: on the datasets with 9-16 relevant records WSS@95
needs every one of them, so one hard record moves the score by 0.3. This script
replays each configuration ``FEATURES:CLASSIFIER`` (names as in
:func:`logicmap.screening.features.make_features` and
:func:`logicmap.screening.classifiers.make_classifier`) on every shared screening
dataset for every seed, with the priors drawn by that seed, and compares with
ASReview LAB 3.0.8 run on the same priors and seed.

ASReview's orders are cached in ``$LOGICMAP_ASREVIEW_CACHE`` (default
``benchmarks/.asreview-cache/``, git-ignored; keep it outside the worktree, e.g.
``../cache/asreview-orders``): its runs take minutes and do not change between
configurations. ``--asreview-only`` fills the cache and nothing else; with
``--until-95`` each ASReview run stops at 95% recall (``asreview_recall95.py``,
the same order up to there, several times faster on the large datasets; only
WSS@95 can then be read from the cached order).

Prints one JSON line per configuration (mean WSS@95 over datasets and seeds,
the same for ASReview, wins per dataset-seed pair and per dataset on seed means,
time) and one line for ASReview.

Usage::

    .venv/bin/python benchmarks/screening_configs.py --seeds 1,2,3 \\
        tfidf:svm tfidf-asreview:svm-asreview
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from logicmap.api import ActiveLearner, draw_priors, load_labelled, make_features, simulate

from screening_vs_asreview import ASREVIEW_VENV, DATA, ROOT, asreview_bin, order_metrics, run_asreview

CACHE = Path(os.environ.get("LOGICMAP_ASREVIEW_CACHE", ROOT / "benchmarks" / ".asreview-cache"))


def run_asreview_until_95(path: Path, priors: list[int], seed: int) -> tuple[np.ndarray, float]:
    """ASReview's order up to 95% recall (``asreview_recall95.py`` in ASReview's venv)."""
    asreview_bin()  # installs ASReview's venv when missing
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "order.json"
        subprocess.run([str(ASREVIEW_VENV / "bin" / "python"), str(Path(__file__).with_name("asreview_recall95.py")),
                        str(path), str(seed), *map(str, priors), str(out)],
                       check=True, stdout=subprocess.DEVNULL, cwd=tmp)
        stored = json.loads(out.read_text())
    return np.array(stored["order"]), float(stored["wall"])


def asreview_wss(path: Path, labels: np.ndarray, seed: int, until_95: bool = False) -> float:
    """ASReview's WSS@95 on ``path`` with ``seed`` (cached order, else a fresh run,
    stopped at 95% recall with ``until_95``)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"{path.stem}_seed{seed}.json"
    priors = draw_priors(labels, seed)
    stored = json.loads(cached.read_text()) if cached.exists() else {}
    if stored.get("priors") == priors:
        order = np.array(stored["order"])
    else:
        order, wall = (run_asreview_until_95 if until_95 else run_asreview)(path, priors, seed)
        cached.write_text(json.dumps({"priors": priors, "order": order.tolist(), "wall": wall,
                                      **({"stopped_at": "95% recall"} if until_95 else {})}))
    return float(order_metrics(labels, order)["wss@95"])


def run_config(config: str, datasets: list, seeds: list[int]) -> dict[tuple[str, int], float]:
    """WSS@95 of one configuration for every (dataset, seed)."""
    features, classifier = config.split(":")
    scores = {}
    for path, data in datasets:
        matrix = make_features(features).fit_transform(data.texts)
        for seed in seeds:
            # refit after every decision, as when these configs were compared (no retrain schedule)
            learner = ActiveLearner(features=features, classifier=classifier, seed=seed, retrain_share=0.0)
            result = simulate(data.texts, data.labels, seed=seed, learner=learner,
                              matrix=matrix, rules=[])
            scores[(path.stem, seed)] = float(result.metrics["wss@95"])
    return scores


def compare(name: str, ours: dict, theirs: dict, seconds: float) -> dict:
    """Summary line of one configuration against ASReview."""
    keys = sorted(ours)
    by_dataset: dict[str, list[tuple[float, float]]] = {}
    for key in keys:
        by_dataset.setdefault(key[0], []).append((ours[key], theirs[key]))
    means = {d: tuple(np.mean(v, axis=0)) for d, v in by_dataset.items()}
    return {
        "config": name, "runs": len(keys),
        "mean_wss@95": round(float(np.mean([ours[k] for k in keys])), 4),
        "mean_asreview_wss@95": round(float(np.mean([theirs[k] for k in keys])), 4),
        "wins_runs": int(sum(ours[k] > theirs[k] for k in keys)),
        "wins_datasets_on_seed_means": int(sum(o > t for o, t in means.values())),
        "datasets": len(means), "seconds": round(seconds, 1),
        "per_dataset": {d: round(float(o), 3) for d, (o, _) in means.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", default=["tfidf:svm"])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--file", dest="files", action="append", type=Path,
                        help="a dataset CSV (repeatable; default: every shared one)")
    parser.add_argument("--asreview-only", action="store_true",
                        help="only compute (and cache) ASReview's orders, smallest datasets first")
    parser.add_argument("--largest-first", action="store_true",
                        help="with --asreview-only: largest datasets first (e.g. for a second process)")
    parser.add_argument("--until-95", action="store_true",
                        help="with --asreview-only: stop each ASReview run at 95% recall (WSS@95 only)")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    paths = args.files or sorted(DATA.glob("*.csv"))
    if args.asreview_only:
        for seed in seeds:  # seed by seed: a partial run covers whole seeds
            for path in sorted(paths, key=lambda p: p.stat().st_size, reverse=args.largest_first):
                labels = np.asarray(load_labelled(path).labels)
                print(json.dumps({"dataset": path.stem, "seed": seed,
                                  "asreview_wss@95": asreview_wss(path, labels, seed, args.until_95)}),
                      flush=True)
        return 0
    datasets = [(p, load_labelled(p)) for p in paths]
    theirs = {(p.stem, s): asreview_wss(p, np.asarray(d.labels), s)
              for p, d in datasets for s in seeds}
    per_dataset = {p.stem: round(float(np.mean([theirs[(p.stem, s)] for s in seeds])), 3)
                   for p, _ in datasets}
    print(json.dumps({"config": "asreview-3.0.8-default", "runs": len(theirs),
                      "mean_wss@95": round(float(np.mean(list(theirs.values()))), 4),
                      "per_dataset": per_dataset}), flush=True)
    for config in args.configs:
        start = time.perf_counter()
        ours = run_config(config, datasets, seeds)
        print(json.dumps(compare(config, ours, theirs, time.perf_counter() - start)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
