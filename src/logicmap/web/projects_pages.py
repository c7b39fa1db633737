"""The hub's own pages on a server of several projects (see :mod:`logicmap.web.projects`): sign in
to every project at once, the list of one's projects, opening one, making a new one, the password
and signing out.

Every route is public (:data:`HUB_PUBLIC`) or depends on :func:`hub_guard`: signed in to at least
one project, and a state-changing request carries a CSRF token of the browser's (the hub's own, or
the one of any of its project sessions: the project pages' sign-out and password forms post here).
Their JSON twins are in :mod:`logicmap.web.projects_api`; sign-in (:func:`~logicmap.web.pages.password_sign_in`)
and the error handlers (:func:`~logicmap.web.app.install_error_handlers`) are the one-project app's,
given the hub's landing page and error page.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from logicmap.api import AccountError, LogicmapError, Review, embedded_codebooks
from logicmap.web.app import HERE, install_error_handlers, templates
from logicmap.web.pages import add_login_routes
from logicmap.web.projects import SLUG, Hub, Project, chosen_project, project_cookie, slug_of
from logicmap.web.security import COOKIE, SAFE_METHODS, Caller, LoginLimiter, Refused, secure_cookies

#: The hub routes anyone may reach: (method, path).
HUB_PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz"), ("GET", "/openapi.json"),
              ("POST", "/api/hub/login")}


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


def _open(slug: str, request: Request, target: str = "/") -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", project_cookie(slug, secure=secure_cookies(request)))
    return response


def sign_out_everywhere(caller: HubCaller) -> None:
    """End the browser's session in every project."""
    for project, who in caller.sessions:
        project.app.state.review.accounts.sign_out(caller.token, who.name)
        project.app.state.sessions.forget(caller.token)


def change_password_everywhere(caller: HubCaller, current: str, new: str, repeat: str) -> str | None:
    """Change the password in every project signed in to, or in none: every project checks the change
    first, and the first that refuses is named (None: changed everywhere; their sessions end)."""
    if new != repeat:
        return "The two new passwords differ."
    for project, who in caller.sessions:
        try:
            project.app.state.review.accounts.check_password_change(who.account, current, new)
        except AccountError as exc:
            return f"Project {project.slug} refused the change: {exc}. No project's password was changed."
    for project, who in caller.sessions:
        project.app.state.review.accounts.change_password(who.account, current, new)
        project.app.state.sessions.forget_account(who.account.id)
    return None


async def make_project(hub: Hub, caller: HubCaller, name: str, codebook: str, password: str) -> Project:
    """Make a new project in the server's folder, its maker its owner, signed in to it (checked first:
    a refused attempt makes nothing)."""
    slug, location = await run_in_threadpool(_new_project, hub, caller, name, codebook, password)
    project = await hub.add(slug, location)
    accounts = project.app.state.review.accounts
    accounts.sign_in(accounts.get(caller.name), token=caller.token)
    accounts.record(caller.name, "project.create", f"{name} ({codebook} codebook)")
    return project


def hub_pages(hub: Hub) -> FastAPI:
    """The hub's FastAPI app (its lifespan opens every project)."""
    app = FastAPI(title="logicmap projects", lifespan=hub.lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.hub_server, app.state.hub, app.state.limiter = hub, True, LoginLimiter()
    app.state.https = hub.https
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    install_error_handlers(app, error_page)
    from logicmap.web.projects_api import hub_openapi, router as hub_api  # they use this module's guard

    app.include_router(hub_api)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"ok": True, "projects": len(hub.projects)}

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> JSONResponse:
        """The chosen (else the first) project's API with the hub's own operations."""
        return JSONResponse(hub_openapi(hub, chosen_project(request)))

    add_login_routes(app.router, landing="/projects",
                     accounts_of=lambda _: [p.app.state.review.accounts for p in hub.projects.values()])

    @app.post("/logout")
    def logout(request: Request, caller: SignedIn) -> RedirectResponse:
        """Sign out of every project."""
        sign_out_everywhere(caller)
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
        """Change the password in every project signed in to, or in none (the refusing project is named);
        their sessions end, so sign in again."""
        error = change_password_everywhere(caller, current, new, repeat)
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
            project = await make_project(hub, caller, name, codebook, password)
        except LogicmapError as exc:
            return _page(request, caller, 400, error=str(exc))
        except Refused as exc:
            return _page(request, caller, exc.status, error=exc.message)
        return _open(project.slug, request)

    return app


def _new_project(hub: Hub, caller: HubCaller, name: str, codebook: str, password: str) -> tuple[str, str]:
    """Create the project's store with its maker as owner; returns (slug, location). Checks first:
    a failed attempt creates nothing."""
    if hub.folder is None:
        raise AccountError("this server makes no projects: it was not started with --projects")
    if not caller.may_create():
        raise Refused(403, "only a project's owner (or an admin) may make projects")
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
