"""The audit log page: who did what and when, exportable as CSV safe to open in a spreadsheet.

It joins the accounts' audit log (sign-ins, accounts, imports, source edits, dedupe
decisions and undos, settings and codebook changes made in the web app) with every
standing screening decision, newest first.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from logicmap.api import Review
from logicmap.safe_text import SafeCsvWriter
from logicmap.web.app import templates
from logicmap.web.security import Caller, guard, review_of

router = APIRouter()
Viewer = Annotated[Caller, guard("viewer")]
#: Lines shown on the page (the CSV and the API have them all).
PAGE_LINES = 500


@dataclass(frozen=True)
class Line:
    """One thing done: when, by whom, what and on what."""

    at: datetime | None
    actor: str
    action: str
    detail: str


def audit_lines(review: Review, action: str = "") -> list[Line]:
    """The audit log and the screening decisions, newest first (``action``: keep those whose action starts so)."""
    lines = [Line(e.at, e.actor, e.action, e.detail or "") for e in review.accounts.audit()]
    for d in review.screening.decision_log():
        reason = f" ({d.reason})" if d.reason else ""
        lines.append(Line(d.created_at, d.reviewer, f"screening.{d.kind}",
                          f"record {d.record_id} at {d.stage}: {d.decision}{reason}"))
    lines.sort(key=lambda line: line.at or datetime.min, reverse=True)
    return [line for line in lines if line.action.startswith(action)] if action else lines


def audit_csv(lines: list[Line]) -> str:
    """The lines as CSV (a cell starting like a formula is written as text)."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["at", "actor", "action", "detail"])
    writer.writerows([line.at.isoformat(sep=" ", timespec="seconds") if line.at else "", line.actor, line.action,
                      line.detail] for line in lines)
    return out.getvalue()


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, caller: Viewer, action: str = "") -> HTMLResponse:
    """The newest lines of the audit log, optionally of one kind of action."""
    lines = audit_lines(review_of(request), action.strip())
    kinds = sorted({line.action.split(".")[0] for line in audit_lines(review_of(request))})
    context = {"caller": caller, "lines": lines[:PAGE_LINES], "total": len(lines), "action": action.strip(),
               "kinds": kinds}
    return templates.TemplateResponse(request, "audit.html", context)


@router.get("/audit.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The audit log as CSV"}})
def audit_download(request: Request, caller: Viewer, action: str = "") -> Response:
    """The whole audit log (or one kind of action) as CSV."""
    text = audit_csv(audit_lines(review_of(request), action.strip()))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})


class LineOut(BaseModel):
    """One line of the audit log."""

    at: datetime | None
    actor: str
    action: str
    detail: str


@router.get("/api/audit", response_model=list[LineOut])
def api_audit(request: Request, caller: Viewer, action: str = "") -> list[LineOut]:
    """The audit log, newest first (``action``: only those whose action starts so, e.g. ``dedupe``)."""
    return [LineOut(**vars(line)) for line in audit_lines(review_of(request), action.strip())]
