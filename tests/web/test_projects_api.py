"""The hub's JSON API on a live server of several projects: its operations are in /openapi.json,
sign in / list / make a project / sign out over JSON, a password change is all-or-nothing and names
the project that refused, and schemathesis finds no 5xx in the hub's own operations."""

from __future__ import annotations

import httpx
import requests
import schemathesis
from hub_helpers import hub  # noqa: F401  (fixtures)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from web_helpers import PASSWORD, template  # noqa: F401  (fixtures)

from logicmap.api import Review

HUB_OPERATIONS = {("get", "/api/projects"), ("post", "/api/projects"), ("post", "/api/hub/login"),
                  ("post", "/api/hub/logout"), ("post", "/api/hub/password")}


def api_sign_in(hub, name: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=hub.url, follow_redirects=False, timeout=60)
    answer = client.post("/api/hub/login", json={"name": name, "password": password})
    assert answer.status_code == 200, answer.text
    client.csrf = answer.json()["csrf"]
    client.answer = answer.json()
    return client


def test_the_hub_operations_are_in_the_schema(hub):
    schema = httpx.get(f"{hub.url}/openapi.json", timeout=60).json()
    found = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert HUB_OPERATIONS <= found and ("post", "/api/screening/decide") in found  # the projects' too
    assert "ProjectOut" in schema["components"]["schemas"]
    chosen = httpx.get(f"{hub.url}/openapi.json", headers={"X-Logicmap-Project": "beta"}, timeout=60).json()
    assert HUB_OPERATIONS <= {(m, p) for p, item in chosen["paths"].items() for m in item}


def test_sign_in_list_make_and_sign_out_over_json(hub):
    assert httpx.post(f"{hub.url}/api/hub/login", json={"name": "carol", "password": "wrong"}).status_code == 401
    carol = api_sign_in(hub, "carol")
    assert {p["name"]: p["role"] for p in carol.answer["projects"]} == {"alpha": "reviewer", "beta": "owner"}
    assert carol.get("/api/projects").json() == carol.answer["projects"]
    headers = {"X-CSRF-Token": carol.csrf}
    body = {"name": "Delta review", "codebook": "recovery", "password": PASSWORD}
    assert carol.post("/api/projects", json=body).status_code == 403  # no CSRF token
    wrong = carol.post("/api/projects", json={**body, "codebook": "no-such"}, headers=headers)
    assert wrong.status_code == 400 and "unknown codebook" in wrong.json()["detail"]
    assert not (hub.folder / "delta-review.db").exists()
    made = carol.post("/api/projects", json=body, headers=headers)
    assert made.status_code == 201 and made.json() == {"name": "delta-review", "title": "Delta review",
                                                       "role": "owner"}
    assert "delta-review" in {p["name"] for p in carol.get("/api/projects").json()}
    assert carol.get("/api/session", headers={"X-Logicmap-Project": "delta-review"}).json()["role"] == "owner"
    dave = api_sign_in(hub, "dave")  # a reviewer only: refused, nothing made
    refused = dave.post("/api/projects", json={**body, "name": "Dave's"}, headers={"X-CSRF-Token": dave.csrf})
    assert refused.status_code == 403 and "owner" in refused.json()["detail"]
    assert not (hub.folder / "dave-s.db").exists()
    assert [p["name"] for p in dave.get("/api/projects").json()] == ["beta"]

    out = carol.post("/api/hub/logout", headers=headers)
    assert out.status_code == 200 and out.json()["signed_out"] == 3
    assert carol.get("/api/projects").status_code == 401


def test_a_password_change_is_all_or_nothing_and_names_the_refusing_project(hub):
    for name in ("alpha", "beta"):
        with Review.open(hub.folder / f"{name}.db") as review:
            review.accounts.add("fay", PASSWORD, role="reviewer")
    fay = api_sign_in(hub, "fay")
    with Review.open(hub.folder / "beta.db") as beta:  # changed in beta meanwhile (e.g. on the command line)
        beta.accounts.change_password(beta.accounts.get("fay"), PASSWORD, "beta only password")
    new = "a brand new password"
    answer = fay.post("/api/hub/password", json={"current": PASSWORD, "new": new}, headers={"X-CSRF-Token": fay.csrf})
    assert answer.status_code == 400 and "Project beta refused" in answer.json()["detail"]
    assert "No project's password was changed" in answer.json()["detail"]
    with Review.open(hub.folder / "alpha.db") as alpha:  # alpha (checked first) kept the old one
        assert alpha.accounts.authenticate("fay", PASSWORD) is not None
        assert alpha.accounts.authenticate("fay", new) is None

    page = fay.post("/account/password", data={"csrf": fay.csrf, "current": PASSWORD, "new": new, "repeat": new})
    assert page.status_code == 400 and "Project beta refused the change" in page.text

    with Review.open(hub.folder / "beta.db") as beta:
        beta.accounts.change_password(beta.accounts.get("fay"), "beta only password", PASSWORD)
    fay = api_sign_in(hub, "fay")
    answer = fay.post("/api/hub/password", json={"current": PASSWORD, "new": new}, headers={"X-CSRF-Token": fay.csrf})
    assert answer.status_code == 200 and answer.json()["signed_out"] == 2
    for name in ("alpha", "beta"):
        with Review.open(hub.folder / f"{name}.db") as review:
            assert review.accounts.authenticate("fay", new) is not None


def test_no_hub_operation_answers_5xx(hub):
    """schemathesis on the hub's own operations (signing out left out: it would end the session)."""
    client = api_sign_in(hub, "carol")
    session = requests.Session()
    for cookie in client.cookies.jar:
        session.cookies.set_cookie(cookie)
    schema = schemathesis.openapi.from_url(f"{hub.url}/openapi.json", timeout=30).include(
        path_regex="^/api/(projects|hub/login|hub/password)$")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.method.lower(), op.path) for op in operations} == HUB_OPERATIONS - {("post", "/api/hub/logout")}
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=10, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(base_url=hub.url, session=session, headers={"X-CSRF-Token": client.csrf},
                                     timeout=60)
                what = (case.method, case.path, case.body, response.status_code, response.text[:300])
                assert response.status_code < 500 and "Traceback" not in response.text, what

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE
            except AssertionError as exc:
                failures.append(str(exc)[:600])
    assert not failures, "\n".join(failures)
    assert session.get(f"{hub.url}/api/projects").status_code == 200  # still signed in
