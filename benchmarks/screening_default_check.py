"""Benchmark: the plain install's default screening engine against ASReview LAB on every run.

The default without extras (``tfidf-asreview+char:svm-asreview``) was chosen by
``screening_lodo.py`` on 25 of the 42 (dataset, seed 1-3) runs of the 14 shared
screening datasets; the other 17 (``UNSEEN``: Cohen_2006_Opiods seeds 1-3 and seeds
2-3 of the seven other large datasets) did not exist then, so they are a held-out check
of a choice already made. This script scores the default against ASReview LAB
3.0.8's default (ELAS u4, same priors and seed; orders cached by
``screening_configs.py --asreview-only --until-95`` in ``$LOGICMAP_ASREVIEW_CACHE``)
and prints one JSON line per run, then summary lines: ``unseen`` (the runs the choice did not
see: the 17 above and every run of a seed past 3, the result), ``later_seeds`` (the runs of seeds
past 3 alone, with ``--seeds``), ``seen`` (the 25 the choice looked at, tuned on) and ``all``.

Our WSS@95 per run comes from ``screening_lodo.py``'s kept runs
(``$LOGICMAP_SCREENING_RUNS``; ``--run`` replays the missing ones, stopped at 95%
recall) or from stopping-order caches of ``stopping_orders.py`` given with
``--orders FILE`` (read only; an order is used only when its engine is the default,
its first two entries are the priors :func:`logicmap.api.draw_priors` draws for the
seed, and, when the run is also kept, its WSS@95 is the kept one). ``--run-asreview``
makes ASReview's missing runs (stopped at 95% recall). Runs still missing on either
side are listed in each summary's ``runs_missing`` and left out of its means.

Output of the last run: ``benchmarks/screening_default_check.jsonl`` (``--seeds 1-10``; ours:
all 140 runs read from the stopping orders of ``stopping_calibration.py``, the 7 kept ones
equal; ASReview: seeds 1-3 as before, seeds 4-10 made afresh): unseen 115 runs, 0.417 against
0.398 (+0.019), 62 won.

Usage::

    nice -n 10 .venv/bin/python benchmarks/screening_default_check.py --run --run-asreview
    nice -n 10 .venv/bin/python benchmarks/screening_default_check.py --orders ../cache/stopping/orders.json
    nice -n 10 .venv/bin/python benchmarks/screening_default_check.py --seeds 1-10 --run-asreview \\
        --orders ../cache/stopping/orders-all.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from logicmap.api import draw_priors, load_labelled, summarise

from screening_configs import asreview_wss
from screening_lodo import cached_asreview, load_runs, run_one
from stopping_orders import parse_seeds
from screening_vs_asreview import DATA, ROOT

CONFIG = "tfidf-asreview+char:svm-asreview"
#: The seeds screening_lodo.py chose the default on; runs of later seeds (``--seeds``) were never seen.
SEEDS = (1, 2, 3)
LARGE = ("Bannach-Brown_2019", "Cohen_2006_ACEInhibitors", "Cohen_2006_BetaBlockers",
         "Cohen_2006_CalciumChannelBlockers", "Cohen_2006_ProtonPumpInhibitors",
         "Cohen_2006_SkeletalMuscleRelaxants", "Nagtegaal_2019")
# The runs_missing of screening_lodo.jsonl's first block: not seen when the default was chosen.
UNSEEN = frozenset({("Cohen_2006_Opiods", s) for s in SEEDS} | {(d, s) for d in LARGE for s in (2, 3)})


def unseen(key: tuple[str, int]) -> bool:
    """Whether the run was not among those the default was chosen on (:data:`UNSEEN`, or a later seed)."""
    return key in UNSEEN or key[1] not in SEEDS


def lodo_asreview() -> dict[tuple[str, int], float]:
    """ASReview's WSS@95 per run in ``screening_lodo.jsonl``'s first block (the default's choice)."""
    previous = {}
    for line in (ROOT / "benchmarks" / "screening_lodo.jsonl").read_text().splitlines():
        row = json.loads(line)
        if "seed" not in row:  # the block's per-dataset lines follow its per-run lines
            break
        previous[(row["dataset"], row["seed"])] = row["asreview_wss@95"]
    return previous


def wss95_of_order(order: list[int], labels: np.ndarray) -> float:
    """WSS@95 of a screening order (priors first, two of them)."""
    return float(summarise(labels[np.asarray(order)], n_total=len(labels),
                           n_relevant=int(labels.sum()), n_priors=2)["wss@95"])


def from_orders(files: list[Path], labels: dict[str, np.ndarray], seeds: list[int]) -> dict[tuple[str, int], float]:
    """Our WSS@95 by (dataset, seed) of ``seeds`` from stopping-order caches, priors checked."""
    scores: dict[tuple[str, int], float] = {}
    for file in files:
        for key, entry in json.loads(file.read_text()).items():
            engine, _, run = key.partition("/")
            dataset, _, seed = run.rpartition(":")
            if engine != CONFIG or dataset not in labels or int(seed) not in seeds:
                continue
            y = labels[dataset]
            if entry["n_priors"] != 2 or entry["order"][:2] != draw_priors(y, int(seed)):
                raise SystemExit(f"{file}: {key} was not screened from the priors of seed {seed}")
            scores[(dataset, int(seed))] = wss95_of_order(entry["order"], y)
    return scores


def won(rows: list[dict]) -> int:
    """Runs where our WSS@95 is above ASReview's (ties are not won)."""
    return sum(r["ours_wss@95"] > r["asreview_wss@95"] for r in rows)


def summary(name: str, rows: list[dict], wanted: set, note: str) -> dict:
    """Means, margin and wins of ``rows`` (the runs of ``wanted`` made on both sides)."""
    ours = np.array([r["ours_wss@95"] for r in rows])
    theirs = np.array([r["asreview_wss@95"] for r in rows])
    per = {}
    for r in rows:
        per.setdefault(r["dataset"], []).append(r)
    on_seed_means = sum(np.mean([r["ours_wss@95"] for r in v]) > np.mean([r["asreview_wss@95"] for r in v])
                        for v in per.values())
    previous = lodo_asreview()
    compared = [r for r in rows if (r["dataset"], r["seed"]) in previous]
    same = sum(previous[(r["dataset"], r["seed"])] == r["asreview_wss@95"] for r in compared)
    margin = float(ours.mean() - theirs.mean()) if rows else float("nan")
    made = {(r["dataset"], r["seed"]) for r in rows}
    return {
        "benchmark": "screening_default_check", "runs_set": name, "note": note, "config": CONFIG,
        "runs": len(rows), "runs_missing": sorted(f"{d}:{s}" for d, s in wanted - made),
        "mean_ours_wss@95": round(float(ours.mean()), 4),
        "mean_asreview_wss@95": round(float(theirs.mean()), 4),
        "margin": round(margin, 4), "wins_runs": won(rows), "ties_runs": int((ours == theirs).sum()),
        "datasets": len(per), "datasets_won_on_seed_means": int(on_seed_means),
        "per_dataset_won_of_runs": {d: f"{won(v)}/{len(v)}" for d, v in sorted(per.items())},
        "asreview_as_in_screening_lodo_jsonl": f"{same}/{len(compared)}",
        "target": "margin >= 0.05 and wins >= 2/3 of runs",
        "target_met": bool(rows) and margin >= 0.05 and 3 * won(rows) >= 2 * len(rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", action="append", type=Path, default=[],
                        help="a stopping_orders.py cache to read our orders from (repeatable)")
    parser.add_argument("--run", action="store_true", help="replay our missing runs (until 95%% recall)")
    parser.add_argument("--run-asreview", action="store_true", help="make ASReview's missing runs (until 95%% recall)")
    parser.add_argument("--seeds", type=parse_seeds, default=list(SEEDS),
                        help="seeds to score, e.g. 1-10 (default 1-3; seeds past 3 are all unseen)")
    args = parser.parse_args(argv)
    paths = sorted(DATA.glob("*.csv"), key=lambda p: p.stat().st_size)
    data = {p.stem: load_labelled(p) for p in paths}
    labels = {name: np.asarray(d.labels) for name, d in data.items()}
    kept = load_runs(CONFIG)
    ours = {**from_orders(args.orders, labels, args.seeds)}
    for key, score in kept.items():
        if key in ours and abs(ours[key] - score) > 1e-9:
            raise SystemExit(f"{key}: order gives WSS@95 {ours[key]:.4f}, kept run {score:.4f}")
        ours[key] = score
    rows = []
    for path in paths:
        for seed in args.seeds:
            key = (path.stem, seed)
            if key not in ours and args.run:
                run_one(CONFIG, path.stem, data[path.stem].texts, labels[path.stem], seed)
                ours[key] = load_runs(CONFIG)[key]
            theirs = (asreview_wss(path, labels[path.stem], seed, until_95=True) if args.run_asreview
                      else cached_asreview(path, labels[path.stem], seed))
            if key not in ours or theirs is None:
                continue
            row = {"dataset": path.stem, "seed": seed, "unseen": unseen(key),
                   "ours_wss@95": round(ours[key], 4), "asreview_wss@95": round(theirs, 4)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    everything = {(p.stem, s) for p in paths for s in args.seeds}
    held_out = {key for key in everything if unseen(key)}
    later = {key for key in everything if key[1] not in SEEDS}
    sets = [("unseen", held_out, "held out: runs that did not exist when the default was chosen"),
            ("seen", everything - held_out, "tuned on: the runs screening_lodo.py chose the default on"),
            ("all", everything, f"all {len(everything)} runs (seen and unseen)")]
    if later:
        sets.insert(1, ("later_seeds", later, f"held out: seeds {min(k[1] for k in later)}-"
                        f"{max(k[1] for k in later)}, none of them screened when the default was chosen"))
    for name, wanted, note in sets:
        print(json.dumps(summary(name, [r for r in rows if (r["dataset"], r["seed"]) in wanted], wanted, note)),
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
