"""The hub's own pages on a server of several projects (see :mod:`logicmap.web.projects`): sign in
to every project at once, the list of one's projects, opening one, making a new one, the password
and signing out.

Every route is public (:data:`HUB_PUBLIC`) or depends on :func:`hub_guard`: signed in to at least
one project, and a state-changing request carries a CSRF token of the browser's (the hub's own, or
the one of any of its project sessions: the project pages' sign-out and password forms post here).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated

from fastapi import Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from logicmap.api import AccountError, LogicmapError, Review, embedded_codebooks
from logicmap.web.app import HERE, templates
from logicmap.web.projects import SLUG, Hub, Project, project_cookie, slug_of
from logicmap.web.security import (
    COOKIE,
    LOGIN_COOKIE,
    SAFE_METHODS,
    Caller,
    LoginLimiter,
    Refused,
    login_token,
    login_token_ok,
    sign_in_url,
)

#: The hub routes anyone may reach: (method, path).
HUB_PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz")}


class HubCaller:
    """A browser signed in to some of the hub's projects: its token, and who it is where."""

    def __init__(self, token: str, sessions: list[tuple[Project, Caller]], csrf: str) -> None:
        self.token, self.sessions, self.csrf = token, sessions, csrf
        self.name = sessions[0][1].name
        self.account = SimpleNamespace(name=self.name, role=None, is_admin=False)  # the pages' header reads it
        self.hub = True

    def projects(self) -> list[tuple[Project, str]]:
        """The projects where the user has a role, with that role (a user sees only these)."""
        return [(p, c.account.role) for p, c in self.sessions if c.account.role]

    def may_create(self) -> bool:
        """Owners (and admins) of a project may make new projects."""
        return any(c.account.role == "owner" or c.account.is_admin for _, c in self.sessions)


def hub_guard():
    """The dependency of every hub route that is not public (see the module docstring)."""

    async def check(request: Request) -> HubCaller:
        hub: Hub = request.app.state.hub_server
        token = request.cookies.get(COOKIE, "")
        sessions = hub.signed_in(token)
        if not sessions:
            raise Refused(401, "Please sign in (your session may have expired).", sign_in=True)
        caller = HubCaller(token, sessions, hub.csrf(token))
        if request.method not in SAFE_METHODS:
            sent = request.headers.get("x-csrf-token") or str((await request.form()).get("csrf", ""))
            known = [caller.csrf, *(c.csrf for _, c in sessions)]
            if not sent or not any(secrets.compare_digest(sent, k) for k in known):
                raise Refused(403, "This form is out of date (missing or wrong CSRF token): reload the page "
                                   "and try again.")
        return caller

    check.least = "signed_in"  # read by the access-control test
    return Depends(check)


SignedIn = Annotated[HubCaller, hub_guard()]


def error_page(request: Request, status: int, message: str, caller: HubCaller | None = None) -> HTMLResponse:
    """A clear error page (never a stack trace)."""
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message,
                                                              "caller": caller}, status_code=status)


def _page(request: Request, caller: HubCaller, status: int = 200, **context) -> HTMLResponse:
    hub: Hub = request.app.state.hub_server
    return templates.TemplateResponse(request, "projects.html", {
        "caller": caller, "mine": caller.projects(), "chosen": request.cookies.get("logicmap_project"),
        "creating": hub.folder is not None and caller.may_create(), "codebooks": embedded_codebooks(),
        "error": None, **context}, status_code=status)


def _login_page(request: Request, status: int, next: str, error: str | None) -> HTMLResponse:
    from logicmap.web.pages import _safe_next

    token = login_token(request)
    response = templates.TemplateResponse(request, "login.html", {"caller": None, "next": _safe_next(next),
                                                                  "error": error, "csrf": token}, status_code=status)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/login")
    return response


def _secure(request: Request) -> bool:
    return bool(request.app.state.hub_server.https or request.url.scheme == "https")


def _open(slug: str, request: Request, target: str = "/") -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", project_cookie(slug, secure=_secure(request)))
    return response


def hub_pages(hub: Hub) -> FastAPI:
    """The hub's FastAPI app (its lifespan opens every project)."""
    app = FastAPI(title="logicmap projects", lifespan=hub.lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.hub_server, app.state.hub, app.state.limiter = hub, True, LoginLimiter()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_errors(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"ok": True, "projects": len(hub.projects)}

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/projects") -> HTMLResponse:
        """The sign-in form (one for every project)."""
        return _login_page(request, 200, next, None)

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
              next: Annotated[str, Form()] = "/projects", csrf: Annotated[str, Form()] = ""):
        """Sign in to every project where the name and password are right (one cookie for them all)."""
        from logicmap.web.pages import _safe_next

        if not login_token_ok(request, csrf):
            return _login_page(request, 403, next, "This sign-in form is out of date (missing or wrong CSRF "
                                                   "token): try again.")
        keys = (name, request.client.host if request.client else "?")
        if app.state.limiter.blocked(*keys):
            return _login_page(request, 429, next, "Too many failed sign-ins: wait a few minutes and try again.")
        token = secrets.token_urlsafe(32)
        matched = 0
        for project in hub.projects.values():
            accounts = project.app.state.review.accounts
            account = accounts.authenticate(name, password)
            if account is not None:
                accounts.sign_in(account, token=token)
                matched += 1
        if not matched:
            app.state.limiter.failed(*keys)
            return _login_page(request, 401, next, "Wrong user name or password.")
        target = _safe_next(next)
        response = RedirectResponse("/projects" if target == "/" else target, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/")
        return response

    @app.post("/logout")
    def logout(request: Request, caller: SignedIn) -> RedirectResponse:
        """Sign out of every project."""
        for project, who in caller.sessions:
            project.app.state.review.accounts.sign_out(caller.token, who.name)
            project.app.state.sessions.forget(caller.token)
        response = RedirectResponse("/login?signed_out=1", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/account/password", response_class=HTMLResponse)
    def password_page(request: Request, caller: SignedIn) -> HTMLResponse:
        """The password change form (for every project signed in to)."""
        return templates.TemplateResponse(request, "password.html", {"caller": caller, "error": None})

    @app.post("/account/password", response_class=HTMLResponse)
    def change_password(request: Request, caller: SignedIn, current: Annotated[str, Form()],
                        new: Annotated[str, Form()], repeat: Annotated[str, Form()]):
        """Change the password in every project signed in to; their sessions end, so sign in again."""
        error = "The two new passwords differ." if new != repeat else None
        for project, who in caller.sessions if error is None else []:
            try:
                project.app.state.review.accounts.change_password(who.account, current, new)
            except AccountError as exc:
                error = f"{project.slug}: {exc}"
                break
            project.app.state.sessions.forget_account(who.account.id)
        if error:
            return templates.TemplateResponse(request, "password.html", {"caller": caller, "error": error},
                                              status_code=400)
        response = RedirectResponse("/login?changed=1", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/projects", response_class=HTMLResponse)
    def projects_page(request: Request, caller: SignedIn) -> HTMLResponse:
        """The user's projects (only those where they have a role)."""
        return _page(request, caller)

    @app.get("/projects/{slug}")
    def open_project(request: Request, slug: str, caller: SignedIn):
        """Make ``slug`` the chosen project and go to its overview (404 when it is not the user's)."""
        if slug not in {p.slug for p, _ in caller.projects()}:
            return error_page(request, 404, f"No project {slug!r} among yours: see the list of your projects at "
                                            "/projects.", caller)
        return _open(slug, request)

    @app.post("/projects/new", response_class=HTMLResponse)
    async def new_project(request: Request, caller: SignedIn, name: Annotated[str, Form()],
                          codebook: Annotated[str, Form()], password: Annotated[str, Form()]):
        """Make a new project in the server's folder, its maker its owner, and open it."""
        try:
            slug, location = await run_in_threadpool(_new_project, hub, caller, name, codebook, password)
        except LogicmapError as exc:
            return _page(request, caller, 400, error=str(exc))
        project = await hub.add(slug, location)
        accounts = project.app.state.review.accounts
        accounts.sign_in(accounts.get(caller.name), token=caller.token)
        accounts.record(caller.name, "project.create", f"{name} ({codebook} codebook)")
        return _open(slug, request)

    return app


def _new_project(hub: Hub, caller: HubCaller, name: str, codebook: str, password: str) -> tuple[str, str]:
    """Create the project's store with its maker as owner; returns (slug, location). Checks first:
    a failed attempt creates nothing."""
    if hub.folder is None or not caller.may_create():
        raise AccountError("only a project's owner may make projects, on a server started with --projects")
    name, slug = name.strip(), slug_of(name)
    if not name or len(name) > 200 or not SLUG.match(slug):
        raise AccountError(f"project name {name!r}: 1-200 characters with at least one letter or digit")
    location = Path(hub.folder) / f"{slug}.db"
    if slug in hub.projects or location.exists():
        raise AccountError(f"a project called {slug!r} exists already: choose another name")
    if codebook not in embedded_codebooks():
        raise AccountError(f"unknown codebook {codebook!r}; codebooks: {', '.join(embedded_codebooks())}")
    owned = [p for p, c in caller.sessions if c.account.role == "owner" or c.account.is_admin]
    if owned[0].app.state.review.accounts.authenticate(caller.name, password) is None:
        raise AccountError("the password is not right (it is asked again to make a project)")
    with Review.create(location, name=name, codebook=codebook) as review:
        review.accounts.add(caller.name, password, admin=True, by=caller.name)
    return slug, str(location)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        if exc.sign_in:
            return RedirectResponse(sign_in_url(request), status_code=303)
        return error_page(request, exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return error_page(request, 422, f"Bad request: {problems}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return error_page(request, exc.status_code, "No such page." if exc.status_code == 404 else str(exc.detail))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        return error_page(request, 500, "Something went wrong on the server; nothing was changed by this request. "
                                        "Please try again.")
