"""Fit the constants of the embedding suggester shipped in ``src/logicmap/coding/semantic_defaults.json``,
on the packaged demo corpus's labels only (the tuning part of ``benchmarks/coding_quality.py``):

* ``terms`` / ``no_terms``: the generic per-layer weights used with the recovery codebook itself
  (with its term lists, and without them: matched on its codes' own words). Layer feature sets,
  layer thresholds and per-code thresholds come from the model's inner cross-validation (seed 0).
* ``unseen_terms`` / ``unseen_no_terms``: the per-layer ranking constants used for every other
  codebook (:func:`logicmap.coding.semantic_rank.tune`), with and without term lists; no weight
  of any code is kept.

Usage: PYTHONPATH=src .venv/bin/python scripts/fit_coding_defaults.py [--unseen-only]
(``--unseen-only`` refits the ranking constants and keeps the other entries as they are.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from logicmap.api import SemanticModel, feedback_from_labels, gold_codes, load_codebook  # noqa: E402

CORPUS = ROOT / "src" / "logicmap" / "demo" / "data" / "corpus.jsonl"
OUT = ROOT / "src" / "logicmap" / "coding" / "semantic_defaults.json"


def rank_constants(records, book, encode) -> dict:
    """The ranking constants :func:`~logicmap.coding.semantic_rank.tune` picks on ``records``, the
    codebook written fully and more briefly (:func:`~logicmap.coding.semantic_rank.writing_styles`)."""
    from logicmap.api import RankModel, rank_tuning_sets as tuning_sets, tune_rank_model as tune

    model = RankModel(book, encode, {})
    sets = tuning_sets(book, encode, records, lambda r: set(gold_codes(r["label"])))
    return RankModel(book, encode, tune(sets, model.role_of)).to_dict()


def main() -> None:
    from coding_quality import encoder, strip_terms

    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [r for r in records if r["label"]["include"]]
    codebook = load_codebook()
    encode = encoder()
    out = {"fitted_on": f"{len(records)} included records of the packaged demo corpus, seed 0"}
    unseen_only = "--unseen-only" in sys.argv[1:]
    if unseen_only:
        out = json.loads(OUT.read_text(encoding="utf-8"))
    for key, book in (("terms", codebook), ("no_terms", strip_terms(codebook))):
        out[f"unseen_{key}"] = rank_constants(records, book, encode)
        if unseen_only:
            continue
        feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in records}, book)
        model = SemanticModel(book, encode, seed=0, code_bias=False).fit(records, feedback)
        out[key] = model.to_dict()
    OUT.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
