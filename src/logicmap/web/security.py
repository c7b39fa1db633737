"""Who may do what: the session cookie, the role guard every route depends on, CSRF, the login limit.

Every route of the app takes one :func:`guard` dependency naming the least role
it needs (``signed_in`` for one's own account, then ``viewer`` < ``reviewer`` < ``owner``), or is listed in
:data:`PUBLIC_ROUTES`. The guard refuses a signed-out request (pages: redirect to
the sign-in page; ``/api/``: 401), a user without that role in the project (403),
and a state-changing request (any method but GET/HEAD) without the session's
CSRF token in the ``csrf`` form field or the ``X-CSRF-Token`` header (403).
The sign-in form, posted before any session exists, carries its own token: the
value of the :data:`LOGIN_COOKIE` it set (:func:`login_token`, :func:`login_token_ok`).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from logicmap.api import Account, Review

COOKIE = "logicmap_session"
#: The sign-in form's CSRF cookie (no session exists yet): the form must send the same value back.
LOGIN_COOKIE = "logicmap_signin"
RANK = {"signed_in": 0, "viewer": 1, "reviewer": 2, "owner": 3}
SAFE_METHODS = ("GET", "HEAD")
#: Routes anyone may reach, signed in or not: (method, path).
PUBLIC_ROUTES = {("GET", "/login"), ("POST", "/login"), ("GET", "/openapi.json"), ("GET", "/docs"),
                 ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"), ("GET", "/healthz"),
                 ("GET", "/invite"), ("POST", "/invite")}


class Refused(Exception):
    """A request refused with a clear message: ``status`` 401, 403, 404 or 429 (or a redirect to sign in)."""

    def __init__(self, status: int, message: str, *, sign_in: bool = False) -> None:
        super().__init__(message)
        self.status, self.message, self.sign_in = status, message, sign_in


@dataclass(frozen=True)
class Caller:
    """The signed-in user of a request, their session's CSRF token and cookie token."""

    account: Account
    csrf: str
    token: str

    @property
    def name(self) -> str:
        return self.account.name


def review_of(request: Request) -> Review:
    """The project the app serves."""
    return request.app.state.review


def caller_of(request: Request) -> Caller | None:
    """The signed-in user of the request, or None (looked up at most every few seconds per token)."""
    return session_caller(request.app.state, request.cookies.get(COOKIE, ""))


def session_caller(state, token: str) -> Caller | None:
    """The caller signed in with ``token`` to the project of an app's ``state`` (its review and
    session cache), or None."""
    if not token:
        return None
    cache: SessionCache = state.sessions
    caller = cache.get(token)
    if caller is None:
        info = state.review.accounts.session(token)
        caller = Caller(info.account, info.csrf, token) if info else None
        if caller is not None:
            cache.put(token, caller)
    return caller


def _remembered(request: Request) -> Caller | None:
    """The signed-in caller when the session cache holds the request's token (no store read)."""
    token = request.cookies.get(COOKIE, "")
    return request.app.state.sessions.get(token) if token else None


class SessionCache:
    """Signed-in callers by cookie token for ``ttl`` seconds, so a burst of requests reads the store once.

    Sign-out and password change call :meth:`forget` / :meth:`forget_account`, so
    they take effect at once in this process; an expiry takes at most ``ttl`` more.
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Caller]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Caller | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is None or entry[0] < time.monotonic():
                self._entries.pop(token, None)
                return None
            return entry[1]

    def put(self, token: str, caller: Caller) -> None:
        with self._lock:
            if len(self._entries) > 10_000:  # bounded: drop the lot, they are re-read on demand
                self._entries.clear()
            self._entries[token] = (time.monotonic() + self.ttl, caller)

    def forget(self, token: str) -> None:
        with self._lock:
            self._entries.pop(token, None)

    def forget_account(self, account_id: int) -> None:
        with self._lock:
            for token in [t for t, (_, c) in self._entries.items() if c.account.id == account_id]:
                del self._entries[token]


async def _csrf_sent(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        return str((await request.form()).get("csrf", ""))
    return ""


def guard(least: str):
    """The dependency of a route open to ``least`` and higher roles (see the module docstring)."""

    async def check(request: Request) -> Caller:
        request.app.state.last_request = time.monotonic()  # background work waits for a pause (model.warm)
        caller = _remembered(request)
        if caller is None and request.cookies.get(COOKIE):  # a store read: off the event loop, which serves everyone
            caller = await run_in_threadpool(caller_of, request)
        if caller is None:
            raise Refused(401, "Please sign in (your session may have expired).", sign_in=True)
        role = caller.account.role
        if RANK.get(role or "signed_in", 0) < RANK[least]:
            raise Refused(403, f"Your role in this project ({role or 'none'}) does not allow this; "
                               f"it needs {least} or above.")
        if request.method not in SAFE_METHODS:
            sent = await _csrf_sent(request)
            if not sent or not secrets.compare_digest(sent, caller.csrf):
                raise Refused(403, "This form is out of date (missing or wrong CSRF token): reload the page "
                                   "and try again.")
        return caller

    check.least = least  # read by the access-control test
    return Depends(check)


def login_token(request: Request) -> str:
    """The sign-in form's CSRF token: the browser's ``LOGIN_COOKIE`` if it has one, else a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def login_token_ok(request: Request, sent: str | None) -> bool:
    """True when the sign-in form sent back the token of the browser's ``LOGIN_COOKIE``."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    return bool(cookie and sent) and secrets.compare_digest(cookie, sent)


def secure_cookies(request: Request) -> bool:
    """Mark cookies Secure: served over HTTPS, or told so (behind an HTTPS proxy)."""
    return bool(request.app.state.https or request.url.scheme == "https")


def sign_in_url(request: Request) -> str:
    """The sign-in page, coming back to this page afterwards."""
    path = request.url.path if request.method in SAFE_METHODS else "/"
    return f"/login?next={quote(path)}"


class LoginLimiter:
    """At most ``per_name`` failed sign-ins per user name and ``per_address`` per client address in ``window`` s.

    The address limit is higher: a team behind one proxy or NAT shares an address.
    """

    def __init__(self, per_name: int = 5, per_address: int = 50, window: float = 300.0) -> None:
        self.limits = {"name": per_name, "addr": per_address}
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, name: str, address: str) -> bool:
        """True when the name or the address has used up its failed attempts."""
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(key, now)) >= self.limits[key[0]]
                       for key in (("name", name), ("addr", address)))

    def failed(self, name: str, address: str) -> None:
        """Count one failed attempt against the name and the address."""
        now = time.monotonic()
        with self._lock:
            for key in (("name", name), ("addr", address)):
                self._recent(key, now).append(now)
