"""How coding suggestions improve during a review as reviewers code studies; prints JSON lines.

A review is simulated on records the shipped weights never saw: studies are coded one after
another in a seeded random order; after ``N`` coded studies the suggestions for the studies not
yet coded come from what the product would use at that point (the shipped generic weights below
``MIN_STUDIES`` coded studies, then a model learnt from the project's own decisions: each coded
study's codes accepted, every other code rejected, the expert quotes as examples), and are
compared, on the same not-yet-coded studies, with the shipped weights alone. Scores are micro-F1
over every code (all layers pooled) and per layer, pooled over the seeds' orders.

Lines (``"line"``):

* ``learning_heldout`` - the review is the 18 held-out records of ``coding_quality.py`` (outside
  the packaged demo corpus), the shipped weights are the package's (fitted on the other 61).
* ``learning_tuned_on`` - the 61 tuning records split in two seeded halves: generic weights
  fitted on one half, the other half reviewed, then the halves swapped. Choices were made looking
  at it.
* ``learning_heldout_unseen`` - the review is the 18 held-out records coded with a new team's
  codebook the package has never seen (``benchmarks/codebooks/new-team.yaml``): the shipped
  ranking model (no weights fitted on any code; similarities standardised on the review's records)
  adapted to the reviewers' decisions (each code's offset), against a model learnt from scratch on
  them; the gold labels are mapped to the team's codes for the decisions and the suggestions back
  to the corpus labels for scoring.
* ``..._new_codebook`` - the same with the recovery codebook stripped of its term lists (the
  no-term-list weights, similarity statistics from the texts of the review's records, as the
  product takes them from a project's included studies).

Usage: PYTHONPATH=src .venv/bin/python benchmarks/coding_learning.py [--seeds 0 1 2] > benchmarks/coding_learning.jsonl
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coding_quality import DEFAULT, encoder, expert_quotes, split, strip_terms  # noqa: E402
from new_team import corpus_codes, new_team_codebook, to_team  # noqa: E402

from logicmap.api import CODING_GROUPS as GROUPS  # noqa: E402
from logicmap.api import MIN_CODED_STUDIES as MIN_STUDIES  # noqa: E402
from logicmap.api import (  # noqa: E402
    SemanticModel, default_suggestion_model, feedback_from_labels, gold_codes, load_codebook,
)
from logicmap.api import adapt_suggestion_model as adapt  # noqa: E402
from logicmap.api import AlignedModel  # noqa: E402
from logicmap.api import standardise_suggestion_model as standardise  # noqa: E402
from logicmap.api import evaluate_suggestions as evaluate  # noqa: E402


def project_model(coded: list[dict], codebook, encode, seed: int, shipped=None, rename=dict) -> SemanticModel:
    """The model learnt from a project whose reviewers coded ``coded``: from scratch, or (``shipped``
    given, a fresh copy of the shipped model) the shipped weights with per-code offsets; ``rename()``
    maps corpus labels to ``codebook``'s codes (identity when missing)."""
    names = rename()
    feedback = feedback_from_labels({r["id"]: [names.get(c, c) for c in gold_codes(r["label"])] for r in coded},
                                    codebook)
    evidence = [(r["id"], names.get(code, code), q) for r in coded for code, qs in expert_quotes(r).items() for q in qs]
    if shipped is not None:
        return adapt(shipped, coded, feedback, evidence)
    return SemanticModel(codebook, encode, seed=seed).fit(coded, feedback, evidence)


class Tally:
    """Pooled gold and suggested codes per record, for micro-F1 over all codes and per layer."""

    def __init__(self) -> None:
        self.gold: dict[str, list[str]] = {}
        self.pred: dict[str, list[str]] = defaultdict(list)

    def add(self, suggestions, records, tag: str) -> None:
        for r in records:
            self.gold[f"{tag}/{r['id']}"] = gold_codes(r["label"])
        for s in suggestions:
            self.pred[f"{tag}/{s.record_id}"].append(s.code)

    def scores(self, codebook) -> dict:
        tp = sum(len(set(self.pred[k]) & set(g)) for k, g in self.gold.items())
        fp = sum(len(set(self.pred[k]) - set(g)) for k, g in self.gold.items())
        fn = sum(len(set(g) - set(self.pred[k])) for k, g in self.gold.items())
        layers = evaluate(self.gold, self.pred, codebook)
        return {"all_codes_f1": round(2 * tp / (2 * tp + fp + fn), 3) if tp + fp + fn else 0.0,
                **{g: round(layers[g]["micro_f1"], 3) for g in GROUPS}}


def fresh(model):
    """A copy of ``model`` whose per-code offsets can be changed without touching ``model``."""
    if isinstance(model, AlignedModel):  # its two models, each copied
        out = copy.copy(model)
        out.reference, out.fallback = fresh(model.reference), fresh(model.fallback)
        return out
    out = copy.copy(model)
    out.roles = {role: copy.copy(m) for role, m in model.roles.items()}
    for m in out.roles.values():
        if getattr(m, "model", None) is model:  # the ranking model's blends read their model's statistics
            m.model = out
    return out


VARIANTS = ("shipped", "scratch", "adapted")


def simulate(review: list[dict], shipped, codebook, encode, seeds, steps, tallies, tag: str, unseen=False) -> None:
    """Add to ``tallies[N][variant]`` the suggestions for the studies not yet coded after N: the
    shipped weights alone, a model learnt from scratch on the N coded studies (the rule before
    this benchmark) and the shipped weights adapted to them (:func:`adapt`)."""
    for seed in seeds:
        order = [review[i] for i in np.random.default_rng(seed).permutation(len(review))]
        for n in steps:
            coded, rest = order[:n], order[n:]
            if not rest:
                continue
            learnt = n >= MIN_STUDIES
            rename = to_team if unseen else dict
            models = {"shipped": shipped,
                      "scratch": project_model(coded, codebook, encode, seed, rename=rename) if learnt else shipped,
                      "adapted": project_model(coded, codebook, encode, seed, fresh(shipped), rename) if learnt
                      else shipped}
            for name, model in models.items():
                got = model.suggest(rest)
                tallies[n][name].add(corpus_codes(got) if unseen else got, rest, f"{tag}/{seed}")


def report(kind: str, tallies, codebook, **extra) -> dict:
    steps = []
    for n, by_variant in sorted(tallies.items()):
        steps.append({"coded": n, "scored_records": len(by_variant["shipped"].gold),
                      **{name: by_variant[name].scores(codebook) for name in VARIANTS}})
    return {"benchmark": "coding_learning", "line": kind, "min_studies": MIN_STUDIES, **extra, "steps": steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=DEFAULT)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--skip", nargs="*", default=[], help="lines to skip: heldout tuned_on unseen")
    args = parser.parse_args()
    records = [json.loads(line) for line in args.records.read_text(encoding="utf-8").splitlines() if line.strip()]
    tune, held = split(records)
    encode = encoder()
    recovery = load_codebook()
    for book, suffix in ((recovery, ""), (strip_terms(recovery), "_new_codebook")):
        used = {"codebook_used": "recovery without term lists" if suffix else "recovery"}
        if "tuned_on" not in args.skip:
            tallies = defaultdict(lambda: {name: Tally() for name in VARIANTS})
            order = np.random.default_rng(0).permutation(len(tune))
            halves = [[tune[i] for i in order[: len(tune) // 2]], [tune[i] for i in order[len(tune) // 2 :]]]
            for k in (0, 1):
                fit_on, review = halves[k], halves[1 - k]
                feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in fit_on}, book)
                shipped = SemanticModel(book, encode, seed=0, code_bias=False).fit(fit_on, feedback)
                if suffix:
                    shipped.stats = None
                    standardise(shipped, review)
                simulate(review, shipped, book, encode, args.seeds, (0, 8, 16, 24), tallies, f"half{k}")
            print(json.dumps(report("learning_tuned_on" + suffix, tallies, recovery, records=len(tune),
                                    seeds=args.seeds, **used,
                                    note="generic weights on one half of the tuning part, the other half "
                                         "reviewed; choices were made looking at it")), flush=True)
        if "heldout" not in args.skip:
            tallies = defaultdict(lambda: {name: Tally() for name in VARIANTS})
            shipped = standardise(default_suggestion_model(book, encode, known_stats=not suffix), held)
            simulate(held, shipped, book, encode, args.seeds, (0, 8, 12), tallies, "held")
            print(json.dumps(report("learning_heldout" + suffix, tallies, recovery, records=len(held),
                                    seeds=args.seeds, **used,
                                    held_out="included records outside the packaged demo corpus")), flush=True)

    if "heldout" not in args.skip and "unseen" not in args.skip:
        book = new_team_codebook()
        tallies = defaultdict(lambda: {name: Tally() for name in VARIANTS})
        shipped = standardise(default_suggestion_model(book, encode), held)
        simulate(held, shipped, book, encode, args.seeds, (0, 8, 12), tallies, "held", unseen=True)
        print(json.dumps(report("learning_heldout_unseen", tallies, recovery, records=len(held), seeds=args.seeds,
                                codebook_used="a new team's own codebook (never seen by the package)",
                                held_out="included records outside the packaged demo corpus")), flush=True)


if __name__ == "__main__":
    main()
