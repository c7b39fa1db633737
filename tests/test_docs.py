"""README.md stays true: its generated CLI reference is current."""

from __future__ import annotations

import io
from pathlib import Path

from cogapp import Cog

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
REGENERATE = "python -m cogapp -r README.md"


def test_cli_reference_is_current():
    cog = Cog()
    messages = io.StringIO()
    cog.set_output(stdout=messages, stderr=messages)
    status = cog.main(["cog", "--check", "--diff", str(README)])
    assert status == 0, (
        f"README.md's CLI reference is out of date with the command line; "
        f"regenerate it with `{REGENERATE}` in the repository.\n{messages.getvalue()}"
    )
