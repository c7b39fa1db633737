"""``review.accounts``: the web app's users, their roles, sign-in sessions and the audit log.

Passwords are hashed with argon2 (pwdlib's recommended hasher) and never kept
or returned in clear; a session token is handed to the caller once and stored
only as its hash. Roles are per project (one project per store): ``owner``
(everything, including accounts), ``reviewer`` (screens), ``viewer`` (reads).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash

from logicmap.errors import AccountError
from logicmap.store.accounts import (
    Account,
    AuditEntry,
    SessionInfo,
    add_audit,
    add_session,
    add_user,
    audit_log,
    drop_session,
    find_session,
    find_user,
    list_users,
    set_password_hash,
    set_role,
)
from logicmap.store.database import Store

ROLES = ("owner", "reviewer", "viewer")
MIN_PASSWORD = 8
SESSION_LIFETIME = timedelta(hours=12)
INVITATION_LIFETIME = timedelta(days=7)
#: The project setting holding open invitations: token hash -> role, inviter, expiry (JSON).
INVITATIONS = "web.invitations"
_HASHER = PasswordHash.recommended()
# verified against when the user is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")


class AccountsStage:
    """The project's web accounts."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, name: str, password: str, *, admin: bool = False, role: str | None = "reviewer",
            by: str = "command line") -> Account:
        """Create an account; an admin is the project's owner. Raises :class:`AccountError` on bad input."""
        name = name.strip()
        if not name or len(name) > 200 or any(c.isspace() for c in name):
            raise AccountError(f"user name {name!r}: one word of 1-200 characters, no spaces")
        role = "owner" if admin else role
        if role is not None and role not in ROLES:
            raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        _check_password(password)
        if find_user(self._store, name) is not None:
            raise AccountError(f"user {name!r} already exists")
        account = add_user(self._store, name, _HASHER.hash(password), is_admin=admin, role=role)
        add_audit(self._store, by, "user.add", f"{name} ({role or 'no role'})")
        return account

    def users(self) -> list[Account]:
        """Every account, by name."""
        return list_users(self._store)

    def get(self, name: str) -> Account | None:
        """The account called ``name``, or None."""
        found = find_user(self._store, name)
        return found[0] if found else None

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account if ``password`` is right, else None (same work either way)."""
        found = find_user(self._store, name)
        if found is None:
            _HASHER.verify(password, _DUMMY_HASH)
            return None
        account, hashed = found
        return account if _HASHER.verify(password, hashed) else None

    def sign_in(self, account: Account, *, token: str | None = None) -> tuple[str, str]:
        """Start a session: ``(token, csrf token)``; the token is not stored in clear.

        ``token``: one already handed to the browser (a server of several projects signs one
        browser into each of them under one token; each session still gets its own CSRF token).
        """
        token, csrf = token or secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        add_session(self._store, account.id, token, csrf, SESSION_LIFETIME)
        add_audit(self._store, account.name, "sign_in")
        return token, csrf

    def session(self, token: str) -> SessionInfo | None:
        """The live session of a token (None when unknown or expired)."""
        return find_session(self._store, token) if token else None

    def sign_out(self, token: str, actor: str) -> None:
        """End a session."""
        drop_session(self._store, token)
        add_audit(self._store, actor, "sign_out")

    def check_password_change(self, account: Account, old: str, new: str) -> None:
        """Raise :class:`AccountError` when :meth:`change_password` would refuse (changes nothing)."""
        if self.authenticate(account.name, old) is None:
            raise AccountError("the current password is not right")
        _check_password(new)

    def change_password(self, account: Account, old: str, new: str) -> None:
        """Change a password (the old one must be right); ends every session of the account."""
        self.check_password_change(account, old, new)
        set_password_hash(self._store, account.id, _HASHER.hash(new))
        add_audit(self._store, account.name, "password.change")

    def set_role(self, name: str, role: str | None, *, by: str) -> None:
        """Give ``name`` a role in the project (None removes it)."""
        account = self.get(name)
        if account is None:
            raise AccountError(f"no user {name!r}")
        if role is not None and role not in ROLES:
            raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        set_role(self._store, account.id, role)
        add_audit(self._store, by, "user.role", f"{name}: {role or 'no role'}")

    def invite(self, role: str, *, by: str) -> str:
        """A one-use invitation to make an account with ``role`` (valid for 7 days); returns its token.

        The token is handed out once (the admin sends the link) and kept only as its hash.
        """
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        token = secrets.token_urlsafe(24)
        invites = self._invitations()
        expires = datetime.now(UTC) + INVITATION_LIFETIME
        invites[_hash(token)] = {"role": role, "by": by, "expires": expires.isoformat()}
        self._store.set_setting(INVITATIONS, json.dumps(invites, sort_keys=True))
        add_audit(self._store, by, "user.invite", f"an invitation as {role}")
        return token

    def invitation(self, token: str) -> str | None:
        """The role an invitation token offers (None: unknown, used or expired)."""
        entry = self._invitations().get(_hash(token)) if token else None
        if entry is None or datetime.fromisoformat(entry["expires"]) < datetime.now(UTC):
            return None
        return entry["role"]

    def accept(self, token: str, name: str, password: str) -> Account:
        """Make the invited account (the invitation is then used up); :class:`AccountError` on bad input."""
        role = self.invitation(token)
        if role is None:
            raise AccountError("this invitation is unknown, used or expired: ask the project's owner for a new one")
        account = self.add(name, password, role=role, admin=False, by=f"invitation by "
                           f"{self._invitations()[_hash(token)]['by']}")
        invites = self._invitations()
        invites.pop(_hash(token), None)
        self._store.set_setting(INVITATIONS, json.dumps(invites, sort_keys=True))
        return account

    def _invitations(self) -> dict[str, dict]:
        return json.loads(self._store.setting(INVITATIONS) or "{}")

    def record(self, actor: str, action: str, detail: str | None = None) -> None:
        """Append a line to the audit log."""
        add_audit(self._store, actor, action, detail)

    def audit(self) -> list[AuditEntry]:
        """The audit log, oldest first."""
        return audit_log(self._store)


__all__ = ["Account", "AccountsStage", "AuditEntry", "ROLES", "SessionInfo"]
