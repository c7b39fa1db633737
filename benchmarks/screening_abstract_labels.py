"""Benchmark: the default engine against ASReview LAB on labels no choice was tuned on -- title/abstract decisions.

Every screening choice in this repository (engines, fusion, retraining, priors) was made against the shared
datasets' final inclusions (``label_included``, the column ASReview reads). Thirteen of the fourteen datasets
also carry the reviewers' title/abstract decisions (``label_abstract_screening``: 34 to 392 inclusions each,
several times the final ones), which is what a team screens titles and abstracts for and which no choice here
looked at. This replays the default engine (from the start, the same priors as every screening benchmark,
:func:`logicmap.api.draw_priors`) and ASReview LAB 3.0.8's default with those labels as the inclusions (a copy
of the file whose ``label_included`` holds them), and prints one JSON line per run and a summary: mean WSS@95
of both, runs won, and the difference per dataset. Nothing is chosen from it.

Output (stop 51, seeds 65-67, ``benchmarks/screening_abstract_labels.jsonl``): the default 0.284 against
ASReview's 0.233, **+0.052, 29 of 39 runs won (74%)**; ten datasets won on the seed means (UrinaryIncontinence
+0.124, Nagtegaal +0.114, SkeletalMuscleRelaxants +0.098, NSAIDS +0.080 -- four of the five the default loses
on final inclusions), three lost (ACEInhibitors -0.022, Opiods -0.015, OralHypoglycemics -0.014).

Usage::

    LOGICMAP_EMBED_VECTORS=DIR LOGICMAP_ASREVIEW_VENV=DIR .venv/bin/python benchmarks/screening_abstract_labels.py \\
        --seeds 65-67
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from logicmap.api import INTERIM_ENGINE, load_labelled, stack_tfidf_and_embeddings

from screening_embed_default import vectors
from screening_interim import ENGINES, asreview_run, replay, tfidf
from screening_vs_asreview import DATA
from stopping_orders import parse_seeds

COLUMN = "label_abstract_screening"


def with_abstract_labels(path: Path, folder: Path) -> Path | None:
    """A copy of ``path`` in ``folder`` whose ``label_included`` holds the title/abstract decisions (the column
    itself dropped); None when the file has none."""
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    if not rows or COLUMN not in rows[0]:
        return None
    copy = folder / path.name
    fields = [f for f in rows[0] if f != COLUMN]
    with copy.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({**{f: row[f] for f in fields}, "label_included": row[COLUMN]})
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="65-67")
    parser.add_argument("--datasets", help="comma-separated dataset names (default: every one with the column)")
    args = parser.parse_args()
    config, _ = ENGINES["agree"]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(DATA.glob("*.csv"), key=lambda p: p.stat().st_size):
            if args.datasets and path.stem not in args.datasets.split(","):
                continue
            copy = with_abstract_labels(path, Path(tmp))
            if copy is None:
                continue
            data = load_labelled(copy)
            y = np.asarray(data.labels, dtype=np.int8)
            interim = tfidf(INTERIM_ENGINE[0], False).fit_transform(data.texts)
            own = stack_tfidf_and_embeddings(tfidf("tfidf-asreview+charlsa", False).fit_transform(data.texts),
                                             vectors(path, data.texts, "numpy", None))  # same texts, same vectors
            for seed in parse_seeds(args.seeds):
                run = {"benchmark": "screening_abstract_labels", "line": "run", "dataset": path.stem, "seed": seed,
                       "records": len(y), "inclusions": int(y.sum()),
                       "ours_wss@95": round(replay(data.texts, y, seed, 0, interim, own, config), 4),
                       "asreview_wss@95": round(asreview_run(copy, y, seed), 4)}
                runs.append(run)
                print(json.dumps(run), flush=True)
    if runs:
        print(json.dumps(summary(runs, parse_seeds(args.seeds))), flush=True)


def summary(runs: list[dict], seeds: list[int]) -> dict:
    """Means, runs won and the difference per dataset."""
    by_dataset = defaultdict(list)
    for run in runs:
        by_dataset[run["dataset"]].append(run["ours_wss@95"] - run["asreview_wss@95"])
    return {"benchmark": "screening_abstract_labels", "line": "summary", "seeds": seeds, "runs": len(runs),
            "mean_ours_wss@95": round(statistics.fmean(r["ours_wss@95"] for r in runs), 4),
            "mean_asreview_wss@95": round(statistics.fmean(r["asreview_wss@95"] for r in runs), 4),
            "wins_runs": sum(r["ours_wss@95"] > r["asreview_wss@95"] for r in runs),
            "per_dataset_difference": {k: round(statistics.fmean(v), 4) for k, v in sorted(by_dataset.items())}}


if __name__ == "__main__":
    main()
