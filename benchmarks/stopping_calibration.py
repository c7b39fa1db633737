"""Benchmark: calibrate the stopping rules and choose the default leave-one-dataset-out.

Reads the cached screening orders of ``stopping_orders.py`` (the shared datasets x
seeds of one engine, ``--engine``, default TF-IDF + SVM; computed once, since the order
does not depend on the rule) and replays every rule on every order: the literature's
rules (``logicmap.screening.stopping_rules.literature_rules``), buscar at every recall
target in ``BUSCAR_TARGETS`` and every confidence in ``CONFIDENCES``, buscar 95/95 with a biased urn for every bias in ``BIASES``
(the urn's odds ratio), the counting-process rule at every confidence in
``POISSON_CONFIDENCES`` and the calibrated run rule (``GapRule``) at every scale in
``GAP_SCALES`` for every power in ``GAP_POWERS``. Rules needing a random sample draw it
with the run's seed (see ``stopping_sample``). Last, every pair "buscar AND another rule"
(:func:`both`: stop once both have fired; the later one's stop and interval) for buscar at
every grid point and the other rule among the counting process's confidences, the knee and
the SAFE-style rule.

Output, one JSON line each (also written to ``--output``):

- per rule (``"rule"``): runs, share of runs reaching recall >= 0.95, mean and lowest
  recall, mean work saved, coverage of the reported recall interval (share of the runs
  that stopped whose interval holds the true recall), and ``saved_of_ceiling``: per
  dataset the mean work saved over the mean ranking-only ceiling (the work saved by
  stopping exactly at 95% recall, unknowable in practice), averaged over the datasets.
  These are in-sample figures; a rule with no free parameter has no others.
- per family of rules with a free parameter (``"family"``: buscar's confidence at 95%,
  buscar's (target, confidence), the urn's bias, the counting process's confidence, the
  run rule's scale at one power, the pairs of :func:`both`):
  the parameter chosen leave-one-dataset-out -- for each held-out dataset the member
  saving the most work among those meeting the target in >= 95% of the other
  datasets' runs (pooled; ``_strict``: of each other dataset's runs) -- and the pooled
  held-out figures.
- ``lodo_held_out_fixed_rules``: the same choice among the fixed rules a project may choose
  (``FIXED_RULES``: each family of ``stopping_rules.RULE_FAMILIES`` at recall 0.95 and the
  confidences offered, nothing fitted to the data), scored on each held-out dataset.
- ``lodo_held_out_strict`` and ``lodo_held_out``: the same choice over every rule, with the
  target met in >= 95% of each training dataset's runs (strict; fixed as the default's procedure
  before the default engine's orders were replayed) or of the pooled training runs (the issue's
  wording); the pooled procedure over the datasets not looked at while rules were designed
  (``DESIGN_DATASETS``), then per held-out dataset; the ceiling.
- ``nested_procedure_choice``: which procedure picks the rule (among the fixed rules, strict or
  pooled, or the published buscar: rules a project can choose by name) is itself chosen inside each
  held-out fold (``stopping_procedures.py``), so its held-out figure is nested; the same steps on
  every dataset name the default (``default_rule``, see :func:`default_choice`; ``strict_choice`` and
  ``issue_rule_pooled``: what the strict and pooled choices over every rule would name);
  ``nested_procedure_choice_every_rule``: the same with the procedures over every replayed rule
  among the candidates.

Usage::

    nice -n 10 .venv/bin/python benchmarks/stopping_calibration.py --cache ../cache/stopping/orders.json \\
        --output benchmarks/stopping_calibration.jsonl

The default engine's table (``stopping_calibration_default_engine.jsonl``, engine
``tfidf-asreview+charlsa+embed:svm-asreview-agree`` with ``ActiveLearner``'s retrain schedule; its 140
orders were kept by ``screening_embed_default.py --orders``, which builds the same matrix from the
numpy encoder's vectors; made again at stop 44, once the screening text left out abstracts' publishers'
notices, with the same functions and no ASReview run: 25 minutes on one core, replays 10 minutes).
The engine before it, ``svm-asreview-fusion`` (the better rank alone; 140 orders, 32 CPU minutes;
replays 7.5 minutes), has ``stopping_calibration_lsa_fusion_engine.jsonl``. The tables of the default
engine before those, ``tfidf+embed:svm-fusion``, are ``stopping_calibration_tfidf_embed_engine.jsonl``
(retrain schedule; 21 CPU minutes of orders) and ``..._every_decision.jsonl`` (84 minutes)::

    .venv/bin/python benchmarks/stopping_orders.py --engine default --seeds 1-10 --cache ORDERS.json
    .venv/bin/python benchmarks/stopping_calibration.py --engine default --cache ORDERS.json \\
        --output benchmarks/stopping_calibration_default_engine.jsonl

Each run's replayed outcomes are kept beside the cache (``replays-ENGINE.json``, redone when
the rules' code or the grids change), so a rerun after more orders were cached is quick.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from logicmap.api import stopping_rules
from stopping_orders import CACHE, ENGINE, ROOT, engine_runs, load_cache, parse_engine
from stopping_procedures import FALLBACK as FALLBACK_RULE, SHARE, TARGET, Table, lodo, nested_choice

#: The datasets whose runs were looked at while the counting-process rule (seeds 1-2) and the run rule
#: (seeds 1-10) were designed; the held-out figures are also given over the other datasets alone.
DESIGN_DATASETS = ("Cohen_2006_UrinaryIncontinence", "Cohen_2006_Antihistamines", "Cohen_2006_NSAIDS",
                   "Cohen_2006_Estrogens", "Cohen_2006_OralHypoglycemics", "Cohen_2006_AtypicalAntipsychotics",
                   "Cohen_2006_SkeletalMuscleRelaxants", "Cohen_2006_CalciumChannelBlockers")
#: Runs every dataset needs before the calibration may replace :data:`FALLBACK_RULE` (one per seed).
MIN_RUNS = 10
BIASES = (16, 8, 4, 2, 1.5, 1.25)
#: The fixed rules a project may choose at recall 0.95 (``logicmap screen --stopping-rule``): no parameter
#: of theirs is fitted to these datasets.
FIXED_RULES = ("buscar_95_95", "buscar_95_90", "buscar_95_80", "target_95_95", "qbcb_95_95", "safe_95_95", "knee",
               "poisson_95_95", "poisson_95_90", "poisson_95_80")
CONFIDENCES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
#: buscar's recall targets: testing a target above 0.95 at a lower confidence is another way to reach 0.95.
BUSCAR_TARGETS = (0.95, 0.96, 0.97, 0.98, 0.99)
#: The rules :func:`both` pairs with buscar (by name prefix).
BOTH_PARTNERS = ("poisson_", "knee", "safe_")
POISSON_CONFIDENCES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
GAP_POWERS = (0.5, 0.75, 1.0)
#: The run rule's buscar guard confidences (None: no guard); each must be in ``CONFIDENCES``.
GAP_GUARDS = (None, 0.5, 0.7)
#: Scales of the run rule: a geometric grid, 12% apart, wide enough for every power.
GAP_SCALES = tuple(round(float(x), 3) for x in np.exp(np.arange(np.log(0.1), np.log(40), np.log(1.12))))


def outcome(labels: np.ndarray, report) -> dict:
    """The replayed stop against the truth."""
    relevant = int(labels.sum())
    screened = report.records_screened
    found = report.relevant_found if report.relevant_found is not None else int(labels[:screened].sum())
    recall = found / relevant
    low, high = report.recall.low, report.recall.high
    return {"stopped": bool(report.stopped), "recall": recall, "saved": 1 - screened / labels.size,
            "covered": bool(low - 1e-9 <= recall <= high + 1e-9)}


def gap_reports(labels: np.ndarray, priors: int, guard_stops: dict[float, int | None]) -> list:
    """The run rule's report at every (guard, power, scale): one scan per (guard, power), one interval
    per stop. ``guard_stops``: where buscar first fires at each guard confidence."""
    reports, by_stop = [], {}
    for guard in GAP_GUARDS:
        for power in GAP_POWERS:
            scan = stopping_rules.GapRule(power=power, guard=guard)
            start = guard_stops.get(guard) if guard is not None else None
            if guard is not None and start is None:
                start = labels.size  # buscar never fired before the end: neither does the guarded rule
            stops = scan.first_stops(labels, labels.size, GAP_SCALES, n_priors=priors, guard_from=start)
            for scale, stop in stops.items():
                rule = dataclasses.replace(scan, scale=scale)
                if stop not in by_stop:
                    by_stop[stop] = _stopped_at(rule, labels, stop or labels.size)
                reports.append(dataclasses.replace(by_stop[stop], rule=rule.name))
    return reports


def _stopped_at(rule, labels: np.ndarray, stop: int):
    """The report of ``rule`` stopping after ``stop`` records (its estimate and interval there)."""
    stopped = stop < labels.size
    return dataclasses.replace(rule.assess(labels[:stop], labels.size), stopped=stopped,
                               reason=f"fired after {stop} records" if stopped else "never fired")


def replay_run(labels: np.ndarray, priors: int, seed: int) -> list:
    """Every rule's report on one run.

    buscar stops no earlier at a higher confidence or a smaller bias, so each chain of
    buscar rules is scanned once, each rule starting where the one before it stopped.
    """
    reports = [rule.replay(labels, labels.size, n_priors=priors, seed=seed)
               for rule in stopping_rules.literature_rules() if not isinstance(rule, stopping_rules.BuscarRule)]
    chains = ([[stopping_rules.BuscarRule(t, c) for c in CONFIDENCES] for t in BUSCAR_TARGETS]
              + [[stopping_rules.BuscarRule(TARGET, 0.95, bias=b) for b in BIASES]])
    guard_stops = {}
    for chain in chains:
        after = 0
        for rule in chain:
            reports.append(rule.replay(labels, labels.size, n_priors=priors, after=after))
            after = reports[-1].records_screened
            if rule.bias == 1 and rule.recall_target == TARGET:
                guard_stops[rule.confidence] = after if reports[-1].stopped else None
    poisson = stopping_rules.PoissonProcessRule(TARGET)
    reports += poisson.replay_confidences(labels, labels.size, POISSON_CONFIDENCES, n_priors=priors).values()
    return reports + gap_reports(labels, priors, guard_stops)


def fingerprint() -> str:
    """What the replays depend on besides the orders: the rules' code (the registry's default
    aside), the literature's rules and this module's grids."""
    sources = sorted((ROOT / "src" / "logicmap" / "screening").glob("stopping*.py"))
    digest = hashlib.sha256()
    for path in sources:
        if path.name != "stopping_rules.py":
            digest.update(path.read_bytes())
    grids = (stopping_rules.literature_rules(), TARGET, BIASES, CONFIDENCES, BUSCAR_TARGETS, POISSON_CONFIDENCES,
             GAP_POWERS, GAP_GUARDS, GAP_SCALES)
    digest.update(repr(grids).encode())
    return digest.hexdigest()[:16]


def replay_all(runs: dict[tuple[str, int], dict], memo_path: Path | None = None
               ) -> dict[str, dict[tuple[str, int], dict]]:
    """Rule name -> (dataset, seed) -> outcome. ``memo_path`` keeps each run's outcomes (valid while
    :func:`fingerprint` is unchanged), so a rerun replays only the runs added since."""
    stamp = fingerprint()
    memo = json.loads(memo_path.read_text()) if memo_path and memo_path.exists() else {}
    if memo.get("fingerprint") != stamp:
        memo = {"fingerprint": stamp, "runs": {}}
    results: dict[str, dict] = {}
    for run_key, run in sorted(runs.items()):
        key = f"{run_key[0]}:{run_key[1]}"
        if key not in memo["runs"]:
            labels = np.asarray(run["labels"], dtype=np.int64)
            memo["runs"][key] = {r.rule: outcome(labels, r) for r in replay_run(labels, run["n_priors"], run_key[1])}
            if memo_path:
                memo_path.write_text(json.dumps(memo))
        for rule, result in memo["runs"][key].items():
            results.setdefault(rule, {})[run_key] = result
    return results


def is_buscar(name: str) -> bool:
    """buscar with a random urn (any target and confidence)."""
    return name.startswith("buscar_") and "bias" not in name


def both(results: dict[str, dict]) -> dict[str, dict]:
    """The pairs "buscar AND partner" (:data:`BOTH_PARTNERS`), named ``both_BUSCAR+PARTNER``: stop once
    both rules have fired, i.e. where the later of the two stops, with that rule's recall interval."""
    partners = [n for n in results if n.startswith(BOTH_PARTNERS)]
    pairs = {}
    for first in filter(is_buscar, list(results)):
        for second in partners:
            pairs[f"both_{first}+{second}"] = {k: min(o, results[second][k], key=lambda x: x["saved"])
                                               for k, o in results[first].items()}
    return pairs


def ceiling(labels: list[int]) -> float:
    """Work saved stopping exactly when 95% of the relevant records are found."""
    found = np.cumsum(labels)
    return 1 - (int(np.searchsorted(found, np.ceil(TARGET * found[-1]))) + 1) / len(labels)


def summarise(runs: dict[tuple[str, int], dict], ceilings: dict[tuple[str, int], float]) -> dict:
    """Share meeting the target, recall, work saved (also against the ceiling) and interval coverage."""
    outcomes = list(runs.values())
    recalls = np.array([r["recall"] for r in outcomes])
    stops = [r for r in outcomes if r["stopped"]]
    ratios = []
    for dataset in sorted({d for d, _ in runs}):
        keys = [k for k in runs if k[0] == dataset]
        top = float(np.mean([ceilings[k] for k in keys]))
        if top > 0:
            ratios.append(float(np.mean([runs[k]["saved"] for k in keys])) / top)
    return {"runs": len(outcomes), "met_target": round(float(np.mean(recalls >= TARGET - 1e-9)), 4),
            "mean_recall": round(float(recalls.mean()), 4), "min_recall": round(float(recalls.min()), 4),
            "mean_work_saved": round(float(np.mean([r["saved"] for r in outcomes])), 4),
            "saved_of_ceiling": round(float(np.mean(ratios)), 4) if ratios else None,
            "stops": len(stops),
            "interval_coverage": round(float(np.mean([r["covered"] for r in stops])), 4) if stops else None}


def only(runs: dict, datasets: set[str]) -> dict:
    """The runs of ``datasets``."""
    return {k: o for k, o in runs.items() if k[0] in datasets}


def held_out(results: dict, table: Table, datasets: list[str], names: list[str] | None = None,
             strict: bool = False) -> tuple[dict, dict]:
    """Leave-one-dataset-out: the chosen rule per held-out dataset (:meth:`Table.choose` on the
    others) and its pooled held-out runs."""
    chosen = lodo(table, lambda t, training: t.choose(training, names, strict), set(datasets))
    runs = {}
    for dataset, rule in chosen.items():
        runs.update(only(results[rule], {dataset}))
    return chosen, runs


def default_choice(nested: dict, fewest_runs: int) -> dict[str, str]:
    """The default and why: the rule the nested procedure choice names on all datasets
    (``nested_choice``) if, held out, it met the target in >= 95% of runs with at least
    :data:`MIN_RUNS` runs on every dataset (the issue's "at least 10 seeds"), else :data:`FALLBACK_RULE`."""
    rule, met = nested["rule_on_all"], nested["nested_held_out"]["met_target"]
    if fewest_runs < MIN_RUNS:
        return {"rule": FALLBACK_RULE, "why": f"a dataset has {fewest_runs} run{'s' if fewest_runs != 1 else ''}, "
                f"fewer than {MIN_RUNS}: too few to replace {FALLBACK_RULE} (the nested choice, {rule}, met the "
                f"target in {met:.1%} of held-out runs)"}
    if met < SHARE:
        return {"rule": FALLBACK_RULE, "why": f"the nested choice ({rule}) met the target in {met:.1%} of held-out "
                f"runs, under {SHARE:.0%}"}
    return {"rule": rule, "why": f"the nested choice on all datasets ({nested['procedure_on_all']}); held out it "
            f"met the target in {met:.1%} of runs"}


def families(names: list[str]) -> dict[str, list[str]]:
    """The rules with one free parameter, by family."""
    def members(test: Callable[[str], bool]) -> list[str]:
        return [n for n in names if test(n)]

    groups = {"buscar_95_<confidence>": members(lambda n: is_buscar(n) and n.startswith("buscar_95_")),
              "buscar_<target>_<confidence>": members(is_buscar),
              "both_<buscar>+<partner>": members(lambda n: n.startswith("both_")),
              "buscar_95_95_bias<odds>": members(lambda n: n.startswith("buscar_95_95")),
              "poisson_95_<confidence>": members(lambda n: n.startswith("poisson_"))}
    for guard in GAP_GUARDS:
        for power in GAP_POWERS:
            example = stopping_rules.GapRule(1.0, power, guard=guard).name
            pattern = example.replace("_x1", "_x<scale>")
            groups[pattern] = members(lambda n, e=example: n.split("_", 3)[3:] == e.split("_", 3)[3:]
                                      and n.startswith("gap_"))
    return groups


def report(cache: dict, engine: str, memo_path: Path | None = None) -> list[dict]:
    """Every JSON line of the benchmark (module doc)."""
    runs = engine_runs(cache, engine)
    ceilings = {k: ceiling(r["labels"]) for k, r in runs.items()}
    results = replay_all(runs, memo_path)
    results.update(both(results))
    table = Table(results)
    datasets = sorted({d for d, _ in runs})
    seeds = sorted({s for _, s in runs})
    lines = [{"rule": name, **summarise(out, ceilings)} for name, out in results.items()
             if not name.startswith(("gap_", "both_"))]
    for family, names in families(list(results)).items():
        chosen, out = held_out(results, table, datasets, names)
        on_all = table.choose(set(datasets), names)
        if on_all.startswith(("gap_", "both_")):  # grids too long to list: the chosen member only
            lines.append({"rule": on_all, **summarise(results[on_all], ceilings)})
        strict_chosen, strict_out = held_out(results, table, datasets, names, strict=True)
        lines.append({"family": family, "lodo_held_out": summarise(out, ceilings),
                      "lodo_held_out_strict": summarise(strict_out, ceilings),
                      "chosen_on_all": on_all, "chosen_per_held_out_dataset": chosen,
                      "strict_chosen_per_held_out_dataset": strict_chosen})
    fixed = [name for name in FIXED_RULES if name in results]
    chosen, out = held_out(results, table, datasets, fixed)
    lines.append({"lodo_held_out_fixed_rules": summarise(out, ceilings), "candidates": fixed,
                  "chosen_per_held_out_dataset": chosen, "chosen_on_all": table.choose(set(datasets), fixed)})
    held = {}
    for strict, key in ((True, "lodo_held_out_strict"), (False, "lodo_held_out")):
        chosen, out = held_out(results, table, datasets, strict=strict)
        held[strict] = summarise(out, ceilings)
        lines.append({key: held[strict], "chosen_per_held_out_dataset": chosen,
                      "target": TARGET, "share_required": SHARE, "of_each_dataset": strict})
    unseen = set(datasets) - set(DESIGN_DATASETS)
    if unseen:
        lines.append({"lodo_held_out_datasets_not_used_in_design": summarise(only(out, unseen), ceilings),
                      "datasets": sorted(unseen)})
    lines += [{"lodo_dataset": d, "rule": chosen[d], **summarise(only(out, {d}), ceilings),
               "ceiling": round(float(np.mean([c for k, c in ceilings.items() if k[0] == d])), 4)} for d in datasets]
    lines.append({"ranking_only_ceiling": "work saved stopping exactly at 95% recall (unknowable in practice)",
                  "mean_work_saved": round(float(np.mean(list(ceilings.values()))), 4)})
    per_dataset = {d: sum(1 for k in runs if k[0] == d) for d in datasets}
    nested = nested_choice(table, fixed)
    lines.append({"nested_procedure_choice": nested, "candidates": "rules a project can choose by name"})
    lines.append({"nested_procedure_choice_every_rule": nested_choice(table, fixed, every_rule=True),
                  "candidates": "also every replayed rule (not offered to projects: never the default)"})
    lines.append({"default_rule": default_choice(nested, min(per_dataset.values())),
                  "strict_choice": table.choose(set(datasets), strict=True),
                  "issue_rule_pooled": table.choose(set(datasets)), "datasets": len(datasets), "seeds": seeds,
                  "runs": len(runs), "runs_per_dataset": per_dataset, "engine": engine})
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--engine", default=ENGINE, help="FEATURES:CLASSIFIER or 'default' (default: tfidf:svm)")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--replays", type=Path, help="JSON file keeping each run's replayed outcomes "
                        "(default: beside --cache, one per engine)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    engine = ":".join(parse_engine(args.engine))
    memo = args.replays or args.cache.with_name(f"replays-{engine.replace(':', '-')}.json")
    lines = report(load_cache(args.cache), engine, memo)
    lines[-1]["seconds"] = round(time.perf_counter() - start, 1)
    text = "\n".join(json.dumps(line) for line in lines) + "\n"
    print(text, end="")
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
