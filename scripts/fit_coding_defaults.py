"""Fit the generic weights of the embedding suggester shipped in
``src/logicmap/coding/semantic_defaults.json``: on the packaged demo corpus's labels only (the
tuning part of ``benchmarks/coding_quality.py``), once with the recovery codebook's term lists and
once without them (for codebooks that have none; matched on their codes' own words). Layer feature
sets, layer thresholds and per-code thresholds (used only with this codebook's own codes) come from
the model's inner cross-validation (seed 0).

Usage: PYTHONPATH=src .venv/bin/python scripts/fit_coding_defaults.py
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from logicmap.api import SemanticModel, feedback_from_labels, gold_codes, load_codebook  # noqa: E402

CORPUS = ROOT / "src" / "logicmap" / "demo" / "data" / "corpus.jsonl"
OUT = ROOT / "src" / "logicmap" / "coding" / "semantic_defaults.json"


def main() -> None:
    from coding_quality import encoder

    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [r for r in records if r["label"]["include"]]
    codebook = load_codebook()
    encode = encoder()
    out = {"fitted_on": f"{len(records)} included records of the packaged demo corpus, seed 0"}
    for key, book in (("terms", codebook),
                      ("no_terms", replace(codebook, codes=tuple(replace(c, terms=()) for c in codebook.codes)))):
        feedback = feedback_from_labels({r["id"]: gold_codes(r["label"]) for r in records}, book)
        model = SemanticModel(book, encode, seed=0, code_bias=False).fit(records, feedback)
        out[key] = model.to_dict()
    OUT.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
