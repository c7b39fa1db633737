"""Screening decisions, exclusion reasons and screening texts in the project store.

Every screening query lives here. Decisions come back as frozen
:class:`~logicmap.screening.decisions.Decision` values, never ORM rows; each
write is its own transaction, committed before the function returns.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String, Text, func, insert, literal, select

from logicmap.errors import ScreeningError
from logicmap.screening.decisions import Decision
from logicmap.screening.features import record_text
from logicmap.store.database import Store, id_chunks
from logicmap.store.tables import RecordRow, ScreeningDecision

REASONS_KEY = "screening.exclusion_reasons"
MODEL_KEY = "screening.model"
STOPPING_RULE_KEY = "screening.stopping_rule"
#: The stopping rule the project chose (JSON: rule, recall_target, confidence).
STOPPING_CHOICE_KEY = "screening.stopping_choice"
#: The engine a team started on while its own engine's sentence vectors were made, and how many
#: records were screened before the switch (JSON: from, to, screened), read into the model's words.
ENGINE_SWITCH_KEY = "screening.engine_switch"
#: The stop a reviewer made when the stopping rule fired (JSON), read by the report.
STOP_KEY = "screening.stop"
_IDS_PER_QUERY = 500  # well under every backend's limit on bound parameters


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


#: The columns :func:`_decision` reads (selected alone, not as ORM rows, where many decisions are read).
_DECISION_COLUMNS = tuple(getattr(ScreeningDecision, name) for name in (
    "id", "record_id", "reviewer", "stage", "decision", "kind", "reason", "rank", "created_at", "undone_at"))


def _decision(row) -> Decision:
    """A decision from its ORM row or a row of :data:`_DECISION_COLUMNS`."""
    return Decision(
        id=row.id, record_id=row.record_id, reviewer=row.reviewer, stage=row.stage, decision=row.decision,
        kind=row.kind, reason=row.reason, rank=row.rank, created_at=row.created_at, undone_at=row.undone_at,
    )


def add_decision(store: Store, record_id: int, *, reviewer: str, stage: str, decision: str,
                 reason: str | None = None, rank: int | None = None, kind: str = "independent") -> int:
    """Store one decision now (its own transaction); returns its id.

    One statement inserts the row only when the record exists (``INSERT ... SELECT ... RETURNING``):
    a web server stores many decisions a second, each one round trip to the database plus its commit.
    """
    values = select(RecordRow.id, literal(reviewer, String), literal(stage, String), literal(decision, String),
                    literal(kind, String), literal(reason, Text), literal(rank, Integer),
                    literal(_now(), DateTime)).where(RecordRow.id == record_id)
    statement = (insert(ScreeningDecision)
                 .from_select(["record_id", "reviewer", "stage", "decision", "kind", "reason", "rank", "created_at"],
                              values)
                 .returning(ScreeningDecision.id))
    with store.session() as session:
        decision_id = session.execute(statement).scalar()
    if decision_id is None:
        raise ScreeningError(f"no record {record_id}")
    return decision_id


def undo_latest(store: Store, *, reviewer: str, stage: str) -> Decision | None:
    """Mark the reviewer's latest standing decision at ``stage`` undone (the row stays); returns it."""
    with store.session() as session:
        row = session.scalars(
            select(ScreeningDecision)
            .where(ScreeningDecision.reviewer == reviewer, ScreeningDecision.stage == stage,
                   ScreeningDecision.undone_at.is_(None))
            .order_by(ScreeningDecision.id.desc())
        ).first()
        if row is None:
            return None
        row.undone_at = _now()
        return _decision(row)


def standing_decisions(store: Store, stage: str, *, reviewer: str | None = None,
                       record_id: int | None = None) -> list[Decision]:
    """The decisions at ``stage`` not undone (of one reviewer, or all; on one record, or all), oldest first."""
    query = select(*_DECISION_COLUMNS).where(ScreeningDecision.stage == stage, ScreeningDecision.undone_at.is_(None))
    if reviewer is not None:
        query = query.where(ScreeningDecision.reviewer == reviewer)
    if record_id is not None:
        query = query.where(ScreeningDecision.record_id == record_id)
    with store.session() as session:  # columns, not ORM rows: a large map's report reads 100,000 decisions
        return [_decision(row) for row in session.execute(query.order_by(ScreeningDecision.id))]


def reviewers_by_activity(store: Store, stage: str) -> list[str]:
    """Reviewers who decided at ``stage``, most decisions first."""
    with store.session() as session:
        return list(session.scalars(
            select(ScreeningDecision.reviewer).where(ScreeningDecision.stage == stage)
            .group_by(ScreeningDecision.reviewer).order_by(func.count().desc())
        ))


def screening_texts(store: Store, record_ids: list[int]) -> list[str]:
    """:func:`~logicmap.screening.features.record_text` of each record in ``record_ids``, in that order
    (what screening learns from)."""
    found: dict[int, str] = {}
    with store.session() as session:
        for chunk in id_chunks(record_ids, _IDS_PER_QUERY):
            query = select(RecordRow.id, RecordRow.title, RecordRow.abstract).where(RecordRow.id.in_(chunk))
            for record_id, title, abstract in session.execute(query):
                found[record_id] = record_text(title, abstract)
    return [found[i] for i in record_ids]


def exclusion_reasons(store: Store) -> list[str] | None:
    """The project's own list of exclusion reasons (None until one is set)."""
    stored = store.setting(REASONS_KEY)
    return json.loads(stored) if stored else None


def save_exclusion_reasons(store: Store, reasons: list[str]) -> None:
    """Replace the project's list of exclusion reasons."""
    store.set_setting(REASONS_KEY, json.dumps(reasons))


def save_engine_settings(store: Store, *, model: str, stopping_rule: str) -> None:
    """Record the screening model and stopping rule in words (the report's methods section reads them)."""
    store.set_setting(MODEL_KEY, model)
    store.set_setting(STOPPING_RULE_KEY, stopping_rule)


def engine_settings(store: Store) -> tuple[str | None, str | None]:
    """The screening model and stopping rule in words as last recorded (None before screening was described)."""
    return store.setting(MODEL_KEY), store.setting(STOPPING_RULE_KEY)


def save_engine_switch(store: Store, switch: dict) -> None:
    """Record that screening switched engines (``{"from": words, "to": words, "screened": n, "before": n,
    "earlier": words}``: see ``review.screening_session.begin_engine_switch``)."""
    store.set_setting(ENGINE_SWITCH_KEY, json.dumps(switch))


def engine_switch(store: Store) -> dict | None:
    """The recorded switch of engines (None when screening kept one engine)."""
    stored = store.setting(ENGINE_SWITCH_KEY)
    return json.loads(stored) if stored else None


def save_stopping_choice(store: Store, choice: dict) -> None:
    """Record the stopping rule the project chose (``{"rule": ..., "recall_target": ..., "confidence": ...}``)."""
    store.set_setting(STOPPING_CHOICE_KEY, json.dumps(choice))


def stopping_choice(store: Store) -> dict:
    """The stopping rule the project chose (empty: the default)."""
    stored = store.setting(STOPPING_CHOICE_KEY)
    return json.loads(stored) if stored else {}


def save_stop(store: Store, stop: dict | None) -> None:
    """Record (or, with None, withdraw) the stop made when the stopping rule fired."""
    store.set_setting(STOP_KEY, json.dumps(stop) if stop else "")


def saved_stop(store: Store) -> dict | None:
    """The recorded stop (None when screening was not stopped by the rule)."""
    stored = store.setting(STOP_KEY)
    return json.loads(stored) if stored else None


TEAM_KEY = "screening.team"


def team_settings(store: Store) -> dict:
    """The team's screening settings as stored: ``{"reviewers_per_record": n, "blind": bool}`` (empty: defaults)."""
    stored = store.setting(TEAM_KEY)
    return json.loads(stored) if stored else {}


def save_team_settings(store: Store, settings: dict) -> None:
    """Replace the team's screening settings."""
    store.set_setting(TEAM_KEY, json.dumps(settings))
