"""The JSON twins of the hub's pages on a server of several projects: the caller's projects
(``GET /api/projects``), making one (``POST /api/projects``), signing in to every project and out of
them all (``/api/hub/login``, ``/api/hub/logout``) and the all-or-nothing password change
(``/api/hub/password``). The hub serves ``/openapi.json`` itself: the chosen (else the first)
project's schema with these operations added (:func:`hub_openapi`).

Signing in over JSON needs no CSRF token: a JSON body cannot be sent across sites without the
browser asking first, which this server never allows. Every other state change carries the hub's
(or a project session's) CSRF token in ``X-CSRF-Token``, as the pages do.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from logicmap.api import LogicmapError
from logicmap.web.pages import SignInRefused, session_cookie, start_sessions
from logicmap.web.projects import Hub, Project
from logicmap.web.projects_pages import (
    HubCaller,
    SignedIn,
    change_password_everywhere,
    make_project,
    sign_out_everywhere,
)
from logicmap.web.security import COOKIE

router = APIRouter()


class ProjectOut(BaseModel):
    """One project of the caller's: its name in URLs (``X-Logicmap-Project``), title and the caller's role."""

    name: str
    title: str
    role: str


class NewProject(BaseModel):
    """A project to make: its title (its name in URLs is made from it), codebook, and the maker's password."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    codebook: Annotated[str, Field(max_length=100)]
    password: Annotated[str, Field(max_length=1000)]


class Credentials(BaseModel):
    """A user name and password, tried against every project's accounts."""

    name: Annotated[str, Field(max_length=200)]
    password: Annotated[str, Field(max_length=1000)]


class SignedInOut(BaseModel):
    """Who signed in, the projects where they have a role, and the hub's CSRF token for ``X-CSRF-Token``."""

    user: str
    projects: list[ProjectOut]
    csrf: str


class PasswordChange(BaseModel):
    """The current password and the new one, for every project signed in to."""

    current: Annotated[str, Field(max_length=1000)]
    new: Annotated[str, Field(max_length=1000)]


class SignedOut(BaseModel):
    """How many project sessions ended."""

    signed_out: int


def _listed(caller: HubCaller) -> list[ProjectOut]:
    return [ProjectOut(name=p.slug, title=p.title, role=role) for p, role in caller.projects()]


def _project_out(project: Project, role: str) -> ProjectOut:
    return ProjectOut(name=project.slug, title=project.title, role=role)


@router.get("/api/projects", response_model=list[ProjectOut])
def api_projects(caller: SignedIn) -> list[ProjectOut]:
    """The caller's projects (only those where they have a role)."""
    return _listed(caller)


@router.post("/api/projects", response_model=ProjectOut, status_code=201,
              responses={403: {"description": "The caller owns no project (nor is an admin)"}})
async def api_new_project(request: Request, caller: SignedIn, body: NewProject) -> ProjectOut:
    """Make a project in the server's folder with the caller as its owner (owners of a project only)."""
    project = await make_project(request.app.state.hub_server, caller, body.name, body.codebook, body.password)
    return _project_out(project, "owner")


@router.post("/api/hub/login", response_model=SignedInOut,
              responses={401: {"description": "Wrong user name or password"}, 429: {"description": "Too many"}})
def api_login(request: Request, body: Credentials):
    """Sign in to every project where the name and password are right (sets the session cookie)."""
    hub: Hub = request.app.state.hub_server
    try:
        token = start_sessions(request, body.name, body.password,
                               [p.app.state.review.accounts for p in hub.projects.values()])
    except SignInRefused as refused:
        return JSONResponse({"detail": refused.message}, refused.status)
    caller = HubCaller(token, hub.signed_in(token), hub.csrf(token))
    answer = JSONResponse(SignedInOut(user=caller.name, projects=_listed(caller), csrf=caller.csrf).model_dump())
    return session_cookie(request, answer, token)


@router.post("/api/hub/logout", response_model=SignedOut)
def api_logout(caller: SignedIn):
    """Sign out of every project."""
    sign_out_everywhere(caller)
    response = JSONResponse(SignedOut(signed_out=len(caller.sessions)).model_dump())
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/api/hub/password", response_model=SignedOut)
def api_password(caller: SignedIn, body: PasswordChange):
    """Change the password in every project signed in to, or in none (400 names the project that
    refused); every session ends, so sign in again."""
    error = change_password_everywhere(caller, body.current, body.new, body.new)
    if error:
        raise LogicmapError(error)
    response = JSONResponse(SignedOut(signed_out=len(caller.sessions)).model_dump())
    response.delete_cookie(COOKIE, path="/")
    return response


def hub_openapi(hub: Hub, chosen: str | None) -> dict:
    """The chosen (else the first) project's OpenAPI schema with the hub's own JSON operations added."""
    pages = hub.pages
    own = get_openapi(title=pages.title, version=pages.version, routes=router.routes)
    slug = chosen if chosen in hub.projects else (sorted(hub.projects)[0] if hub.projects else None)
    schema = dict(hub.projects[slug].app.openapi()) if slug else dict(own)
    schema["paths"] = {**schema.get("paths", {}), **own.get("paths", {})}
    components = dict(schema.get("components", {}))
    components["schemas"] = {**components.get("schemas", {}), **own.get("components", {}).get("schemas", {})}
    schema["components"] = components
    return schema
