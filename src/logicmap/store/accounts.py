"""Web accounts, signed-in sessions and the audit log in the project store.

Every accounts query lives here; values come back as frozen dataclasses, never
ORM rows, and each write is its own transaction. Session tokens are stored only
as their SHA-256, so the table never holds a usable cookie.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from logicmap.store.database import Store
from logicmap.store.tables import AuditEvent, User, WebSession


@dataclass(frozen=True)
class Account:
    """A user of the web app and their role in this project (None: no role)."""

    id: int
    name: str
    is_admin: bool
    role: str | None


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in browser session: whose it is and its CSRF token."""

    account: Account
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    actor: str
    action: str
    detail: str | None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _account(row: User) -> Account:
    return Account(id=row.id, name=row.name, is_admin=bool(row.is_admin), role=row.role)


def add_user(store: Store, name: str, password_hash: str, *, is_admin: bool, role: str | None) -> Account:
    """Store a new user; the caller checks the name is free."""
    with store.session() as session:
        row = User(name=name, password_hash=password_hash, is_admin=int(is_admin), role=role, created_at=_now())
        session.add(row)
        session.flush()
        return _account(row)


def find_user(store: Store, name: str) -> tuple[Account, str] | None:
    """The user called ``name`` and their password hash, or None."""
    with store.session() as session:
        row = session.scalars(select(User).where(User.name == name)).first()
        return (_account(row), row.password_hash) if row else None


def list_users(store: Store) -> list[Account]:
    """Every user, by name."""
    with store.session() as session:
        return [_account(r) for r in session.scalars(select(User).order_by(User.name))]


def set_password_hash(store: Store, user_id: int, password_hash: str) -> None:
    """Replace a user's password hash and end all their sessions."""
    with store.session() as session:
        session.get(User, user_id).password_hash = password_hash
        session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def set_role(store: Store, user_id: int, role: str | None) -> None:
    """Set a user's role in the project."""
    with store.session() as session:
        session.get(User, user_id).role = role


def add_session(store: Store, user_id: int, token: str, csrf: str, lifetime: timedelta) -> None:
    """Remember a signed-in browser by its token's hash."""
    now = _now()
    with store.session() as session:
        session.add(WebSession(token_hash=token_hash(token), user_id=user_id, csrf=csrf, created_at=now,
                               expires_at=now + lifetime))


def find_session(store: Store, token: str) -> SessionInfo | None:
    """The live session of ``token`` (None if unknown or expired)."""
    with store.session() as session:
        row = session.get(WebSession, token_hash(token))
        if row is None or row.expires_at <= _now():
            return None
        user = session.get(User, row.user_id)
        return SessionInfo(account=_account(user), csrf=row.csrf, expires_at=row.expires_at)


def drop_session(store: Store, token: str) -> None:
    """Forget a session (sign out)."""
    with store.session() as session:
        session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def add_audit(store: Store, actor: str, action: str, detail: str | None = None) -> None:
    """Append one line to the audit log."""
    with store.session() as session:
        session.add(AuditEvent(at=_now(), actor=actor, action=action, detail=detail))


def audit_log(store: Store) -> list[AuditEntry]:
    """The audit log, oldest first."""
    with store.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [AuditEntry(at=r.at, actor=r.actor, action=r.action, detail=r.detail) for r in rows]
