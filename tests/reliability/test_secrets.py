"""Issue 16 item 8: a database password never appears in any output, report file or export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.cli_helpers import invoke

SECRET = "S3cretTok9"


@pytest.mark.postgres
def test_password_never_printed_nor_written(project_location, tmp_path):
    if "://" not in project_location:
        pytest.skip("the secret is a PostgreSQL password")
    # the test server trusts local connections, so any password opens it: the URL carries one
    scheme, rest = project_location.split("://", 1)
    user_host = rest.split("@", 1)[-1]
    url = f"{scheme}://postgres:{SECRET}@{user_host}"
    ris = tmp_path / "a.ris"
    ris.write_text("".join(f"TY  - JOUR\nTI  - Peer support study {i}\nPY  - 2020\nER  - \n\n" for i in range(5)))
    outputs = [invoke("init", url), invoke("import", "-p", url, ris), invoke("dedupe", "-p", url),
               invoke("sources", "-p", url), invoke("report", "-p", url, "--out", tmp_path / "report"),
               invoke("export", "-p", url, "--format", "csv", "-o", tmp_path / "x.csv"),
               invoke("backup", "-p", url, tmp_path / "b.zip"),
               invoke("init", url, check=False)]  # refused: already a project; the message names the URL
    for ran in outputs:
        assert SECRET not in ran.stdout + ran.stderr
    assert any("postgres:***@" in ran.stdout + ran.stderr for ran in outputs)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
