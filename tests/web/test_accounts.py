"""Accounts: `logicmap user add`, argon2 hashes, the session cookie, sign-out, password change, sign-in limit."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from web_helpers import PASSWORD, LiveServer, login, server, sign_in, template  # noqa: F401  (fixtures)

SRC = Path(__file__).resolve().parents[2] / "src"


def logicmap(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-m", "logicmap.cli", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def location(template, tmp_path):
    path = tmp_path / "review.db"
    shutil.copy(template, path)
    return path


def users(location) -> dict[str, tuple[str, str | None, int]]:
    with sqlite3.connect(location) as db:
        return {n: (h, r, a) for n, h, r, a in db.execute("select name, password_hash, role, is_admin from users")}


def test_user_add_reads_the_password_from_stdin_and_stores_only_an_argon2_hash(location):
    secret = "a-long-secret-9f3k"
    result = logicmap("user", "add", "dora", "--admin", "--password-stdin", "-p", str(location), stdin=secret + "\n")
    assert result.returncode == 0, result.stderr
    assert "Added user dora (owner, admin)" in result.stdout
    assert secret not in result.stdout + result.stderr
    hashed, role, admin = users(location)["dora"]
    assert hashed.startswith("$argon2id$") and secret not in hashed
    assert (role, admin) == ("owner", 1)


@pytest.mark.parametrize("args, stdin, message", [
    (["dora", "--password-stdin"], "short\n", "password too short"),
    (["alice", "--password-stdin"], "long enough password\n", "already exists"),
    (["dora", "--password-stdin", "--role", "boss"], "long enough password\n", "unknown role"),
    (["dora"], "", "--password-stdin"),
])
def test_user_add_refuses_bad_input_and_changes_nothing(location, args, stdin, message):
    before = users(location)
    result = logicmap("user", "add", *args, "-p", str(location), stdin=stdin)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert users(location) == before


def test_the_session_cookie_is_httponly_and_samesite_lax(server):
    client = httpx.Client(base_url=server.url)
    response = login(client, "bob")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_the_cookie_is_secure_when_served_for_https(location):
    with LiveServer(location, https=True) as live:
        response = login(httpx.Client(base_url=live.url), "bob")
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_password_is_refused_and_sign_out_ends_the_session(server):
    client = httpx.Client(base_url=server.url)
    refused = login(client, "bob", "wrong password")
    assert refused.status_code == 401 and "Wrong user name or password" in refused.text
    client = sign_in(server, "carol")
    assert client.get("/screen").status_code == 200
    assert client.post("/logout", data={"csrf": client.csrf}).status_code == 303
    after = client.get("/screen")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_a_stale_or_unknown_session_is_sent_to_sign_in(server):
    client = httpx.Client(base_url=server.url, cookies={"logicmap_session": "made-up"})
    assert client.get("/").headers["location"] == "/login?next=/"
    assert client.get("/api/screening/next").json()["detail"].startswith("Please sign in")


def test_password_change_ends_the_session_and_the_new_password_works(server):
    client = sign_in(server, "alice")
    wrong = client.post("/account/password", data={"csrf": client.csrf, "current": "nope nope",
                                                   "new": "new password 1", "repeat": "new password 1"})
    assert wrong.status_code == 400 and "not right" in wrong.text
    changed = client.post("/account/password", data={"csrf": client.csrf, "current": PASSWORD,
                                                     "new": "new password 1", "repeat": "new password 1"})
    assert changed.status_code == 303
    assert client.get("/").status_code == 303  # signed out
    assert sign_in(server, "alice", "new password 1").get("/").status_code == 200


def test_sign_in_is_limited_after_five_failures(server):
    client = httpx.Client(base_url=server.url)
    codes = [login(client, "vic", f"guess {i}").status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    blocked = login(client, "vic")
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text


def test_the_audit_log_records_accounts_and_sign_ins(server):
    sign_in(server, "bob")
    with sqlite3.connect(server.location) as db:
        actions = {(a, b) for a, b in db.execute("select actor, action from audit_events")}
    assert ("bob", "sign_in") in actions and ("command line", "user.add") in actions


def test_the_sign_in_form_needs_its_csrf_token(server):
    client = httpx.Client(base_url=server.url)
    form = client.get("/login")
    assert 'name="csrf"' in form.text and "logicmap_signin" in form.headers["set-cookie"]
    forged = client.post("/login", data={"name": "bob", "password": PASSWORD, "csrf": "forged"})
    assert forged.status_code == 403 and "out of date" in forged.text
    fresh = httpx.Client(base_url=server.url)  # a cross-site post: no cookie from our form
    assert fresh.post("/login", data={"name": "bob", "password": PASSWORD}).status_code == 403
    assert login(client, "bob").status_code == 303
