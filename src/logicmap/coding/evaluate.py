"""Suggestion quality against reference labels: micro and macro F1 per node kind.

Kinds are compared as label sets per record: ``typology``, ``mechanism``, ``process``,
``outcome`` and ``moderator`` use the codes; ``outcome_domain`` and ``moderator_level``
use the outcome domains and moderator levels the codes belong to. :func:`f1_intervals` says how
far a micro-F1 measured on a few records can be trusted (records resampled with replacement).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from logicmap.codebook.codes import Codebook
from logicmap.resampling import ratio_interval

GROUPS: tuple[str, ...] = ("typology", "outcome_domain", "outcome", "mechanism", "process", "moderator", "moderator_level")


def label_sets(codes: Sequence[str], codebook: Codebook) -> dict[str, set[str]]:
    """The label set of every group for one record's codes (unknown codes are ignored)."""
    out = {g: set() for g in GROUPS}
    for code in codes:
        if code not in codebook:
            continue
        c = codebook[code]
        out.setdefault(c.kind, set()).add(code)
        if c.kind == "outcome":
            out["outcome_domain"].add(c.domain)
        if c.kind == "moderator":
            out["moderator_level"].add(c.level)
    return out


def f1_scores(gold: Sequence[set[str]], predicted: Sequence[set[str]]) -> dict[str, float]:
    """Micro and macro F1 (macro over labels present in gold or predictions), plus P and R."""
    labels = sorted(set().union(*gold, *predicted)) if gold else []
    tp = fp = fn = 0
    per_label = []
    for label in labels:
        t = sum(label in g and label in p for g, p in zip(gold, predicted))
        f = sum(label not in g and label in p for g, p in zip(gold, predicted))
        n = sum(label in g and label not in p for g, p in zip(gold, predicted))
        tp, fp, fn = tp + t, fp + f, fn + n
        per_label.append(2 * t / (2 * t + f + n) if (2 * t + f + n) else 0.0)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    micro = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0
    macro = sum(per_label) / len(per_label) if per_label else 0.0
    return {"micro_f1": micro, "macro_f1": macro, "precision": precision, "recall": recall}


def evaluate(
    gold: Mapping[str, Sequence[str]], predicted: Mapping[str, Sequence[str]], codebook: Codebook
) -> dict[str, dict[str, float]]:
    """F1 per group over the records of ``gold`` (record id -> codes); missing predictions are empty."""
    ids = list(gold)
    g_sets = [label_sets(gold[i], codebook) for i in ids]
    p_sets = [label_sets(predicted.get(i, ()), codebook) for i in ids]
    return {grp: f1_scores([g[grp] for g in g_sets], [p[grp] for p in p_sets]) for grp in GROUPS}


def f1_intervals(
    gold: Mapping[str, Sequence[str]], predicted: Mapping[str, Sequence[str]], codebook: Codebook, *,
    draws: int = 2000, level: float = 0.95, seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap interval of each group's micro-F1 over the records of ``gold``: the
    records are drawn with replacement ``draws`` times (seeded, the same draws for every group),
    each draw's true and false positives and false negatives summed, and the central ``level`` of
    the draws' micro-F1 kept (:func:`~logicmap.resampling.ratio_interval`). A group with no gold
    or predicted label in a draw scores 0 there, as :func:`f1_scores` does."""
    ids = list(gold)
    g_sets = [label_sets(gold[i], codebook) for i in ids]
    p_sets = [label_sets(predicted.get(i, ()), codebook) for i in ids]
    out = {}
    for grp in GROUPS:
        tp = [2 * len(g[grp] & p[grp]) for g, p in zip(g_sets, p_sets)]
        errors = [len(p[grp] ^ g[grp]) for g, p in zip(g_sets, p_sets)]
        out[grp] = ratio_interval(tp, [t + e for t, e in zip(tp, errors)], draws=draws, level=level, seed=seed)
    return out


def gold_codes(label: Mapping) -> list[str]:
    """All codes of a recovery-corpus ``label`` object (typologies, outcomes, mechanisms, ...)."""
    codes = list(label.get("typologies") or [])
    for key in ("outcomes", "mechanisms", "processes", "moderators"):
        codes.extend(x["code"] for x in label.get(key) or [])
    return list(dict.fromkeys(codes))
