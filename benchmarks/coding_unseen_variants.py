"""Variants of the ranking model for a codebook the package has never seen, scored by nested
cross-validation on the 61 tuning records; prints one JSON line per variant and one diagnostic line.

Every line is ``new_codebook_unseen_nested`` of ``benchmarks/coding_quality.py`` computed on the
feature matrices: the ranking constants chosen (:func:`tune_rank_model`, recovery codebook without
term lists, written fully and more briefly) on each fold's training part, the new team's codebook
(``benchmarks/codebooks/new-team.yaml``) scored on its test part (5 folds, seed 0, similarities
standardised over all 61 records' texts, labels unused); all-codes micro-F1 with its per-fold
figures, per layer (F1, gold, suggested). ``shipped`` reproduces the committed line (0.545). The
held-out 18 are never read. None of these variants beat ``shipped`` (session 26, issue 15 item 2):

* ``rate_cut`` - each layer's cut set on the project's own score distribution so that it suggests
  as many codes per study as the rule did on the tuning sets (a calibrated count, not a cut).
* ``common_terms_50`` / ``common_terms_25`` - own-word terms found in more than 50 % / 25 % of the
  studies no longer matched ("study" from "Help into jobs and study" is in 46 of 61 abstracts).
* ``styles_without_own_terms`` - tuning also on the three writing styles with own-word terms off;
  ``only_without_own_terms`` - on those alone.
* ``definition_description`` - a code's definition on its own as one more description;
  ``definition_and_examples`` - and "label, e.g. example; example".
* ``sim_max_free`` - the best-sentence similarity's weight searched (0 or 1) instead of fixed at 1.
* ``robust_min_style`` - each rule chosen by its worst writing style's F1 instead of the pooled F1.
* ``joint_all_codes`` - after the per-layer choice, each layer's rule chosen again (one pass) for the
  all-codes micro-F1 given the other layers' counts: +0.008, within the fold-to-fold noise.

The diagnostic line (``new_codebook_unseen_nested_diagnostics``): per layer, how well the blended
score (constants tuned on all 61) ranks (record, code) pairs (AUC) for the new team's codebook and
for the recovery codebook without term lists; for the middle layers, how well a study's best score
tells whether the layer has any code in it; and the hypothesised links of the new team's codebook
followed from the gold intervention codes (their precision as mechanism suggestions).

Usage: PYTHONPATH=src .venv/bin/python benchmarks/coding_unseen_variants.py [--variants NAME ...]
(embeddings cached as for coding_quality.py: $LOGICMAP_CODING_CACHE).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import coding_quality as cq  # noqa: E402
from logicmap.api import RankModel, gold_codes, load_codebook, rank_tuning_sets, tune_rank_model  # noqa: E402
import logicmap.coding.semantic_features as sf  # noqa: E402
import logicmap.coding.semantic_rank as sr  # noqa: E402
from new_team import new_team_codebook, to_corpus  # noqa: E402

LAYERS = ("typology", "mechanism", "process", "outcome", "moderator")
FOLDS, SEED = 5, 0


def truth(records):
    return [set(gold_codes(r["label"])) for r in records]


def scores_z(views) -> np.ndarray:
    """(records, codes, blended features) standardised over ``views``."""
    mean, sd = sr.feature_stats(views)
    return sr.blended(np.array([v.features[:, sr._COL] for v in views]), mean, sd)


class Setup:
    """The tuning sets (stripped recovery codebook) and the new team's views of the tuning records."""

    def __init__(self, encode, records, extra_styles: bool = False, only_extra: bool = False):
        stripped = cq.strip_terms(load_codebook())
        label = lambda r: set(gold_codes(r["label"]))  # noqa: E731
        self.sets = [] if only_extra else rank_tuning_sets(stripped, encode, records, label)
        if extra_styles or only_extra:
            sf.OWN_TERMS = False
            try:
                self.sets += rank_tuning_sets(stripped, encode, records, label)
            finally:
                sf.OWN_TERMS = True
        self.role_of_tuning = RankModel(stripped, encode, {}).role_of
        self.model = RankModel(new_team_codebook(), encode, {})
        views = self.model.builder.views(records)
        if self.model.builder.adapt_to(views):
            views = self.model.builder.views(records)
        self.views, self.records = views, records


def predict(Z, rules, role_of, rates=None) -> np.ndarray:
    """Which codes the rules suggest, (records, codes); ``rates``: cuts set per layer so that the
    rule suggests that many codes per record over ``Z``'s records."""
    out = np.zeros(Z.shape[:2], bool)
    for role, rule in rules.items():
        cols = np.flatnonzero(role_of == role)
        if len(cols):
            S = Z[:, cols] @ np.array(rule.weights)
            if rates is not None:
                rule = sr.Rule(rule.weights, cut_for_rate(S, rule, role == "typology", rates[role]), rule.k, rule.margin)
            out[:, cols] = sr.select(S, rule, role == "typology")
    return out


def eligible(S, rule, typology) -> np.ndarray:
    rank = np.argsort(np.argsort(-S, axis=1), axis=1)
    near = S >= S.max(axis=1, keepdims=True) - rule.margin
    return ((rank == 1) & near) if typology else ((rank < rule.k) & near)


def cut_for_rate(S, rule, typology, rate) -> float:
    above = np.sort(S[eligible(S, rule, typology)])[::-1]
    n = int(round(rate * len(S)))
    if n <= 0:
        return np.inf
    return -np.inf if n >= len(above) else float((above[n - 1] + above[n]) / 2)


def rates_of(setup, rules) -> dict[str, float]:
    """Codes per record each rule suggests on the tuning sets (their mean)."""
    Zs = [scores_z(views) for views, _ in setup.sets]
    out = {}
    for role, rule in rules.items():
        cols = np.flatnonzero(setup.role_of_tuning == role)
        counts = []
        for Z in Zs:
            S = Z[:, cols] @ np.array(rule.weights)
            counts.append(((S >= rule.cut) & eligible(S, rule, role == "typology")).sum() / len(S))
        out[role] = float(np.mean(counts))
    return out


def micro(pred, gold) -> tuple[float, int, int]:
    tp = sum(len(p & g) for p, g in zip(pred, gold))
    fp, fn = sum(len(p - g) for p, g in zip(pred, gold)), sum(len(g - p) for p, g in zip(pred, gold))
    return (round(2 * tp / (2 * tp + fp + fn), 3) if tp + fp + fn else 0.0), tp + fn, tp + fp


def nested(setup, tune=tune_rank_model, rate_cut=False) -> dict:
    """The new team's nested predictions for every tuning record; all-codes and per-layer figures."""
    mapping, codes = to_corpus(), setup.model.codes
    Z, gold = scores_z(setup.views), truth(setup.records)
    order = np.random.default_rng(SEED).permutation(len(setup.records))
    pred, folds = [set() for _ in gold], []
    for k in range(FOLDS):
        test = np.array(sorted(order[k::FOLDS].tolist()))
        rows = np.setdiff1d(np.arange(len(gold)), test)
        rules = tune(setup.sets, setup.role_of_tuning, rows)
        if rate_cut:
            chosen = predict(Z, rules, setup.model.role_of, rates_of(setup, rules))[test]
        else:
            chosen = predict(Z[test], rules, setup.model.role_of)
        for i, row in zip(test, chosen):
            pred[i] = {mapping[codes[j]] for j in np.flatnonzero(row)}
        folds.append(micro([pred[i] for i in test], [gold[i] for i in test])[0])
    recovery = load_codebook()
    layers = {}
    for kind in LAYERS:
        own = {c.code for c in recovery.codes if c.kind == kind}
        layers[kind] = dict(zip(("f1", "gold", "suggested"), micro([p & own for p in pred], [g & own for g in gold])))
    return {"all_codes_micro_f1": micro(pred, gold)[0], "per_fold": folds,
            "fold_sd": round(float(np.std(folds)), 3), "micro": layers}


def tune_sim_max_free(sets, role_of, rows):
    return _tune(sets, role_of, rows, sim_max=(0.0, 1.0), pooled=True)


def tune_robust(sets, role_of, rows):
    return _tune(sets, role_of, rows, sim_max=(1.0,), pooled=False)


def _tune(sets, role_of, rows, sim_max, pooled):
    """:func:`tune_rank_model` with the best-sentence weight searched over ``sim_max``; ``pooled``
    False: each rule scored by its worst writing style's F1."""
    Zs = [scores_z(views) for views, _ in sets]
    grid = [w for w in itertools.product(sim_max, *(sr.WEIGHT_GRID[f] for f in sr.BLEND[1:])) if any(w[:3])]
    out = {}
    for role in sorted(set(role_of.tolist())):
        cols = np.flatnonzero(role_of == role)
        typology, best = role == "typology", None
        for w in map(np.array, grid):
            for k, margin in itertools.product((2,) if typology else sr.KS, sr.MARGINS):
                per_set = [sr._cut_counts(Z[np.ix_(rows, cols)] @ w, t[np.ix_(rows, cols)], k, margin, typology)
                           for Z, (_, t) in zip(Zs, sets)]
                f1s = [_f1(c) for c in ([sum(per_set)] if pooled else per_set)]
                f1 = np.min(f1s, axis=0)
                i = int(np.argmax(f1))
                if best is None or f1[i] > best[0]:
                    best = (float(f1[i]), sr.Rule(tuple(w), float(sr.CUTS[i]), k, margin))
        out[role] = best[1]
    return out


def tune_joint(sets, role_of, rows):
    """:func:`tune_rank_model`, then each layer's rule chosen again for the all-codes micro-F1 of the
    tuning sets, the other layers' rules as they stand (one pass, layers in name order)."""
    Zs = [scores_z(views) for views, _ in sets]
    rules = tune_rank_model(sets, role_of, rows)

    def counts(role, w, k, margin):
        cols = np.flatnonzero(role_of == role)
        return sum(sr._cut_counts(Z[np.ix_(rows, cols)] @ w, t[np.ix_(rows, cols)], k, margin, role == "typology")
                   for Z, (_, t) in zip(Zs, sets))

    now = {role: counts(role, np.array(r.weights), r.k, r.margin)[list(sr.CUTS).index(r.cut)] for role, r in rules.items()}
    grid = list(itertools.product(*(sr.WEIGHT_GRID[f] for f in sr.BLEND[1:])))
    for role in sorted(rules):
        other = sum(v for r, v in now.items() if r != role)
        best = None
        for weights in grid:
            w = np.array((1.0, *weights))
            for k, margin in itertools.product((2,) if role == "typology" else sr.KS, sr.MARGINS):
                c = counts(role, w, k, margin)
                tp, fp, fn = (c + other).T
                f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
                i = int(np.argmax(f1))
                if best is None or f1[i] > best[0] + 1e-12:
                    best = (float(f1[i]), sr.Rule(tuple(w), float(sr.CUTS[i]), k, margin), c[i])
        rules[role], now[role] = best[1], best[2]
    return rules


def _f1(counts):
    tp, fp, fn = counts.T
    return np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)


def drop_common_terms(share):
    """A FeatureBuilder.adapt_to that first stops matching own-word terms found in more than
    ``share`` of the studies."""
    from collections import Counter
    from dataclasses import replace

    original = sf.FeatureBuilder.adapt_to

    def adapt_to(self, views):
        found = Counter()
        for v in views:
            found.update({(c, t) for c, scores in v.evidence.by_code.items() for s in scores for t in s.terms})
        common = {key for key, n in found.items() if n > share * len(views)}
        keep = lambda code, phrases: tuple(p for p in phrases if (code, p.lower()) not in common)  # noqa: E731
        dropped = bool(common) and self.lexicon is not self.codebook
        if dropped:
            self.lexicon = replace(self.lexicon, codes=tuple(
                replace(c, terms=keep(c.code, c.terms), examples=keep(c.code, c.examples)) for c in self.lexicon.codes))
            self.matcher = sf.TermMatcher(self.lexicon)
        return original(self, views) or dropped

    return "adapt_to", adapt_to


def descriptions(examples: bool):
    """A code_descriptions with the definition on its own (and the label with its examples) added."""
    original = sf.code_descriptions

    def code_descriptions(code):
        texts = original(code)
        if code.definition:
            texts.append(code.definition.strip())
        if examples and code.examples:
            texts.append(f"{code.label}, e.g. " + "; ".join(code.examples))
        return list(dict.fromkeys(texts))

    return code_descriptions


VARIANTS = {
    "shipped": {},
    "rate_cut": {"rate_cut": True},
    "common_terms_50": {"patch": (sf.FeatureBuilder, lambda: drop_common_terms(0.5))},
    "common_terms_25": {"patch": (sf.FeatureBuilder, lambda: drop_common_terms(0.25))},
    "styles_without_own_terms": {"setup": {"extra_styles": True}},
    "only_without_own_terms": {"setup": {"only_extra": True}},
    "definition_description": {"patch": (sf, lambda: ("code_descriptions", descriptions(False)))},
    "definition_and_examples": {"patch": (sf, lambda: ("code_descriptions", descriptions(True)))},
    "sim_max_free": {"tune": tune_sim_max_free},
    "robust_min_style": {"tune": tune_robust},
    "joint_all_codes": {"tune": tune_joint},
}


def run_variant(name, encode, records) -> dict:
    spec = VARIANTS[name]
    started, cpu = time.perf_counter(), time.process_time()
    target, saved = None, None
    if "patch" in spec:
        target, make = spec["patch"]
        attr, value = make()
        saved = (attr, getattr(target, attr))
        setattr(target, attr, value)
    try:
        setup = Setup(encode, records, **spec.get("setup", {}))
        result = nested(setup, tune=spec.get("tune", tune_rank_model), rate_cut=spec.get("rate_cut", False))
    finally:
        if saved:
            setattr(target, *saved)
    line = "new_codebook_unseen_nested" if name == "shipped" else f"new_codebook_unseen_nested_rejected_{name}"
    return {"benchmark": "coding_quality", "line": line, "variant": name, "records": len(records), "folds": FOLDS,
            "seed": SEED, "codebook_used": "new-team", **result, "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "note": "nested: constants chosen on each fold's training part (recovery codebook without term lists)"}


def diagnostics(encode, records) -> dict:
    """How well the blended scores rank, per layer, for the new team's codebook and the recovery one."""
    from sklearn.metrics import roc_auc_score

    setup = Setup(encode, records)
    rules = tune_rank_model(setup.sets, setup.role_of_tuning)
    mapping, codes = to_corpus(), setup.model.codes
    gold = truth(records)
    team = np.array([[mapping[c] in g for c in codes] for g in gold])
    Zt, (views_r, truth_r) = scores_z(setup.views), setup.sets[0]
    Zr = scores_z(views_r)
    out = {}
    for role in LAYERS:
        w = np.array(rules[role].weights)
        ct, cr = np.flatnonzero(setup.model.role_of == role), np.flatnonzero(setup.role_of_tuning == role)
        St, Sr = Zt[:, ct] @ w, Zr[:, cr] @ w
        row = {"pair_auc_new_team": round(roc_auc_score(team[:, ct].ravel(), St.ravel()), 3),
               "pair_auc_recovery_stripped": round(roc_auc_score(truth_r[:, cr].ravel(), Sr.ravel()), 3)}
        if role in ("mechanism", "process", "outcome"):
            has = team[:, ct].any(axis=1)
            row["presence_auc_new_team"] = round(roc_auc_score(has, St.max(axis=1)), 3)
            row["top1_right_where_gold"] = f"{int(team[:, ct][np.arange(len(St)), St.argmax(axis=1)][has].sum())}/{int(has.sum())}"
        out[role] = row
    book = new_team_codebook()
    links = [(mapping[lk.source], mapping[lk.target]) for lk in book.links if lk.status == "hypothesised"]
    tp = fp = fn = 0
    for r, g in zip(records, gold):
        linked = {t for s, t in links if s in set(r["label"]["typologies"]) and t.startswith("M")}
        mech = {c for c in g if c.startswith("M")}
        tp, fp, fn = tp + len(linked & mech), fp + len(linked - mech), fn + len(mech - linked)
    return {"benchmark": "coding_quality", "line": "new_codebook_unseen_nested_diagnostics", "records": len(records),
            "note": "tuning records only; constants tuned on all 61 (diagnosis, not a result)", "layers": out,
            "links_from_gold_interventions_as_mechanisms": {"tp": tp, "fp": fp, "fn": fn}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="*", default=[*VARIANTS, "diagnostics"])
    args = parser.parse_args()
    records = [json.loads(x) for x in cq.DEFAULT.read_text(encoding="utf-8").splitlines() if x.strip()]
    tune, _ = cq.split(records)  # the held-out part is never used here
    encode = cq.encoder()
    for name in args.variants:
        out = diagnostics(encode, tune) if name == "diagnostics" else run_variant(name, encode, tune)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
