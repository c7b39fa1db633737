"""Coding suggestions for the same abstracts written as other exports write them; prints JSON lines.

Unseen records come from other exports than the recovery corpus's web pages. No new labels are needed
to check that the same abstract, written differently, gets the same codes: each perturbation rewrites
the abstract or the title only (labels unchanged), and each line compares the codes suggested for the
rewritten records with the gold labels, beside the same figures for the records as written (``none``).

Perturbations:

* ``caps`` - structured-abstract headings in capitals ("Objective:" -> "OBJECTIVE:"), as MEDLINE writes them;
* ``noheads`` - headings removed ("Objective: The aim" -> "The aim");
* ``notice`` - a publisher's notice appended, in five forms that ../shared's exports hold
  ("(C) 2019 Elsevier Ltd. All rights reserved.", PsycINFO's database record line, Wiley's, BMJ's, EBSCO's);
* ``wrapped`` - a line break in place of the space before every 70th character (RIS and tagged files wrap
  abstract lines);
* ``title_caps`` - the title in capitals, as older Embase and CINAHL records write it (the abstract unchanged).

Lines: ``heldout`` - the shipped default model on the 18 held-out records (see coding_quality.py);
``all_included_cv`` - 5-fold cross-validation over all 79 included records (fold seed 0), the model
fitted on the training folds as written and applied to the test fold rewritten. Each perturbation gets
its own model, fitted alike (the sentence-role model learns from every abstract it is given). Each line gives the
all-codes micro-F1 and its change from ``none`` (``delta_all``), the F1 per layer, the share of quotes
that are verbatim in the rewritten text, how many quotes include text of an appended notice, and the
share of correctly suggested codes whose quote overlaps the expert's quote (compared in lower case
with whitespace collapsed, as the rewritten text may no longer hold the expert's quote verbatim).

Nothing is tuned on these figures. Usage: .venv/bin/python benchmarks/coding_robustness.py
(about a minute; sentence vectors and their cache as in coding_quality.py).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coding_quality as cq  # noqa: E402

from logicmap.api import SemanticModel, default_suggestion_model, feedback_from_labels, load_codebook  # noqa: E402

# The rewrites find headings with their own short list, not the product's heading pattern: a rewrite that
# shared the pattern would only move headings the product already reads.
HEADINGS = ("Objectives", "Objective", "Background", "Aims", "Aim", "Purpose", "Introduction", "Methods",
            "Method", "Design", "Setting", "Participants", "Interventions", "Results", "Findings",
            "Conclusions", "Conclusion", "Discussion", "Implications", "Limitations")
_HEADING = re.compile(rf"(^|(?<=[.!?]\s))({'|'.join(HEADINGS)})(\s*:\s*|\s+(?=[A-Z]))")
NOTICES = (
    " © 2019 Elsevier Ltd. All rights reserved.",
    " (PsycINFO Database Record (c) 2019 APA, all rights reserved)",
    " Copyright © 2015 John Wiley & Sons Ltd.",
    " © Author(s) (or their employer(s)) 2019. Re-use permitted under CC BY-NC. No commercial re-use. Published by BMJ.",
    " Copyright of Psychiatric Services is the property of American Psychiatric Publishing and its content may not"
    " be copied or emailed to multiple sites without the copyright holder's express written permission.",
)


def caps(text: str, k: int) -> str:
    return _HEADING.sub(lambda m: m.group(1) + m.group(2).upper() + (": " if ":" in m.group(3) else " "), text)


def noheads(text: str, k: int) -> str:
    return _HEADING.sub(lambda m: m.group(1), text)


def notice(text: str, k: int) -> str:
    return text + NOTICES[k % len(NOTICES)] if text else text


def wrapped(text: str, k: int) -> str:
    chars, last, at = list(text), 0, 70
    while at < len(chars):
        space = text.rfind(" ", last + 1, at + 1)
        if space > last:
            chars[space], last = "\n", space
        at = max(at, last) + 70
    return "".join(chars)


def upper(text: str, k: int) -> str:
    return text.upper()


#: name -> (the field it rewrites, how)
PERTURBATIONS: dict[str, tuple[str, Callable[[str, int], str]]] = {
    "none": ("abstract", lambda text, k: text), "caps": ("abstract", caps), "noheads": ("abstract", noheads),
    "notice": ("abstract", notice), "wrapped": ("abstract", wrapped), "title_caps": ("title", upper)}


def rewrite(records: list[dict], how: tuple[str, Callable[[str, int], str]]) -> list[dict]:
    """``records`` with one field rewritten (``k``, which notice form, follows the record's id)."""
    field, change = how
    return [dict(r, **{field: change(r.get(field) or "", sum(map(ord, r["id"])))}) for r in records]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def quote_figures(suggestions, records) -> dict:
    by_id = {r["id"]: r for r in records}
    verbatim = with_notice = overlap = checked = 0
    for s in suggestions:
        record = by_id[s.record_id]
        text = record.get(s.field) or ""
        verbatim += text[s.start : s.end] == s.quote
        with_notice += any(_norm(n).strip()[:20] in _norm(s.quote) for n in NOTICES)
        gold = cq.expert_quotes(record).get(s.code)
        if gold and s.code in cq.gold_codes(record["label"]):
            checked += 1
            quote = _norm(s.quote)
            overlap += any(_norm(g)[:40] in quote or quote[:40] in _norm(g) for g in gold)
    return {"verbatim": round(verbatim / len(suggestions), 4) if suggestions else 1.0,
            "quotes_with_notice": with_notice, "quotes": len(suggestions),
            "quote_is_expert_sentence": round(overlap / checked, 3) if checked else None}


def line(kind: str, name: str, suggestions, records, codebook, baseline: float | None) -> dict:
    layers = cq.scores(suggestions, records, codebook)
    f1 = cq.all_codes_f1(suggestions, records)
    return {"benchmark": "coding_robustness", "line": kind, "perturbation": name, "records": len(records),
            "all_codes_micro_f1": f1, "delta_all": round(f1 - baseline, 3) if baseline is not None else 0.0,
            "f1": {g: v["f1"] for g, v in layers.items()}, **quote_figures(suggestions, records)}


def cross_validated(records, codebook, encode, seed: int = 0, folds: int = 5) -> dict[str, list]:
    """Per perturbation, the suggestions for every record by ``folds``-fold CV (test folds rewritten)."""
    order = np.random.default_rng(seed).permutation(len(records))
    out: dict[str, list] = {name: [] for name in PERTURBATIONS}
    for k in range(folds):
        test_idx = set(order[k::folds].tolist())
        train = [r for i, r in enumerate(records) if i not in test_idx]
        test = [r for i, r in enumerate(records) if i in test_idx]
        feedback = feedback_from_labels({r["id"]: cq.gold_codes(r["label"]) for r in train}, codebook)
        for name, how in PERTURBATIONS.items():
            model = SemanticModel(codebook, encode, seed=seed, code_bias=False).fit(train, feedback)
            out[name] += model.suggest(rewrite(test, how))
    return out


def shipped(codebook, encode):
    return default_suggestion_model(codebook, encode, known_stats=True)


def main() -> None:
    codebook = load_codebook()
    records = [json.loads(x) for x in cq.DEFAULT.read_text(encoding="utf-8").splitlines() if x.strip()]
    tune, held = cq.split(records)
    encode = cq.encoder()
    baseline = None
    for name, how in PERTURBATIONS.items():
        rewritten = rewrite(held, how)
        out = line("heldout", name, shipped(codebook, encode).suggest(rewritten), rewritten, codebook, baseline)
        baseline = out["all_codes_micro_f1"] if baseline is None else baseline
        print(json.dumps(out), flush=True)
    everything = tune + held
    got, baseline = cross_validated(everything, codebook, encode), None
    for name, how in PERTURBATIONS.items():
        out = line("all_included_cv", name, got[name], rewrite(everything, how), codebook, baseline)
        baseline = out["all_codes_micro_f1"] if baseline is None else baseline
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
