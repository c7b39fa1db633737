"""Reviewers' screening decisions: what they are and what follows from a list of them.

Stages are title/abstract then full text. A :class:`Decision` is one reviewer's
verdict on one record at one stage, with the model's rank at the time and, for
an exclusion, a reason from the project's list. Reviewers see only their own
decisions until a conflict is reconciled. The functions here are pure: they take
the decisions (read by :mod:`logicmap.store.screening`) and compute conflicts,
final decisions and agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from logicmap.errors import ScreeningError

STAGES = ("title_abstract", "full_text")
DECISIONS = ("include", "exclude", "maybe")
#: Default exclusion reasons, following the eligibility rule of the recovery framework.
DEFAULT_EXCLUSION_REASONS = (
    "no empirical data (review, protocol, editorial or commentary)",
    "intervention not recovery-oriented",
    "population: children or adolescents only",
    "population: dementia, learning disability or substance use only",
    "recovery after physical illness or injury",
    "clinical symptom outcomes of a medicine only",
    "staff-only outcomes, no service-user outcome",
    "no personal-recovery outcome, mechanism, process or moderator",
    "full text not retrievable",
    "other",
)

#: Exclusion reasons of a project whose codebook is not the recovery one (PICO-style, field-neutral).
GENERIC_EXCLUSION_REASONS = (
    "no empirical data (review, protocol, editorial or commentary)",
    "population out of scope",
    "intervention or exposure out of scope",
    "comparator or study design out of scope",
    "no outcome of interest",
    "setting or context out of scope",
    "duplicate or superseded report",
    "full text not retrievable",
    "other",
)


@dataclass(frozen=True)
class Decision:
    """One stored decision. ``kind`` is ``"independent"`` (a reviewer's own, blind) or
    ``"reconciliation"`` (the agreed decision after a conflict); an undone decision
    keeps its row with ``undone_at`` set."""

    id: int
    record_id: int
    reviewer: str
    stage: str
    decision: str
    kind: str = "independent"
    reason: str | None = None
    rank: int | None = None
    created_at: datetime | None = None
    undone_at: datetime | None = None


def check_decision(stage: str, decision: str, reason: str | None, reasons: list[str]) -> None:
    """Refuse an unknown stage or decision, or an exclusion reason not in ``reasons``."""
    if stage not in STAGES:
        raise ScreeningError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
    if decision not in DECISIONS:
        raise ScreeningError(f"unknown decision {decision!r}; decisions: {', '.join(DECISIONS)}")
    if decision == "exclude" and reason is not None and reason not in reasons:
        raise ScreeningError(f"unknown exclusion reason {reason!r}; see the project's list")


def clean_reasons(reasons: list[str]) -> list[str]:
    """A list of exclusion reasons stripped of blanks; refused when empty or repeated."""
    cleaned = [r.strip() for r in reasons if r and r.strip()]
    if not cleaned or len(set(cleaned)) != len(cleaned):
        raise ScreeningError("exclusion reasons must be a non-empty list without repeats")
    return cleaned


def latest_standing(decisions: Iterable[Decision], kind: str = "independent") -> dict[tuple[int, str], Decision]:
    """(record, reviewer) -> the latest standing decision of ``kind`` (``decisions`` oldest first)."""
    return {(d.record_id, d.reviewer): d for d in decisions if d.kind == kind and d.undone_at is None}


def reviewer_decisions(decisions: Iterable[Decision], reviewer: str) -> dict[int, str]:
    """A reviewer's own standing decisions (all that a blind reviewer may see)."""
    return {record: d.decision for (record, who), d in latest_standing(decisions).items() if who == reviewer}


@dataclass
class Conflict:
    """A record on which reviewers disagree at a stage."""

    record_id: int
    decisions: dict[str, str]


def find_conflicts(decisions: list[Decision]) -> list[Conflict]:
    """Records with different independent decisions and no reconciliation yet."""
    reconciled = {record for record, _ in latest_standing(decisions, "reconciliation")}
    by_record: dict[int, dict[str, str]] = {}
    for (record, reviewer), d in latest_standing(decisions).items():
        by_record.setdefault(record, {})[reviewer] = d.decision
    return [
        Conflict(record, found)
        for record, found in sorted(by_record.items())
        if len(set(found.values())) > 1 and record not in reconciled
    ]


def resolve_final(decisions: list[Decision]) -> dict[int, str]:
    """Record -> final decision: the reconciliation if any, else the reviewers' common decision.

    Records with an unresolved conflict are left out.
    """
    final: dict[int, str] = {}
    votes: dict[int, set[str]] = {}
    for (record, _), d in latest_standing(decisions).items():
        votes.setdefault(record, set()).add(d.decision)
    for record, found in votes.items():
        if len(found) == 1:
            final[record] = next(iter(found))
    for (record, _), d in latest_standing(decisions, "reconciliation").items():
        final[record] = d.decision
    return final


def included_ids(full_text: dict[int, str], title_abstract: dict[int, str]) -> list[int]:
    """Records included in the review from the final decisions of both stages: full-text
    includes, or title/abstract includes while no full-text decision has been made yet."""
    final = full_text or title_abstract
    return sorted(r for r, d in final.items() if d == "include")


@dataclass
class Agreement:
    """Agreement of two reviewers on the records both decided."""

    records: int
    percent: float
    kappa: float | None


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa for paired nominal ratings (None when undefined)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[c] * right[c] for c in set(left) | set(right)) / (n * n)
    if expected == 1.0:
        return None
    return (observed - expected) / (1 - expected)


def agreement_between(a: dict[int, str], b: dict[int, str]) -> Agreement:
    """Percent agreement and Cohen's kappa of two reviewers' decisions (record -> decision)."""
    pairs = [(a[r], b[r]) for r in sorted(set(a) & set(b))]
    percent = sum(x == y for x, y in pairs) / len(pairs) if pairs else 0.0
    return Agreement(len(pairs), percent, cohen_kappa(pairs))


def reasons_of(decisions: Iterable[Decision], decision: str = "exclude") -> dict[int, str | None]:
    """Record -> reason of its latest standing ``decision`` (any kind; None when none was given)."""
    return {d.record_id: d.reason for d in decisions if d.decision == decision and d.undone_at is None}
