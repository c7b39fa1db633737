"""Reviewers' screening decisions on a project: stored at once, blind, reconciled.

Stages are title/abstract then full text. Each decision is committed the moment
it is made, with its reviewer, time, the model's rank at the time and, for an
exclusion, a reason from the project's list. Reviewers see only their own
decisions until a conflict is reconciled.
"""

from __future__ import annotations

from logicmap.errors import ScreeningError

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from logicmap.store.tables import RecordRow, ScreeningDecision
from logicmap.store.database import Store

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
_REASONS_KEY = "screening.exclusion_reasons"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def exclusion_reasons(project: Store) -> list[str]:
    """The project's exclusion reasons (the default list until changed)."""
    stored = project.setting(_REASONS_KEY)
    return json.loads(stored) if stored else list(DEFAULT_EXCLUSION_REASONS)


def set_exclusion_reasons(project: Store, reasons: list[str]) -> None:
    """Replace the project's list of exclusion reasons."""
    cleaned = [r.strip() for r in reasons if r and r.strip()]
    if not cleaned or len(set(cleaned)) != len(cleaned):
        raise ScreeningError("exclusion reasons must be a non-empty list without repeats")
    project.set_setting(_REASONS_KEY, json.dumps(cleaned))


def _check(project: Store, stage: str, decision: str, reason: str | None) -> None:
    if stage not in STAGES:
        raise ScreeningError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
    if decision not in DECISIONS:
        raise ScreeningError(f"unknown decision {decision!r}; decisions: {', '.join(DECISIONS)}")
    if decision == "exclude" and reason is not None and reason not in exclusion_reasons(project):
        raise ScreeningError(f"unknown exclusion reason {reason!r}; see the project's list")


def record_decision(
    project: Store,
    record_id: int,
    *,
    reviewer: str,
    stage: str,
    decision: str,
    reason: str | None = None,
    rank: int | None = None,
    kind: str = "independent",
) -> int:
    """Store one decision now (its own transaction); returns its id."""
    _check(project, stage, decision, reason)
    with project.session() as session:
        if session.get(RecordRow, record_id) is None:
            raise ScreeningError(f"no record {record_id}")
        row = ScreeningDecision(
            record_id=record_id, reviewer=reviewer, stage=stage, decision=decision, kind=kind,
            reason=reason, rank=rank, created_at=_now(),
        )
        session.add(row)
        session.flush()
        return row.id


def undo_last(project: Store, *, reviewer: str, stage: str) -> ScreeningDecision | None:
    """Withdraw the reviewer's latest standing decision at ``stage`` (kept, marked undone)."""
    with project.session() as session:
        row = session.scalars(
            select(ScreeningDecision)
            .where(
                ScreeningDecision.reviewer == reviewer,
                ScreeningDecision.stage == stage,
                ScreeningDecision.undone_at.is_(None),
            )
            .order_by(ScreeningDecision.id.desc())
        ).first()
        if row is not None:
            row.undone_at = _now()
        return row


def _standing(project: Store, stage: str, kind: str) -> dict[tuple[int, str], ScreeningDecision]:
    """(record, reviewer) -> the latest standing decision of ``kind`` at ``stage``."""
    with project.session() as session:
        rows = session.scalars(
            select(ScreeningDecision)
            .where(
                ScreeningDecision.stage == stage,
                ScreeningDecision.kind == kind,
                ScreeningDecision.undone_at.is_(None),
            )
            .order_by(ScreeningDecision.id)
        ).all()
    return {(row.record_id, row.reviewer): row for row in rows}


def decisions_of(project: Store, reviewer: str, stage: str) -> dict[int, str]:
    """A reviewer's own standing decisions (all that a blind reviewer may see)."""
    return {
        record: row.decision
        for (record, who), row in _standing(project, stage, "independent").items()
        if who == reviewer
    }


@dataclass
class Conflict:
    """A record on which reviewers disagree at a stage."""

    record_id: int
    decisions: dict[str, str]


def conflicts(project: Store, stage: str) -> list[Conflict]:
    """Records with different independent decisions and no reconciliation yet."""
    reconciled = {record for record, _ in _standing(project, stage, "reconciliation")}
    by_record: dict[int, dict[str, str]] = {}
    for (record, reviewer), row in _standing(project, stage, "independent").items():
        by_record.setdefault(record, {})[reviewer] = row.decision
    return [
        Conflict(record, found)
        for record, found in sorted(by_record.items())
        if len(set(found.values())) > 1 and record not in reconciled
    ]


def reconcile(
    project: Store, record_id: int, *, stage: str, decision: str, reviewer: str, reason: str | None = None
) -> int:
    """Store the agreed decision for a conflict; both originals are kept."""
    return record_decision(
        project, record_id, reviewer=reviewer, stage=stage, decision=decision, reason=reason,
        kind="reconciliation",
    )


def final_decisions(project: Store, stage: str) -> dict[int, str]:
    """Record -> final decision: the reconciliation if any, else the reviewers' common decision.

    Records with an unresolved conflict are left out.
    """
    final: dict[int, str] = {}
    votes: dict[int, set[str]] = {}
    for (record, _), row in _standing(project, stage, "independent").items():
        votes.setdefault(record, set()).add(row.decision)
    for record, found in votes.items():
        if len(found) == 1:
            final[record] = next(iter(found))
    for (record, _), row in _standing(project, stage, "reconciliation").items():
        final[record] = row.decision
    return final


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


def agreement(project: Store, stage: str, reviewer_a: str, reviewer_b: str) -> Agreement:
    """Percent agreement and Cohen's kappa between two reviewers at a stage."""
    a, b = decisions_of(project, reviewer_a, stage), decisions_of(project, reviewer_b, stage)
    pairs = [(a[r], b[r]) for r in sorted(set(a) & set(b))]
    percent = sum(x == y for x, y in pairs) / len(pairs) if pairs else 0.0
    return Agreement(len(pairs), percent, cohen_kappa(pairs))


def included_records(project: Store) -> list[int]:
    """Records included in the review: full-text includes, or title/abstract includes
    while no full-text decision has been made yet."""
    full_text = final_decisions(project, "full_text")
    if full_text:
        return sorted(r for r, d in full_text.items() if d == "include")
    return sorted(r for r, d in final_decisions(project, "title_abstract").items() if d == "include")


def standing_reasons(project: Store, stage: str, decision: str = "exclude") -> dict[int, str | None]:
    """Record -> reason of its latest standing ``decision`` at ``stage`` (None when none was given)."""
    with project.session() as session:
        rows = session.scalars(
            select(ScreeningDecision)
            .where(ScreeningDecision.stage == stage, ScreeningDecision.undone_at.is_(None),
                   ScreeningDecision.decision == decision)
            .order_by(ScreeningDecision.id)
        ).all()
    return {row.record_id: row.reason for row in rows}


def reviewers_by_activity(project: Store, stage: str) -> list[str]:
    """Reviewers who decided at ``stage``, most decisions first."""
    with project.session() as session:
        return list(session.scalars(
            select(ScreeningDecision.reviewer).where(ScreeningDecision.stage == stage)
            .group_by(ScreeningDecision.reviewer).order_by(func.count().desc())
        ))
