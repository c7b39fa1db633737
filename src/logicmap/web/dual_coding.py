"""Dual coding: two coders' agreement (percent, Cohen's kappa, Krippendorff's alpha per kind and
code) and reconciliation (codes both gave become final; each code only one gave is kept or
dropped by the reconciler); JSON twins under /api/coding/.

Reconciling twice stores each final code once (``review.coding.reconcile``), so a double
submit changes nothing more.
"""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from logicmap.api import CodingError, Review
from logicmap.web.app import templates
from logicmap.web.security import Caller, guard, review_of

router = APIRouter()
Reviewer = Annotated[Caller, guard("reviewer")]


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 4)


def coders(review: Review) -> list[str]:
    """Everyone who coded independently, by name."""
    return sorted({c.reviewer for c in review.coding.list(kind="independent")})


def disagreements(review: Review, a: str, b: str) -> list[dict]:
    """(study, code) given by one coder only, on studies both coded, not yet kept or dropped."""
    sets = {name: {(c.record_id, c.code) for c in review.coding.list(reviewer=name, kind="independent")
                   if c.target_code is None} for name in (a, b)}
    shared = {s for s, _ in sets[a]} & {s for s, _ in sets[b]}
    final = review.coding.decided()
    rows = []
    for name, other in ((a, b), (b, a)):
        for study, code in sorted(sets[name] - sets[other]):
            if study in shared and (study, code) not in final:
                rows.append({"study": study, "code": code, "by": name})
    return sorted(rows, key=lambda r: (r["study"], r["code"]))


def agreement_rows(review: Review, a: str, b: str) -> list[dict]:
    """Per kind, then every code the coders did not fully agree on."""
    report = review.coding.agreement(a, b)
    kinds = [{"name": k, "kind": True, **_values(v)} for k, v in report.per_kind.items()]
    codes = [{"name": c, "kind": False, **_values(v)} for c, v in report.per_code.items() if v.percent < 1.0]
    return kinds + codes


def _values(v) -> dict:
    return {"n": v.n, "both": v.both, "only_a": v.only_a, "only_b": v.only_b, "percent": _number(v.percent),
            "kappa": _number(v.kappa), "alpha": _number(v.alpha)}


@router.get("/code/agreement", response_class=HTMLResponse)
def agreement_page(request: Request, caller: Reviewer, a: str = "", b: str = "", done: str = "") -> HTMLResponse:
    """Pick two coders; see their agreement and reconcile."""
    review = review_of(request)
    context = {"caller": caller, "coders": coders(review), "a": a, "b": b, "rows": [], "open": [], "error": None,
               "done": done}
    if a and b:
        try:
            context.update(rows=agreement_rows(review, a, b), open=disagreements(review, a, b))
        except CodingError as exc:
            context["error"] = str(exc)
    return templates.TemplateResponse(request, "agreement.html", context)


def run_reconcile(review: Review, caller: Caller, a: str, b: str, study: int | None, code: str,
                  keep: bool | None):
    """Reconcile the two coders (with one decision on a (study, code) when given); noted in the audit log."""
    if a == b:
        raise CodingError("choose two different coders")
    decisions = {(str(study), code): keep} if study is not None and code and keep is not None else None
    summary = review.coding.reconcile(a, b, decisions=decisions, decided_by=caller.name)
    what = f"; record {study} {code}: {'kept' if keep else 'dropped'}" if decisions else ""
    review.accounts.record(caller.name, "coding.reconcile", f"{a} and {b}: {summary.agreed} agreed, "
                           f"{summary.resolved} resolved, {summary.unresolved} to decide{what}")
    return summary


@router.post("/code/reconcile")
def reconcile(request: Request, caller: Reviewer, a: Annotated[str, Form()], b: Annotated[str, Form()],
              study: Annotated[int | None, Form(ge=0, le=2**53 - 1)] = None, code: Annotated[str, Form()] = "",
              keep: Annotated[bool | None, Form()] = None) -> RedirectResponse:
    """Store the agreed codes as final (and keep or drop one code only one coder gave)."""
    query = {"a": a, "b": b}
    try:
        summary = run_reconcile(review_of(request), caller, a, b, study, code, keep)
        query["done"] = f"{summary.agreed} agreed, {summary.resolved} resolved, {summary.unresolved} still to decide"
    except CodingError as exc:
        query["done"] = f"Nothing was stored: {exc}"
    return RedirectResponse(f"/code/agreement?{urlencode(query)}", status_code=303)


class AgreementOut(BaseModel):
    """Agreement per kind and per code not fully agreed (kappa/alpha None where undefined), and
    the codes only one coder gave that still wait for a decision."""

    rows: list[dict]
    open: list[dict]


class ReconcileIn(BaseModel):
    """Two coders, and optionally one decision: keep or drop ``code`` on record ``study``."""

    a: str
    b: str
    study: int | None = None
    code: str = ""
    keep: bool | None = None


class ReconcileOut(BaseModel):
    """What the reconciliation stored."""

    agreed: int
    resolved: int
    unresolved: int


@router.get("/api/coding/agreement", response_model=AgreementOut)
def api_agreement(request: Request, caller: Reviewer, a: str, b: str) -> AgreementOut:
    """Two coders' agreement and the codes still to decide."""
    review = review_of(request)
    return AgreementOut(rows=agreement_rows(review, a, b), open=disagreements(review, a, b))


@router.post("/api/coding/reconcile", response_model=ReconcileOut)
def api_reconcile(request: Request, caller: Reviewer, body: ReconcileIn) -> ReconcileOut:
    """Store agreed codes as final (and one decision when given). Needs the X-CSRF-Token header."""
    if body.study is not None and not 0 <= body.study <= 2**53 - 1:
        raise CodingError(f"no record {body.study}")
    summary = run_reconcile(review_of(request), caller, body.a, body.b, body.study, body.code, body.keep)
    return ReconcileOut(agreed=summary.agreed, resolved=summary.resolved, unresolved=summary.unresolved)
