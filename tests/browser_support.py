"""What every browser test shares: Debian's chromium, its headless flags, the artefact folder, the skip."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

needs_browser = pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not CHROMIUM.exists(),
    reason="browser test needs the 'playwright' Python package and /usr/bin/chromium "
           "(pip install playwright; apt-get install chromium; never 'playwright install')",
)
