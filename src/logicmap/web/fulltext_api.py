"""The full-text stage's JSON API (the twins of the ``/fulltext`` page's actions, ``web.fulltext``):
the next record, a decision, undo, attaching the full-text file (multipart) and downloading it.
State changes need the ``X-CSRF-Token`` header, as every JSON route."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from logicmap.api import ScreeningError
from logicmap.web.coding import attach_fulltext
from logicmap.web.fulltext import (Choice, Reviewer, counts, decide, file_response, not_up_for_attach, order_of,
                                   undo)
from logicmap.web.params import MAX_ID, FormId, Id
from logicmap.web.security import review_of

router = APIRouter()


class FullTextOut(BaseModel):
    """The reviewer's next record at full text (None: none left), the stage's counts, and the order's
    state: ``ranked`` (current), ``updating`` (the last ranking, a newer one being computed after
    recent decisions) or ``unranked`` (id order: the first ranking is not ready yet)."""

    record_id: int | None
    title: str | None
    attached: str | None
    pages: int | None
    left: int
    counts: dict[str, int]
    ranking: Literal["ranked", "updating", "unranked"]


class FullTextIn(BaseModel):
    """One full-text decision; ``reason`` (one of the project's exclusion reasons) with ``exclude``."""

    record_id: Id
    decision: Choice
    reason: str | None = None


class FullTextDecided(BaseModel):
    """The stored decision's id (the same id when the same decision is sent again)."""

    decision_id: int
    record_id: int


class FullTextUndone(BaseModel):
    """The record whose full-text decision was withdrawn and what it was (None: the reviewer had none)."""

    record_id: int | None
    decision: str | None = None


class AttachedOut(BaseModel):
    """The full-text file now attached to ``record_id``: its name, type, pages, size and text length."""

    record_id: int
    filename: str
    media_type: str
    pages: int
    bytes: int
    characters: int


@router.get("/api/fulltext/next", response_model=FullTextOut)
def api_fulltext_next(request: Request, caller: Reviewer) -> FullTextOut:
    """The reviewer's next record at full text (likeliest include first; never waits for a retrain),
    with the attached file's name and pages if any."""
    review = review_of(request)
    order = order_of(request, caller.name)
    record = order.records[0] if order.records else None
    attached = review.coding.fulltext(record) if record is not None else None
    return FullTextOut(record_id=record, title=review.screening.card(record).title if record is not None else None,
                       attached=attached.filename if attached else None, pages=attached.pages if attached else None,
                       left=len(order.records), counts=counts(review, caller.name, order.up),
                       ranking=order.state)


@router.post("/api/fulltext/decide", response_model=FullTextDecided)
def api_fulltext_decide(request: Request, caller: Reviewer, body: FullTextIn) -> FullTextDecided:
    """Store one full-text decision (an exclusion needs a reason; sent twice: stored once)."""
    decision_id = decide(review_of(request), caller, body.record_id, body.decision, body.reason)
    return FullTextDecided(decision_id=decision_id, record_id=body.record_id)


@router.post("/api/fulltext/undo", response_model=FullTextUndone)
def api_fulltext_undo(request: Request, caller: Reviewer) -> FullTextUndone:
    """Withdraw the reviewer's last full-text decision (audited)."""
    undone = undo(review_of(request), caller)
    return FullTextUndone(record_id=undone.record_id if undone else None, decision=undone.decision if undone else None)


@router.post("/api/fulltext/attach", response_model=AttachedOut,
             responses={400: {"description": "An empty, too large or mislabelled file (nothing attached)"},
                        404: {"description": "No such record"}})
def api_fulltext_attach(request: Request, caller: Reviewer, record_id: FormId,
                        fulltext: Annotated[UploadFile, File()]) -> AttachedOut:
    """Attach the record's full text (multipart: ``record_id`` and the file in ``fulltext``; PDF, HTML
    or text, checked against its bytes). A record not up for full text is refused; nothing changes."""
    review = review_of(request)
    refused = not_up_for_attach(review, record_id)
    if refused:
        review.records.get(record_id)  # 404 for an unknown record
        raise ScreeningError(refused)
    attach_fulltext(review, caller, record_id, fulltext)
    text, stored = review.coding.fulltext(record_id), review.fulltext.file(record_id, data=False)
    return AttachedOut(record_id=record_id, filename=stored.filename, media_type=stored.media_type,
                       pages=text.pages, bytes=stored.size, characters=len(text.text))


@router.get("/api/fulltext/file", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "text/html": {}, "text/plain": {}},
                             "description": "The file, as an attachment"},
                       404: {"description": "No file kept for the record"}})
def api_fulltext_file(request: Request, caller: Reviewer, record: Annotated[int, Query(ge=0, le=MAX_ID)]) -> Response:
    """Download the full-text file attached to ``record`` (the bytes as attached, never shown inline)."""
    return file_response(review_of(request), record)

