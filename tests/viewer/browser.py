"""A real browser for the viewer tests: Debian's Chromium driven by Playwright.

Playwright's own browser download is not used: the tests point Playwright at
the system Chromium (``/usr/bin/chromium``, or ``HARNESS_CHROMIUM``). Without
it, or without the ``playwright`` package, the browser tests are skipped with
the reason, unless ``HARNESS_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which
makes them fail instead: CI must run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("HARNESS_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return 'the playwright package is not installed (pip install -e ".[test]")'
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium, or set HARNESS_CHROMIUM)"
    return None


def require_browser() -> None:
    """Skip (or, with HARNESS_REQUIRE_BROWSER=1, fail) when there is no browser to test in."""
    reason = missing_browser()
    if reason is None:
        return
    if os.environ.get("HARNESS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (HARNESS_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


def launch(playwright):  # type: ignore[no-untyped-def]
    """Chromium from the system packages, headless, with nothing reaching out to the network."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
