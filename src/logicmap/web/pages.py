"""Sign in, sign out, password change and the project overview."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from logicmap.api import AccountError, AccountsStage
from logicmap.web.app import templates
from logicmap.web.fulltext import counts as fulltext_counts
from logicmap.web.screening import service_of
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


def login_form(request: Request, status: int, next: str, error: str | None) -> HTMLResponse:
    """The sign-in form with its CSRF token, the same in the page and in the browser's cookie."""
    token = login_token(request)
    response = _page(request, "login.html", None, status, next=_safe_next(next), error=error, csrf=token)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request),
                        path="/login")
    return response


class SignInRefused(Exception):
    """A sign-in refused: the HTTP status and the message to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def start_sessions(request: Request, name: str, password: str, accounts: list[AccountsStage]) -> str:
    """Start a session under one new cookie token in each of ``accounts`` (one project's, or every
    project's on a server of several) where the password is right; returns the token. At most 5
    failures per name, 50 per address, in 5 minutes (:class:`SignInRefused` 429; wrong: 401)."""
    limiter, client = request.app.state.limiter, request.client.host if request.client else "?"
    keys = (name, client)
    if limiter.blocked(*keys):
        raise SignInRefused(429, "Too many failed sign-ins: wait a few minutes and try again.")
    matched = [(stage, account) for stage in accounts if (account := stage.authenticate(name, password))]
    if not matched:
        limiter.failed(*keys)
        raise SignInRefused(401, "Wrong user name or password.")
    token = secrets.token_urlsafe(32)
    for stage, account in matched:
        stage.sign_in(account, token=token)
    return token


def session_cookie(request: Request, response: Response, token: str) -> Response:
    """``response`` carrying the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS)."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request), path="/")
    return response


def password_sign_in(request: Request, name: str, password: str, next: str, csrf: str, *,
                     accounts: list[AccountsStage], landing: str) -> Response:
    """The sign-in form's answer: check its CSRF token, :func:`start_sessions`, and go to ``next``
    (``landing`` when that is the site's root); a refusal shows the form again with the reason."""
    if not login_token_ok(request, csrf):
        return login_form(request, 403, next, "This sign-in form is out of date (missing or wrong CSRF token): "
                                              "try again.")
    try:
        token = start_sessions(request, name, password, accounts)
    except SignInRefused as refused:
        return login_form(request, refused.status, next, refused.message)
    target = _safe_next(next)
    return session_cookie(request, RedirectResponse(landing if target == "/" else target, status_code=303), token)


def add_login_routes(router: APIRouter, *, landing: str,
                     accounts_of: Callable[[Request], list[AccountsStage]]) -> None:
    """``GET /login`` (the form) and ``POST /login`` (:func:`password_sign_in` against
    ``accounts_of(request)``, then ``landing``) on ``router``: the one-project app's and the hub's."""

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = landing) -> HTMLResponse:
        """The sign-in form."""
        return login_form(request, 200, next, None)

    @router.post("/login", response_class=HTMLResponse)
    def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
              next: Annotated[str, Form()] = landing, csrf: Annotated[str, Form()] = ""):
        """Check the form's CSRF token and the password, and start a session in each project where it
        is right."""
        return password_sign_in(request, name, password, next, csrf, accounts=accounts_of(request),
                                landing=landing)


add_login_routes(router, landing="/", accounts_of=lambda request: [review_of(request).accounts])


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
    """The project: its records, where screening stands, how far its preparation has got until it is ready,
    and how far the full model has got while the records are ranked by TF-IDF alone."""
    review = review_of(request)
    final = review.screening.final()
    counts = {d: sum(1 for v in final.values() if v == d) for d in ("include", "exclude", "maybe")}
    service = service_of(request, ready=False)
    return _page(request, "overview.html", caller, name=review.name, records=len(review.screening.candidates()),
                 final=counts, reviewers=review.screening.reviewers(), full_text=fulltext_counts(review, caller.name),
                 preparing=service.preparing(), interim=service.interim())


@router.get("/api/session")
def api_session(caller: SignedIn) -> dict:
    """Who is signed in, their role and the CSRF token to send as ``X-CSRF-Token`` with every POST."""
    return {"user": caller.name, "role": caller.account.role, "csrf": caller.csrf}
