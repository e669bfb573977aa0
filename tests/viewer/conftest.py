"""Fixtures for the viewer tests: a scripted two-version run, and a real browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.config import Project
from harness.runs import RunOptions, RunOutcome, execute_run
from tests.helpers import copy_example_project, fake_candidate, fake_judge
from tests.viewer.browser import launch, require_browser


@pytest.fixture(scope="session")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, RunOutcome]:
    """assistant@v1 and @v2 on the directness and over-refusal queries, K=2, scripted candidate and judge."""
    project = Project.load(copy_example_project(tmp_path_factory.mktemp("viewer") / "project"))
    outcome = execute_run(
        project, RunOptions(candidate_provider=fake_candidate(), judge_provider=fake_judge(), name="example")
    )
    return project, outcome


@pytest.fixture(scope="module")
def _browser() -> Iterator[object]:
    # Module scope: Playwright's sync API keeps an event loop running while it is open, and
    # asyncio.run (every harness run) refuses to start beside it. Runs are made before it starts.
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


class PageErrors(list):
    """Console errors and uncaught exceptions seen by a page."""


def _page(browser, *, bypass_csp: bool) -> Iterator[tuple[object, PageErrors]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp)
    page = context.new_page()
    errors = PageErrors()
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    yield page, errors
    context.close()


@pytest.fixture
def browser_page(_browser) -> Iterator[tuple[object, PageErrors]]:  # type: ignore[no-untyped-def]
    """A fresh page in the real browser, and the errors it logs (console and uncaught).

    The page's Content Security Policy is bypassed so tests can evaluate script in it;
    that also proves escaping holds without the policy's help. ``strict_page`` keeps it.
    """
    yield from _page(_browser, bypass_csp=True)


@pytest.fixture
def strict_page(_browser) -> Iterator[tuple[object, PageErrors]]:  # type: ignore[no-untyped-def]
    """A fresh page with the page's own Content Security Policy in force."""
    yield from _page(_browser, bypass_csp=False)
