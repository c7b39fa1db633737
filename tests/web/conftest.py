"""The web tests' shared browser: Debian's chromium, launched once per test."""

from __future__ import annotations

import pytest

from tests.browser_support import ARGS, CHROMIUM, WEB_ARTIFACTS


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    WEB_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()
