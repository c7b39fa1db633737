"""The screening page: one record at a time, keyboard i / e / m / u, progress, estimate and recall curve.

When the project's stopping rule takes a random sample, the sample's records come
first, each labelled "random sample for the stopping rule" with the count so far.
The stopping rule's decision, its reason and the recall estimate with its interval
are shown; once the rule fires, the project's owner may stop screening (the records
no one screened are then excluded by the rule, and the report says so).

Decisions go through the project's :class:`~logicmap.api.TeamScreening`: the
record shown comes from the team's last ranking held in memory (no query, no
retrain on the request path), a decision is stored at once and learnt in the
background; the same decision sent twice is stored once; each reviewer's
decisions are their own, and with blind screening a reviewer sees no one else's.
"""

from __future__ import annotations

import threading
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from logicmap.api import Preparing, ScreeningCard, TeamScreening
from logicmap.web.app import templates
from logicmap.web.screening_view import CURVE_HEIGHT, CURVE_WIDTH, estimate_text, recall_curve
from logicmap.web.security import Caller, caller_of, guard, review_of

router = APIRouter()
Reviewer = Annotated[Caller, guard("reviewer")]
Owner = Annotated[Caller, guard("owner")]
Decision = Literal["include", "exclude", "maybe"]
#: Seconds between readings of the codebook's key terms (an edited codebook shows within this).
TERMS_SECONDS = 60.0
#: Records of the ranking read ahead with a card not yet in memory.
READ_AHEAD = 40
#: Seconds between the preparing page's checks of how far screening's preparation has got.
PREPARING_POLL_SECONDS = 3
#: Seconds between the screening page's checks of how far the full model has got, while the interim
#: engine ranks (the page itself need not reload: the next record comes from whichever ranks then).
INTERIM_POLL_SECONDS = 10
_CARDS_LOCK = threading.Lock()
_TERMS_LOCK = threading.Lock()


class ScreeningPreparing(Exception):
    """Screening is asked for while its first stage is still being prepared (or that failed)."""

    def __init__(self, state: Preparing) -> None:
        super().__init__(state.words())
        self.state = state


def service_of(request: Request, *, ready: bool = True) -> TeamScreening:
    """The project's team screening service (its preparation starts with the app). ``ready``: raise
    :class:`ScreeningPreparing` while the title/abstract stage is still being prepared (a request
    would wait for it), so the caller is told how far it has got instead."""
    service = request.app.state.service
    if ready and (state := service.preparing()) is not None:
        raise ScreeningPreparing(state)
    return service


def preparing_page(request: Request, state: Preparing) -> HTMLResponse:
    """What a screening page shows while screening is prepared: how far it has got, refreshed every
    few seconds (the page reloads itself once screening is ready), or why preparing failed."""
    return templates.TemplateResponse(request, "preparing.html", {"caller": caller_of(request), "state": state,
                                                                  "poll": PREPARING_POLL_SECONDS})


@router.get("/screen/preparing", response_class=HTMLResponse)
def screen_preparing(request: Request, caller: Reviewer) -> HTMLResponse:
    """The preparing page's progress line, polled by the page; once screening is ready, an empty
    answer that tells htmx to reload the page."""
    state = service_of(request, ready=False).preparing()
    if state is None:
        return HTMLResponse("", headers={"HX-Refresh": "true"})
    return templates.TemplateResponse(request, "preparing_status.html", {"state": state,
                                                                         "poll": PREPARING_POLL_SECONDS})


@router.get("/screen/interim", response_class=HTMLResponse)
def screen_interim(request: Request, caller: Reviewer) -> HTMLResponse:
    """The screening page's line on the interim ranking, polled by the page while it lasts; once the full
    model ranks, an empty line that polls no more."""
    return templates.TemplateResponse(request, "interim_status.html", {"interim": service_of(request).interim(),
                                                                       "poll": INTERIM_POLL_SECONDS})


def card_of(request: Request, record_id: int) -> ScreeningCard:
    """The record's screening card, from memory: a miss (or a card with key terms since changed) reads
    it with the next :data:`READ_AHEAD` records of the ranking in one query."""
    state, terms = request.app.state, _key_terms(request)
    card = state.cards.get(record_id)
    if card is not None and card.key_terms == terms:
        return card
    with _CARDS_LOCK:  # one reader at a time: twenty requests at once would read the same cards
        card = state.cards.get(record_id)
        if card is None or card.key_terms != terms:
            upcoming = service_of(request).upcoming(READ_AHEAD)
            wanted = [record_id] + [r for r in upcoming if r not in state.cards]
            for read in review_of(request).screening.cards(list(dict.fromkeys(wanted)), terms=terms):
                state.cards[read.record_id] = read
            card = state.cards[record_id]
    return card


def _key_terms(request: Request) -> tuple[str, ...]:
    """The codebook's key terms, read again every :data:`TERMS_SECONDS` by one request while the
    others go on with the terms they have (reading the codebook is slow)."""
    state = request.app.state
    read_at, terms = getattr(state, "key_terms", (None, ()))
    if read_at is not None and time.monotonic() - read_at <= TERMS_SECONDS:
        return terms
    if not _TERMS_LOCK.acquire(blocking=read_at is None):
        return terms
    try:
        read_at, terms = getattr(state, "key_terms", (None, ()))
        if read_at is None or time.monotonic() - read_at > TERMS_SECONDS:
            terms = review_of(request).screening.key_terms()
            state.key_terms = (time.monotonic(), terms)
        return terms
    finally:
        _TERMS_LOCK.release()


def clean_reason(decision: str, reason: str | None) -> str | None:
    """The exclusion reason kept with a decision: only with ``exclude``, blank is none."""
    return reason.strip() or None if decision == "exclude" and reason else None


def _chosen(service: TeamScreening, caller: Caller, wanted: int | None) -> tuple[int, int] | None:
    """``wanted`` (after an undo) when it still needs the reviewer, else their next record."""
    if wanted is not None:
        service.peek(caller.name, wanted)  # held for them, so next() answers with it
    return service.next(caller.name)


@router.get("/screen", response_class=HTMLResponse)
def screen_page(request: Request, caller: Reviewer, record: int | None = None) -> HTMLResponse:
    """One record to screen, with its key terms highlighted, the progress bar, estimate and recall curve."""
    service = service_of(request)
    stopped = review_of(request).screening.stopped()
    chosen = None if stopped else _chosen(service, caller, record)
    progress = service.progress(caller.name)
    context = {"caller": caller, "progress": progress, "estimate": estimate_text(progress),
               "reasons": review_of(request).screening.exclusion_reasons(), "card": None, "others": {},
               "curve": recall_curve(service.order()), "curve_size": (CURVE_WIDTH, CURVE_HEIGHT),
               "blind": service.settings.blind, "per_record": service.settings.reviewers_per_record,
               "owner": caller.account.role == "owner", "stopped": stopped,
               "sampled": chosen is not None and service.is_sample(chosen[0]), "sample": progress.sample,
               "interim": service.interim(), "poll": INTERIM_POLL_SECONDS}
    if chosen is not None:
        card = card_of(request, chosen[0])
        others = {} if service.settings.blind else service.others(caller.name, card.record_id)
        context.update(card=card, rank=chosen[1], title=card.marked("title"),
                       paragraphs=card.paragraphs(), others=others)
    return templates.TemplateResponse(request, "screen.html", context)


@router.post("/screen/decide")
def screen_decide(request: Request, caller: Reviewer, record_id: Annotated[int, Form()],
                  decision: Annotated[Decision, Form()], reason: Annotated[str | None, Form()] = None,
                  rank: Annotated[int | None, Form()] = None) -> RedirectResponse:
    """Store the decision (twice-sent: once) and show the next record."""
    service_of(request).decide(caller.name, record_id, decision, reason=clean_reason(decision, reason), rank=rank)
    return RedirectResponse("/screen", status_code=303)


@router.post("/screen/undo")
def screen_undo(request: Request, caller: Reviewer) -> RedirectResponse:
    """Withdraw the reviewer's latest decision and show that record again."""
    record_id = service_of(request).undo(caller.name)
    return RedirectResponse(f"/screen?record={record_id}" if record_id else "/screen", status_code=303)


@router.post("/screen/stop")
def screen_stop(request: Request, caller: Owner) -> RedirectResponse:
    """Stop the team's screening because the stopping rule fired (refused, changing nothing, before)."""
    service_of(request).stop(caller.name)
    return RedirectResponse("/screen", status_code=303)
