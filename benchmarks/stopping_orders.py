"""Cache the screening orders the stopping-rule calibration evaluates.

The order in which the engine ranks a dataset's records for one seed does not
depend on the stopping rule, so each (dataset, seed) is simulated once with the
engine ``--engine FEATURES:CLASSIFIER`` (default ``tfidf:svm``, the engine the
issue measured; ``default`` = the engine ``logicmap simulate`` picks; priors
drawn with the seed, as ``logicmap simulate`` does; sentence embeddings by
``--backend``, default the numpy encoder every install has, so an ``[embed]`` extra
installed does not change the orders) and its order (0-based rows
in screening order) is stored in a JSON file under the key
``"ENGINE/DATASET:SEED"``, one entry per run, written after every run so an
interrupted job resumes. Keep the cache outside the worktree so it survives it.

An order ends once the last relevant record has been screened (``simulate``'s
``until_all_found``), the rest appended in the last model's order. Every stopping
rule reads only the sequence of labels (and the number of priors and the seed, from
which the sample rules draw *positions*), and past the last relevant record that
sequence is all zeros whatever the order: each rule's stop, recall and interval come
out exactly as from the full order (``tests/screening/test_stopping_orders.py``). Each
entry keeps the wall and CPU seconds of its run (``seconds``, ``cpu_seconds``); one
order's time, as a single JSON line::

    nice -n 10 .venv/bin/python benchmarks/stopping_orders.py --seeds 1 \\
        --engine tfidf-asreview+char:svm-asreview --cache "$(mktemp -u)" \\
        --file ../shared/data/screening/Cohen_2006_CalciumChannelBlockers.csv

Usage::

    nice -n 10 .venv/bin/python benchmarks/stopping_orders.py --seeds 1-10 \\
        --engine tfidf:svm --cache ../cache/stopping/orders.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from logicmap.api import ActiveLearner, default_engine, load_labelled, make_features, simulate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "screening"
CACHE = ROOT / "benchmarks" / ".stopping-cache" / "orders.json"
ENGINE = "tfidf:svm"


def parse_engine(text: str) -> tuple[str, str]:
    """``"tfidf:svm"`` -> ``("tfidf", "svm")``; ``"default"`` -> the engine ``logicmap simulate`` uses.
    Options after the classifier stay with it: ``"tfidf:svm:retrain=0.01"`` -> ``("tfidf", "svm:retrain=0.01")``."""
    if text == "default":
        features, classifier = default_engine()
        share = ActiveLearner().retrain_share
        return features, f"{classifier}:retrain={share}" if share else classifier
    features, _, classifier = text.partition(":")
    if not classifier:
        raise SystemExit(f"--engine {text!r}: give FEATURES:CLASSIFIER, e.g. tfidf:svm, or 'default'")
    return features, classifier


def engine_learner(engine: str, seed: int) -> ActiveLearner:
    """The learner ``engine`` names: ``FEATURES:CLASSIFIER``, optionally ``:retrain=SHARE``
    (``ActiveLearner(retrain_share=SHARE)``); without it every decision retrains, as in the
    runs made before the option existed."""
    features, classifier, *options = engine.split(":")
    share = 0.0
    for option in options:
        name, _, value = option.partition("=")
        if name != "retrain":
            raise SystemExit(f"engine {engine!r}: unknown option {option!r} (known: retrain=SHARE)")
        share = float(value)
    return ActiveLearner(features=features, classifier=classifier, seed=seed, retrain_share=share)


def run_key(engine: str, dataset: str, seed: int) -> str:
    """The cache key of one run."""
    return f"{engine}/{dataset}:{seed}"


def engine_runs(cache: dict, engine: str) -> dict[tuple[str, int], dict]:
    """The cached runs of ``engine``, keyed ``(dataset, seed)``."""
    runs = {}
    for key, run in cache.items():
        name, _, rest = key.rpartition("/")
        if name == engine:
            dataset, seed = rest.rsplit(":", 1)
            runs[(dataset, int(seed))] = run
    return runs


def parse_seeds(text: str) -> list[int]:
    """``"1-10"`` or ``"1,2,3"`` -> the seeds."""
    if "-" in text:
        low, high = (int(x) for x in text.split("-"))
        return list(range(low, high + 1))
    return [int(x) for x in text.split(",")]


def load_cache(path: Path) -> dict:
    """The cached runs, keyed ``"dataset:seed"``."""
    return json.loads(path.read_text()) if path.exists() else {}


def order_entry(result, engine: str, seconds: float, cpu_seconds: float, empty_policy: str) -> dict:
    """One run's cache entry: its order, labels in that order, priors, engine, times, and the
    learner's ``empty_policy`` (entries made before it was kept used ``"median"``)."""
    return {"order": [int(i) for i in result.order], "labels": [int(v) for v in result.labels],
            "n_priors": result.n_priors, "engine": engine, "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu_seconds, 1), "empty_policy": empty_policy}


def save_cache(path: Path, cache: dict) -> None:
    """Write the cache whole, through a temporary file (an interrupted write leaves the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(cache))
    tmp.replace(path)


def cache_orders(paths: list[Path], seeds: list[int], path: Path, engine: str = ENGINE,
                 backend: str = "numpy") -> dict:
    """Simulate every (dataset, seed) of ``engine`` not yet in the cache at ``path``; returns the cache.
    Sentence embeddings come from ``backend``: ``"numpy"``, the encoder every install has (the
    committed orders' and held-out runs'), whatever extras are installed; ``"auto"`` as a project."""
    cache = load_cache(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    features, classifier = parse_engine(engine)
    engine = f"{features}:{classifier}"
    embedding_cache = None
    if "embed" in features:  # nothing is timed here: reuse the embeddings across runs
        from embedding_cache import open_cache

        embedding_cache = open_cache()
    for data_path in paths:
        data = None
        for seed in seeds:
            key = run_key(engine, data_path.stem, seed)
            if key in cache:
                continue
            if data is None:
                data = load_labelled(data_path)
                extractor = make_features(features, embedding_cache=embedding_cache, backend=backend)
                matrix = extractor.fit_transform(data.texts)
            start, cpu = time.perf_counter(), time.process_time()
            learner = engine_learner(engine, seed)
            result = simulate(data.texts, data.labels, seed=seed, learner=learner, matrix=matrix, rules=[])
            cache[key] = order_entry(result, engine, time.perf_counter() - start, time.process_time() - cpu,
                                     learner.empty_policy)
            save_cache(path, cache)
            print(json.dumps({"run": key, "records": len(data.labels),
                              "decisions": len(result.decision_seconds), "seconds": cache[key]["seconds"],
                              "cpu_seconds": cache[key]["cpu_seconds"]}), flush=True)
    return cache


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-10")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--engine", default=ENGINE, help="FEATURES:CLASSIFIER or 'default' (default: tfidf:svm)")
    parser.add_argument("--file", dest="files", action="append", type=Path)
    parser.add_argument("--backend", default="numpy", choices=["numpy", "torch", "auto"],
                        help="sentence embeddings (default numpy: the encoder every install has)")
    args = parser.parse_args(argv)
    paths = args.files or sorted(DATA.glob("*.csv"), key=lambda p: p.stat().st_size)
    cache_orders(paths, parse_seeds(args.seeds), args.cache, args.engine, args.backend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
