"""Choosing the procedure that chooses the default stopping rule, scored nested leave-one-dataset-out.

``stopping_calibration.py`` offers several ways to pick a rule from the replayed runs: among every
rule or only the fixed rules a project may choose, with the target met in >= 95% of the pooled
training runs or of each training dataset's runs. Picking one of those procedures by its held-out
figure would fit the choice to the data it is scored on, so here the procedure is itself chosen
inside each outer fold (the default's candidates are the procedures whose rule a project can
choose by name; those choosing among every replayed rule are scored the same way for comparison):

- outer: hold one dataset out;
- inner: on the other datasets, score every procedure leave-one-dataset-out (each inner held-out
  dataset gets the rule the procedure picks on the rest);
- pick the procedure saving the most inner held-out work among those meeting the target in >= 95%
  of the inner held-out runs (:data:`FALLBACK` when none does), let it pick a rule on all the
  training datasets and score that rule on the outer dataset.

The pooled outer runs are the nested held-out figure; the same two steps on every dataset give
the default (:func:`nested_choice`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The recall target and the share of runs that must reach it.
TARGET, SHARE = 0.95, 0.95
#: The default when the nested choice does not meet the target held out: buscar as published, nothing fitted.
FALLBACK = "buscar_95_95"


class Table:
    """Per rule and dataset: runs, runs meeting the target and work saved summed, for quick choices."""

    def __init__(self, results: dict[str, dict[tuple[str, int], dict]]):
        self.names = list(results)
        self.datasets = sorted({d for out in results.values() for d, _ in out})
        index = {d: j for j, d in enumerate(self.datasets)}
        shape = (len(self.names), len(self.datasets))
        self.runs, self.met, self.saved = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        for i, name in enumerate(self.names):
            for (dataset, _), o in results[name].items():
                j = index[dataset]
                self.runs[i, j] += 1
                self.met[i, j] += o["recall"] >= TARGET - 1e-9
                self.saved[i, j] += o["saved"]
        self.row = {n: i for i, n in enumerate(self.names)}
        self.column = index

    def choose(self, datasets: set[str], names: list[str] | None = None, strict: bool = False) -> str:
        """The rule of ``names`` saving the most work on ``datasets`` among those meeting the target in
        >= 95% of their runs (``strict``: of each dataset's runs); the most cautious one when none does."""
        rows = np.array([self.row[n] for n in (names or self.names)])
        cols = np.array([self.column[d] for d in sorted(datasets)])
        runs, met, saved = (a[np.ix_(rows, cols)] for a in (self.runs, self.met, self.saved))
        mean_saved = saved.sum(1) / runs.sum(1)
        share = (met / runs).min(1) if strict else met.sum(1) / runs.sum(1)
        ok = share >= SHARE - 1e-12
        if not ok.any():
            return self.names[rows[int(np.argmin(mean_saved))]]
        return self.names[rows[int(np.argmax(np.where(ok, mean_saved, -1.0)))]]

    def pooled(self, picks: dict[str, str]) -> tuple[float, float]:
        """Share meeting the target and mean work saved over the runs of each dataset under its rule."""
        runs = sum(self.runs[self.row[r], self.column[d]] for d, r in picks.items())
        met = sum(self.met[self.row[r], self.column[d]] for d, r in picks.items())
        saved = sum(self.saved[self.row[r], self.column[d]] for d, r in picks.items())
        return float(met / runs), float(saved / runs)


Procedure = Callable[[Table, set[str]], str]


def procedures(fixed: list[str], every_rule: bool = False) -> dict[str, Procedure]:
    """The candidate procedures, by name; on a tie the earlier one (fewer candidate rules, stricter) wins.
    Without ``every_rule`` only procedures whose rule a project can choose by name (``fixed``, the
    published buscar); with it also those choosing among every replayed rule (pairs, the biased urn,
    the run rule: rules no project can choose, so never the default)."""
    chosen = {"fixed_rules_strict": lambda t, ds: t.choose(ds, fixed, True),
              "fixed_rules_pooled": lambda t, ds: t.choose(ds, fixed, False)}
    if every_rule:
        chosen |= {"every_rule_strict": lambda t, ds: t.choose(ds, None, True),
                   "every_rule_pooled": lambda t, ds: t.choose(ds, None, False)}
    return chosen | {"published_buscar": lambda t, ds: FALLBACK}


def lodo(table: Table, procedure: Procedure, datasets: set[str]) -> dict[str, str]:
    """Each dataset of ``datasets`` -> the rule ``procedure`` picks on the others."""
    return {d: procedure(table, datasets - {d}) for d in sorted(datasets)}


def pick_procedure(table: Table, candidates: dict[str, Procedure], datasets: set[str]) -> tuple[str, dict]:
    """The candidate saving the most held-out work on ``datasets`` among those meeting the target in
    >= 95% of held-out runs (the published buscar when none does), with every candidate's figures."""
    scores = {name: table.pooled(lodo(table, procedure, datasets)) for name, procedure in candidates.items()}
    meeting = {n: s for n, s in scores.items() if s[0] >= SHARE - 1e-12}
    best = max(meeting, key=lambda n: meeting[n][1]) if meeting else "published_buscar"
    return best, scores


def nested(table: Table, candidates: dict[str, Procedure]) -> tuple[dict[str, str], dict[str, str]]:
    """Outer held-out dataset -> (procedure picked on the others, the rule it picked there)."""
    everything = set(table.datasets)
    procs, rules = {}, {}
    for outer in table.datasets:
        training = everything - {outer}
        procs[outer], _ = pick_procedure(table, candidates, training)
        rules[outer] = candidates[procs[outer]](table, training)
    return procs, rules


def nested_choice(table: Table, fixed: list[str], every_rule: bool = False) -> dict:
    """The nested held-out figures and, from the same two steps on every dataset, the rule they name
    (``every_rule``: see :func:`procedures`)."""
    candidates = procedures(fixed, every_rule)
    procs, rules = nested(table, candidates)
    met, saved = table.pooled(rules)
    chosen, scores = pick_procedure(table, candidates, set(table.datasets))
    return {"nested_held_out": {"met_target": round(met, 4), "mean_work_saved": round(saved, 4),
                                "runs": int(sum(table.runs[table.row[r], table.column[d]] for d, r in rules.items()))},
            "procedure_per_held_out_dataset": procs, "rule_per_held_out_dataset": rules,
            "procedure_on_all": chosen, "rule_on_all": candidates[chosen](table, set(table.datasets)),
            "procedures_lodo_on_all": {n: {"met_target": round(m, 4), "mean_work_saved": round(s, 4)}
                                       for n, (m, s) in scores.items()}}
