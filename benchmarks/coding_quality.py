"""Coding-suggestion quality on records the suggesters were not tuned on; prints JSON lines.

What is held out: the included records of ../shared's recovery corpus that are NOT in the packaged
demo corpus (18 of 79 included). The codebook's term lists, the sentence-role cues and every
weight or threshold learnt here were written or fitted on the demo corpus's records only, so
these 18 are unseen by everything (a seeded split of all records would put term-tuned records in
the test part). Nothing is chosen by looking at them: the benchmark scores them once per method.

Lines (``"line"``):

* ``heldout`` - per method, fitted on the 61 demo-corpus records (the tuning part) and scored on
  the 18 held out: micro precision / recall / F1 per layer, the share of correctly suggested codes
  whose quote overlaps the expert's evidence quote, and the share of quotes that are verbatim.
  Every line on the held-out records also gives each F1's 95% bootstrap interval over them
  (``f1_95``; 2,000 draws of the records with replacement, seed 0): with 18 records and 2 to 32 gold
  labels a layer's F1 moves by several hundredths with one record, so a target inside the interval
  is neither shown met nor shown missed.
* ``new_codebook`` - the recovery codebook stripped to labels, definitions, include/exclude notes
  and examples (no term lists), with the shipped no-term-list weights (fitted on the tuning part)
  and similarity statistics taken from the records being coded, as for a codebook whose labels the
  package has never seen, on the 18 held out. The stripped codebook has no term list at all (checked);
  the suggester matches the codes' own words instead (labels, include-note phrases, examples).
* ``new_codebook_unseen`` - a codebook whose codes the package has never seen: a new team's own
  (``benchmarks/codebooks/new-team.yaml``: own layers, code ids, labels, definitions and a few
  examples, no term lists, written before any score with it was seen), through the product path
  (:func:`default_suggestion_model`: the layers that restate the recovery codebook's, code for code,
  take the recovery model's suggestions translated (:mod:`logicmap.coding.aligned`; method
  ``aligned_shipped``, ``codes_aligned`` says how many); the others the per-layer ranking model with
  shipped constants, no weight fitted on any code, similarities standardised on the records being
  coded (``rank_shipped``, the only path before stop 35)), on the 18 held out; its codes are mapped
  to the corpus labels for scoring only. Both team codebooks restate the recovery codebook, so every
  one of their layers aligns: their figures are then the recovery model's. ``new_codebook_unseen_tuned_on``:
  the same on the 61 tuning records (the ranking constants were chosen on them, with the stripped
  recovery codebook, and the recovery model was fitted on them).
  ``new_codebook_unseen_nested``: the same on the 61 tuning records with the ranking constants tuned
  on each fold's training part only (5-fold; the choices of features were still made looking at it).
  ``new_codebook_unseen_project_pool``: the 18 held out again, similarities standardised and
  feedback prototypes drawn over the texts of all 79 included records, as in a project of that size.
* ``second_codebook_unseen`` - a second team's codebook (``benchmarks/codebooks/second-team.yaml``:
  realist programme / resource / response / gain layers, CHIME-style outcome domains; written before
  any score and never tuned on) through the same product path on the 18 held out, scored once;
  ``second_codebook_unseen_all_included`` the same on all 79 included records (no choice was made
  with this codebook, but 61 of the records tuned the shipped ranking constants).
* ``new_codebook_unseen_last_code_dropped``, ``..._first_code_dropped``, ``second_codebook_unseen_last_code_dropped``
  - the team codebooks with the last (first) code of each layer left out, as teams that leave a code out
  write them (``new_team.one_code_dropped``), through the same product path on the 18 held out; gold
  codes those codes stood for are left out of the score. ``new_codebook_unseen_outcomes_by_domain`` and
  ``second_codebook_unseen_outcomes_by_domain``: the same with the outcome layer written as one layer
  per outcome domain (``new_team.outcomes_by_domain``); ``*_middle_as_one``: with the mechanism and
  process layers written as one (``new_team.middle_as_one``); ``*_chime_codes_added``: with the packaged
  CHIME codebook's processes and outcomes added to the team's own (``new_team.chime_codes_added``; the
  added codes stand for no corpus label: their suggestions are left out of ``all_codes_micro_f1`` and
  counted wrong in ``all_codes_micro_f1_added_counted_wrong``).
* ``new_codebook_rank_tuned_on`` - the ranking model on the stripped recovery codebook by 5-fold
  cross-validation inside the tuning part, its constants chosen on each fold's training part
  (nested), pooled over the codebook written fully and more briefly (``writing_styles``).
* ``new_codebook_tuned_on`` - the same by 5-fold cross-validation inside the tuning part (the
  no-term-list weights refitted on each fold's training part, statistics from its test part).
* ``tuned_on`` - the same methods by 5-fold cross-validation inside the tuning part (thresholds
  by a further inner cross-validation in each fold). Choices of features and constants were made
  by looking at these figures: quote them only as the tuned-on figure.
* ``all_included_cv`` - ``semantic_default`` by 5-fold cross-validation over all 79 included records
  (refitted on each fold's training part; fold seeds 0-2): four times the held-out records, so
  tighter intervals, but not unseen in the strict sense (see the line's note).

Lines whose suggestions all carry probabilities (the fitted model's, ``score_is_probability``) also give
``calibration``: per tenth of the score, how many suggestions, their mean score and the share right, and
the expected calibration error; ``all_included_cv`` pools its fold seeds. It says whether the coding
page's "78% likely" holds.

Methods: ``terms`` (zero-training key terms, the fallback without the [embed] extra),
``terms_learnt`` (TF-IDF regression per code learnt from the tuning part's codes),
``semantic_default`` (sentence embeddings with the generic per-layer weights shipped in the package,
fitted on the tuning part only: what a project gets before any reviewer has coded; in the
``tuned_on`` line refitted inside each fold) and ``semantic_learnt`` (plus per-code offsets and thresholds
learnt from the tuning part's codes as reviewer decisions).

Usage: .venv/bin/python benchmarks/coding_quality.py [--seed 0] [--records PATH] [--methods ...]
[--background-findings] (the fitted model as before stop 41, when it could quote an outcome or a
process from a background sentence: the ``tuned_on_rule_finding_sentences`` line's "before")
Sentence vectors come from ``$LOGICMAP_EMBED_BACKEND`` (``auto``: the [embed] extra's model when
installed, else the numpy encoder a plain install has; ``numpy``; ``torch``).
Embeddings are cached in $LOGICMAP_CODING_CACHE (default benchmarks/.embedding-cache.db,
git-ignored; point it outside the checkout to keep it across clones).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from logicmap.api import CODING_GROUPS as GROUPS  # noqa: E402
from logicmap.api import (  # noqa: E402
    EmbeddingFeatures, SemanticModel, SuggestionModel, default_suggestion_model, feedback_from_labels, gold_codes,
    load_codebook, suggest,
)
from logicmap.api import evaluate_suggestions as evaluate  # noqa: E402
from logicmap.api import suggestion_f1_intervals  # noqa: E402
from logicmap.api import standardise_suggestion_model as standardise  # noqa: E402
from logicmap.api import AlignedModel, RankModel  # noqa: E402
from logicmap.api import rank_tuning_sets as tuning_sets  # noqa: E402
from logicmap.api import tune_rank_model as tune_rank  # noqa: E402
from new_team import (  # noqa: E402
    SECOND, SECOND_USED, USED, chime_codes_added, corpus_codes, middle_as_one, new_team_codebook, one_code_dropped,
    outcomes_by_domain, to_corpus,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "recovery-corpus" / "records.jsonl"
DEMO = ROOT / "src" / "logicmap" / "demo" / "data" / "corpus.jsonl"
TARGETS = {"typology": 0.92, "outcome": 0.80, "outcome_domain": 0.85, "mechanism": 0.70, "process": 0.60,
           "moderator_level": 0.60}
QUOTE_TARGET = 0.75
NEW_CODEBOOK_TARGET = 0.80
METHODS = ("terms", "terms_learnt", "semantic_default", "semantic_learnt")


def cache_path() -> Path:
    env = os.environ.get("LOGICMAP_CODING_CACHE")
    if env:
        return Path(env)
    return ROOT / "benchmarks" / ".embedding-cache.db"


def encoder():
    """The sentence encoder: ``$LOGICMAP_EMBED_BACKEND`` (auto, numpy or torch; see EmbeddingFeatures)."""
    from embedding_cache import open_cache

    features = EmbeddingFeatures(cache=open_cache(cache_path()), backend=os.environ.get("LOGICMAP_EMBED_BACKEND", "auto"))
    return features.transform


def strip_terms(codebook):
    """The codebook as a new team would write it: labels, definitions, notes, examples; no terms."""
    return replace(codebook, codes=tuple(replace(c, terms=()) for c in codebook.codes))


def split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(tuning part, held-out part) of the included records: held out = not in the demo corpus."""
    demo = {json.loads(line)["id"] for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()}
    eligible = [r for r in records if r["label"]["include"]]
    return [r for r in eligible if r["id"] in demo], [r for r in eligible if r["id"] not in demo]


def run(method: str, train: list[dict], test: list[dict], codebook, encode, seed: int, *, shipped: bool = False,
        new_codebook: bool = False):
    """``method``'s suggestions for ``test`` learnt from ``train``; ``shipped``: the package's default
    weights (fitted on the tuning part by scripts/fit_coding_defaults.py) instead of a fit here."""
    if method == "semantic_default" and shipped:
        return default_suggestion_model(codebook, encode, known_stats=not new_codebook).suggest(test)
    if method == "terms":
        return suggest(test, codebook)
    feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in train}, codebook)
    if method == "terms_learnt":
        return suggest(test, codebook, model=SuggestionModel(codebook, seed=seed).fit(train, feedback))
    learnt = method == "semantic_learnt"
    evidence = [(r["id"], code, q) for r in train for code, qs in expert_quotes(r).items() for q in qs] if learnt else []
    model = SemanticModel(codebook, encode, seed=seed, code_bias=learnt).fit(train, feedback, evidence)
    return model.suggest(test)


def expert_quotes(record: dict) -> dict[str, list[str]]:
    out = defaultdict(list)
    for key in ("outcomes", "mechanisms", "processes", "moderators"):
        for item in record["label"].get(key) or []:
            if item.get("quote"):
                out[item["code"]].append(item["quote"])
    return out


def quote_checks(suggestions, records) -> dict:
    """Verbatim share of all quotes; share of correct codes with an expert quote whose quote overlaps it."""
    by_id = {r["id"]: r for r in records}
    verbatim = overlap = checked = 0
    for s in suggestions:
        r = by_id[s.record_id]
        text = r.get(s.field) or ""
        verbatim += text[s.start : s.end] == s.quote and bool(s.quote)
        gold = expert_quotes(r).get(s.code)
        if not gold or s.code not in gold_codes(r["label"]):
            continue
        checked += 1
        hit = False
        for q in gold:
            at = text.find(q)
            if at >= 0 and at < s.end and s.start < at + len(q):
                hit = True
        overlap += hit
    return {"quote_is_expert_sentence": round(overlap / checked, 3) if checked else None, "quotes_checked": checked,
            "verbatim": round(verbatim / len(suggestions), 4) if suggestions else 1.0, "quotes": len(suggestions)}


def calibration(suggestions, records) -> dict:
    """Whether a suggestion's probability says how often such suggestions are right (the coding page shows
    it as "78% likely"): per tenth of the score, how many, their mean score and the share right; and the
    expected calibration error (those gaps weighted by count)."""
    gold = {r["id"]: gold_codes(r["label"]) for r in records}
    said = np.array([s.score for s in suggestions], dtype=float)
    right = np.array([s.code in gold[s.record_id] for s in suggestions], dtype=float)
    tenth = np.minimum((said * 10).astype(int), 9)
    bins = [{"from": b / 10, "n": int((tenth == b).sum()), "mean_score": round(float(said[tenth == b].mean()), 3),
             "right": round(float(right[tenth == b].mean()), 3)} for b in range(10) if (tenth == b).any()]
    ece = sum(b["n"] * abs(b["mean_score"] - b["right"]) for b in bins) / max(len(suggestions), 1)
    return {"expected_calibration_error": round(ece, 3), "bins": bins}


def scores(suggestions, records, codebook, *, intervals: bool = False) -> dict:
    """Micro precision, recall and F1 per group; with ``intervals`` also each F1's 95% bootstrap
    interval over the records (``f1_95``: how far a figure on a few records can be trusted)."""
    gold = {r["id"]: gold_codes(r["label"]) for r in records}
    pred = defaultdict(list)
    for s in suggestions:
        pred[s.record_id].append(s.code)
    result = evaluate(gold, pred, codebook)
    spread = suggestion_f1_intervals(gold, pred, codebook) if intervals else {}
    return {g: {"p": round(result[g]["precision"], 3), "r": round(result[g]["recall"], 3),
                "f1": round(result[g]["micro_f1"], 3), "gold": _count(gold.values(), g, codebook),
                "suggested": _count(pred.values(), g, codebook),
                **({"f1_95": [round(x, 3) for x in spread[g]]} if g in spread else {})} for g in GROUPS}


def _count(code_lists, group: str, codebook) -> int:
    """How many labels of ``group`` the records' code lists hold (domains and levels once per record)."""
    total = 0
    for codes in code_lists:
        known = [codebook[c] for c in set(codes) if c in codebook]
        if group == "outcome_domain":
            total += len({c.domain for c in known if c.kind == "outcome"})
        elif group == "moderator_level":
            total += len({c.level for c in known if c.kind == "moderator"})
        else:
            total += sum(c.kind == group for c in known)
    return total


def line(kind: str, method: str, suggestions, records, codebook, **extra) -> dict:
    layers = scores(suggestions, records, codebook, intervals="held_out" in extra)  # the few held-out records
    quotes = quote_checks(suggestions, records)
    out = {"benchmark": "coding_quality", "line": kind, "method": method, "records": len(records), **extra,
           "embed_backend": os.environ.get("LOGICMAP_EMBED_BACKEND", "auto"), "micro": layers, **quotes}
    if kind == "heldout":
        out["targets_met"] = {g: layers[g]["f1"] >= t for g, t in TARGETS.items()}
        out["targets_met"]["quote"] = (quotes["quote_is_expert_sentence"] or 0) >= QUOTE_TARGET
    if suggestions and all(s.score_is_probability for s in suggestions):
        out["calibration"] = calibration(suggestions, records)
    return out


def cross_validated(method, records, codebook, encode, seed, folds, *, new_codebook: bool = False):
    """Suggestions for every record of ``records`` by ``folds``-fold cross-validation."""
    order = np.random.default_rng(seed).permutation(len(records))
    out = []
    for k in range(folds):
        test_idx = set(order[k::folds].tolist())
        train = [r for i, r in enumerate(records) if i not in test_idx]
        test = [r for i, r in enumerate(records) if i in test_idx]
        if method == "rank":
            out += rank_run(train, test, codebook, encode)
        elif new_codebook:
            out += new_codebook_run(train, test, codebook, encode, seed)
        else:
            out += run(method, train, test, codebook, encode, seed)
    return out


def rank_run(train, test, book, encode):
    """The ranking model with constants tuned on ``train``'s labels (similarities standardised over
    ``train`` and ``test``'s texts, as the product does over a project's included studies)."""
    model = RankModel(book, encode, {})
    sets = tuning_sets(book, encode, train + test, lambda r: set(gold_codes(r["label"])))
    model = RankModel(book, encode, tune_rank(sets, model.role_of, np.arange(len(train))))
    model.set_stats(sets[0][0])
    return model.suggest(test)


def new_codebook_run(train, test, stripped, encode, seed):
    """The no-term-list weights fitted on ``train`` with ``stripped``, similarity statistics taken
    from ``test`` itself (as the shipped model does for a codebook it has not seen)."""
    feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in train}, stripped)
    model = SemanticModel(stripped, encode, seed=seed, code_bias=False).fit(train, feedback)
    model.stats = None
    return model.suggest(test)


def all_codes_f1(suggestions, records, removed: frozenset | set = frozenset()) -> float:
    """Micro-F1 over every code of every record (all layers pooled), the ``removed`` codes left out of the gold."""
    pred = defaultdict(set)
    for s in suggestions:
        pred[s.record_id].add(s.code)
    gold = {r["id"]: set(gold_codes(r["label"])) - set(removed) for r in records}
    tp = sum(len(pred[i] & g) for i, g in gold.items())
    fp = sum(len(pred[i] - g) for i, g in gold.items())
    fn = sum(len(g - pred[i]) for i, g in gold.items())
    return round(2 * tp / (2 * tp + fp + fn), 3) if tp + fp + fn else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=DEFAULT)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--skip", nargs="*", default=[],
                        help="lines to skip: heldout new_codebook new_codebook_unseen tuned_on second all_included")
    parser.add_argument("--background-findings", action="store_true",
                        help="as before stop 41: the fitted model may suggest an outcome or process from a background sentence")
    args = parser.parse_args()
    if args.background_findings:
        SemanticModel.finding_roles = ()
    codebook = load_codebook()
    records = [json.loads(line) for line in args.records.read_text(encoding="utf-8").splitlines() if line.strip()]
    tune, held = split(records)
    encode = encoder() if any(m.startswith("semantic") for m in args.methods) or not {"new_codebook", "new_codebook_unseen"} <= set(args.skip) else None
    what = {"held_out": "included records outside the packaged demo corpus", "tuned_on_records": len(tune)}
    for method in args.methods:
        started = time.perf_counter()
        if "heldout" not in args.skip:
            got = run(method, tune, held, codebook, encode, args.seed, shipped=True)
            print(json.dumps(line("heldout", method, got, held, codebook, **what,
                                  seconds=round(time.perf_counter() - started, 1))), flush=True)
        if "tuned_on" not in args.skip:
            got = cross_validated(method, tune, codebook, encode, args.seed, args.folds)
            print(json.dumps(line("tuned_on", method, got, tune, codebook, folds=args.folds, seed=args.seed,
                                  note="cross-validated inside the tuning part; choices were made looking at it")),
                  flush=True)
    if "all_included" not in args.skip and "semantic_default" in args.methods:
        print(json.dumps(all_included_line(tune + held, codebook, encode, args.folds)), flush=True)
    if "new_codebook" not in args.skip:
        stripped = strip_terms(codebook)
        got = run("semantic_default", tune, held, stripped, encode, args.seed, shipped=True, new_codebook=True)
        used = "recovery without term lists (labels, definitions, include/exclude notes, examples)"
        assert not any(c.terms for c in stripped.codes)
        if "tuned_on" not in args.skip:
            got = cross_validated("semantic_default", tune, stripped, encode, args.seed, args.folds, new_codebook=True)
            out = line("new_codebook_tuned_on", "semantic_default", got, tune, codebook, folds=args.folds,
                       seed=args.seed, codebook_used=used,
                       note="cross-validated inside the tuning part; choices were made looking at it")
            out["all_codes_micro_f1"] = all_codes_f1(got, tune)
            print(json.dumps(out), flush=True)
        if "heldout" not in args.skip:
            got = run("semantic_default", tune, held, stripped, encode, args.seed, shipped=True, new_codebook=True)
            out = line("new_codebook", "semantic_default", got, held, codebook, **what, codebook_used=used)
            out["all_codes_micro_f1"] = all_codes_f1(got, held)
            out["target_met"] = out["all_codes_micro_f1"] >= NEW_CODEBOOK_TARGET
            print(json.dumps(out), flush=True)
        if "tuned_on" not in args.skip:
            got = cross_validated("rank", tune, stripped, encode, args.seed, args.folds)
            out = line("new_codebook_rank_tuned_on", "rank", got, tune, codebook, folds=args.folds, seed=args.seed,
                       codebook_used=used, note="nested: ranking constants chosen on each fold's training part")
            out["all_codes_micro_f1"] = all_codes_f1(got, tune)
            print(json.dumps(out), flush=True)
    if "new_codebook_unseen" not in args.skip:
        unseen(tune, held, codebook, encode, args, what)


def all_included_line(records, codebook, encode, folds, seeds=(0, 1, 2)) -> dict:
    """The fitted model's method by ``folds``-fold cross-validation over every included record (refitted
    on each fold's training part), per fold seed: more records than the 18 held out, but 61 of them
    guided the choices of features and constants, and the 18 were read after many changes."""
    per_seed, pooled, pooled_records = {}, [], []
    for seed in seeds:
        got = cross_validated("semantic_default", records, codebook, encode, seed, folds)
        per_seed[seed] = {"micro": scores(got, records, codebook, intervals=seed == seeds[0]),
                          "all_codes_micro_f1": all_codes_f1(got, records), **quote_checks(got, records)}
        pooled += [replace(x, record_id=f"{x.record_id}#{seed}") for x in got]
        pooled_records += [dict(r, id=f"{r['id']}#{seed}") for r in records]
    mean = {g: round(float(np.mean([v["micro"][g]["f1"] for v in per_seed.values()])), 3) for g in GROUPS}
    return {"benchmark": "coding_quality", "line": "all_included_cv", "method": "semantic_default",
            "records": len(records), "folds": folds, "seeds": list(seeds), "mean_f1": mean,
            "mean_all_codes_micro_f1": round(float(np.mean([v["all_codes_micro_f1"] for v in per_seed.values()])), 3),
            "per_seed": per_seed, "calibration": calibration(pooled, pooled_records),
            "embed_backend": os.environ.get("LOGICMAP_EMBED_BACKEND", "auto"),
            "note": "every included record scored by a model refitted without it; not unseen in the strict sense: "
                    "61 records guided the choices of features and constants, the other 18 were read after many "
                    "changes. f1_95 (seed 0's folds): bootstrap over the records"}


def unseen(tune, held, codebook, encode, args, what) -> None:
    """The new_codebook_unseen lines: the new team's codebook through the product path; then the
    nested line and the second team's codebook (scored once, never tuned on)."""
    book = new_team_codebook()
    parts = (("new_codebook_unseen_tuned_on", tune, {"note": "the ranking constants were chosen on these records"}),
             ("new_codebook_unseen", held, what))
    for kind, records, extra in parts:
        if ("tuned_on" if kind.endswith("tuned_on") else "heldout") in args.skip:
            continue
        print(json.dumps(product_line(kind, book, USED, "new-team", records, codebook, encode, extra)), flush=True)
    if "heldout" not in args.skip:
        pool = {"note": "the 18 held out scored, similarities standardised and prototypes drawn over the texts "
                        "of all 79 included records (a project's studies; labels unused)", **what}
        print(json.dumps(product_line("new_codebook_unseen_project_pool", book, USED, "new-team", held, codebook,
                                      encode, pool, pool=tune + held)), flush=True)
    if "tuned_on" not in args.skip:
        got = nested_unseen(tune, codebook, book, encode, args.seed, args.folds)
        out = line("new_codebook_unseen_nested", "rank", got, tune, codebook, folds=args.folds, seed=args.seed,
                   codebook_used=USED, note="nested: the ranking constants chosen (recovery codebook without term "
                   "lists) on each fold's training part; the new team's codebook scored on its test part")
        out["all_codes_micro_f1"] = all_codes_f1(got, tune)
        print(json.dumps(out), flush=True)
    if "heldout" not in args.skip:
        for team, used, which in (("new-team", USED, "last"), ("new-team", USED, "first"), (SECOND, SECOND_USED, "last")):
            book, dropped = one_code_dropped(new_team_codebook(team), which)
            kind = f"{'new' if team == 'new-team' else 'second'}_codebook_unseen_{which}_code_dropped"
            print(json.dumps(reshaped_line(kind, book, f"{used}, the {which} code of each layer left out", team, held,
                                           encode, what, removed={to_corpus(team)[c] for c in dropped})), flush=True)
        for team, used in (("new-team", USED), (SECOND, SECOND_USED)):
            book, added = chime_codes_added(team)
            kind = f"{'new' if team == 'new-team' else 'second'}_codebook_unseen_chime_codes_added"
            print(json.dumps(reshaped_line(kind, book, f"{used}, CHIME's processes and outcomes added to its own",
                                           team, held, encode, what, added=added)), flush=True)
        for team, used in (("new-team", USED), (SECOND, SECOND_USED)):
            for name, rewrite, how in (("outcomes_by_domain", outcomes_by_domain, "its outcomes one layer per domain"),
                                       ("middle_as_one", middle_as_one, "its mechanisms and processes one layer")):
                kind = f"{'new' if team == 'new-team' else 'second'}_codebook_unseen_{name}"
                print(json.dumps(product_line(kind, rewrite(team), f"{used}, {how}", team, held, codebook, encode,
                                              what)), flush=True)
    if "second" not in args.skip:
        second = new_team_codebook(SECOND)
        parts = (("second_codebook_unseen", held, what),
                 ("second_codebook_unseen_all_included", tune + held,
                  {"note": "all 79 included records: no constant or choice was made with this codebook, "
                           "but 61 of them tuned the shipped ranking constants (with the recovery codebook)"}))
        for kind, records, extra in parts:
            print(json.dumps(product_line(kind, second, SECOND_USED, SECOND, records, codebook, encode, extra)),
                  flush=True)


def product_line(kind, book, used, team, records, codebook, encode, extra, pool=None) -> dict:
    """One team codebook through the product path (:func:`default_suggestion_model`, similarities
    standardised on ``pool``, by default ``records``), scored on the corpus labels its codes stand for."""
    model, got = product_suggestions(book, team, records, encode, pool)
    aligned = getattr(model, "pairs", {})
    out = line(kind, "aligned_shipped" if aligned else "rank_shipped", got, records, codebook, codebook_used=used,
               **extra, codes_aligned=len(aligned), codes=len(book.codes))
    out["all_codes_micro_f1"] = all_codes_f1(got, records)
    out["target_met"] = out["all_codes_micro_f1"] >= NEW_CODEBOOK_TARGET
    return out


def product_suggestions(book, team, records, encode, pool=None, mapped: bool = True) -> tuple:
    """``(model, suggestions)``: the product path's model for a team codebook and its suggestions for
    ``records`` in corpus labels (``mapped=False``: in the team's codes; similarities standardised on
    ``pool``, by default ``records``)."""
    model = default_suggestion_model(book, encode)
    assert isinstance(model, (RankModel, AlignedModel)) and not any(c.terms for c in book.codes)
    got = standardise(model, pool or records).suggest(records)
    return model, corpus_codes(got, team) if mapped else got


def reshaped_line(kind, book, used, team, records, encode, extra, removed=frozenset(), added=frozenset()) -> dict:
    """A team codebook written in another shape through the product path: all-codes micro-F1 over the
    gold codes its codes can stand for (the ``removed`` corpus labels, whose codes were left out, are
    taken out of the gold). The ``added`` codes stand for no corpus label: their suggestions are left
    out of the score, and counted wrong in ``all_codes_micro_f1_added_counted_wrong``."""
    model, suggestions = product_suggestions(book, team, records, encode, mapped=False)
    mapping = to_corpus(team)
    aligned = getattr(model, "pairs", {})
    out = {"benchmark": "coding_quality", "line": kind, "method": "aligned_shipped" if aligned else "rank_shipped",
           "records": len(records), "codebook_used": used, **extra, "codes": len(book.codes),
           "codes_aligned": len(aligned), "dropped": sorted(removed),
           "all_codes_micro_f1": all_codes_f1(corpus_codes([s for s in suggestions if s.code not in added], team),
                                              records, removed)}
    if added:
        out.update(codes_added=len(added), added_suggested=sum(s.code in added for s in suggestions),
                   all_codes_micro_f1_added_counted_wrong=all_codes_f1(
                       [replace(s, code=mapping.get(s.code, f"added {s.code}")) for s in suggestions], records, removed))
    return out


def nested_unseen(tune, codebook, book, encode, seed, folds) -> list:
    """The new team's suggestions for every tuning record, the ranking constants tuned (on the recovery
    codebook without term lists, as shipped) on the other folds only."""
    stripped = strip_terms(codebook)
    sets = tuning_sets(stripped, encode, tune, lambda r: set(gold_codes(r["label"])))
    role_of = RankModel(stripped, encode, {}).role_of
    order = np.random.default_rng(seed).permutation(len(tune))
    out = []
    for k in range(folds):
        test_idx = set(order[k::folds].tolist())
        rows = np.array([i for i in range(len(tune)) if i not in test_idx])
        model = RankModel(book, encode, tune_rank(sets, role_of, rows))
        test = [r for i, r in enumerate(tune) if i in test_idx]
        out += corpus_codes(standardise(model, tune).suggest(test))
    return out


if __name__ == "__main__":
    main()
