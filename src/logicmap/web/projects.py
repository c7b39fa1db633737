"""Several projects behind one server: ``logicmap serve --projects DIR`` (every project store in a
folder) or ``--projects FILE`` (a list of ``NAME LOCATION`` lines: SQLite paths or PostgreSQL URLs,
one database per project, as ``Review.open`` takes them).

Why this shape. A project is one store opened with ``Review.open(location)``, an SQLite file or
one PostgreSQL database, and the store keeps the project's own accounts, roles, sessions and audit
log. So the server runs the unchanged one-project app (:func:`~logicmap.web.app.create_app`) per
project and puts a small hub (:class:`Hub`) in front of them:

* Signing in at the hub checks the name and password against every project's accounts and
  signs the browser into each project where they match, under one cookie token; each of those
  sessions has its own CSRF token. A user's account in a project is what puts the project on
  their list: a user sees only the projects where they have a role (``/projects``).
* Opening a project sets the ``logicmap_project`` cookie; ``?project=NAME`` on any page does the
  same (so links and bookmarks can name the project), and a JSON client may send the
  ``X-Logicmap-Project`` header instead. Every other request goes to the chosen project's own
  app, which checks the caller's role in that project on every route as ever.
* The hub's own JSON operations (``/api/projects``, ``/api/hub/...``) are added to the chosen (else
  the first) project's ``/openapi.json``, which the hub serves.
* A project the browser has no session in answers 404, the same as a project that does not
  exist, so a user does not learn the names of other teams' projects.

Project-scoped URLs (``/p/NAME/screen``) were weighed and left: every link, form action,
redirect and script of the app would need the prefix, and the one-project app (``logicmap serve
-p PROJECT``, its tests) would change with them. The cost of the cookie is that two tabs share
the chosen project; a form left open in a tab of project A and posted after switching to B is
refused by B's CSRF check (each project session has its own token) and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.types import Receive, Scope, Send

from logicmap.web.app import READY_WAIT, create_app
from logicmap.web.security import COOKIE, PUBLIC_ROUTES, Caller, session_caller

#: The cookie naming the chosen project.
PROJECT_COOKIE = "logicmap_project"
#: The header a JSON client may name the project with instead.
PROJECT_HEADER = "x-logicmap-project"
#: Paths the hub answers itself (the rest go to the chosen project's app).
HUB_PATHS = ("/login", "/logout", "/projects", "/healthz", "/account/password", "/api/projects", "/api/hub",
             "/openapi.json")
#: Paths every project app answers alike, sent to the first project when none is chosen.
SHARED_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
#: A project's name in URLs and file names.
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
#: File endings of the project stores found in a ``--projects`` folder.
STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def slug_of(text: str) -> str:
    """A project name for URLs and files made from ``text`` (lower case, letters, digits, ``-``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def folder_projects(folder: Path) -> dict[str, str]:
    """The project stores in ``folder`` by name (file name without its ending), sorted."""
    found = {}
    for path in sorted(Path(folder).iterdir()):
        if path.is_file() and path.suffix in STORE_SUFFIXES and SLUG.match(path.stem):
            found[path.stem] = str(path)
    return found


def listed_projects(path: Path) -> dict[str, str]:
    """The projects of a list file: ``NAME LOCATION`` per line (blank lines and lines starting with ``#``
    skipped).

    Raises ``ValueError`` naming the file and line of a bad name, a missing location or a repeat.
    """
    found: dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 2 or not SLUG.match(words[0]) or words[0] in found:
            raise ValueError(f"{path}, line {number}: expected 'NAME LOCATION' with a new name of letters, "
                             "digits, - and _ (lower case)")
        found[words[0]] = words[1]
    return found


@dataclass
class Project:
    """One project the hub serves: its name in URLs, where its store is, its app."""

    slug: str
    location: str
    app: FastAPI

    @property
    def title(self) -> str:
        return self.app.state.review.name

    def caller(self, token: str) -> Caller | None:
        """Who ``token`` is signed in as in this project (None: no session here)."""
        return session_caller(self.app.state, token)


class Hub:
    """The ASGI app of several projects: the hub's own pages, then each project's app.

    ``projects``: name -> location (SQLite path or PostgreSQL URL); ``folder``: where a new project
    made from the project list is created (None: creating is off). The other options are
    :func:`~logicmap.web.app.create_app`'s, for every project.
    """

    def __init__(self, projects: dict[str, str], *, folder: Path | None = None, service_options: dict | None = None,
                 https: bool = False, on_ready: Callable[[], None] | None = None) -> None:
        from logicmap.web.projects_pages import hub_pages

        self.folder, self.https, self.on_ready = folder, https, on_ready
        self.service_options = service_options or {}
        self.projects: dict[str, Project] = {}
        self._secret = secrets.token_bytes(32)
        self._stack: AsyncExitStack | None = None
        for slug, location in projects.items():
            if not SLUG.match(slug):
                raise ValueError(f"project name {slug!r}: letters, digits, - and _ only")
            self.projects[slug] = self._project(slug, location)
        self.pages = hub_pages(self)

    def _project(self, slug: str, location: str) -> Project:
        app = create_app(location, service_options=self.service_options, https=self.https, ready_wait=0)
        app.state.hub = slug
        return Project(slug, location, app)

    @asynccontextmanager
    async def lifespan(self, _app):
        """Open every project (its store, its screening service) for as long as the server runs; serve once
        every project's screening is ready, or after :data:`~logicmap.web.app.READY_WAIT` seconds for all."""
        async with AsyncExitStack() as stack:
            for project in self.projects.values():
                await stack.enter_async_context(project.app.router.lifespan_context(project.app))
            until = time.monotonic() + READY_WAIT  # the projects prepare side by side: one wait for all
            for project in self.projects.values():
                project.app.state.service.wait_open(max(0.0, until - time.monotonic()))
            self._stack = stack
            if self.on_ready is not None:
                self.on_ready()
            yield
            self._stack = None

    async def add(self, slug: str, location: str) -> Project:
        """Start serving a project made while the server runs."""
        project = self._project(slug, location)
        await self._stack.enter_async_context(project.app.router.lifespan_context(project.app))
        self.projects[slug] = project
        return project

    # -- who is signed in where --------------------------------------------------------
    def signed_in(self, token: str) -> list[tuple[Project, Caller]]:
        """The projects ``token`` has a session in, with the caller there, by name."""
        found = []
        for slug in sorted(self.projects):
            caller = self.projects[slug].caller(token) if token else None
            if caller is not None:
                found.append((self.projects[slug], caller))
        return found

    def csrf(self, token: str) -> str:
        """The CSRF token of the hub's own forms for the browser signed in with ``token``."""
        return hmac.new(self._secret, token.encode(), hashlib.sha256).hexdigest()

    # -- dispatch -----------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/static/") or any(
                path == p or path.startswith(p + "/") for p in HUB_PATHS):
            await self.pages(scope, receive, send)
            return
        request = Request({**scope, "app": self.pages})  # the hub answers refusals with its own pages
        chosen = chosen_project(request)
        if chosen is None and path in SHARED_PATHS and self.projects:
            chosen = sorted(self.projects)[0]
        if chosen is None:
            await self._unchosen(request)(scope, receive, send)
            return
        project = self.projects.get(chosen)
        token = request.cookies.get(COOKIE, "")
        public = (request.method, path) in PUBLIC_ROUTES
        if project is None or not (public or project.caller(token)):
            await self._refused(request, chosen)(scope, receive, send)
            return
        if request.query_params.get("project") == chosen and request.cookies.get(PROJECT_COOKIE) != chosen:
            send = _with_cookie(send, chosen, secure=self.https or scope.get("scheme") == "https")
        await project.app(scope, receive, send)

    def _unchosen(self, request: Request):
        """No project chosen: the project list (pages) or a clear 404 (API); signed out: sign in."""
        if not self.signed_in(request.cookies.get(COOKIE, "")):
            return _sign_in(request)
        if _api(request):
            return JSONResponse({"detail": "No project chosen: open one from /projects, or send the "
                                           "X-Logicmap-Project header."}, status_code=404)
        return RedirectResponse("/projects", status_code=303)

    def _refused(self, request: Request, chosen: str):
        """A project that is not there or not the caller's: 404 either way (signed out: sign in)."""
        token = request.cookies.get(COOKIE, "")
        sessions = self.signed_in(token)
        if not sessions:
            return _sign_in(request)
        message = f"No project {chosen!r} among yours: see the list of your projects at /projects."
        if _api(request):
            return JSONResponse({"detail": message}, status_code=404)
        from logicmap.web.projects_pages import HubCaller, error_page

        return error_page(request, 404, message, HubCaller(token, sessions, self.csrf(token)))


def chosen_project(request: Request) -> str | None:
    """The project a request names: the header, else ``?project=``, else the cookie."""
    return (request.headers.get(PROJECT_HEADER) or request.query_params.get("project")
            or request.cookies.get(PROJECT_COOKIE) or None)


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _sign_in(request: Request):
    if _api(request):
        return JSONResponse({"detail": "Please sign in (your session may have expired)."}, status_code=401)
    path = request.url.path if request.method in ("GET", "HEAD") else "/"
    query = parse_qs(request.url.query).get("project")
    target = path + (f"?project={quote(query[0])}" if query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def project_cookie(slug: str, *, secure: bool) -> str:
    """The ``Set-Cookie`` value choosing project ``slug``."""
    cookie = SimpleCookie()
    cookie[PROJECT_COOKIE] = slug
    morsel = cookie[PROJECT_COOKIE]
    morsel["path"], morsel["httponly"], morsel["samesite"] = "/", True, "lax"
    if secure:
        morsel["secure"] = True
    return morsel.OutputString()


def _with_cookie(send: Send, slug: str, *, secure: bool) -> Send:
    """``send`` with the project cookie added to the response's headers."""
    value = project_cookie(slug, secure=secure).encode("latin-1")

    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", value)]}
        await send(message)

    return sending


def create_hub(projects: dict[str, str] | None = None, *, folder: Path | str | None = None,
               service_options: dict | None = None, https: bool = False,
               on_ready: Callable[[], None] | None = None) -> Hub:
    """The server of several projects: ``projects`` (name -> location, e.g. from :func:`listed_projects`)
    and every store in ``folder`` (where the project list also creates new ones); ``on_ready()`` is
    called once every project is prepared, just before the server takes requests."""
    found = dict(projects or {})
    if folder is not None:
        found = {**folder_projects(Path(folder)), **found}
    return Hub(found, folder=Path(folder) if folder is not None else None, service_options=service_options,
               https=https, on_ready=on_ready)
