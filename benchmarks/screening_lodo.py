"""Benchmark: choose the default screening engine by leave-one-dataset-out against ASReview.

Each candidate configuration ``FEATURES:CLASSIFIER`` (names as in
:func:`logicmap.api.make_features` and the screening classifiers) replays every
shared screening dataset for every seed, with the priors drawn by that seed
(the same priors ASReview gets, see ``screening_configs.py``). Only WSS@95 is
needed to choose, so a replay stops as soon as 95% of the relevant records are
found (the records screened up to then are exactly those
:func:`logicmap.api.simulate` would screen first). Each run's WSS@95 is kept
in ``$LOGICMAP_SCREENING_RUNS`` (default ``benchmarks/.screening-runs``), one
JSON line per run, so a candidate is replayed once however often the choice is
recomputed.

Leave-one-dataset-out: for each dataset, the candidate with the best mean
margin over ASReview on the *other* 13 datasets (all seeds) is chosen, and only
its runs on the held-out dataset are scored. The held-out figures are the
result; the best candidate on all 14 datasets is printed on a separate
``"tuned_on": "all"`` line, since it was chosen by looking.

Only (dataset, seed) runs made by every candidate and found in ASReview's cache
(``screening_configs.py --asreview-only`` fills it) are scored; the final line
lists the others as ``runs_missing``. Prints one JSON line per (dataset, seed)
for the held-out choice (ours vs ASReview), one per dataset (chosen
configuration, seed means), one per candidate on all datasets (tuned on), and a
final line with held-out means, wins (also per dataset) and ratio.

Output of the last run: ``benchmarks/screening_lodo.jsonl``. First block: the
choice of the plain install's default among ELAS u4 (``tfidf-asreview:svm-asreview``),
the older TF-IDF SVM, the static fusion and u4 beside character 3-5-grams
(``tfidf-asreview+char:svm-asreview``), on every (dataset, seed) run that all four
and ASReview have made (seeds 1-3 on the six smallest datasets, seed 1 on the
others; the others' seeds 2-3 were not replayed with character n-grams in the time,
see its ``runs_missing``; ``screening_default_check.py`` scores the chosen default
on those 17 runs, held out, and on all 42). The next blocks are the candidate screen that came
first, seed 1 only, on the datasets each candidate was run on: u4 with 100
presumed-irrelevant records per retrain (``svm-asreview-bmi100``, 10 datasets),
u4 with the static embeddings in the same SVM (``tfidf-asreview+static``) and a
5% share of uncertainty picks (``:mixed``), 6 datasets. Those were dropped by
looking at these lines, so only the first block's held-out figures are a result.

Usage::

    .venv/bin/python benchmarks/screening_lodo.py --seeds 1,2,3 --run tfidf:svm tfidf:svm+nb
    .venv/bin/python benchmarks/screening_lodo.py --seeds 1,2,3 tfidf:svm tfidf:svm+nb
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np

from logicmap.api import ActiveLearner, draw_priors, load_labelled, make_features

from screening_configs import CACHE, asreview_wss
from screening_vs_asreview import DATA, ROOT

RUNS = Path(os.environ.get("LOGICMAP_SCREENING_RUNS", ROOT / "benchmarks" / ".screening-runs"))


def wss95_replay(learner: ActiveLearner, matrix, labels: np.ndarray, priors: list[int]) -> tuple[float, int]:
    """WSS@95 of one replay stopped at 95% recall, and the number of decisions made."""
    n, relevant = len(labels), int(labels.sum())
    needed = max(1, math.ceil(0.95 * relevant - 1e-9))
    learner.fit(matrix=matrix)
    for index in priors:
        learner.label(index, int(labels[index]))
    found = int(labels[priors].sum())
    screened = len(priors)
    while found < needed:
        pick = learner.next()
        learner.label(pick, int(labels[pick]))
        found += int(labels[pick])
        screened += 1
    return (n - screened) / n - 0.05, screened - len(priors)


def runs_file(config: str) -> Path:
    """Where the runs of ``config`` are kept."""
    return RUNS / (config.replace(":", "__").replace("/", "_") + ".jsonl")


def load_runs(config: str) -> dict[tuple[str, int], float]:
    """Kept WSS@95 of ``config`` by (dataset, seed)."""
    path = runs_file(config)
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {(r["dataset"], r["seed"]): r["wss@95"] for r in rows}


def run_configs(configs: list[str], paths: list[Path], seeds: list[int]) -> None:
    """Replay every configuration on every dataset and seed not kept yet (seed by seed,
    smallest datasets first, so a partial run covers whole seeds), appending to their files."""
    RUNS.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        for path in paths:
            todo = [c for c in configs if (path.stem, seed) not in load_runs(c)]
            if not todo:
                continue
            data = load_labelled(path)
            labels = np.asarray(data.labels)
            for config in todo:
                run_one(config, path.stem, data.texts, labels, seed)


def run_one(config: str, dataset: str, texts: list[str], labels: np.ndarray, seed: int) -> None:
    """One replay of ``config``, appended to its file and printed."""
    features, classifier = config.split(":")[:2]
    query = config.split(":")[2] if config.count(":") >= 2 else "max"
    start = time.perf_counter()
    matrix = make_features(features).fit_transform(texts)
    feature_seconds = time.perf_counter() - start
    # refit after every decision, as when the committed lines were made (no retrain schedule)
    learner = ActiveLearner(features=features, classifier=classifier, query=query, seed=seed, retrain_share=0.0)
    start = time.perf_counter()
    score, decisions = wss95_replay(learner, matrix, labels, draw_priors(labels, seed))
    row = {"config": config, "dataset": dataset, "seed": seed, "wss@95": score,
           "decisions": decisions, "feature_seconds": round(feature_seconds, 2),
           "ms_per_decision": round(1000 * (time.perf_counter() - start) / max(decisions, 1), 2)}
    with runs_file(config).open("a") as out:
        out.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)


def cached_asreview(path: Path, labels: np.ndarray, seed: int) -> float | None:
    """ASReview's WSS@95 from its cached order (None when that run was not made yet)."""
    cached = CACHE / f"{path.stem}_seed{seed}.json"
    if not cached.exists() or json.loads(cached.read_text()).get("priors") != draw_priors(labels, seed):
        return None
    return asreview_wss(path, labels, seed)


def margin(ours: dict, theirs: dict, keys: list) -> float:
    """Mean WSS@95 margin over ASReview on ``keys``."""
    return float(np.mean([ours[k] - theirs[k] for k in keys]))


def lodo(configs: list[str], paths: list[Path], seeds: list[int]) -> None:
    """Print the leave-one-dataset-out choice and its held-out scores, on the
    (dataset, seed) runs that every candidate and ASReview have made."""
    theirs = {}
    for path in paths:
        labels = np.asarray(load_labelled(path).labels)
        for seed in seeds:
            score = cached_asreview(path, labels, seed)
            if score is not None:
                theirs[(path.stem, seed)] = score
    runs = {c: load_runs(c) for c in configs}
    keys = sorted(k for k in theirs if all(k in runs[c] for c in configs))
    names = sorted({d for d, _ in keys})
    missing = sorted({(p.stem, s) for p in paths for s in seeds} - set(keys))
    rows, chosen = [], {}
    for held in names:
        train = [k for k in keys if k[0] != held]
        best = max(configs, key=lambda c: margin(runs[c], theirs, train))
        chosen[held] = best
        ours = runs[best]
        for seed in sorted(s for d, s in keys if d == held):
            row = {"dataset": held, "seed": seed, "chosen_on_other_datasets": best,
                   "ours_wss@95": round(ours[(held, seed)], 4),
                   "asreview_wss@95": round(theirs[(held, seed)], 4)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    for held in names:
        mine = [r for r in rows if r["dataset"] == held]
        print(json.dumps({"dataset": held, "chosen_on_other_datasets": chosen[held],
                          "held_out_mean_ours": round(float(np.mean([r["ours_wss@95"] for r in mine])), 4),
                          "mean_asreview": round(float(np.mean([r["asreview_wss@95"] for r in mine])), 4),
                          "runs_won": sum(r["ours_wss@95"] > r["asreview_wss@95"] for r in mine)}),
              flush=True)
    for config in configs:
        ours = runs[config]
        print(json.dumps({"tuned_on": "all", "config": config,
                          "mean_wss@95": round(float(np.mean([ours[k] for k in keys])), 4),
                          "mean_asreview_wss@95": round(float(np.mean([theirs[k] for k in keys])), 4),
                          "wins_runs": int(sum(ours[k] > theirs[k] for k in keys)), "runs": len(keys)}),
              flush=True)
    ours_mean = float(np.mean([r["ours_wss@95"] for r in rows]))
    theirs_mean = float(np.mean([r["asreview_wss@95"] for r in rows]))
    print(json.dumps({
        "benchmark": "screening_lodo", "held_out": "leave-one-dataset-out", "candidates": configs,
        "datasets": len(names), "seeds": seeds, "runs": len(rows),
        "runs_missing": [f"{d}:{s}" for d, s in missing],
        "held_out_mean_ours_wss@95": round(ours_mean, 4), "mean_asreview_wss@95": round(theirs_mean, 4),
        "margin": round(ours_mean - theirs_mean, 4),
        "wins_runs": sum(r["ours_wss@95"] > r["asreview_wss@95"] for r in rows),
        "ties_runs": sum(r["ours_wss@95"] == r["asreview_wss@95"] for r in rows),
        "ratio_wss@95": round(ours_mean / theirs_mean, 4),
        "per_dataset_won_of_runs": {
            held: f"{sum(r['ours_wss@95'] > r['asreview_wss@95'] for r in rows if r['dataset'] == held)}"
                  f"/{sum(r['dataset'] == held for r in rows)}" for held in names},
        "target": "margin >= 0.05 and wins >= 2/3 of runs",
        "target_met": bool(ours_mean - theirs_mean >= 0.05
                           and 3 * sum(r["ours_wss@95"] > r["asreview_wss@95"] for r in rows) >= 2 * len(rows)),
    }), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--run", action="store_true", help="replay the configurations (kept runs are reused)")
    parser.add_argument("--largest-first", action="store_true",
                        help="with --run: largest datasets first (e.g. for a second process)")
    parser.add_argument("--file", dest="files", action="append", type=Path)
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    paths = args.files or sorted(DATA.glob("*.csv"), key=lambda p: p.stat().st_size,
                                 reverse=args.largest_first)
    if args.run:
        run_configs(args.configs, paths, seeds)
        return 0
    lodo(args.configs, sorted(paths), seeds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
