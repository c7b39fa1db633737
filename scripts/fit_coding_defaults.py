"""Fit the constants of the embedding suggester shipped in ``src/logicmap/coding/semantic_defaults.json``,
on the packaged demo corpus's labels only (the tuning part of ``benchmarks/coding_quality.py``):

* ``terms`` / ``no_terms``: the generic per-layer weights used with the recovery codebook itself
  (with its term lists, and without them: matched on its codes' own words). Layer feature sets,
  layer thresholds and per-code thresholds come from the model's inner cross-validation (seed 0).
* ``unseen_terms`` / ``unseen_no_terms``: the per-layer ranking constants used for every other
  codebook (:func:`logicmap.coding.semantic_rank.tune`), with and without term lists; no weight
  of any code is kept.

Usage: PYTHONPATH=src .venv/bin/python scripts/fit_coding_defaults.py [--unseen-only] [--output PATH]
(``--unseen-only`` refits the ranking constants and keeps the other entries as they are; ``--output``
writes elsewhere than the shipped file, as ``tests/coding/test_shipped_defaults.py`` does to check that
the shipped file is what this script fits.) The shipped file was fitted with the ``[embed]`` extra's
encoder (``LOGICMAP_EMBED_BACKEND`` unset or ``torch``).
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> None:
    from coding_quality import encoder, strip_terms

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unseen-only", action="store_true", help="refit only the unseen_* entries")
    parser.add_argument("--output", type=Path, default=OUT, help="where to write (default: the shipped file)")
    args = parser.parse_args(argv)

    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [r for r in records if r["label"]["include"]]
    codebook = load_codebook()
    encode = encoder()
    out = {"fitted_on": f"{len(records)} included records of the packaged demo corpus, seed 0"}
    if args.unseen_only:
        out = json.loads(OUT.read_text(encoding="utf-8"))
    for key, book in (("terms", codebook), ("no_terms", strip_terms(codebook))):
        out[f"unseen_{key}"] = rank_constants(records, book, encode)
        if args.unseen_only:
            continue
        feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in records}, book)
        model = SemanticModel(book, encode, seed=0, code_bias=False).fit(records, feedback)
        out[key] = model.to_dict()
    args.output.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
