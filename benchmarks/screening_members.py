"""Diagnostic: how high each member of the default fusion ranked the relevant records it found, when it found them.

The default engine (``svm-asreview-agree``) fuses two SVMs by rank: ELAS u4's on TF-IDF (with the character
LSA block) and one on the sentence embeddings. On some datasets it loses to ASReview LAB although ELAS u4's
word TF-IDF alone does not (SkeletalMuscleRelaxants, NSAIDS; ``screening_interim.jsonl``, rule Y). This replays
the default from the start (priors drawn as every screening benchmark draws them, until 95% recall) and, at
each pick of a relevant record, reads each member's own score: the share of the unscreened records that member
ranked above it (0: its top pick). One JSON line per dataset and seed: the mean share of each member over the
first 15 relevant records found and over all of them. Nothing here is tuned or chosen; it asks whether a
screening's own decisions show, while it runs, which member to trust.

Output (stop 50, seed 59; ``benchmarks/screening_members.jsonl``): over all finds, the embedding member ranked
the relevant records far lower than the TF-IDF member (ratio of the shares above 2) on exactly the datasets the
default loses on most (SkeletalMuscleRelaxants 2.8, UrinaryIncontinence 2.5, ProtonPumpInhibitors 2.3, NSAIDS
2.1; Nagtegaal 1.9), and higher on Opiods (0.5), which it wins most. The first 15 finds separate them less.

Usage::

    LOGICMAP_EMBED_VECTORS=DIR .venv/bin/python benchmarks/screening_members.py --seeds 59
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from logicmap.api import draw_priors, load_labelled, stack_tfidf_and_embeddings

from screening_embed_default import vectors
from screening_interim import ENGINES, tfidf
from screening_vs_asreview import DATA
from stopping_orders import engine_learner, parse_seeds


def member_shares(texts: list[str], y: np.ndarray, matrix, seed: int) -> np.ndarray:
    """One row per relevant record found after the priors: each member's share of the unscreened records it
    ranked above that record when the default engine picked it."""
    learner = engine_learner(ENGINES["agree"][0], seed)
    learner.fit(texts, matrix=matrix)
    for index in draw_priors(y, seed):
        learner.label(index, int(y[index]))
    needed, found, shares = int(np.ceil(0.95 * y.sum())), int(y[learner.history_].sum()), []
    while found < needed:
        pick = learner.next()
        model = learner.model_
        if y[pick] == 1 and model is not None and hasattr(model, "block_raw_scores"):
            views = learner._views(model)
            raw = model.block_raw_scores(views) if views is not None else model.raw_scores(learner.X_)
            unscreened = np.ones(len(y), dtype=bool)
            unscreened[learner.history_] = False
            shares.append([float((raw[unscreened, j] > raw[pick, j]).mean()) for j in range(raw.shape[1])])
        learner.label(pick, int(y[pick]))
        found += int(y[pick])
    return np.array(shares).reshape(-1, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="59")
    args = parser.parse_args()
    for path in sorted(DATA.glob("*.csv"), key=lambda p: p.stat().st_size):
        data = load_labelled(path)
        y = np.asarray(data.labels, dtype=np.int8)
        words = tfidf("tfidf-asreview+charlsa", False).fit_transform(data.texts)
        matrix = stack_tfidf_and_embeddings(words, vectors(path, data.texts, "numpy", None))
        for seed in parse_seeds(args.seeds):
            shares = member_shares(data.texts, y, matrix, seed)
            first, every = shares[:15].mean(axis=0), shares.mean(axis=0)
            print(json.dumps({"benchmark": "screening_members", "dataset": path.stem, "seed": seed,
                              "relevant_found": len(shares),
                              "first15_share_above": {"tfidf": round(float(first[0]), 4),
                                                      "embeddings": round(float(first[1]), 4)},
                              "all_share_above": {"tfidf": round(float(every[0]), 4),
                                                  "embeddings": round(float(every[1]), 4)}}), flush=True)


if __name__ == "__main__":
    main()
