"""``review.accounts`` on SQLite and PostgreSQL: hashes, sessions by token hash, roles, the audit log."""

from __future__ import annotations

import pytest

from logicmap.api import AccountError, Review


def test_accounts_sessions_and_audit_on_every_backend(project_location):
    with Review.create(project_location) as review:
        owner = review.accounts.add("ana", "first password", admin=True)
        review.accounts.add("ben", "second password", role=None)
        assert (owner.role, owner.is_admin) == ("owner", True)
        assert review.accounts.authenticate("ana", "wrong password") is None
        assert review.accounts.authenticate("nobody", "first password") is None
        signed = review.accounts.authenticate("ana", "first password")
        token, csrf = review.accounts.sign_in(signed)
        session = review.accounts.session(token)
        assert session.account.name == "ana" and session.csrf == csrf
        assert review.accounts.session(token + "x") is None
        review.accounts.set_role("ben", "viewer", by="ana")
        assert review.accounts.get("ben").role == "viewer"
        review.accounts.change_password(signed, "first password", "third password")
        assert review.accounts.session(token) is None  # every session ended
        assert review.accounts.authenticate("ana", "third password") is not None
        with pytest.raises(AccountError, match="already exists"):
            review.accounts.add("ana", "another password")
        with pytest.raises(AccountError, match="not right"):
            review.accounts.change_password(signed, "first password", "fourth password")
        actions = [(e.actor, e.action) for e in review.accounts.audit()]
        assert actions[:3] == [("command line", "user.add"), ("command line", "user.add"), ("ana", "sign_in")]
        assert ("ana", "user.role") in actions and ("ana", "password.change") in actions
