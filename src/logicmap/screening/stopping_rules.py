"""The stopping rules logicmap reports, by name, and the default one.

:func:`default_rule` was chosen by ``benchmarks/stopping_calibration.py`` (12 of the 14
shared screening datasets x seeds 1-10, TF-IDF + SVM engine, 116 runs): the rule that
saves the most work while reaching recall 0.95 in at least 95% of runs. Only buscar
95/95 with a random urn does (100% of runs, 12.6% saved); the choice made
leave-one-dataset-out scores 92.2% / 14.9% on the held-out datasets
(``benchmarks/stopping_calibration.jsonl``).
"""

from __future__ import annotations

from logicmap.screening.stopping import BuscarRule, ConsecutiveIrrelevantRule, FractionRule, StoppingRule
from logicmap.screening.stopping_gap import GapRule
from logicmap.screening.stopping_knee import KneeRule
from logicmap.screening.stopping_poisson import PoissonProcessRule
from logicmap.screening.stopping_sample import QuantileRule, SafeRule, TargetRule

#: Assumed odds ratio of the urn of the default rule (chosen by the calibration).
DEFAULT_BIAS = 1.0


def default_rule() -> BuscarRule:
    """The rule a project stops by: buscar 95%/95% with the calibrated urn bias."""
    return BuscarRule(0.95, 0.95, bias=DEFAULT_BIAS)


def literature_rules() -> list[StoppingRule]:
    """The certified and heuristic rules of the literature, with recall target 0.95."""
    return [BuscarRule(0.95, 0.95), BuscarRule(0.95, 0.90), BuscarRule(0.95, 0.80), TargetRule(), QuantileRule(),
            SafeRule(), KneeRule()]


def default_rules() -> list[StoppingRule]:
    """Every rule a simulation reports: the default, the literature's, the counting-process rule at 95%
    confidence, and three heuristics (each name once)."""
    rules: list[StoppingRule] = [default_rule(), *literature_rules(), PoissonProcessRule(0.95, 0.95),
                                 ConsecutiveIrrelevantRule(100), ConsecutiveIrrelevantRule(50), FractionRule(0.5)]
    named: dict[str, StoppingRule] = {}
    for rule in rules:
        named.setdefault(rule.name, rule)
    return list(named.values())
