"""Coding-suggestion quality on the labelled recovery corpus; prints ONE JSON line.

Micro and macro F1 per node kind (typology, outcome domain, outcome, mechanism, process,
moderator, moderator level) on the records meeting the eligibility rule (label.include),
zero-training and trained (5-fold cross-validation, seeded), plus the share of suggested
quotes that are verbatim substrings of the title or abstract, the commonest typology
confusions and the mechanisms most often missed.

Usage: .venv/bin/python benchmarks/coding_quality.py [--seed 0] [--records PATH]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from logicmap.api import CODING_GROUPS as GROUPS
from logicmap.api import SuggestionModel, feedback_from_labels, gold_codes, load_codebook, suggest
from logicmap.api import evaluate_suggestions as evaluate

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "recovery-corpus" / "records.jsonl"


def _by_record(suggestions) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for s in suggestions:
        out[s.record_id].append(s.code)
    return out


def _verbatim(suggestions, records) -> tuple[int, int]:
    by_id = {r["id"]: r for r in records}
    ok = sum(s.quote in (by_id[s.record_id].get(s.field) or "") and s.quote == by_id[s.record_id][s.field][s.start : s.end] for s in suggestions)
    return ok, len(suggestions)


def _round(result: dict) -> dict:
    return {g: {"micro_f1": round(result[g]["micro_f1"], 3), "macro_f1": round(result[g]["macro_f1"], 3)} for g in GROUPS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=DEFAULT)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    codebook = load_codebook()
    records = [json.loads(line) for line in args.records.read_text(encoding="utf-8").splitlines() if line.strip()]
    eligible = [r for r in records if r["label"]["include"]]
    gold = {r["id"]: gold_codes(r["label"]) for r in eligible}

    zero = suggest(eligible, codebook)
    zero_pred = _by_record(zero)

    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(eligible))
    trained = []
    for k in range(args.folds):
        test_idx = set(order[k :: args.folds].tolist())
        train = [r for i, r in enumerate(eligible) if i not in test_idx]
        test = [r for i, r in enumerate(eligible) if i in test_idx]
        model = SuggestionModel(codebook, seed=args.seed).fit(train, feedback_from_labels({r["id"]: gold[r["id"]] for r in train}, codebook))
        trained.extend(suggest(test, codebook, model=model))
    trained_pred = _by_record(trained)

    confusions: Counter = Counter()
    missed: Counter = Counter()
    for rid, codes in gold.items():
        g_typ = [c for c in codes if codebook[c].kind == "typology"]
        p_typ = [c for c in trained_pred.get(rid, []) if codebook[c].kind == "typology"]
        if g_typ and p_typ and g_typ[0] != p_typ[0]:
            confusions[f"{g_typ[0]}->{p_typ[0]}"] += 1
        for c in codes:
            if codebook[c].kind == "mechanism" and c not in trained_pred.get(rid, []):
                missed[c] += 1
    ok, total = map(sum, zip(_verbatim(zero, eligible), _verbatim(trained, eligible)))
    print(
        json.dumps(
            {
                "benchmark": "coding_quality",
                "records": len(eligible),
                "zero_training": _round(evaluate(gold, zero_pred, codebook)),
                "trained_cv": _round(evaluate(gold, trained_pred, codebook)),
                "folds": args.folds,
                "seed": args.seed,
                "quotes_verbatim": round(ok / total, 4) if total else 1.0,
                "quotes": total,
                "main_typology_confusions": dict(confusions.most_common(6)),
                "missed_mechanisms": dict(sorted(missed.items())),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
