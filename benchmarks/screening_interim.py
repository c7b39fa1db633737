"""Benchmark: what the interim start costs, screening on TF-IDF alone while the sentence vectors are made.

A team whose project still needs more than ``INTERIM_ABOVE`` sentence vectors screens on
``INTERIM_ENGINE`` (word TF-IDF alone) while they are made; then its own engine takes over, trained on
every decision made meanwhile (``TeamScreening(interim_above=...)``). This replays that on the 14
shared screening datasets: each run's first ``k`` decisions after the two priors
(:func:`logicmap.api.draw_priors`, as every other screening benchmark) are picked by the interim
engine's learner, then the engine's own learner is given the same labelled history and picks the
rest, until 95% recall (WSS@95 needs no more). ``k`` is fixed (``--k``) or a share of the dataset's
records (``--share``: how many decisions a team makes while the vectors are made grows with them).
``--share 1`` (every decision on the interim engine, which then never hands over) replays the interim
engine throughout: since stop 49 ELAS u4's word TF-IDF and SVM, which is how the default above
``EMBED_MAX_RECORDS`` runs (until then the TF-IDF engine with its character block, rule X's runs).
``--no-char`` builds every TF-IDF as it is built above ``CHAR_MAX_RECORDS`` records (the word block alone,
no character block), so the shared datasets replay how a larger project screens.

Each engine is ``NAME:PIECES``: ``agree`` (the default up to 100,000 records, ``AGREE_ENGINE``) or
``agree64`` (its vectors of the first 64 word pieces, ``AGREE64_ENGINE``). Vectors come from
``screening_embed_default.vectors`` (kept in ``$LOGICMAP_EMBED_VECTORS``). ASReview LAB 3.0.8's
WSS@95 and our engine's from the start (k = 0) are read from the stored runs of
``screening_embed_default.jsonl`` where they exist (seeds 1-31), for the paired summary; ``--asreview``
runs ASReview (``screening_vs_asreview.run_asreview``, the same priors) where none is stored.

Prints one JSON line per run (and per ASReview run), then one summary line per engine and ``k``, and
with two plans a ``paired`` line: the first against the second, run by run.

Output of the last runs (``benchmarks/screening_interim.jsonl``, stops 47-48):
- rule V: ``--engine agree --k 100 --seeds 2-10`` (and ``--k 300``): with its first 100 decisions on
  TF-IDF, the default scored 0.4626 against 0.4563 from the start (126 runs); with 300, 0.4492.
- rule W: ``--engine agree --share 0.0133 --engine agree64 --share 0.0033 --seeds 32-40``: the full
  256 pieces with 1.33% of the records' decisions on TF-IDF first scored 0.458, the first 64 pieces with
  their shorter 0.33% 0.440 (126 paired runs; 256 better in 84, worse in 42), so the default engine
  covers 20,001-70,000 records again.
- rule X (stop 48): ``--engine agree --share 0.0133 --engine agree --share 1 --seeds 41-49 --asreview``:
  the default with 1.33% of its decisions on TF-IDF scored 0.457, the TF-IDF engine throughout 0.421
  (126 paired runs; better in 90, worse in 36), so the default engine covers 70,001-100,000 records too.
  Its lines were made by two processes (datasets split) and ASReview's apart, then joined.
- rule Y (stop 49): ``--engine agree --share 0.0133 --engine agree --share 1 --no-char --seeds 50-58
  --asreview``: as a project above 100,000 records would screen, the default with 1.33% of its decisions on
  TF-IDF scored 0.439, the TF-IDF engine throughout 0.417 (better in 71 runs, worse in 52), ASReview 0.396;
  its decision was too slow at 200,000 records, so the cap stayed. Two processes (datasets split), joined.
- rule Z (stop 49): ``--engine agree --share 0.0133 --seeds 50-58``, with and without ``--interim-no-char``:
  the interim engine's word TF-IDF alone scored 0.458, with its character block 0.457 (better in 44 runs,
  worse in 35), so the interim engine is ELAS u4's word TF-IDF and SVM since; the option that built the
  interim engine without characters (``--interim-no-char``) went with it, since the engine has none. Against
  ASReview (rule Y's runs) 85 of 126 won.
- rule AA (stop 50): ``--engine agree-newton --k 0 --engine agree --k 0 --seeds 59-61 --asreview``: the
  default engine with its embedding SVM solved exactly (finite Newton, warm-started) against the default
  (liblinear's dual): 0.4504 against 0.4505 (39 of 42 runs identical, 1 better, 2 worse): the same ranking,
  but no faster a decision (``screening_speed.jsonl``), so the default stays. ASReview scored 0.3994 on
  those runs: the default 0.4505, +0.051, 27 of 42 won (64%).
- rule AB (stop 51): ``--engine weighed0.5 --k 0 --engine weighed1 --k 0 --engine agree --k 0 --seeds 62-64``
  (tuning seeds): the fusion's members weighed by a held-out check of the decisions
  (``svm-asreview-agree-weighedALPHA``) scored 0.4555 (alpha 0.5) and 0.4516 (alpha 1) against the default's
  0.4601 (17 and 19 runs better, 21 and 23 worse), short of the 0.003 gain the rule asked before fresh seeds;
  not adopted. Two processes (datasets split), joined with both paired lines (runs_set
  ``stop51_rule_AB_tuning_seeds_62_64``).
- rule AC (stop 51): ``--engine agree-c0.3 --k 0 --engine agree-c3 --k 0 --seeds 62-64``: the agree engine's
  embedding SVM with C=0.3 scored 0.4360, with C=3 0.4600, against C=1's 0.4601 on the same runs (rule AB's
  set; 16 runs better and 24 worse with C=3): C=1 stays (runs_set ``stop51_rule_AC_tuning_seeds_62_64``).
- measurement M2 (stop 51): ``--engine agree --k 0 --seeds 65-67 --asreview``: the default 0.4498 against ASReview's
  0.4000 (+0.0497), 27 of 42 won (runs_set ``stop51_M2_seeds_65_67``).
- look AD (stop 51): the agree fusion's TF-IDF SVM with C=0.05 or 0.25 instead of ELAS u4's 0.11
  (``agree-t0.05``, ``agree-t0.25``, seeds 62-64): 0.4436 and **0.4658** against 0.4601 (C=0.25: 28 runs better,
  14 worse; runs_set ``stop51_look_AD_tuning_seeds_62_64``). Confirmation on fresh seeds:
  ``--engine agree-t0.25 --k 0 --engine agree --k 0 --seeds 68-70 --asreview``: 0.4601 against the default's
  0.4505 (+0.0096; 25 better, 16 worse), ASReview 0.4002: 31 of 42 won against the default's 27 (runs_set
  ``stop51_look_AD_confirmation_seeds_68_70``). Not the default yet (decision time, stopping calibration first).

Usage::

    nice -n 10 .venv/bin/python benchmarks/screening_interim.py --engine agree --k 100 --seeds 2-10
    nice -n 10 .venv/bin/python benchmarks/screening_interim.py --engine agree --share 0.0133 \\
        --engine agree64 --share 0.0033 --seeds 32-40
    nice -n 10 .venv/bin/python benchmarks/screening_interim.py --engine agree --share 0.0133 \\
        --engine agree --share 1 --seeds 41-49 --asreview
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict

import numpy as np

from logicmap.api import (INTERIM_ENGINE, ActiveLearner, draw_priors, load_labelled, make_features, relevant_needed,
                          stack_tfidf_and_embeddings, summarise)

from screening_embed_default import DEFAULT_CONFIG, vectors
from screening_vs_asreview import DATA, ROOT, order_metrics, run_asreview
from stopping_orders import engine_learner, parse_seeds

#: engine name -> (learner config, word pieces of its vectors; None: the model's 256)
ENGINES = {"agree": (DEFAULT_CONFIG, None),
           "agree64": ("tfidf-asreview+charlsa+embed64:svm-asreview-agree:retrain=0.01", 64),
           "agree-newton": ("tfidf-asreview+charlsa+embed:svm-asreview-agree-newton:retrain=0.01", None),
           "weighed0.5": ("tfidf-asreview+charlsa+embed:svm-asreview-agree-weighed0.5:retrain=0.01", None),
           "weighed1": ("tfidf-asreview+charlsa+embed:svm-asreview-agree-weighed1:retrain=0.01", None),
           "agree-c0.3": ("tfidf-asreview+charlsa+embed:svm-asreview-agree-c0.3:retrain=0.01", None),
           "agree-c3": ("tfidf-asreview+charlsa+embed:svm-asreview-agree-c3:retrain=0.01", None),
           "agree-t0.25": ("tfidf-asreview+charlsa+embed:svm-asreview-agree-t0.25:retrain=0.01", None)}
STORED = ROOT / "benchmarks" / "screening_embed_default.jsonl"


def replay(texts: list[str], y: np.ndarray, seed: int, k: int, interim_matrix, own_matrix, own: str) -> float:
    """WSS@95 of one run whose first ``k`` decisions after the priors are the interim engine's."""
    priors = draw_priors(y, seed)
    interim = ActiveLearner(features=INTERIM_ENGINE[0], classifier=INTERIM_ENGINE[1], seed=seed, retrain_share=0.01)
    interim.fit(texts, matrix=interim_matrix)
    for index in priors:
        interim.label(index, int(y[index]))
    needed, found = relevant_needed(0.95, int(y.sum())), int(y[priors].sum())
    learner = interim
    while len(learner.history_) < len(y) and found < needed:
        if learner is interim and len(interim.history_) - len(priors) >= k:  # the own engine takes over
            learner = engine_learner(own, seed)
            learner.fit(texts, matrix=own_matrix)
            for index in interim.history_:
                learner.label(index, int(y[index]))
            continue
        pick = learner.next()
        learner.label(pick, int(y[pick]))
        found += int(y[pick])
    order = np.array(learner.history_, dtype=np.int64)
    if len(order) < len(y):
        order = np.concatenate([order, learner.rank()])
    return float(summarise(y[order], n_priors=len(priors))["wss@95"])


def tfidf(name: str, no_char: bool):
    """The named TF-IDF extractor; with ``no_char`` as it is built above ``CHAR_MAX_RECORDS`` records
    (its character block dropped: the word block alone)."""
    extractor = make_features(name)
    return extractor.set_params(char_max_records=0) if no_char else extractor


def stored_runs() -> tuple[dict, dict]:
    """``(ASReview's WSS@95, the default engine's from the start)`` by ``(dataset, seed)``."""
    asreview, default = {}, {}
    if STORED.exists():
        for line in STORED.read_text().splitlines():
            run = json.loads(line)
            if run.get("line") == "run" and run.get("backend") == "numpy":
                asreview[(run["dataset"], run["seed"])] = run["asreview_wss@95"]
                if run["config"] == DEFAULT_CONFIG:
                    default[(run["dataset"], run["seed"])] = run["ours_wss@95"]
    return asreview, default


def summary(runs: list[dict], asreview: dict, default: dict) -> dict:
    """Means over the runs, paired with ASReview's and the default's from the start where stored."""
    keys = [(r["dataset"], r["seed"]) for r in runs]
    ours = [r["ours_wss@95"] for r in runs]
    line = {"runs": len(runs), "mean_ours_wss@95": round(statistics.fmean(ours), 4)}
    if all(k in asreview for k in keys):
        line.update({"mean_asreview_wss@95": round(statistics.fmean(asreview[k] for k in keys), 4),
                     "wins_runs": sum(o > asreview[k] for o, k in zip(ours, keys))})
    if all(k in default for k in keys):
        line.update(mean_default_from_start=round(statistics.fmean(default[k] for k in keys), 4))
        line["cost"] = round(line["mean_default_from_start"] - line["mean_ours_wss@95"], 4)
    return line


def asreview_run(path, y: np.ndarray, seed: int) -> float:
    """ASReview LAB 3.0.8's default WSS@95 on one dataset and seed, with the priors every run here has."""
    order, _ = run_asreview(path, draw_priors(y, seed), seed)
    return float(order_metrics(y, order)["wss@95"])


def paired(first: list[dict], second: list[dict], names: list[str]) -> dict:
    """The first plan's runs against the second's, run by run (same dataset and seed)."""
    theirs = {(r["dataset"], r["seed"]): r["ours_wss@95"] for r in second}
    pairs = [(r["dataset"], r["ours_wss@95"] - theirs[(r["dataset"], r["seed"])]) for r in first
             if (r["dataset"], r["seed"]) in theirs]
    by_dataset = defaultdict(list)
    for dataset, difference in pairs:
        by_dataset[dataset].append(difference)
    return {"benchmark": "screening_interim", "line": "paired", "plans": names, "runs": len(pairs),
            "mean_difference": round(statistics.fmean(d for _, d in pairs), 4),
            "first_better_runs": sum(d > 0 for _, d in pairs), "second_better_runs": sum(d < 0 for _, d in pairs),
            "per_dataset_difference": {k: round(statistics.fmean(v), 4) for k, v in sorted(by_dataset.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", choices=sorted(ENGINES), required=True)
    parser.add_argument("--k", action="append", type=int, default=[], help="decisions on TF-IDF, per engine")
    parser.add_argument("--share", action="append", type=float, default=[],
                        help="decisions on TF-IDF as a share of the dataset's records, per engine")
    parser.add_argument("--seeds", default="2-10")
    parser.add_argument("--datasets", help="comma-separated dataset names (default: all 14)")
    parser.add_argument("--no-char", action="store_true",
                        help="every TF-IDF without its character block, as above CHAR_MAX_RECORDS records")
    parser.add_argument("--asreview", action="store_true",
                        help="run ASReview LAB 3.0.8's default where no stored run has the dataset and seed")
    args = parser.parse_args()
    if len(args.k) + len(args.share) != len(args.engine) or (args.k and args.share):
        parser.error("give one --k for each --engine, or one --share for each")
    plans = list(zip(args.engine, args.k or args.share))
    variant = {"no_char": True} if args.no_char else {}
    asreview, default = stored_runs()
    done: dict[tuple[str, float], list[dict]] = defaultdict(list)
    for path in sorted(DATA.glob("*.csv"), key=lambda p: p.stat().st_size):
        if args.datasets and path.stem not in args.datasets.split(","):
            continue
        data = load_labelled(path)
        y = np.asarray(data.labels, dtype=np.int8)
        interim_matrix = tfidf(INTERIM_ENGINE[0], args.no_char).fit_transform(data.texts)
        words = tfidf("tfidf-asreview+charlsa", args.no_char).fit_transform(data.texts)
        for name, amount in plans:
            config, pieces = ENGINES[name]
            own_matrix = stack_tfidf_and_embeddings(words, vectors(path, data.texts, "numpy", pieces))
            k = int(amount) if args.k else round(amount * len(y))
            for seed in parse_seeds(args.seeds):
                started = time.perf_counter()
                run = {"benchmark": "screening_interim", "line": "run", "engine": name, "k": k,
                       **variant,
                       "dataset": path.stem, "seed": seed,
                       "ours_wss@95": round(replay(data.texts, y, seed, k, interim_matrix, own_matrix, config), 4),
                       "seconds": round(time.perf_counter() - started, 1)}
                done[(name, amount)].append(run)
                print(json.dumps(run), flush=True)
        for seed in parse_seeds(args.seeds) if args.asreview else ():
            if (path.stem, seed) not in asreview:
                asreview[(path.stem, seed)] = round(asreview_run(path, y, seed), 4)
                print(json.dumps({"benchmark": "screening_interim", "line": "asreview", "dataset": path.stem,
                                  "seed": seed, "asreview_wss@95": asreview[(path.stem, seed)]}), flush=True)
    for (name, amount), runs in done.items():
        print(json.dumps({"benchmark": "screening_interim", "line": "summary", "engine": name,
                          ("k" if args.k else "share"): amount, "seeds": parse_seeds(args.seeds),
                          **variant,
                          **summary(runs, asreview, default)}), flush=True)
    if len(done) == 2:
        (first, first_runs), (second, second_runs) = done.items()
        print(json.dumps(paired(first_runs, second_runs, [f"{n} {'k' if args.k else 'share'} {a}" for n, a in
                                                          (first, second)])), flush=True)


if __name__ == "__main__":
    main()
