"""Benchmark: time per screening decision (retrain + rank) at 1k, 10k and 100k records.

Synthetic datasets are built from the titles and abstracts of the shared
screening datasets: each synthetic record joins the first half of one real
record with the second half of another (drawn with a seeded Generator), and
inherits the first one's label. For each size the engine starts with
``--labelled`` records already decided (200 by default, an early-screening state, both
classes present; a comma-separated list measures each state, e.g. ``200,2000,5000``
for the cost late in a screening), then makes ``--decisions`` more decisions; the
median, 90th percentile, mean and largest retrain+rank time of those are reported, with
the growth of the median between sizes (at the first state). The first fit and ranking on the records
decided before timing is what the product does when a screening session (or the team's queue) opens:
it is timed apart (``open_ms``: before stop 42 it counted as the first timed decision, with the
worker processes' start of a two-member fit, about 2.5 s at 5,000 decided). Under ``ActiveLearner``'s
retrain schedule most decisions take the last fit's order and a few refit, so the mean
is the cost per decision to quote, and the largest is one refit. Retraining grows with the decisions made; the web app retrains in
the background, so a reviewer does not wait for it, but ``simulate`` and the CLI do.

With sentence embeddings (the default engine when the ``[embed]`` extra is
installed) the embedding block of a synthetic record is the normalised sum of
its two source records' embeddings, which are computed once and kept in the
benchmarks' embedding cache (``benchmarks/.embedding-cache.db``). Embedding
100,000 new texts would take hours on a CPU and is a one-off cost per project
(kept in the project store), while retrain+rank depends on the matrix's shape
and density, not on the exact vectors; ``--embed-synthetic`` embeds the
synthetic texts themselves instead (feature time then includes it).

The static embeddings of a plain install (``tfidf+static``) are computed from the
synthetic texts themselves (a sparse product, seconds at 100,000 records).

Prints one JSON line per size and a final JSON line with the growth factors,
and the machine's load average (the timings are only comparable on a quiet machine).
Each line also gives the process's peak resident memory so far (``peak_rss_mb``, without the worker
processes of a fit) and counts the timed decisions that refitted (``refits``) and the relevant
records picked (``relevant_picked``): engines that find more relevant records refit more.
``--member-jobs 1`` fits an ensemble's members one after the other (the presets fit the
fusion's two SVMs in two worker processes once there are enough decisions). ``--think SECONDS``
waits that long before each decision, as a reviewer reading the record does (untimed): worker
processes left idle longer than they are kept would start again at the next fit.

Usage::

    .venv/bin/python benchmarks/screening_speed.py [--sizes 1000,10000,100000]

``screening_speed.jsonl`` holds, at 10,000 records, early and late in a screening (quiet machine,
2 cores): the default engine's features and classifier and the fusion on the TF-IDF engine's columns
refitting after every decision (the first lines, 20 decisions, before ``retrain_share``), then the
default of the time (``tfidf+embed`` + ``svm-fusion``) with its retrain schedule and without, then that
fusion with the schedule (100 decisions), then the default from stop 36, the same fusion with its
character block reduced to 256 dimensions (``tfidf-asreview+charlsa+embed``; ASReview's background
run paused while it was timed), and the default since stop 39, ``svm-asreview-agree`` (the same
command with ``--classifier svm-asreview-agree``; quiet machine; its 5,000 state again beside
``svm-asreview-fusion`` in the same session). Stop 40's lines (another machine, about 25% slower
to build the features) time the code before and after the fits moved to float64 block views and
two processes, both presets, and ``--member-jobs 1``. Stop 42's lines time the session's opening apart
(``open_ms``), the three states of the default, and 30 decisions with ``--think 11`` before and after the
worker processes were kept up between fits. Stop 48's lines (rule X) time the default against the TF-IDF
engine at 100,000 records (twice, beside other work) and 200,000 (``--sizes 100000`` / ``200000``
``--labelled 5000``, with ``peak_rss_mb``)::

    .venv/bin/python benchmarks/screening_speed.py --sizes 10000 --labelled 200,2000,5000 --decisions 100 \
        --features tfidf+embed --classifier svm-fusion --retrain-share 0.01 --source-vectors VECTORS
    .venv/bin/python benchmarks/screening_speed.py --sizes 10000 --labelled 200,2000,5000 --decisions 100 \
        --features tfidf-asreview+charlsa+embed --classifier svm-asreview-fusion --retrain-share 0.01 \
        --source-vectors VECTORS
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

import numpy as np

from scipy import sparse
from sklearn.preprocessing import normalize

from logicmap.api import (
    FUSION_ENGINE,
    ActiveLearner,
    EmbeddingFeatures,
    load_labelled,
    make_classifier,
    make_features,
    resolve_engine,
    stack_tfidf_and_embeddings,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "screening"


def source_corpus(vectors_dir: Path | None = None) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """Non-empty texts and labels of every shared dataset, and their sentence vectors when
    ``vectors_dir`` holds each dataset's (``DATASET.npy``, as ``screening_embed_default.py`` keeps them)."""
    texts: list[str] = []
    labels: list[int] = []
    vectors: list[np.ndarray] = []
    for path in sorted(DATA.glob("*.csv")):
        data = load_labelled(path)
        kept = [i for i, text in enumerate(data.texts) if text]
        texts.extend(data.texts[i] for i in kept)
        labels.extend(data.labels[i] for i in kept)
        if vectors_dir is not None:
            vectors.append(np.load(vectors_dir / f"{path.stem}.npy")[kept])
    return texts, np.array(labels), (np.vstack(vectors) if vectors else None)


def synthetic(texts: list[str], labels: np.ndarray, n: int, rng: np.random.Generator):
    """``n`` records mixing halves of two real records; also the two sources of each."""
    first = rng.integers(len(texts), size=n)
    second = rng.integers(len(texts), size=n)
    out = []
    for a, b in zip(first, second):
        wa, wb = texts[a].split(), texts[b].split()
        out.append(" ".join(wa[: len(wa) // 2 + 1] + wb[len(wb) // 2:]))
    return out, labels[first], (first, second)


def composed_matrix(texts: list[str], sources: tuple[np.ndarray, np.ndarray],
                    source_vectors: np.ndarray, features: str = FUSION_ENGINE[0]) -> sparse.csr_matrix:
    """A ``...+embed`` matrix (``features``) whose embedding rows are composed from the source records'."""
    words = make_features(features.removesuffix("+embed")).fit_transform(texts)
    vectors = normalize(source_vectors[sources[0]] + source_vectors[sources[1]])
    return stack_tfidf_and_embeddings(words, vectors)


def time_size(texts, labels, *, labelled: int, decisions: int, seed: int,
              features: str = "auto", classifier: str = "auto", compose=None,
              embeddings: str = "none", retrain_share: float | None = None,
              member_jobs: int | None = None, think: float = 0.0) -> dict:
    """Feature time and per-decision retrain+rank times at one size. ``compose()``
    builds the feature matrix when embeddings are composed; ``embeddings`` says
    how the embedding block, if any, was made; ``member_jobs``, when given, is an
    ensemble classifier's ``n_jobs`` (1: members fitted one after the other); ``think``: seconds a
    reviewer reads each record before deciding (waited, not timed)."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    matrix = None if compose is None else compose()
    schedule = {} if retrain_share is None else {"retrain_share": retrain_share}
    model = classifier if member_jobs is None else make_classifier(classifier, seed=seed).set_params(
        n_jobs=member_jobs)
    learner = ActiveLearner(features=features, classifier=model, seed=seed, **schedule)
    learner.fit(texts if matrix is None else None, matrix=matrix)
    features_s = time.perf_counter() - start
    relevant = np.flatnonzero(labels == 1)
    irrelevant = np.flatnonzero(labels == 0)
    n_rel = max(1, labelled // 10)
    for i in np.concatenate([rng.choice(relevant, n_rel, replace=False),
                             rng.choice(irrelevant, labelled - n_rel, replace=False)]):
        learner.label(int(i), int(labels[i]))
    start = time.perf_counter()
    pick = learner.next()  # the session opens: first fit and ranking (the product does this when it opens)
    open_s = time.perf_counter() - start
    times, refits, found = [], 0, 0
    for _ in range(decisions):
        time.sleep(think)
        found += int(labels[pick])
        learner.label(pick, int(labels[pick]))
        before = learner.refits_
        start = time.perf_counter()
        pick = learner.next()
        times.append(time.perf_counter() - start)
        refits += learner.refits_ != before
    return {
        "engine": f"{learner.features_}:{classifier}",
        **({} if member_jobs is None else {"member_jobs": member_jobs}),
        **({"think_seconds": think} if think else {}),
        "records": len(texts), "features": learner.X_.shape[1], "nnz": int(learner.X_.nnz),
        "labelled_at_start": labelled, "decisions": decisions,
        "feature_seconds": round(features_s, 2), "open_ms": round(open_s * 1000, 2),
        "embeddings": embeddings,
        "retrain_share": learner.retrain_share,
        "median_ms": round(float(np.median(times) * 1000), 2),
        "p90_ms": round(float(np.percentile(times, 90) * 1000), 2),
        "mean_ms": round(float(np.mean(times) * 1000), 2),
        "max_ms": round(float(np.max(times) * 1000), 2),
        "refits": refits, "relevant_picked": found,
        # this process's peak so far (earlier sizes included; a fit's worker processes not counted)
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--labelled", default="200",
                        help="records decided before timing; several states comma-separated")
    parser.add_argument("--decisions", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--retrain-share", type=float,
                        help="ActiveLearner(retrain_share=...) (default: the engine's own default)")
    parser.add_argument("--features", default="auto", help="as `logicmap simulate --features`")
    parser.add_argument("--classifier", default="auto", help="as `logicmap simulate --classifier`")
    parser.add_argument("--member-jobs", type=int,
                        help="an ensemble's n_jobs (1: fit its members one after the other; default: the preset's)")
    parser.add_argument("--source-vectors", type=Path,
                        help="a folder of each dataset's sentence vectors (DATASET.npy) instead of the embedding cache")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a reviewer reads each record before deciding (waited between decisions, not timed)")
    parser.add_argument("--embed-synthetic", action="store_true",
                        help="embed the synthetic texts instead of composing cached source embeddings")
    args = parser.parse_args(argv)
    texts, labels, source_vectors = source_corpus(args.source_vectors)
    features, classifier = resolve_engine(args.features, args.classifier)
    embedded = features.endswith("+embed")
    if args.embed_synthetic or not embedded:
        source_vectors = None
    elif embedded and source_vectors is None:
        from embedding_cache import open_cache, stderr_progress

        source_vectors = EmbeddingFeatures(cache=open_cache(), progress=stderr_progress(
            "source records")).fit_transform(texts)
    embeddings = ("packaged static table (computed)" if features == "tfidf+static"
                  else "none" if not embedded else "computed" if args.embed_synthetic
                  else "composed from the source records' cached embeddings")
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        rng = np.random.default_rng(args.seed + n)
        data, y, sources = synthetic(texts, labels, n, rng)
        compose = None if source_vectors is None else (
            lambda: composed_matrix(data, sources, source_vectors, features))
        for i, labelled in enumerate(sorted({min(int(s), n // 2) for s in args.labelled.split(",")})):
            row = time_size(data, y, labelled=labelled, decisions=args.decisions,
                            seed=args.seed, features=features, classifier=classifier, compose=compose,
                            embeddings=embeddings, retrain_share=args.retrain_share,
                            member_jobs=args.member_jobs, think=args.think)
            if i == 0:
                rows.append(row)
            print(json.dumps(row), flush=True)
    growth = {
        f"{a['records']}->{b['records']}": round(b["median_ms"] / a["median_ms"], 2)
        for a, b in zip(rows, rows[1:])
    }
    print(json.dumps({"median_ms": {r["records"]: r["median_ms"] for r in rows},
                      "growth": growth, "cores": os.cpu_count(),
                      "load_average_1min": round(os.getloadavg()[0], 2)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
