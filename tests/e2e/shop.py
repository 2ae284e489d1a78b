"""The real demo shop for end-to-end tests and screenshots: server process and browser settings.

``python -m tests.e2e.shop`` starts ``vestis serve --demo`` in a temporary folder and saves
``docs/screenshots/catalog.png``, ``product.png`` and ``product-similar.png`` (its recommendation rows).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
API_KEY = "e2e-key"
REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Server:
    """A running Vestis server: where to reach it and the folder it keeps its data in."""

    url: str
    home: Path


@contextmanager
def run_server(
    home: Path, *, api_keys: str = API_KEY, startup_timeout: float = 600, demo: bool = True
) -> Iterator[Server]:
    """Run ``vestis serve --demo`` (what ``make demo`` runs) on a free port; stop it afterwards.

    The first start in an empty ``home`` generates and loads the demo shop, later ones reuse it.
    With ``demo=False`` the server starts on an empty catalog, for pages that need no products.
    """
    port = _free_port()
    env = {**os.environ, "VESTIS_HOME": str(home), "VESTIS_API_KEYS": api_keys, "VESTIS_PORT": str(port)}
    command = [sys.executable, "-m", "vestis", "serve", "--demo" if demo else "--no-demo"]
    log = (home / "server.log").open("ab")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, home / "server.log", timeout=startup_timeout)
        yield Server(url=url, home=home)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def save_screenshots(url: str, folder: Path) -> None:
    """Screenshots of the catalog and of the first product's page, as a shopper sees them."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.goto(url + "/", wait_until="networkidle")
        page.screenshot(path=folder / "catalog.png")
        page.locator(".card__link").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=folder / "product.png")
        similar = page.locator(".extra--similar")
        if similar.count():
            similar.scroll_into_view_if_needed()
            page.screenshot(path=folder / "product-similar.png")
        browser.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /health within {timeout:.0f} s:\n{log.read_text()}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        with run_server(Path(folder)) as server:
            save_screenshots(server.url, REPOSITORY / "docs" / "screenshots")
    print("saved", REPOSITORY / "docs" / "screenshots")
