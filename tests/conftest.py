"""Shared fixtures; the helpers they use are in tests/support.py."""

from __future__ import annotations

import pytest

from tests.support import PG_URL_VAR, fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def project_location(request, tmp_path):
    """Where to create a project: an SQLite path, or a fresh PostgreSQL database.

    The PostgreSQL variant runs when LOGICMAP_TEST_PG_URL names a server (CI
    starts one in .ci/run) and is skipped with that reason otherwise.
    """
    import os

    if request.param == "sqlite":
        yield str(tmp_path / "review.db")
        return
    if not os.environ.get(PG_URL_VAR):
        pytest.skip(f"PostgreSQL variant needs {PG_URL_VAR} (set by .ci/run)")
    url, drop = fresh_postgres_database()
    yield url
    drop()
