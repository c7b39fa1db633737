"""Benchmark: buscar with an urn bias read from the screening so far -- does it save more, held out?

buscar's urn test (:mod:`logicmap.screening.stopping_urn`) treats the records screened last as a
random sample of those not screened before them. Under a ranking they are richer in relevant
records, so the test is conservative: on low-prevalence datasets it waits for a run of irrelevant
records about as long as most of what is left. A fixed bias (``buscar_95_95_bias4``) saves more
but misses the target on the flat rankings of the high-prevalence datasets. This benchmark tries
two ways of reading the bias from the labels already seen, at every test:

- ``window``: the odds ratio of relevance between two adjacent windows of the records screened
  last (each a ``fraction`` of those screened, at least ``least`` records), its lower bound at
  ``z`` standard errors (Woolf, 0.5 added to each cell), clipped to ``[1, cap]``;
- ``prevalence``: ``bias`` while the prevalence seen so far (relevant found / all records) is
  under ``threshold``, else 1 (the bias the calibration shows is safe on sparse datasets only).

Each variant at each confidence (95, 90, 80%) is replayed on the default engine's screening orders
(``stopping_orders.py``'s cache, the 140 runs of ``stopping_calibration.py``), tested every
``n / 400`` records; buscar with a random urn is replayed at the same tests. The result is the
nested leave-one-dataset-out figure of ``stopping_procedures.nested_choice`` with the adaptive
variants among the candidates, against the same with buscar only.

Output of the last run (``benchmarks/stopping_adaptive.jsonl``): neither family helps held out.
The variants that save most in sample are those fitted to which datasets are sparse, and they
miss the target on the held-out dataset.

Usage::

    nice -n 10 .venv/bin/python benchmarks/stopping_adaptive.py --cache ../cache/stopping/orders-all.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from logicmap.api import stopping_rules
from stopping_orders import CACHE, ROOT, engine_runs, load_cache, parse_engine
from stopping_procedures import TARGET, Table, nested_choice

#: The urn biases buscar's p-value is computed at; an estimated bias is rounded down to one of them.
BIASES = (1, 1.25, 1.5, 2, 3, 4, 6, 8, 12)
#: 1 - confidence, and the buscar name of each confidence.
ALPHAS = {0.05: 95, 0.1: 90, 0.2: 80}
WINDOW_GRID = {"fraction": (0.1, 0.2, 0.33, 0.5), "least": (20, 50), "z": (0.0, 1.0, 1.64, 2.33),
               "cap": (2, 4, 8, 12)}
PREVALENCE_GRID = {"threshold": (0.02, 0.03, 0.05, 0.08, 0.12), "bias": (1.5, 2, 3, 4, 6, 8, 12)}
#: Tests per run: one every ``n / TESTS`` records.
TESTS = 400
#: The plain install's engine, whose orders the default stopping rule was chosen on.
ENGINE = "tfidf-asreview+char:svm-asreview"


def p_grid(args: tuple[list[int], int]) -> tuple[np.ndarray, np.ndarray]:
    """The tests (records screened) of a run and buscar's p-value at each, for every bias in :data:`BIASES`."""
    labels, priors = np.asarray(args[0], dtype=np.int64), args[1]
    tests = np.arange(max(10, priors + 1), labels.size + 1, max(1, math.ceil(labels.size / TESTS)))
    rules = [stopping_rules.BuscarRule(TARGET, bias=b) for b in BIASES]
    return tests, np.array([[rule.p_value(labels[:t], labels.size) for rule in rules] for t in tests])


def window_bias(labels: np.ndarray, tests: np.ndarray, fraction: float, least: int, z: float,
                cap: float) -> np.ndarray:
    """The ``window`` family's bias at each test (module doc)."""
    found = np.concatenate([[0], np.cumsum(labels)])
    bias = np.ones(tests.size)
    for i, t in enumerate(tests):
        width = max(least, round(fraction * t))
        if t < 2 * width:
            continue
        early = found[t - width] - found[t - 2 * width] + 0.5
        late = found[t] - found[t - width] + 0.5
        early_no, late_no = width + 1 - early, width + 1 - late
        log_ratio = math.log(early * late_no / (early_no * late))
        error = math.sqrt(1 / early + 1 / early_no + 1 / late + 1 / late_no)
        bias[i] = min(cap, max(1.0, math.exp(log_ratio - z * error)))
    return bias


def prevalence_bias(labels: np.ndarray, tests: np.ndarray, threshold: float, bias: float) -> np.ndarray:
    """The ``prevalence`` family's bias at each test (module doc)."""
    seen = np.cumsum(labels)[tests - 1] / labels.size
    return np.where(seen < threshold, bias, 1.0)


def first_stop(tests: np.ndarray, p: np.ndarray, bias: np.ndarray, alpha: float) -> int | None:
    """Records screened at the first test whose p-value, under the bias (rounded down to
    :data:`BIASES`), is below ``alpha``."""
    column = np.searchsorted(np.array(BIASES), bias + 1e-9, side="right") - 1
    hits = np.flatnonzero(p[np.arange(tests.size), column] < alpha)
    return int(tests[hits[0]]) if hits.size else None


def outcome(labels: np.ndarray, stop: int | None) -> dict:
    """Recall and work saved at ``stop`` (None: every record screened)."""
    screened = labels.size if stop is None else stop
    return {"recall": float(labels[:screened].sum() / labels.sum()), "saved": 1 - screened / labels.size}


def variants() -> dict[str, tuple]:
    """Rule name -> (family, parameters)."""
    chosen: dict[str, tuple] = {}
    for values in itertools.product(*WINDOW_GRID.values()):
        chosen["window_" + "_".join(f"{k}{v:g}" for k, v in zip(WINDOW_GRID, values))] = ("window", values)
    for values in itertools.product(*PREVALENCE_GRID.values()):
        chosen["prevalence_" + "_".join(f"{k}{v:g}" for k, v in zip(PREVALENCE_GRID, values))] = ("prevalence", values)
    return chosen


def replay(runs: dict[tuple[str, int], dict]) -> dict[str, dict[tuple[str, int], dict]]:
    """Rule name -> (dataset, seed) -> outcome, for buscar and every adaptive variant at every confidence."""
    keys = sorted(runs)
    with Pool(2) as pool:
        grids = dict(zip(keys, pool.map(p_grid, [(runs[k]["labels"], runs[k]["n_priors"]) for k in keys])))
    results: dict[str, dict] = {}
    for key in keys:
        labels = np.asarray(runs[key]["labels"], dtype=np.int64)
        tests, p = grids[key]
        for alpha, confidence in ALPHAS.items():
            results.setdefault(f"buscar_95_{confidence}", {})[key] = outcome(
                labels, first_stop(tests, p, np.ones(tests.size), alpha))
        for name, (family, values) in variants().items():
            bias = window_bias(labels, tests, *values) if family == "window" else prevalence_bias(labels, tests, *values)
            for alpha, confidence in ALPHAS.items():
                results.setdefault(f"{name}_c{confidence}", {})[key] = outcome(labels, first_stop(tests, p, bias, alpha))
    return results


def in_sample(table: Table, names: list[str]) -> dict:
    """The rule of ``names`` saving most on all runs among those meeting the target in >= 95% of them."""
    rule = table.choose(set(table.datasets), names)
    met, saved = table.pooled({d: rule for d in table.datasets})
    return {"rule": rule, "met_target": round(met, 4), "mean_work_saved": round(saved, 4)}


def report(runs: dict[tuple[str, int], dict], engine: str) -> list[dict]:
    """The JSON lines: in-sample best per family, and the nested figures with and without the variants."""
    started = time.perf_counter()
    results = replay(runs)
    table = Table({n: {k: {"recall": o["recall"], "saved": o["saved"]} for k, o in r.items()}
                   for n, r in results.items()})
    buscar = [n for n in table.names if n.startswith("buscar_")]
    window = [n for n in table.names if n.startswith("window_")]
    prevalence = [n for n in table.names if n.startswith("prevalence_")]
    lines = [{"benchmark": "stopping_adaptive", "line": "in_sample", "note": "chosen and scored on all runs (tuned on)",
              **{family: in_sample(table, names) for family, names in
                 (("buscar", buscar), ("window", window), ("prevalence", prevalence))}}]
    for label, names in (("buscar_only", buscar), ("with_window", buscar + window),
                         ("with_prevalence", buscar + prevalence), ("with_both", buscar + window + prevalence)):
        nested = nested_choice(table, names)
        lines.append({"benchmark": "stopping_adaptive", "line": "nested", "candidates": label,
                      "candidate_rules": len(names), "held_out": nested["nested_held_out"],
                      "folds_per_rule": dict(Counter(nested["rule_per_held_out_dataset"].values()).most_common()),
                      "rule_on_all": nested["rule_on_all"]})
    lines.append({"benchmark": "stopping_adaptive", "engine": engine, "runs": len(runs),
                  "datasets": len({d for d, _ in runs}), "tests_per_run": TESTS,
                  "seconds": round(time.perf_counter() - started, 1)})
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE, help="the screening orders (stopping_orders.py)")
    parser.add_argument("--engine", default=ENGINE, help="FEATURES:CLASSIFIER of the orders to replay")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "stopping_adaptive.jsonl")
    args = parser.parse_args(argv)
    engine = ":".join(parse_engine(args.engine))
    runs = engine_runs(load_cache(args.cache), engine)
    if not runs:
        raise SystemExit(f"{args.cache}: no screening orders of {engine}; make them with stopping_orders.py")
    lines = report(runs, engine)
    args.output.write_text("".join(json.dumps(line) + "\n" for line in lines))
    for line in lines:
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
