"""Benchmark: logicmap's default screening engine against ASReview LAB 3.0.8.

For every dataset in ../shared/data/screening (or the files given), both engines
replay the labels with the same seed and the same prior records (one relevant and
one irrelevant, drawn with :func:`logicmap.screening.draw_priors`). ASReview runs
with its default model (ELAS u4) through ``asreview simulate --prior-idx ... --seed``
in its own virtualenv, ``$LOGICMAP_ASREVIEW_VENV`` or ``benchmarks/.asreview-venv``
(created and filled with ``pip install asreview==3.0.8`` on first use; git-ignored;
keep it outside the worktree, e.g. ``../cache/asreview-venv``, so it survives). Both orders are scored
with the same metric code (:mod:`logicmap.screening.metrics`), priors included.

Prints one JSON line per dataset (and seed) and a final JSON line with the
means, the number of runs where we win on WSS@95, and the ratios ours/ASReview.
With several seeds (``--seeds 1,2,3``; one seed alone is a noisy judge: on a
dataset with 9 relevant records one hard record moves WSS@95 by up to 0.3) it
also gives each dataset's seed means and the datasets won on them.
``--summarise OUT...`` recomputes that final line from earlier outputs, e.g.
one run per seed made in parallel.

``--calibration-seeds 1,2,3,4,5`` also replays our engine with those seeds and
reports how often each stopping rule reached 95% recall (the statistical rule
targets >= 95% of runs); with the ``[embed]`` extra it reuses the sentence
embeddings kept in ``benchmarks/.embedding-cache.db`` (the comparison itself
embeds afresh, so its wall times include embedding). ``--no-asreview`` skips
ASReview; ``--calibration-only`` skips the comparison.

Usage::

    .venv/bin/python benchmarks/screening_vs_asreview.py [--seeds 1,2,3] [FILE.csv ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from pathlib import Path

import numpy as np

from logicmap.api import (
    ActiveLearner,
    default_engine,
    draw_priors,
    load_labelled,
    make_features,
    simulate,
    summarise,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "screening"
ASREVIEW_VENV = Path(os.environ.get("LOGICMAP_ASREVIEW_VENV", ROOT / "benchmarks" / ".asreview-venv"))
ASREVIEW_VERSION = "3.0.8"


def asreview_bin() -> Path:
    """Path of the ``asreview`` executable, installing it into its venv when missing."""
    exe = ASREVIEW_VENV / "bin" / "asreview"
    if not exe.exists():
        print(f"installing asreview=={ASREVIEW_VERSION} into {ASREVIEW_VENV}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(ASREVIEW_VENV)
        subprocess.run([str(ASREVIEW_VENV / "bin" / "pip"), "install", "-q",
                        f"asreview=={ASREVIEW_VERSION}"], check=True)
    return exe


def run_asreview(path: Path, priors: list[int], seed: int) -> tuple[np.ndarray, float]:
    """ASReview's labelling order (0-based rows, priors first) and its wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "sim.asreview"
        cmd = [str(asreview_bin()), "simulate", str(path), "--seed", str(seed),
               "--prior-idx", *map(str, priors), "-o", str(project)]
        start = time.perf_counter()
        # cwd=tmp: asreview leaves a synergy_cache.sqlite in its working directory
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd=tmp)
        wall = time.perf_counter() - start
        with zipfile.ZipFile(project) as zf:
            name = next(n for n in zf.namelist() if n.endswith("results.db"))
            zf.extract(name, tmp)
        with sqlite3.connect(Path(tmp) / name) as db:
            rows = db.execute(
                "SELECT record_id FROM results WHERE label IS NOT NULL ORDER BY rowid"
            ).fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64), wall


def order_metrics(y: np.ndarray, order: np.ndarray, n_priors: int = 2) -> dict:
    """Metrics of ASReview's labelling ``order`` (priors first) against the labels ``y``; ASReview's
    order may stop early (at 95% recall), so the totals come from ``y``."""
    return summarise(y[order], n_total=len(y), n_relevant=int(y.sum()), n_priors=n_priors)


def run_ours(texts, labels, priors, seed):
    """Our default engine's simulation and its wall time (features included)."""
    start = time.perf_counter()
    result = simulate(texts, labels, seed=seed, prior_ids=priors)
    return result, time.perf_counter() - start


def compare(path: Path, seed: int, with_asreview: bool) -> dict:
    """One dataset: both engines, same seed and priors."""
    data = load_labelled(path)
    y = np.asarray(data.labels)
    priors = draw_priors(y, seed)
    ours, our_wall = run_ours(data.texts, data.labels, priors, seed)
    our_steps = max(int(ours.decision_seconds.size), 1)
    row = {
        "dataset": path.name, "n": len(y), "relevant": int(y.sum()), "seed": seed,
        "priors": priors,
        "ours_wss@95": ours.metrics["wss@95"], "ours_recall@10%": ours.metrics["recall@10%"],
        "ours_wss@100": ours.metrics["wss@100"],
        "ours_ms_per_decision": 1000 * our_wall / our_steps,
        "ours_ms_retrain_rank_median": float(np.median(ours.decision_seconds) * 1000),
        "ours_stopping": ours.stopping,
    }
    if with_asreview:
        order, wall = run_asreview(path, priors, seed)
        theirs = order_metrics(y, order)
        row.update({
            "asreview_wss@95": theirs["wss@95"], "asreview_recall@10%": theirs["recall@10%"],
            "asreview_wss@100": theirs["wss@100"],
            "asreview_ms_per_decision": 1000 * wall / max(len(order) - 2, 1),
            "asreview_priors_first": [int(i) for i in order[:2]] == priors,
        })
    return row


def calibration(paths: list[Path], seeds: list[int]) -> dict:
    """Share of seeded runs in which each stopping rule reached 95% recall."""
    outcomes: dict[str, list[tuple[float, float]]] = {}
    features, classifier = default_engine()
    cache = None
    if features.endswith("+embed"):  # calibration times nothing: reuse embeddings across runs
        from embedding_cache import open_cache

        cache = open_cache()
    for path in paths:
        data = load_labelled(path)
        X = make_features(features, embedding_cache=cache).fit_transform(data.texts)
        for seed in seeds:
            learner = ActiveLearner(features=features, classifier=classifier, seed=seed)
            result = simulate(data.texts, data.labels, seed=seed, matrix=X, learner=learner)
            for rule, out in result.stopping.items():
                outcomes.setdefault(rule, []).append((out["recall"], out["work_saved"]))
            print(json.dumps({"calibration": path.name, "seed": seed,
                              **{k: round(v["recall"], 4) for k, v in result.stopping.items()},
                              "work_saved": {k: round(v["work_saved"], 4)
                                             for k, v in result.stopping.items()}}),
                  flush=True)
    return {
        rule: {"runs": len(v), "share_recall_ge_95": float(np.mean([r >= 0.95 for r, _ in v])),
               "mean_recall": float(np.mean([r for r, _ in v])),
               "mean_work_saved": float(np.mean([w for _, w in v]))}
        for rule, v in outcomes.items()
    }


def summary(rows: list[dict], with_asreview: bool = True) -> dict:
    """Means over all runs and wins; with several seeds, also wins on seed means per dataset."""
    final: dict = {"engine": ":".join(default_engine()), "runs": len(rows),
                   "datasets": len({r["dataset"] for r in rows}),
                   "seeds": sorted({r["seed"] for r in rows})}
    for key in ("wss@95", "recall@10%", "wss@100", "ms_per_decision", "ms_retrain_rank_median"):
        for engine in ("ours", "asreview"):
            values = [r[f"{engine}_{key}"] for r in rows if r.get(f"{engine}_{key}") is not None]
            if values:
                final[f"mean_{engine}_{key}"] = float(np.mean(values))
    if not rows or not with_asreview:
        return final
    final["wins_wss@95"] = sum(r["ours_wss@95"] > r["asreview_wss@95"] for r in rows)
    final["ties_wss@95"] = sum(r["ours_wss@95"] == r["asreview_wss@95"] for r in rows)
    for key in ("wss@95", "recall@10%", "ms_per_decision"):
        theirs = final.get(f"mean_asreview_{key}")
        if theirs:
            final[f"ratio_{key}"] = final[f"mean_ours_{key}"] / theirs
    if len(final["seeds"]) > 1:
        means = {}
        for name in sorted({r["dataset"] for r in rows}):
            runs = [r for r in rows if r["dataset"] == name]
            means[name] = [round(float(np.mean([r[f"{e}_wss@95"] for r in runs])), 4)
                           for e in ("ours", "asreview")]
        final["seed_means_wss@95"] = means  # dataset: [ours, ASReview]
        final["wins_datasets_on_seed_means"] = sum(o > a for o, a in means.values())
    return final


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--seed", type=int, default=None, help="one seed (same as --seeds S)")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds, e.g. 1,2,3")
    parser.add_argument("--no-asreview", action="store_true")
    parser.add_argument("--calibration-seeds", default="")
    parser.add_argument("--calibration-only", action="store_true",
                        help="skip the comparison, run only the stopping-rule calibration")
    parser.add_argument("--summarise", nargs="+", type=Path, metavar="OUTPUT",
                        help="print the summary of earlier outputs of this script (no new runs)")
    args = parser.parse_args(argv)
    if args.summarise:
        rows = [json.loads(line) for path in args.summarise for line in path.read_text().splitlines()
                if line.startswith('{"dataset"')]
        print(json.dumps(summary(rows)), flush=True)
        return 0
    seeds = [args.seed] if args.seed is not None else [int(s) for s in args.seeds.split(",")]
    paths = args.files or sorted(DATA.glob("*.csv"))
    rows = []
    for seed in [] if args.calibration_only else seeds:
        for path in paths:
            row = compare(path, seed, not args.no_asreview)
            rows.append(row)
            print(json.dumps(row), flush=True)
    final = summary(rows, with_asreview=not args.no_asreview)
    if args.calibration_seeds:
        final["stopping_calibration"] = calibration(paths, [int(s) for s in args.calibration_seeds.split(",")])
    print(json.dumps(final), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
