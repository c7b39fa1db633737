"""Sign in, sign out, password change and the project overview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from logicmap.api import AccountError
from logicmap.web.app import templates
from logicmap.web.fulltext import counts as fulltext_counts
from logicmap.web.security import (
    COOKIE,
    LOGIN_COOKIE,
    Caller,
    guard,
    login_token,
    login_token_ok,
    review_of,
    secure_cookies,
)

router = APIRouter()
SignedIn = Annotated[Caller, guard("signed_in")]
Viewer = Annotated[Caller, guard("viewer")]


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no //host) is followed after sign-in."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _page(request: Request, template: str, caller: Caller | None, status: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"caller": caller, **context}, status_code=status)


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict:
    """Liveness probe (no project data)."""
    return {"ok": True}


def _login_page(request: Request, status: int, next: str, error: str | None) -> HTMLResponse:
    """The sign-in form with its CSRF token, the same in the page and in the browser's cookie."""
    token = login_token(request)
    response = _page(request, "login.html", None, status, next=_safe_next(next), error=error, csrf=token)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request),
                        path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return _login_page(request, 200, next, None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/", csrf: Annotated[str, Form()] = ""):
    """Check the form's CSRF token and the password, and start a session (at most 5 failures per
    name, 50 per address, in 5 minutes)."""
    if not login_token_ok(request, csrf):
        return _login_page(request, 403, next, "This sign-in form is out of date (missing or wrong CSRF token): "
                                               "try again.")
    limiter, client = request.app.state.limiter, request.client.host if request.client else "?"
    keys = (name, client)
    if limiter.blocked(*keys):
        return _login_page(request, 429, next, "Too many failed sign-ins: wait a few minutes and try again.")
    accounts = review_of(request).accounts
    account = accounts.authenticate(name, password)
    if account is None:
        limiter.failed(*keys)
        return _login_page(request, 401, next, "Wrong user name or password.")
    token, _ = accounts.sign_in(account)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request), path="/")
    return response


@router.post("/logout")
def logout(request: Request, caller: SignedIn) -> RedirectResponse:
    """End the session and go back to the sign-in page."""
    review_of(request).accounts.sign_out(caller.token, caller.name)
    request.app.state.sessions.forget(caller.token)
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, caller: SignedIn) -> HTMLResponse:
    """The password change form."""
    return _page(request, "password.html", caller, error=None)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, caller: SignedIn, current: Annotated[str, Form()],
                    new: Annotated[str, Form()], repeat: Annotated[str, Form()]):
    """Change the password; every session of the account ends, so sign in again."""
    if new != repeat:
        return _page(request, "password.html", caller, 400, error="The two new passwords differ.")
    try:
        review_of(request).accounts.change_password(caller.account, current, new)
    except AccountError as exc:
        return _page(request, "password.html", caller, 400, error=str(exc))
    request.app.state.sessions.forget_account(caller.account.id)
    response = RedirectResponse("/login?changed=1", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, caller: Viewer) -> HTMLResponse:
    """The project: its records and where screening stands."""
    review = review_of(request)
    final = review.screening.final()
    counts = {d: sum(1 for v in final.values() if v == d) for d in ("include", "exclude", "maybe")}
    return _page(request, "overview.html", caller, name=review.name, records=len(review.screening.candidates()),
                 final=counts, reviewers=review.screening.reviewers(), full_text=fulltext_counts(review, caller.name))


@router.get("/api/session")
def api_session(caller: SignedIn) -> dict:
    """Who is signed in, their role and the CSRF token to send as ``X-CSRF-Token`` with every POST."""
    return {"user": caller.name, "role": caller.account.role, "csrf": caller.csrf}
