"""Browser fixtures for the editor's end-to-end tests.

The servers are the execution engine's (tests/engine_fixtures.py: daphne + a runpool worker as
subprocesses, on the test database); the browser and the user's view of the editor are
harness/browser.py's. The editor must be built (`make frontend`, which `make test` runs).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from harness.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, App


@pytest.fixture(scope="session")
def built_editor() -> Path:
    index = ROOT / "frontend" / "dist" / "index.html"
    if not index.is_file():
        pytest.fail("The editor is not built: run `make frontend` (make test does it).")
    return index


@pytest.fixture
def browser(built_editor: Path, engine_servers: Any, transactional_db: Any) -> Iterator[Browser]:
    # Per test, and set up after the database fixtures: Playwright's sync API runs an event loop
    # in this thread, and Django refuses ORM calls (the flush after each test) while one runs.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def make_app(engine_servers: Any, transactional_db: Any, browser: Browser) -> Iterator[Any]:
    contexts: list[BrowserContext] = []
    apps: list[App] = []

    def _make() -> App:
        context = browser.new_context(viewport={"width": 1500, "height": 900})
        contexts.append(context)
        app = App(context, engine_servers.origin)
        apps.append(app)
        return app

    yield _make
    for context in contexts:
        context.close()
    errors = [e for app in apps for e in app.errors]
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture
def app(make_app: Any) -> App:
    return make_app()
