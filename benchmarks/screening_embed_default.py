"""Benchmark: screening engines with the sentence embeddings a plain install can make, against ASReview LAB.

The numpy encoder (:mod:`logicmap.screening.minilm`, all-MiniLM-L6-v2 in int8,
shipped in the package) gives every install sentence embeddings, so the engine
a plain install gets may use them. Candidates (``FEATURES:CLASSIFIER``):

* ``tfidf-asreview+char:svm-asreview`` - the plain install's engine before them;
* ``tfidf+embed:svm-fusion`` - the ``[embed]`` extra's engine (word TF-IDF SVM and
  embedding SVM, the better rank of the two);
* ``tfidf-asreview+char+embed:svm-asreview-fusion`` - the same fusion on the
  plain engine's TF-IDF (its u4 SVM beside the embedding SVM).

Each is replayed on every shared dataset with the priors its seed draws, and
compared with ASReview LAB 3.0.8's default on the same priors (its orders cached
in ``$LOGICMAP_ASREVIEW_CACHE``, as in ``screening_configs.py``). Vectors come
from ``EmbeddingFeatures(backend=--backend)`` and are kept per dataset in
``$LOGICMAP_EMBED_VECTORS`` (default ``benchmarks/.embed-vectors/``, git-ignored).

Lines (``"line"``): ``run`` (one per config, dataset and seed); ``tuned_on`` (per
config, the tuning seeds: quote only as tuned-on); ``lodo`` (nested: for each dataset
the config with the best mean on the *other* datasets' tuning seeds, scored on that
dataset); ``held_out`` (the shipped default, ``--default``, on ``--test-seeds`` that no
choice looked at, against ASReview; ``chosen_on_tuning_seeds`` names what the best
tuning mean would have picked); ``held_out_partial`` (another config on the test-seed
runs made so far); ``stopping`` (the default stopping rule replayed on the shipped
default's held-out orders, with ``--orders``).

Usage::

    .venv/bin/python benchmarks/screening_embed_default.py --tune-seeds 1 --test-seeds 2,3,4,5,6,7,8,9,10 \\
        --orders ORDERS.json  # the committed lines (runs reused with --runs-file)
    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --configs C --seeds 5,6  # more runs
    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --configs C --seeds 6  # WSS@95 only

The committed lines come from two rounds. First: tuning seed 1, held-out seeds 2-10 (the
command above). Second, once seeds 2-10 had been looked at for other choices (the empty policy,
its window): tuning seeds 11-13 and fresh seeds 14-16, run once, after the choice on 11-13 was
written down, for the shipped default and the config those seeds pick::

    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 14 \
        --configs tfidf+embed:svm-fusion  # and each seed, each config: run lines appended to the file
    .venv/bin/python benchmarks/screening_embed_default.py --tune-seeds 11,12,13 --test-seeds 14,15,16 \
        --configs tfidf+embed:svm-fusion,tfidf-asreview+char+embed:svm-asreview-fusion \
        --runs-file benchmarks/screening_embed_default.jsonl

Third round (the retrain schedule, ``ActiveLearner(retrain_share=...)``; a config's third part
``retrain=SHARE`` sets it, and a config without one refits after every decision, as every run before it
did): shares 0.0025 and 0.01 were run on tuning seeds 11-13, and the share chosen there (0.01, the larger
one within 0.003 of the every-decision default's mean) was read once on fresh seeds 17-19 beside the
every-decision default and ASReview; its orders on seeds 1-10 were kept for the stopping calibration::

    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 11,12,13 \
        --configs tfidf+embed:svm-fusion:retrain=0.0025,tfidf+embed:svm-fusion:retrain=0.01
    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 17,18,19 \
        --configs tfidf+embed:svm-fusion,tfidf+embed:svm-fusion:retrain=0.01
    .venv/bin/python benchmarks/screening_embed_default.py --tune-seeds 11,12,13 --test-seeds 17,18,19 \
        --configs tfidf+embed:svm-fusion,tfidf+embed:svm-fusion:retrain=0.0025,tfidf+embed:svm-fusion:retrain=0.01 \
        --runs-file benchmarks/screening_embed_default.jsonl

It was to ship only if its 17-19 mean came within 0.005 of the every-decision default's on the same
runs and the default stopping rule kept 95% recall in >= 95% of its 140 orders (both held: -0.003,
and 140 of 140). Its run lines on seeds 1-10 are its full orders' (``stopping_orders.py --engine
default``), with ASReview's WSS@95 from the earlier run lines of those seeds; the summaries of seeds
2-10 (with the ``stopping`` line, ``--orders``), 14-16 and all fifteen held-out seeds come from the
same summary command with ``--test-seeds`` set to each.

Fourth round (stop 35): two fusions on ASReview's word TF-IDF without the character block (the
``tfidf-asreview+embed`` matrix this script composes; ``svm-asreview-fusion`` and ``svm-fusion``), and then
one SVM on both views together (``tfidf+embed`` with ``svm`` or ``svm-asreview``), were run on tuning seeds
11-13 under rules written before the runs (a candidate needed the shipped default's mean + 0.01); none
came near, so nothing changed, and fresh seeds 20-22, then 23-25 (ASReview 3.0.8's orders made for
them beforehand) measured the shipped default once each; the ``lodo`` line of the 20-22 command is the
nested choice among the three, and the last ``held_out`` line pools every seed no choice looked at
(the same two commands with seeds 23,24,25, and 2-10,14-25 in the last)::

    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 11,12,13 \
        --configs tfidf-asreview+embed:svm-asreview-fusion:retrain=0.01,tfidf-asreview+embed:svm-fusion:retrain=0.01
    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 11,12,13 \
        --configs tfidf+embed:svm:retrain=0.01,tfidf+embed:svm-asreview:retrain=0.01  # tuned_on lines as below
    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 20,21,22 \
        --configs tfidf+embed:svm-fusion:retrain=0.01
    .venv/bin/python benchmarks/screening_embed_default.py --tune-seeds 11,12,13 --test-seeds 20,21,22 \
        --configs tfidf+embed:svm-fusion:retrain=0.01,tfidf-asreview+embed:svm-asreview-fusion:retrain=0.01,tfidf-asreview+embed:svm-fusion:retrain=0.01 \
        --runs-file benchmarks/screening_embed_default.jsonl
    .venv/bin/python benchmarks/screening_embed_default.py --tune-seeds 11,12,13 \
        --test-seeds 2,3,4,5,6,7,8,9,10,14,15,16,17,18,19,20,21,22 --configs tfidf+embed:svm-fusion:retrain=0.01 \
        --runs-file benchmarks/screening_embed_default.jsonl

Fifth round (stop 36): the character n-grams' gain at a cost the 100 ms budget allows. Two
variants of the fusion on the TF-IDF engine's columns, ``tfidf-asreview+char4+embed`` (character
4-grams only) and ``tfidf-asreview+charlsa+embed`` (the character block reduced to 256 dimensions of
its truncated SVD), were run on tuning seeds 11-13 under a rule written before the runs (the better
one is a candidate with at least the shipped default's mean + 0.01 and at most 100 ms a decision at
10,000 records); the SVD variant passed (0.455 against 0.441; 63 and 93 ms with 2,000 and 5,000
decided), was read once on fresh seeds 26-28 beside the shipped default (ASReview 3.0.8's orders made
for them first), and its 140 orders on seeds 1-10 (kept with ``--orders``) were replayed for the
stopping calibration before it became the default. Seeds 2-10 and 14-25 then measured it once
more, no choice depending on them::

    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 11,12,13 \
        --configs tfidf-asreview+char4+embed:svm-asreview-fusion:retrain=0.01,tfidf-asreview+charlsa+embed:svm-asreview-fusion:retrain=0.01
    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 26,27,28 \
        --configs tfidf+embed:svm-fusion:retrain=0.01,tfidf-asreview+charlsa+embed:svm-asreview-fusion:retrain=0.01
    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --seeds 1,2,3,4,5,6,7,8,9,10 \
        --configs tfidf-asreview+charlsa+embed:svm-asreview-fusion:retrain=0.01 --orders ORDERS.json
    .venv/bin/python benchmarks/screening_embed_default.py --tune-seeds 11,12,13 --test-seeds 26,27,28 \
        --configs tfidf+embed:svm-fusion:retrain=0.01,tfidf-asreview+char4+embed:svm-asreview-fusion:retrain=0.01,tfidf-asreview+charlsa+embed:svm-asreview-fusion:retrain=0.01 \
        --runs-file benchmarks/screening_embed_default.jsonl
    .venv/bin/python benchmarks/screening_embed_default.py --tune-seeds 11,12,13 --test-seeds 2,3,4,5,6,7,8,9,10 \
        --configs tfidf-asreview+charlsa+embed:svm-asreview-fusion:retrain=0.01 \
        --runs-file benchmarks/screening_embed_default.jsonl --orders ORDERS.json

and the pooled line the same way with ``--test-seeds 2,...,10,14,...,28`` (the shipped default
before it, ``tfidf+embed:svm-fusion:retrain=0.01``, then gives the ``held_out_partial`` line).

Sixth round (stop 39): an agreement bonus in the best-rank fusion, ``svm-asreview-agree`` (each
record scored by its better rank of the two SVMs plus their mean; tried as
``svm-asreview-fusion-a100``, the same computation, beside ``-a25``, a quarter of the mean).
Under a rule written before the runs (more runs won than the shipped default's 24 of 42 on
tuning seeds 11-13, mean at most 0.005 below its 0.4548; the one with more wins), -a100 (26 won,
0.4512) was the candidate over -a25 (25, 0.4571); read once on fresh seeds 29-31 beside the
shipped default (29 of 42 won against 28, mean 0.0050 below: both conditions met, the second at
its boundary); its 140 orders on seeds 1-10 kept buscar 95/95 at 95% recall in all of them. The
other seeds (2-10 from those orders, 14-28 until 95% recall) then measured it once more::

    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 11,12,13 \
        --configs tfidf-asreview+charlsa+embed:svm-asreview-fusion-a25:retrain=0.01,tfidf-asreview+charlsa+embed:svm-asreview-fusion-a100:retrain=0.01
    .venv/bin/python benchmarks/screening_embed_default.py --only-runs --until-95 --seeds 29,30,31 \
        --configs tfidf-asreview+charlsa+embed:svm-asreview-fusion:retrain=0.01,tfidf-asreview+charlsa+embed:svm-asreview-agree:retrain=0.01
    .venv/bin/python benchmarks/screening_embed_default.py --tune-seeds 11,12,13 --test-seeds 2,3,4,5,6,7,8,9,10 \
        --configs tfidf-asreview+charlsa+embed:svm-asreview-agree:retrain=0.01 \
        --runs-file benchmarks/screening_embed_default.jsonl --orders ORDERS.json

(the -aN names were scratch code, never committed: the best rank plus N/100 of the mean rank; their
lines keep them).

``--until-95`` stops each replay once 95% of the relevant records are found: the same WSS@95
(same priors, same picks up to there; a test checks it) in a fraction of the time, but no
screening order to replay stopping rules on. Its run lines say ``"until_95": true``: their
``seconds`` time the shorter replay.

Run lines, kept orders and the summaries built on them name the engine's ``empty_policy``
(where records with neither title nor abstract go; see ``ActiveLearner``); runs made before
the field existed used ``"median"``. Each summary gives ``margin_95_over_datasets``: the 95%
interval of the margin over ASReview with the datasets resampled (a new review is a new dataset,
not a new seed), which says how far 14 datasets can carry a margin of a few hundredths. The
``stopping`` line says which policy made its orders.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from logicmap.api import (EmbeddingFeatures, load_labelled, make_features, ratio_interval, simulate,
                          stack_tfidf_and_embeddings, stopping_rules)

from screening_configs import DATA, ROOT, asreview_wss
from stopping_calibration import ceiling, outcome
from stopping_orders import engine_learner, engine_runs, load_cache, order_entry, run_key, save_cache

CANDIDATES = ["tfidf-asreview+char:svm-asreview", "tfidf+embed:svm-fusion",
              "tfidf-asreview+char+embed:svm-asreview-fusion"]  # the first round's
#: The engine shipped as the default (logicmap.api.default_engine() below EMBED_MAX_RECORDS, with
#: ActiveLearner's default retrain_share as a third part ``retrain=SHARE`` when it is not 0).
DEFAULT_CONFIG = "tfidf-asreview+charlsa+embed:svm-asreview-agree:retrain=0.01"
VECTORS = Path(os.environ.get("LOGICMAP_EMBED_VECTORS", ROOT / "benchmarks" / ".embed-vectors"))


def vectors(path: Path, texts: list[str], backend: str, max_pieces: int | None = None) -> np.ndarray:
    """The dataset's sentence vectors by ``backend``, of each text's first ``max_pieces`` word pieces
    (``None``: the model's limit), kept in :data:`VECTORS` (``BACKEND`` or ``BACKEND-PIECES``)."""
    kept = VECTORS / (backend if max_pieces is None else f"{backend}-{max_pieces}") / f"{path.stem}.npy"
    if not kept.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        np.save(kept, EmbeddingFeatures(backend=backend, max_pieces=max_pieces).fit_transform(texts))
    return np.load(kept)


def matrix(features: str, path: Path, texts: list[str], backend: str):
    """The config's feature matrix of one dataset (``X+embed``: ``X``'s columns, then the kept vectors,
    as ``screening_speed.composed_matrix`` builds them; ``X+embedN``, e.g. ``+embed128``: the vectors of
    each text's first N word pieces)."""
    words_name, _, embed = features.rpartition("+")
    if not words_name or not embed.startswith("embed"):
        return make_features(features).fit_transform(texts)
    words = make_features(words_name).fit_transform(texts)
    pieces = embed.removeprefix("embed")
    return stack_tfidf_and_embeddings(words, vectors(path, texts, backend, int(pieces) if pieces else None))


def keep_order(orders: Path, config: str, dataset: str, seed: int, result, seconds: float, cpu: float,
               empty_policy: str) -> None:
    """Add one run's screening order to ``orders`` in ``stopping_orders.py``'s format (key
    ``"FEATURES:CLASSIFIER/DATASET:SEED"``), so the stopping rules can be replayed on it."""
    cache = load_cache(orders)
    cache[run_key(config, dataset, seed)] = order_entry(result, config, seconds, cpu, empty_policy)
    save_cache(orders, cache)


def empty_policies(rows) -> str:
    """The ``empty_policy`` of the runs ``rows`` (lines or kept orders), joined; runs made before
    the field existed placed records without text at the median (``"median"``)."""
    return ",".join(sorted({r.get("empty_policy", "median") for r in rows}))


def runs(configs: list[str], seeds: list[int], paths: list[Path], backend: str,
         orders: Path | None = None, until_95: bool = False) -> list[dict]:
    """WSS@95 of every config, dataset and seed, ours and ASReview's (printed as they finish);
    each order is also kept in ``orders`` when given; ``until_95`` stops each replay at 95%
    recall (``simulate(stop_at_recall=0.95)``; nothing to keep in ``orders``)."""
    out = []
    for path in paths:
        data = load_labelled(path)
        labels = np.asarray(data.labels)
        for config in configs:
            X = matrix(config.split(":")[0], path, data.texts, backend)
            for seed in seeds:
                start, cpu = time.perf_counter(), time.process_time()
                learner = engine_learner(config, seed)
                result = simulate(data.texts, labels, seed=seed, learner=learner, matrix=X, rules=[],
                                  stop_at_recall=0.95 if until_95 else 1.0)
                row = {"benchmark": "screening_embed_default", "line": "run", "config": config,
                       "backend": backend, "dataset": path.stem, "seed": seed,
                       "ours_wss@95": round(float(result.metrics["wss@95"]), 4),
                       "asreview_wss@95": round(asreview_wss(path, labels, seed), 4),
                       "seconds": round(time.perf_counter() - start, 1),
                       "empty_policy": learner.empty_policy, **({"until_95": True} if until_95 else {})}
                if orders is not None and not until_95:
                    keep_order(orders, config, path.stem, seed, result, time.perf_counter() - start,
                               time.process_time() - cpu, learner.empty_policy)
                print(json.dumps(row), flush=True)
                out.append(row)
    return out


def summary(rows: list[dict], **label) -> dict:
    """Mean WSS@95 of ``rows`` against ASReview's, wins by run and by dataset."""
    ours = np.array([r["ours_wss@95"] for r in rows])
    theirs = np.array([r["asreview_wss@95"] for r in rows])
    datasets = sorted({r["dataset"] for r in rows})
    per = {d: (np.mean([r["ours_wss@95"] for r in rows if r["dataset"] == d]),
               np.mean([r["asreview_wss@95"] for r in rows if r["dataset"] == d])) for d in datasets}
    return {"benchmark": "screening_embed_default", **label, "runs": len(rows),
            "mean_ours_wss@95": round(float(ours.mean()), 4), "mean_asreview_wss@95": round(float(theirs.mean()), 4),
            "margin": round(float(ours.mean() - theirs.mean()), 4),
            "wins_runs": int((ours > theirs).sum()), "ties_runs": int((ours == theirs).sum()),
            "datasets_won_on_seed_means": int(sum(o > t for o, t in per.values())), "datasets": len(datasets),
            "margin_95_over_datasets": margin_interval(rows), "empty_policy": empty_policies(rows),
            "per_dataset": {d: [round(float(o), 3), round(float(t), 3)] for d, (o, t) in per.items()}}


def margin_interval(rows: list[dict], draws: int = 2000, seed: int = 0) -> list[float]:
    """95% interval of the mean margin over ASReview when the datasets are drawn again: the datasets
    are resampled with replacement (seeded; each keeps all its seeds' runs, which share its records
    and so are not independent) and the percentile interval of the pooled runs' mean margin kept."""
    datasets = sorted({r["dataset"] for r in rows})
    gaps = [[r["ours_wss@95"] - r["asreview_wss@95"] for r in rows if r["dataset"] == d] for d in datasets]
    low, high = ratio_interval([sum(g) for g in gaps], [len(g) for g in gaps], draws=draws, seed=seed)
    return [round(low, 4), round(high, 4)]


def choose(rows: list[dict], configs: list[str], datasets: set[str]) -> str:
    """The config with the best mean WSS@95 over ``datasets`` (ties: the earlier config)."""
    means = {c: np.mean([r["ours_wss@95"] for r in rows if r["config"] == c and r["dataset"] in datasets])
             for c in configs}
    return max(configs, key=lambda c: (means[c], -configs.index(c)))


def stopping(orders: Path, config: str, seeds: list[int], **label) -> dict:
    """The default stopping rule replayed on ``config``'s kept orders for ``seeds``: share of runs
    reaching 95% recall, work saved, and the ceiling (saved by stopping exactly at 95% recall)."""
    rule = stopping_rules.default_rule()
    met, saved, ceilings = [], [], []
    kept = {key: run for key, run in engine_runs(load_cache(orders), config).items() if key[1] in seeds}
    for (_, seed), run in sorted(kept.items()):
        labels = np.asarray(run["labels"])
        stop = outcome(labels, rule.replay(labels, labels.size, n_priors=run["n_priors"], seed=seed))
        met.append(stop["recall"] >= 0.95)
        saved.append(stop["saved"])
        ceilings.append(ceiling(run["labels"]))
    return {"benchmark": "screening_embed_default", "line": "stopping", "config": config, "rule": rule.name,
            "seeds": seeds, **label, "runs": len(met), "met_95_recall": round(float(np.mean(met)), 3) if met else None,
            "mean_saved": round(float(np.mean(saved)), 3) if met else None,
            "mean_ceiling": round(float(np.mean(ceilings)), 3) if met else None,
            "empty_policy": empty_policies(kept.values())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default=",".join(CANDIDATES))
    parser.add_argument("--tune-seeds", default="1")
    parser.add_argument("--test-seeds", default="2,3,4,5,6,7,8,9,10")
    parser.add_argument("--backend", default="numpy", choices=["numpy", "torch"])
    parser.add_argument("--runs-file", type=Path, action="append", default=[],
                        help="JSON lines of earlier 'run' lines to reuse (same backend)")
    parser.add_argument("--only-runs", action="store_true", help="replay --configs on --seeds, no summary")
    parser.add_argument("--until-95", action="store_true",
                        help="with --only-runs: stop each replay at 95%% recall (WSS@95 only, no --orders)")
    parser.add_argument("--seeds", default="")
    parser.add_argument("--orders", type=Path, help="keep every run's order here (stopping_orders.py's format)")
    parser.add_argument("--file", dest="files", action="append", type=Path)
    parser.add_argument("--default", default=DEFAULT_CONFIG,
                        help="the config the package ships as its default (its held-out runs are completed)")
    args = parser.parse_args(argv)
    if args.until_95 and args.orders:
        parser.error("--until-95 keeps no screening order: leave out --orders")
    configs = args.configs.split(",")
    paths = sorted(args.files or DATA.glob("*.csv"), key=lambda p: p.stat().st_size)
    if args.only_runs:
        runs(configs, [int(s) for s in args.seeds.split(",")], paths, args.backend, args.orders, args.until_95)
        return 0
    earlier = [json.loads(line) for f in args.runs_file for line in f.read_text().splitlines() if line.strip()]
    earlier = [r for r in earlier if r.get("line") == "run" and r.get("backend") == args.backend]
    done = {(r["config"], r["dataset"], r["seed"]) for r in earlier}
    tune, test = [int(s) for s in args.tune_seeds.split(",")], [int(s) for s in args.test_seeds.split(",")]

    def rows_for(config_list, seeds):
        todo = [(c, s) for c in config_list for s in seeds
                if any((c, p.stem, s) not in done for p in paths)]
        for c, s in todo:
            earlier.extend(runs([c], [s], [p for p in paths if (c, p.stem, s) not in done], args.backend,
                                args.orders))
            done.update((c, p.stem, s) for p in paths)
        return [r for r in earlier if r["config"] in config_list and r["seed"] in seeds
                and r["dataset"] in {p.stem for p in paths}]

    tuning = rows_for(configs, tune)
    names = {p.stem for p in paths}
    for config in configs:
        print(json.dumps(summary([r for r in tuning if r["config"] == config], line="tuned_on", config=config,
                                 seeds=tune, backend=args.backend,
                                 note="the seeds every choice here looks at")), flush=True)
    picked = {d: choose(tuning, configs, names - {d}) for d in sorted(names)}
    lodo = [r for r in tuning if r["config"] == picked[r["dataset"]]]
    print(json.dumps({**summary(lodo, line="lodo", seeds=tune, backend=args.backend,
                                note="nested: each dataset scored with the config chosen on the other datasets"),
                      "chosen_per_dataset": picked}), flush=True)
    chosen = choose(tuning, configs, names)
    shipped = args.default
    held = rows_for([shipped], test)
    print(json.dumps(summary(held, line="held_out", config=shipped, seeds=test, backend=args.backend,
                             chosen_on_tuning_seeds=chosen,
                             note="the shipped default on seeds no choice looked at")), flush=True)
    for config in configs:
        if config == shipped:
            continue
        partial = [r for r in earlier if r["config"] == config and r["seed"] in test and r["dataset"] in names]
        if partial:
            print(json.dumps(summary(partial, line="held_out_partial", config=config, seeds=test,
                                     backend=args.backend, of_runs=len(names) * len(test),
                                     note="only the runs made: compare with the others on the same runs")),
                  flush=True)
    if args.orders is not None:
        print(json.dumps(stopping(args.orders, shipped, test, backend=args.backend)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
