"""The full-text screening page: after title/abstract inclusion, a reviewer attaches (or reads the
attached) full text of each included or "maybe" record and includes or excludes it with a reason.

Everything goes through the library's ``review.fulltext``: the order (what is left for the reviewer,
likeliest includes first by the screening engine's ranking, kept current by the app's
``BackgroundRanking``: a request never waits for a retrain, it shows the last ranking, or the id
order, said on the page, until the first one is ready), ``decide`` (stored at stage
``full_text``; the same decision sent twice is stored and audited once), ``undo`` (the reviewer's
last full-text decision, audited), ``attach`` / ``file`` (the file's extracted text, with its pages,
and the file itself, downloadable again from ``/fulltext/file``). Keys: i include, e exclude with
the chosen reason, m maybe, u undo, ? shows or hides the keys. PRISMA counts in the report and on
the model page come from these decisions. JSON twins under ``/api/fulltext`` (``web.fulltext_api``).

Each record is offered to as many reviewers as the team's reviewers per record (the setting of the
conflicts page); their decisions are independent and blind (a reviewer sees only their own). When
they disagree the record has no final full-text decision until the owner settles it on
``/fulltext/conflicts``.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from logicmap.api import BackgroundRanking, CodingError, Decision, FullTextOrder, NotFoundError, Review, ScreeningError
from logicmap.web.app import templates
from logicmap.web.coding import attach_fulltext
from logicmap.web.params import MAX_ID, FormId, QueryId
from logicmap.web.security import Caller, guard, review_of

router = APIRouter()
Reviewer = Annotated[Caller, guard("reviewer")]
Owner = Annotated[Caller, guard("owner")]
Choice = Literal["include", "exclude", "maybe"]
#: Characters of the attached text shown on the page (the rest is on the coding page).
SHOWN = 20_000


def counts(review: Review, reviewer: str, up: list[int] | None = None) -> dict[str, int]:
    """The full-text stage in numbers: records up for it (``up`` when known already), the final
    decisions so far, what the reviewer has left and has decided."""
    progress = review.fulltext.progress(reviewer, up=up)
    return {"up": progress.up, "assessed": progress.assessed, "include": progress.include,
            "exclude": progress.exclude, "maybe": progress.maybe, "left": progress.left, "mine": progress.mine}


#: The screening engine options the full-text order ranks with (the app's, as for title/abstract).
ENGINE_OPTIONS = ("seed", "features", "classifier", "criteria")


def background_ranking(review: Review, service_options: dict) -> BackgroundRanking:
    """The full-text order the app serves, ranked by a worker thread with the app's engine options."""
    return review.fulltext.background(**{k: v for k, v in service_options.items() if k in ENGINE_OPTIONS})


def order_of(request: Request, reviewer: str) -> FullTextOrder:
    """The reviewer's records left at full text in the last ranking's order (never waits for a retrain)."""
    return request.app.state.fulltext.queue(reviewer)


def _context(request: Request, caller: Caller, record: int | None, message: str | None) -> dict:
    review = review_of(request)
    order = order_of(request, caller.name)
    left = order.records
    chosen = record if record is not None else (left[0] if left else None)
    context = {"caller": caller, "counts": counts(review, caller.name, order.up), "left": len(left), "message": message,
               "reasons": review.screening.exclusion_reasons(), "card": None, "order": order,
               "undone": request.query_params.get("undone"),
               "conflicts": len(review.screening.conflicts("full_text")) if caller.account.role == "owner" else 0}
    if chosen is not None:
        if record is not None and record not in set(review.fulltext.up()):  # read now: it may be new
            raise ScreeningError(f"record {chosen} is not up for full-text screening: it was not included "
                                 "(or set aside as maybe) at title/abstract")
        card = review.screening.card(chosen)
        attached = review.coding.fulltext(chosen)
        mine = review.screening.decisions_of(caller.name, "full_text").get(chosen)
        context.update(card=card, attached=attached, mine=mine, stored=review.fulltext.file(chosen, data=False),
                       text=attached.text[:SHOWN] if attached else "", cut=bool(attached and
                                                                                 len(attached.text) > SHOWN))
    return context


@router.get("/fulltext", response_class=HTMLResponse)
def fulltext_page(request: Request, caller: Reviewer, record: QueryId = None,
                  message: str | None = None) -> HTMLResponse:
    """The reviewer's next record at full text (or ``record``): its attached text and the decision."""
    context = _context(request, caller, record, message)
    return templates.TemplateResponse(request, "fulltext.html", context)


def _back(record_id: int | None, message: str | None = None, *, undone: str | None = None) -> RedirectResponse:
    query = [f"record={record_id}"] if record_id is not None else []
    if message:
        query.append(f"message={quote(message)}")
    if undone:
        query.append(f"undone={quote(undone)}")
    return RedirectResponse("/fulltext" + ("?" + "&".join(query) if query else ""), status_code=303)


@router.post("/fulltext/attach")
def fulltext_attach(request: Request, caller: Reviewer, record_id: FormId,
                    fulltext: Annotated[UploadFile, File()]) -> RedirectResponse:
    """Attach the record's full text (PDF, HTML or text); its text shows on the page."""
    review = review_of(request)
    refused = not_up_for_attach(review, record_id)
    if refused:
        return _back(None, refused)
    try:
        attach_fulltext(review, caller, record_id, fulltext)
    except CodingError as exc:
        return _back(record_id, f"{exc} (nothing was attached)")
    return _back(record_id)


def not_up_for_attach(review: Review, record_id: int) -> str | None:
    """Why a full-text file cannot be attached to ``record_id`` here (it is not up for full text), or None."""
    if record_id in set(review.fulltext.up()):
        return None
    return f"record {record_id} is not up for full-text screening (nothing was attached)"


def decide(review: Review, caller: Caller, record_id: int, decision: str, reason: str | None) -> int:
    """Store the decision; audited only when stored (the same decision sent twice: once)."""
    reason = (reason or "").strip() or None
    decided = review.fulltext.decide(record_id, decision, reviewer=caller.name, reason=reason)
    if decided.stored:
        review.accounts.record(caller.name, "fulltext.decide", f"record {record_id}: {decision}"
                                                               + (f" ({reason})" if decision == "exclude" else ""))
    return decided.decision_id


def undo(review: Review, caller: Caller) -> Decision | None:
    """Withdraw the caller's last full-text decision (audited); the decision withdrawn, or None."""
    undone = review.fulltext.undo(caller.name)
    if undone is not None:
        review.accounts.record(caller.name, "fulltext.undo",
                               f"record {undone.record_id}: {undone.decision} withdrawn")
    return undone


@router.post("/fulltext/decide")
def fulltext_decide(request: Request, caller: Reviewer, record_id: FormId, decision: Annotated[Choice, Form()],
                    reason: Annotated[str | None, Form()] = None) -> RedirectResponse:
    """Store the full-text decision (twice-sent: once) and show the next record."""
    try:
        decide(review_of(request), caller, record_id, decision, reason)
    except ScreeningError as exc:
        return _back(record_id, f"{exc} (nothing was stored)")
    return _back(None)


@router.post("/fulltext/undo")
def fulltext_undo(request: Request, caller: Reviewer) -> RedirectResponse:
    """Withdraw the reviewer's last full-text decision and show that record again."""
    undone = undo(review_of(request), caller)
    if undone is None:
        return _back(None, "You have no full-text decision to undo.")
    return _back(undone.record_id, undone=undone.decision)


def file_response(review: Review, record: int) -> Response:
    """The full-text file attached to ``record`` as a download (an attachment, never shown inline)."""
    stored = review.fulltext.file(record)
    if stored is None:
        raise NotFoundError(f"record {record} has no full-text file kept (attach it again to keep it)")
    ascii_name = stored.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    headers = {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                      f"filename*=UTF-8''{quote(stored.filename, safe='')}",
               "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox; default-src 'none'",
               "Cache-Control": "private, no-store"}
    return Response(stored.data, media_type=stored.media_type, headers=headers)


@router.get("/fulltext/file")
def fulltext_file(request: Request, caller: Reviewer, record: Annotated[int, Query(ge=0, le=MAX_ID)]) -> Response:
    """Download the full-text file attached to ``record`` (as an attachment, never shown inline)."""
    return file_response(review_of(request), record)


@router.get("/fulltext/conflicts", response_class=HTMLResponse)
def fulltext_conflicts(request: Request, caller: Owner, settled: QueryId = None,
                       message: str | None = None) -> HTMLResponse:
    """Records the reviewers disagree on at full text, each with their decisions, to settle."""
    review = review_of(request)
    conflicts = review.screening.conflicts("full_text")
    cards = review.screening.cards([c.record_id for c in conflicts])
    reasons = review.screening.reasons("full_text")
    context = {"caller": caller, "rows": [(c, card, reasons.get(c.record_id)) for c, card in zip(conflicts, cards)],
               "reasons": review.screening.exclusion_reasons(), "settled": settled, "message": message}
    return templates.TemplateResponse(request, "fulltext_conflicts.html", context)


@router.post("/fulltext/reconcile")
def fulltext_reconcile(request: Request, caller: Owner, record_id: FormId, decision: Annotated[Choice, Form()],
                       reason: Annotated[str | None, Form()] = None) -> RedirectResponse:
    """Settle a full-text conflict with the agreed decision (the reviewers' own stay)."""
    review = review_of(request)
    reason = (reason or "").strip() or None if decision == "exclude" else None
    problem = None
    if record_id not in {c.record_id for c in review.screening.conflicts("full_text")}:
        problem = f"record {record_id} has no full-text conflict to settle"
    elif decision == "exclude" and reason is None:
        problem = f"record {record_id}: a full-text exclusion needs a reason"
    if problem is None:
        try:
            review.screening.reconcile(record_id, decision, reviewer=caller.name, stage="full_text", reason=reason)
        except ScreeningError as exc:
            problem = str(exc)
    if problem is not None:
        return RedirectResponse(f"/fulltext/conflicts?message={quote(problem + ' (nothing was stored)')}",
                                status_code=303)
    review.accounts.record(caller.name, "fulltext.reconcile", f"record {record_id}: {decision}")
    return RedirectResponse(f"/fulltext/conflicts?settled={record_id}", status_code=303)
