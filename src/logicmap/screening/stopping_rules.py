"""The stopping rules logicmap reports, by name, and the default one.

:func:`default_rule` is the rule ``benchmarks/stopping_calibration.py`` names: buscar at recall 95%
and 80% confidence (90% above 100,000 records), random urn, the confidence chosen by the calibration.
The calibration replays every rule (buscar over a grid of recall targets 0.95-0.99 and confidences, the
biased urn, the counting process, the run rule, "buscar AND counting process / knee / SAFE" pairs) on
the default engine's screening orders of the 14 shared datasets (``tfidf-asreview+charlsa+embed`` +
``svm-asreview-agree`` with its retrain schedule, seeds 1-10 on every dataset: 140 runs;
``benchmarks/stopping_calibration_default_engine.jsonl``) and chooses nested leave-one-dataset-out
(``benchmarks/stopping_procedures.py``): inside each fold a procedure -- the fixed rules a project
may choose, needing the target in >= 95% of the training runs pooled or of each training dataset's
runs, or the published buscar 95/95 -- is picked by its own inner held-out figure, and the rule it
picks is scored on the held-out dataset. Every fold picks buscar 95/80; held out it reached recall
0.95 in all 140 runs (lowest 0.950) and saved 27.6% of the screening (stopping exactly at 95%
recall, unknowable, would save 50.7%), and its 95% recall interval held the true recall in every
stop (orders of stop 44, after abstracts' publishers' notices left the screening text). The published
buscar 95/95 met the target in all 140 runs too and saved 17.3%; buscar 95/90, all 140 and 21.2%. On
the engine before (``svm-asreview-fusion``, ``benchmarks/stopping_calibration_lsa_fusion_engine.jsonl``)
buscar 95/80 reached the target in 97.9% held out and saved 27.1%. The calibration keeps a nested
choice only when it meets the target in >= 95% of held-out runs: on the orders of the default engine before those (``tfidf+embed`` +
``svm-fusion``, ``benchmarks/stopping_calibration_tfidf_embed_engine.jsonl``) it met it in 93.6%,
so buscar 95/95 was the default then. On the same engine with embeddings of each record's first 64 word
pieces (the default from 20,001 to 70,000 records in stops 45-46;
``benchmarks/stopping_calibration_agree64_engine.jsonl``, 140 runs, stop 45) the nested choice is buscar 95/80 too: the target in 100.0% held out (lowest recall
0.952), 27.3% saved; of the first 128 (the default from 20,001 to 40,000 records in stop 45 only;
``..._agree128_engine.jsonl``), the target in 97.1% held out (lowest 0.927), 27.8% saved. A project
whose first decisions were ranked by the TF-IDF engine while its vectors were made (the interim start)
was not calibrated apart: the engines differ only in the first decisions, long before any stop.
On the TF-IDF engine, still the default above 100,000 records (above 70,000 until stop 48)
(``benchmarks/stopping_calibration_tfidf_engine.jsonl``), buscar 95/80 met the target in 96.4% of its
140 runs held out and saved 26.1% (median policy's orders, not rerun). Those orders had the character
block beside the words, which is dropped above 100,000 records: there the engine is ELAS u4's word TF-IDF
and SVM (named so since stop 49). On its own orders (stop 49, 140 runs, every decision retrained,
``benchmarks/stopping_calibration_asreview_engine.jsonl``) buscar 95/80 met the target in only 85.0% of
runs (saving 24.0%), and the nested choice is buscar 95/90: 99.3% held out, 17.8% saved. So the default
rule follows the project's size (:func:`default_choice`): buscar 95/80 up to ``CHAR_MAX_RECORDS``
(100,000) records, buscar 95/90 above, where every engine ranks without the character block (the agree
engine without it, chosen by hand only, was not calibrated apart).

Why the certified rules stop late on these datasets. buscar tests "recall < 95%", i.e. at
least ``floor(r / 0.95 + 1) - r`` relevant records still unscreened (``r`` found): 1 for
r < 19, 3 at r = 40, 5 at r = 80. Treating the last records screened as a random sample of
those not screened before them, it rejects only once an urn without a relevant record holds
about ``1 - 0.05 ** (1 / missing)`` of them: 95% of the records left when r < 19, 63% at
r = 40, 45% at r = 80. Eight of the 14 shared datasets hold 9-51 relevant records, so buscar
screens most of what is left after the ranking's last relevant find. The sample rules need
59 relevant records in a random sample to certify 95/95 (``0.95 ** 59 <= 0.05``): the target
method draws until it has them (at the 0.5-5% prevalence of half of the datasets, most of the
records; 4.8% of the work saved on average) and a 10% QBCB sample never holds them (nothing
saved). The heuristics (knee, SAFE-style, the counting process, the run rule of
:mod:`~logicmap.screening.stopping_gap`) stop earlier but miss the target in too many runs, or,
calibrated to meet it on the training datasets, save less than buscar. So does a bias read from
the screening so far (``benchmarks/stopping_adaptive.py``): the variants that save more in sample are
fitted to which datasets are sparse and miss the target on the held-out one.
"""

from __future__ import annotations

from logicmap.screening import limits
from logicmap.screening.stopping import BuscarRule, ConsecutiveIrrelevantRule, FractionRule, StoppingRule
from logicmap.screening.stopping_gap import GapRule
from logicmap.screening.stopping_knee import KneeRule
from logicmap.screening.stopping_poisson import PoissonProcessRule
from logicmap.screening.stopping_sample import QuantileRule, SafeRule, TargetRule

#: Assumed odds ratio of the urn of the default rule (chosen by the calibration).
DEFAULT_BIAS = 1.0
#: Confidence of the default rule's test (chosen by the calibration, nested leave-one-dataset-out).
DEFAULT_CONFIDENCE = 0.80
#: Confidence of the default rule's test above ``CHAR_MAX_RECORDS`` records (the nested choice on the
#: orders of the word TF-IDF engine, the default there).
WORD_ENGINE_CONFIDENCE = 0.90
#: Why the default rule may be trusted, for a report's methods (the calibration's held-out figures).
DEFAULT_EVIDENCE = ("logicmap's default stopping rule up to 100,000 records, buscar at 95% recall with 80% "
                    "confidence (the confidence chosen by a calibration on screening simulations of 14 labelled "
                    "datasets): chosen with each dataset held out, it reached 95% recall in 100.0% of runs and "
                    "saved 27.6% of the screening (140 runs, the default engine)")
#: The same for the default rule above ``CHAR_MAX_RECORDS`` records.
WORD_ENGINE_EVIDENCE = ("logicmap's default stopping rule above 100,000 records, buscar at 95% recall with 90% "
                        "confidence (the confidence chosen by a calibration on screening simulations of 14 labelled "
                        "datasets with the word TF-IDF engine used there): chosen with each dataset held out, it "
                        "reached 95% recall in 99.3% of runs and saved 17.8% of the screening (140 runs)")
#: The run rule's scale (power 0.5, no guard) chosen on all datasets by the calibration.
GAP_SCALE = 3.356


def _large(records: int | None) -> bool:
    return records is not None and records > limits.CHAR_MAX_RECORDS


def default_choice(records: int | None = None) -> dict:
    """The default rule for a stage of ``records`` records (None: not known, taken as at most
    ``CHAR_MAX_RECORDS``) as a project stores its choice: buscar at recall 95% with the confidence
    calibrated on the orders of the engine that ranks that many records by default."""
    confidence = WORD_ENGINE_CONFIDENCE if _large(records) else DEFAULT_CONFIDENCE
    return {"rule": "buscar", "recall_target": 0.95, "confidence": confidence}


def default_rule(records: int | None = None) -> StoppingRule:
    """The rule a stage of ``records`` records stops by until its project chooses one
    (:func:`default_choice`, with the calibrated urn bias)."""
    choice = default_choice(records)
    return make_rule(choice["rule"], choice["recall_target"], choice["confidence"])


def default_evidence(records: int | None = None) -> str:
    """Why :func:`default_rule` for ``records`` records may be trusted, for a report's methods."""
    return WORD_ENGINE_EVIDENCE if _large(records) else DEFAULT_EVIDENCE


#: The rules a project may stop by (``make_rule``'s names); target, qbcb and safe ask for a random sample.
RULE_FAMILIES = ("buscar", "target", "qbcb", "safe", "knee", "poisson")


def make_rule(family: str = "buscar", recall_target: float = 0.95, confidence: float = 0.95) -> StoppingRule:
    """The rule ``family`` (one of :data:`RULE_FAMILIES`) at ``recall_target`` and ``confidence``."""
    if not 0.5 <= recall_target < 1 or not 0.5 <= confidence < 1:
        raise ValueError(f"recall target and confidence must lie in [0.5, 1), not {recall_target} and {confidence}")
    makers = {"buscar": lambda t, c: BuscarRule(t, c, bias=DEFAULT_BIAS), "target": TargetRule,
              "qbcb": QuantileRule, "safe": SafeRule, "knee": KneeRule, "poisson": PoissonProcessRule}
    if family not in makers:
        raise ValueError(f"unknown stopping rule {family!r}; choose one of {', '.join(RULE_FAMILIES)}")
    return makers[family](recall_target, confidence)


def literature_rules() -> list[StoppingRule]:
    """The certified and heuristic rules of the literature, with recall target 0.95."""
    return [BuscarRule(0.95, 0.95), BuscarRule(0.95, 0.90), BuscarRule(0.95, 0.80), TargetRule(), QuantileRule(),
            SafeRule(), KneeRule()]


def default_rules() -> list[StoppingRule]:
    """Every rule a simulation reports: the default, the literature's, the counting-process rule at 95%
    confidence, the run rule at its calibrated scale, and three heuristics (each name once)."""
    rules: list[StoppingRule] = [default_rule(), *literature_rules(), PoissonProcessRule(0.95, 0.95),
                                 GapRule(GAP_SCALE), ConsecutiveIrrelevantRule(100), ConsecutiveIrrelevantRule(50),
                                 FractionRule(0.5)]
    named: dict[str, StoppingRule] = {}
    for rule in rules:
        named.setdefault(rule.name, rule)
    return list(named.values())
