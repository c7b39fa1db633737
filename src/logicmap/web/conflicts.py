"""Conflicts of blind dual screening and the team's screening settings (owner only).

The conflicts page lists the records reviewers disagree on, each with every
reviewer's decision, and settles one with the agreed decision (the reviewers'
own decisions stay). The settings form sets reviewers per record (2: dual
screening) and blind screening on or off; both take effect at once and go to
the audit log. The same under /api/screening/.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from logicmap.api import TeamSettings
from logicmap.web.app import templates
from logicmap.web.screening import Decision, card_of, clean_reason, service_of
from logicmap.web.security import Caller, guard, review_of

router = APIRouter()
Owner = Annotated[Caller, guard("owner")]
Viewer = Annotated[Caller, guard("viewer")]


class ConflictOut(BaseModel):
    """A record the reviewers disagree on: reviewer -> decision, and the exclusion reason given."""

    record_id: int
    title: str
    decisions: dict[str, str]
    reason: str | None


class ReconcileIn(BaseModel):
    """The agreed decision of a conflict; ``reason`` only with ``exclude``."""

    record_id: int
    decision: Decision
    reason: str | None = None


class ReconcileOut(BaseModel):
    """The stored reconciliation's id."""

    decision_id: int
    record_id: int


class SettingsInOut(BaseModel):
    """How the team screens: independent decisions per record (2: dual screening), blind or not."""

    reviewers_per_record: int = Field(ge=1, le=5)
    blind: bool


def _conflicts(request: Request) -> list[ConflictOut]:
    screening = review_of(request).screening
    reasons = screening.reasons("title_abstract")
    return [ConflictOut(record_id=c.record_id, title=card_of(request, c.record_id).title or "(no title)",
                        decisions=c.decisions, reason=reasons.get(c.record_id))
            for c in screening.conflicts()]


def _reconcile(request: Request, caller: Caller, record_id: int, decision: str, reason: str | None) -> int:
    decision_id = service_of(request).reconcile(caller.name, record_id, decision,
                                                reason=clean_reason(decision, reason))
    review_of(request).accounts.record(caller.name, "screening.reconcile", f"record {record_id}: {decision}")
    return decision_id


def _apply(request: Request, caller: Caller, settings: TeamSettings) -> TeamSettings:
    service_of(request, ready=False).apply(settings)
    review_of(request).accounts.record(caller.name, "settings.screening",
                                    f"reviewers per record {settings.reviewers_per_record}, "
                                    f"blind {'on' if settings.blind else 'off'}")
    return settings


@router.get("/screen/conflicts", response_class=HTMLResponse)
def conflicts_page(request: Request, caller: Owner) -> HTMLResponse:
    """Records the reviewers disagree on, to reconcile; the team's screening settings."""
    context = {"caller": caller, "conflicts": _conflicts(request), "settings": service_of(request).settings,
               "reasons": review_of(request).screening.exclusion_reasons()}
    return templates.TemplateResponse(request, "conflicts.html", context)


@router.post("/screen/conflicts/reconcile")
def reconcile_form(request: Request, caller: Owner, record_id: Annotated[int, Form()],
                   decision: Annotated[Decision, Form()],
                   reason: Annotated[str | None, Form()] = None) -> RedirectResponse:
    """Settle a conflict with the agreed decision."""
    _reconcile(request, caller, record_id, decision, reason)
    return RedirectResponse(f"/screen/conflicts?settled={record_id}", status_code=303)


@router.post("/screen/settings")
def settings_form(request: Request, caller: Owner, reviewers_per_record: Annotated[int, Form(ge=1, le=5)],
                  blind: Annotated[bool, Form()] = False) -> RedirectResponse:
    """Set reviewers per record and blind screening."""
    _apply(request, caller, TeamSettings(reviewers_per_record, blind))
    return RedirectResponse("/screen/conflicts?saved=1", status_code=303)


@router.get("/api/screening/conflicts", response_model=list[ConflictOut])
def api_conflicts(request: Request, caller: Owner) -> list[ConflictOut]:
    """Records the reviewers disagree on, not yet reconciled."""
    return _conflicts(request)


@router.post("/api/screening/reconcile", response_model=ReconcileOut)
def api_reconcile(request: Request, caller: Owner, body: ReconcileIn) -> ReconcileOut:
    """Settle a conflict with the agreed decision."""
    return ReconcileOut(decision_id=_reconcile(request, caller, body.record_id, body.decision, body.reason),
                        record_id=body.record_id)


@router.get("/api/screening/settings", response_model=SettingsInOut)
def api_settings(request: Request, caller: Viewer) -> SettingsInOut:
    """The team's screening settings."""
    settings = service_of(request, ready=False).settings
    return SettingsInOut(reviewers_per_record=settings.reviewers_per_record, blind=settings.blind)


@router.post("/api/screening/settings", response_model=SettingsInOut)
def api_set_settings(request: Request, caller: Owner, body: SettingsInOut) -> SettingsInOut:
    """Set reviewers per record and blind screening."""
    _apply(request, caller, TeamSettings(body.reviewers_per_record, body.blind))
    return body
