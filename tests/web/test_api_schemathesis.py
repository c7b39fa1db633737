"""schemathesis against the app's own /openapi.json on a live uvicorn server, signed in as the
project's owner (session cookie + X-CSRF-Token header): every JSON API operation, screening
included, answers hostile and odd input with a clear 4xx, never a 5xx or a stack trace.

Kept short and deterministic for CI: a few examples per operation, derandomized.
"""

from __future__ import annotations

import itertools
import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from web_helpers import LiveServer, sign_in, template  # noqa: F401  (fixtures)

#: examples per operation (CI: small; raise locally with LOGICMAP_SCHEMATHESIS_EXAMPLES for a longer hunt)
EXAMPLES = int(os.environ.get("LOGICMAP_SCHEMATHESIS_EXAMPLES", "10"))


@pytest.fixture(scope="module")
def live(template, tmp_path_factory):
    import shutil

    location = tmp_path_factory.mktemp("schemathesis") / "review.db"
    shutil.copy(template, location)
    with LiveServer(location) as server:
        yield server


@pytest.fixture(scope="module")
def owner(live):
    """A requests session signed in as alice (the owner), and her CSRF token."""
    client = sign_in(live, "alice")
    session = requests.Session()
    for cookie in client.cookies.jar:
        session.cookies.set_cookie(cookie)
    return session, client.csrf


def check(case, live, session, csrf) -> None:
    response = case.call(base_url=live.url, session=session, headers={"X-CSRF-Token": csrf}, timeout=60)
    what = (case.method, case.formatted_path, case.query, case.body, response.status_code, response.text[:300])
    assert response.status_code < 500, what
    assert "Traceback" not in response.text, what
    assert response.status_code not in (401, 403), what  # the signed-in owner, with her token


def test_no_api_operation_answers_5xx(live, owner):
    """Positive (schema-valid) and negative (schema-breaking) cases for every /api/ operation."""
    session, csrf = owner
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json", timeout=30).include(path_regex="^/api/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25 and any(op.path == "/api/screening/decide" for op in operations)
    failures, tried = [], 0
    for operation, mode in itertools.product(operations, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            check(case, live, session, csrf)

        try:
            run()
            tried += 1
        except Unsatisfiable:  # nothing to break: a negative case of an operation without input
            assert mode is GenerationMode.NEGATIVE
        except AssertionError as exc:
            failures.append(str(exc)[:600])
    assert tried >= len(operations)
    assert not failures, "\n".join(failures)
