"""One server, several projects (``logicmap serve --projects DIR``): each user sees only the projects
where they have a role, every route of a project is refused (404) to a user without a session in it,
the hub's own routes each have a rule, a new project is made from the list, a form of one project
cannot change another, and signing out ends every project's session."""

from __future__ import annotations

import re
import sqlite3

import httpx
from hub_helpers import hub, hub_sign_in  # noqa: F401  (fixtures)
from starlette.routing import Mount
from test_access import flat, request, routes
from web_helpers import PASSWORD, template  # noqa: F401  (fixtures)

from logicmap.web.projects import HUB_PATHS
from logicmap.web.projects_pages import HUB_PUBLIC
from logicmap.web.security import PUBLIC_ROUTES


def listed(client: httpx.Client) -> set[str]:
    return set(re.findall(r'data-project="([^"]+)"', client.get("/projects").text))


def decisions(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("select count(*) from screening_decisions").fetchone()[0]


def hub_routes(app):
    """``(method, path, guarded)`` of every route of the hub's own pages; each is public or guarded."""
    found = []
    for route in flat(app.routes):
        if isinstance(route, Mount):
            assert route.path == "/static", f"unexpected mounted app at {route.path}"
            continue
        for method in sorted(route.methods - {"HEAD"}):
            guards = [d.call.least for d in route.dependant.dependencies if hasattr(d.call, "least")]
            public = (method, route.path) in HUB_PUBLIC
            assert public != bool(guards), f"{method} {route.path}: public and guarded, or neither"
            found.append((method, route.path, bool(guards)))
    return found


def test_each_user_sees_only_their_projects(hub):
    assert listed(hub_sign_in(hub, "alice")) == {"alpha"}
    assert listed(hub_sign_in(hub, "dave")) == {"beta"}
    assert listed(hub_sign_in(hub, "carol")) == {"alpha", "beta"}
    nora = hub_sign_in(hub, "nora")  # an account in alpha, but no role there
    assert listed(nora) == set() and "You have no role in any project" in nora.get("/projects").text


def test_a_user_with_no_role_in_a_project_gets_404_on_all_its_routes(hub):
    dave = hub_sign_in(hub, "dave", "beta")
    before = decisions(hub.folder / "alpha.db")
    table = routes(hub.app.projects["alpha"].app)
    assert ("GET", "/fulltext") in {(m, p) for m, p, _ in table}
    checked = 0
    for method, path, least in table:
        if least is None or path in HUB_PATHS:  # sign-out and password are the hub's, for every project
            continue
        for how in ({"X-Logicmap-Project": "alpha"}, {"cookie": "alpha"}, {"query": "alpha"}):
            client = httpx.Client(base_url=hub.url, cookies=dave.cookies, follow_redirects=False, timeout=60)
            if "cookie" in how:
                client.cookies.set("logicmap_project", "alpha")
            url = path + ("?project=alpha" if "query" in how else "")
            client.headers.update({k: v for k, v in how.items() if k.startswith("X-")})
            response = request(client, method, url, dave.csrf)
            assert response.status_code == 404, (method, path, how, response.status_code)
            checked += 1
    assert checked >= 3 * 40
    assert dave.get("/projects/alpha").status_code == 404
    assert decisions(hub.folder / "alpha.db") == before
    assert dave.get("/api/session").json()["user"] == "dave"  # beta (the chosen one) still answers


def test_signed_out_and_hub_route_rules(hub):
    table = hub_routes(hub.app.pages)
    assert {("GET", "/projects"), ("POST", "/projects/new"), ("POST", "/logout"), ("GET", "/api/projects"),
            ("POST", "/api/projects"), ("POST", "/api/hub/logout")} <= {(m, p) for m, p, _ in table}
    anonymous = httpx.Client(base_url=hub.url, follow_redirects=False, timeout=60)
    for method, path, guarded in table:
        if guarded and path.startswith("/api/"):
            assert request(anonymous, method, path).status_code == 401, path
        elif guarded:
            response = request(anonymous, method, path.replace("{slug}", "alpha"))
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    for method, path, least in routes(hub.app.projects["alpha"].app):
        if least is not None and path not in HUB_PATHS:
            response = request(anonymous, method, path + "?project=alpha")
            expected = 401 if path.startswith("/api/") else 303
            assert response.status_code == expected, (method, path, response.status_code)
    assert anonymous.get("/api/screening/next").status_code == 401
    assert {("GET", "/login")} <= PUBLIC_ROUTES


def test_a_form_of_one_project_cannot_change_another(hub):
    carol = hub_sign_in(hub, "carol", "alpha")
    alpha_csrf = carol.csrf
    assert carol.get("/projects/beta").status_code == 303  # the other tab switches to beta
    before = decisions(hub.folder / "beta.db"), decisions(hub.folder / "alpha.db")
    record = carol.get("/api/screening/next").json()["record"]["record_id"]
    stale = carol.post("/screen/decide", data={"csrf": alpha_csrf, "record_id": str(record), "decision": "include"})
    assert stale.status_code == 403 and "out of date" in stale.text
    assert (decisions(hub.folder / "beta.db"), decisions(hub.folder / "alpha.db")) == before
    beta_csrf = carol.get("/api/session").json()["csrf"]
    fresh = carol.post("/screen/decide", data={"csrf": beta_csrf, "record_id": str(record), "decision": "include"})
    assert fresh.status_code == 303
    assert decisions(hub.folder / "beta.db") == before[0] + 1 and decisions(hub.folder / "alpha.db") == before[1]


def test_an_owner_makes_a_project_from_the_list(hub):
    carol = hub_sign_in(hub, "carol")
    wrong = carol.post("/projects/new", data={"csrf": carol.csrf, "name": "Gamma review", "codebook": "recovery",
                                              "password": "not her password"})
    assert wrong.status_code == 400 and "password is not right" in wrong.text
    assert not (hub.folder / "gamma-review.db").exists()
    refused = carol.post("/projects/new", data={"name": "Gamma review", "codebook": "recovery", "password": PASSWORD})
    assert refused.status_code == 403 and not (hub.folder / "gamma-review.db").exists()  # no CSRF token
    made = carol.post("/projects/new", data={"csrf": carol.csrf, "name": "Gamma review", "codebook": "realist-cmo",
                                             "password": PASSWORD})
    assert made.status_code == 303 and (hub.folder / "gamma-review.db").exists()
    assert listed(carol) == {"alpha", "beta", "gamma-review"}
    overview = carol.get("/")
    assert overview.status_code == 200 and "Gamma review" in overview.text
    assert carol.get("/api/session").json()["role"] == "owner"
    again = carol.post("/projects/new", data={"csrf": carol.csrf, "name": "gamma REVIEW", "codebook": "recovery",
                                              "password": PASSWORD})
    assert again.status_code == 400 and "exists already" in again.text
    assert listed(hub_sign_in(hub, "dave")) == {"beta"}  # not on anyone else's list
    bob = hub_sign_in(hub, "bob")  # a reviewer only: no form, and the route refuses him
    assert "form-new-project" not in bob.get("/projects").text
    assert bob.post("/projects/new", data={"csrf": bob.csrf, "name": "Bob's", "codebook": "recovery",
                                           "password": PASSWORD}).status_code == 403


def test_signing_out_ends_every_project_session(hub):
    carol = hub_sign_in(hub, "carol", "alpha")
    token = carol.cookies.get("logicmap_session")
    assert carol.post("/logout", data={"csrf": carol.csrf}).status_code == 303
    carol.cookies.clear()
    carol.cookies.set("logicmap_session", token)  # the old cookie, replayed: no project knows it now
    for project in ("alpha", "beta"):
        answer = carol.get("/api/session", headers={"X-Logicmap-Project": project})
        assert answer.status_code == 401, project


def test_an_invitation_link_names_its_project(hub):
    alice = hub_sign_in(hub, "alice", "alpha")
    page = alice.post("/settings/invite", data={"csrf": alice.csrf, "role": "viewer"}).text
    link = re.search(r'(http://[^"<\s]+/invite\?token=[^"<\s]+)', page).group(1).replace("&amp;", "&")
    assert link.endswith("&project=alpha")
    guest = httpx.Client(follow_redirects=False, timeout=60)
    form = guest.get(link)
    assert form.status_code == 200 and "invited as <strong>viewer</strong>" in form.text
    token = re.search(r'name="token" value="([^"]+)"', form.text).group(1)
    made = guest.post(f"{hub.url}/invite", data={"token": token, "name": "erin", "password": PASSWORD,
                                                 "repeat": PASSWORD})
    assert made.status_code == 303 and made.headers["location"] == "/login?invited=1"
    erin = hub_sign_in(hub, "erin")
    assert listed(erin) == {"alpha"} and "viewer" in erin.get("/projects").text
