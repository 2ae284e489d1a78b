"""The e2e session: one small real catalog served by a real uvicorn process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.shop import CHROMIUM, CHROMIUM_ARGS, Server, run_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``vestis serve --demo`` on a free port in an empty home: the path ``make demo`` takes."""
    home: Path = tmp_path_factory.mktemp("vestis-home")
    with run_server(home) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless system Chromium driven by Playwright; skipped where Chromium is not installed.

    Module-scoped: Playwright's sync API keeps an event loop running while it is open.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
