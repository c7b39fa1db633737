"""The access-control matrix, over every route the app itself lists (a new route without a rule fails).

Each route is either public (``PUBLIC_ROUTES``) or depends on exactly one role guard.
Signed out: pages redirect to the sign-in page, /api/ answers 401. A user with no
role in the project: 403 on every project route. A viewer: 403 on every
state-changing project route, and the project's decisions are unchanged.
"""

from __future__ import annotations

import sqlite3

import httpx
import pytest
from web_helpers import server, sign_in, template  # noqa: F401  (fixtures)
from starlette.routing import Mount

from logicmap.api import Review
from logicmap.web.security import PUBLIC_ROUTES

GUARDED_LEVELS = {"signed_in", "viewer", "reviewer", "owner"}


def flat(routes):
    """Every route, with included routers opened up (FastAPI keeps them as one entry each)."""
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from route.effective_candidates()
        else:
            yield route


def routes(app):
    """``(method, path, least role or None for public)`` of every route of the app."""
    found = []
    for route in flat(app.routes):
        if isinstance(route, Mount):
            assert route.path == "/static", f"unexpected mounted app at {route.path}"
            continue
        for method in sorted(route.methods - {"HEAD"}):
            levels = [d.call.least for d in getattr(getattr(route, "dependant", None), "dependencies", [])
                      if hasattr(d.call, "least")]
            if (method, route.path) in PUBLIC_ROUTES:
                assert not levels, f"{method} {route.path} is both public and guarded"
                found.append((method, route.path, None))
                continue
            assert len(levels) == 1 and levels[0] in GUARDED_LEVELS, (
                f"{method} {route.path} has no role guard: depend on security.guard(...) or list it as public")
            found.append((method, route.path, levels[0]))
    return found


def request(client: httpx.Client, method: str, path: str, csrf: str | None = None) -> httpx.Response:
    url = path.replace("{", "").replace("}", "")  # no path parameters yet; keeps a template visible if added
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(url, headers=headers)
    body = {"record_id": 1, "decision": "include"} if url.startswith("/api/") else None
    data = None if body else {"record_id": "1", "decision": "include", "csrf": csrf or "",
                              "current": "x", "new": "y", "repeat": "z"}
    return client.request(method, url, json=body, data=data, headers=headers)


def decisions(location) -> int:
    with sqlite3.connect(location) as db:
        return db.execute("select count(*) from screening_decisions").fetchone()[0]


@pytest.fixture(scope="module")
def table(server):
    return routes(server.server.config.app)


def test_the_app_lists_its_screening_and_account_routes(table):
    listed = {(m, p) for m, p, _ in table}
    assert {("GET", "/screen"), ("POST", "/screen/decide"), ("POST", "/api/screening/decide"),
            ("GET", "/api/screening/next"), ("POST", "/logout"), ("POST", "/account/password"),
            ("GET", "/screen/conflicts"), ("POST", "/screen/conflicts/reconcile"), ("POST", "/screen/settings"),
            ("GET", "/api/screening/conflicts"), ("POST", "/api/screening/reconcile"),
            ("GET", "/api/screening/settings"), ("POST", "/api/screening/settings"),
            ("GET", "/api/fulltext/next"), ("POST", "/api/fulltext/attach"), ("GET", "/api/fulltext/file")} <= listed


def test_signed_out_requests_are_sent_to_sign_in_or_refused(server, table):
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    for method, path, least in table:
        if least is None:
            continue
        response = request(client, method, path)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login"), (method, path)


def test_a_user_without_a_role_is_refused_every_project_route(server, table):
    client = sign_in(server, "nora")
    for method, path, least in table:
        if least in (None, "signed_in"):
            continue
        response = request(client, method, path, client.csrf)
        assert response.status_code == 403, (method, path, response.status_code)
    assert "does not allow" in client.get("/").text


def project_state(location) -> str:
    """The whole project as canonical text, but for sessions and sign-in lines of the audit log."""
    with Review.open(location) as review:
        text = review.canonical_dump().decode()
    kept, table = [], None
    for line in text.splitlines():
        if line.startswith("# "):
            table = line[2:]
        if table != "web_sessions" and not (table == "audit_events" and '"sign_in"' in line):
            kept.append(line)
    return "\n".join(kept)


def test_a_viewer_changes_nothing(server, table):
    client = sign_in(server, "vic")
    before = project_state(server.location)
    for method, path, least in table:
        if method == "GET" or least in (None, "signed_in"):
            continue
        response = request(client, method, path, client.csrf)
        assert response.status_code == 403, (method, path, response.status_code)
    for method, path, least in table:  # reading every page changes nothing either
        if method == "GET" and least not in (None, "signed_in") and "{" not in path:
            assert request(client, method, path).status_code < 500, path
    assert client.get("/").status_code == 200  # but may read the project
    assert project_state(server.location) == before


def test_a_state_change_without_the_csrf_token_is_refused(server, table):
    before = decisions(server.location)
    client = sign_in(server, "alice")  # the owner: every route's role check passes, the token's does not
    for method, path, least in table:
        if method == "GET" or least is None:
            continue
        response = request(client, method, path, csrf="not-the-token")
        assert response.status_code == 403, (method, path, response.status_code)
        assert "CSRF" in response.text
    assert decisions(server.location) == before
