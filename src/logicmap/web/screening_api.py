"""The screening JSON API under /api/screening/: next record, decide, undo, progress.

Every POST needs the session's CSRF token in the ``X-CSRF-Token`` header (see
``GET /api/session``). The next record comes from the team's last ranking in
memory; a decision is stored at once and learnt in the background.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel

from logicmap.api import ScreeningCard
from logicmap.web.screening import Decision, card_of, clean_reason, service_of
from logicmap.web.screening_view import ProgressOut, progress_out
from logicmap.web.security import Caller, guard

router = APIRouter(prefix="/api/screening")
Reviewer = Annotated[Caller, guard("reviewer")]
Owner = Annotated[Caller, guard("owner")]


class CardOut(BaseModel):
    """A record as a reviewer screens it."""

    record_id: int
    rank: int | None
    title: str
    abstract: str
    year: int | None
    authors: list[str]
    journal: str | None
    key_terms: list[str]
    #: True when the stopping rule's random sample asks for this record (not the ranking)
    sample: bool = False


class NextOut(BaseModel):
    """The reviewer's next record (None when nothing is left for them) and where they stand."""

    record: CardOut | None
    progress: ProgressOut


class DecideIn(BaseModel):
    """One decision; ``reason`` only with ``exclude`` (one of the project's exclusion reasons)."""

    record_id: int
    decision: Decision
    reason: str | None = None
    rank: int | None = None


class DecideOut(BaseModel):
    """The stored decision's id (the same id when the same decision is sent again)."""

    decision_id: int
    record_id: int


class UndoOut(BaseModel):
    """The record whose decision was withdrawn (None: nothing to undo)."""

    record_id: int | None


class StopOut(BaseModel):
    """The stop recorded: the rule, the records left (excluded by automation) and the estimate."""

    rule: str
    left: int
    recall: float
    recall_interval: tuple[float, float]
    reason: str


def _card_out(card: ScreeningCard, rank: int | None, sample: bool = False) -> CardOut:
    return CardOut(record_id=card.record_id, rank=rank, title=card.title, abstract=card.abstract, year=card.year,
                   authors=list(card.authors), journal=card.journal, key_terms=list(card.key_terms), sample=sample)


@router.get("/next", response_model=NextOut)
def api_next(request: Request, caller: Reviewer) -> NextOut:
    """The reviewer's next record from the team's last ranking (never waits on a retrain)."""
    service = service_of(request)
    chosen = service.next(caller.name)
    record = _card_out(card_of(request, chosen[0]), chosen[1], service.is_sample(chosen[0])) if chosen else None
    return NextOut(record=record, progress=progress_out(service.progress(caller.name), service.interim()))


@router.post("/decide", response_model=DecideOut)
def api_decide(request: Request, caller: Reviewer, body: DecideIn) -> DecideOut:
    """Store one decision now; retraining follows in the background."""
    decision_id = service_of(request).decide(caller.name, body.record_id, body.decision,
                                             reason=clean_reason(body.decision, body.reason), rank=body.rank)
    return DecideOut(decision_id=decision_id, record_id=body.record_id)


@router.post("/undo", response_model=UndoOut)
def api_undo(request: Request, caller: Reviewer) -> UndoOut:
    """Withdraw the reviewer's latest decision."""
    return UndoOut(record_id=service_of(request).undo(caller.name))


@router.get("/progress", response_model=ProgressOut)
def api_progress(request: Request, caller: Reviewer) -> ProgressOut:
    """The reviewer's and the team's counts and the stopping rule's estimate."""
    service = service_of(request)
    return progress_out(service.progress(caller.name), service.interim())


@router.post("/stop", response_model=StopOut)
def api_stop(request: Request, caller: Owner) -> StopOut:
    """Stop the team's screening because the stopping rule fired (owner only; refused, changing nothing,
    before it fires): the records no one screened are excluded by automation."""
    service = service_of(request)
    left = (progress := service.progress(caller.name)).total - progress.screened
    report = service.stop(caller.name)
    return StopOut(rule=report.rule, left=left, recall=round(report.recall.estimate, 4),
                   recall_interval=(round(report.recall.low, 4), round(report.recall.high, 4)), reason=report.reason)
