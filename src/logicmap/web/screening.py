"""The screening page (one record at a time, keyboard i / e / m / u) and its JSON API under /api/.

Decisions go through the project's :class:`~logicmap.api.ScreeningService`: stored
at once, learnt in the background, so no request waits on a retrain; the same
decision sent twice is stored once; each reviewer's decisions are their own.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from logicmap.api import ScreeningCard, ScreeningProgress, ScreeningService
from logicmap.web.app import templates
from logicmap.web.security import Caller, guard, review_of

router = APIRouter()
Reviewer = Annotated[Caller, guard("reviewer")]
Decision = Literal["include", "exclude", "maybe"]


def _service(request: Request) -> ScreeningService:
    return request.app.state.service


def card_of(request: Request, record_id: int) -> ScreeningCard:
    """The record's screening card, read from the store once per server run."""
    cards: dict[int, ScreeningCard] = request.app.state.cards
    card = cards.get(record_id)
    if card is None:
        card = cards[record_id] = review_of(request).screening.card(record_id)
    return card


def estimate_text(progress: ScreeningProgress) -> str:
    """The stopping rule's current estimate in words (as ``logicmap screen`` prints it)."""
    if not progress.screened:
        return "Stopping rule: no decisions yet."
    verdict = "safe to stop" if progress.can_stop else "keep going"
    return (f"Stopping rule {progress.stop.rule}: {verdict} ({progress.stop.reason}); "
            f"estimated recall {progress.recall.words()}.")


def highlight(text: str, terms: tuple[str, ...]) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_key_term)`` pieces, key terms matched whole-word, any case."""
    words = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not words or not text:
        return [(text, False)]
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    pieces, at = [], 0
    for match in pattern.finditer(text):
        pieces += [(text[at:match.start()], False), (match.group(0), True)]
        at = match.end()
    return [p for p in pieces + [(text[at:], False)] if p[0]]


def _next_record(request: Request, caller: Caller, wanted: int | None) -> tuple[int, int | None] | None:
    """The record to show: ``wanted`` (after an undo) if the reviewer has not decided it, else the next."""
    review = review_of(request)
    if wanted is not None and wanted in set(review.screening.candidates()) \
            and wanted not in review.screening.decisions_of(caller.name):
        return wanted, None
    return _service(request).next(caller.name)


class ProgressOut(BaseModel):
    """Where the reviewer stands and the stopping rule's estimate."""

    screened: int
    total: int
    included: int
    rule: str
    recall: float
    recall_interval: tuple[float, float]
    can_stop: bool
    reason: str
    estimate: str


def _progress(progress: ScreeningProgress) -> ProgressOut:
    return ProgressOut(screened=progress.screened, total=progress.total, included=progress.included,
                       rule=progress.stop.rule, recall=round(progress.recall.estimate, 4),
                       recall_interval=(round(progress.recall.low, 4), round(progress.recall.high, 4)),
                       can_stop=progress.can_stop, reason=progress.stop.reason, estimate=estimate_text(progress))


@router.get("/screen", response_class=HTMLResponse)
def screen_page(request: Request, caller: Reviewer, record: int | None = None) -> HTMLResponse:
    """One record to screen, with its key terms highlighted, the progress bar and the estimate."""
    review, service = review_of(request), _service(request)
    chosen = _next_record(request, caller, record)
    progress = service.progress(caller.name)
    context = {"caller": caller, "progress": progress, "estimate": estimate_text(progress),
               "reasons": review.screening.exclusion_reasons(), "card": None}
    if chosen is not None:
        card = card_of(request, chosen[0])
        context.update(card=card, rank=chosen[1], title=highlight(card.title, card.key_terms),
                       abstract=highlight(card.abstract, card.key_terms))
    return templates.TemplateResponse(request, "screen.html", context)


@router.post("/screen/decide")
def screen_decide(request: Request, caller: Reviewer, record_id: Annotated[int, Form()],
                  decision: Annotated[Decision, Form()], reason: Annotated[str | None, Form()] = None,
                  rank: Annotated[int | None, Form()] = None) -> RedirectResponse:
    """Store the decision (twice-sent: once) and show the next record."""
    reason = reason if decision == "exclude" and reason else None
    _service(request).decide(caller.name, record_id, decision, reason=reason, rank=rank)
    return RedirectResponse("/screen", status_code=303)


@router.post("/screen/undo")
def screen_undo(request: Request, caller: Reviewer) -> RedirectResponse:
    """Withdraw the reviewer's latest decision and show that record again."""
    record_id = _service(request).undo(caller.name)
    return RedirectResponse(f"/screen?record={record_id}" if record_id else "/screen", status_code=303)


# --- JSON API --------------------------------------------------------------------
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


class NextOut(BaseModel):
    """The reviewer's next record (None when every record is screened) and their progress."""

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


def _card_out(card: ScreeningCard, rank: int | None) -> CardOut:
    return CardOut(record_id=card.record_id, rank=rank, title=card.title, abstract=card.abstract, year=card.year,
                   authors=list(card.authors), journal=card.journal, key_terms=list(card.key_terms))


@router.get("/api/screening/next", response_model=NextOut)
def api_next(request: Request, caller: Reviewer) -> NextOut:
    """The reviewer's next record from the latest ranking (never waits on a retrain)."""
    service = _service(request)
    chosen = service.next(caller.name)
    record = _card_out(card_of(request, chosen[0]), chosen[1]) if chosen else None
    return NextOut(record=record, progress=_progress(service.progress(caller.name)))


@router.post("/api/screening/decide", response_model=DecideOut)
def api_decide(request: Request, caller: Reviewer, body: DecideIn) -> DecideOut:
    """Store one decision now; retraining follows in the background. Needs the X-CSRF-Token header."""
    reason = body.reason if body.decision == "exclude" else None
    decision_id = _service(request).decide(caller.name, body.record_id, body.decision, reason=reason,
                                           rank=body.rank)
    return DecideOut(decision_id=decision_id, record_id=body.record_id)


@router.post("/api/screening/undo", response_model=UndoOut)
def api_undo(request: Request, caller: Reviewer) -> UndoOut:
    """Withdraw the reviewer's latest decision. Needs the X-CSRF-Token header."""
    return UndoOut(record_id=_service(request).undo(caller.name))


@router.get("/api/screening/progress", response_model=ProgressOut)
def api_progress(request: Request, caller: Reviewer) -> ProgressOut:
    """The reviewer's counts and the stopping rule's estimate."""
    return _progress(_service(request).progress(caller.name))


