"""The shopping guide in real headless Chromium: the chat panel finds products, the product page completes the look.

``python -m tests.e2e.test_guide_browser [HOME]`` starts the demo shop (in HOME, or a temporary
folder) and saves ``docs/screenshots/guide-chat.png``, ``guide-chat-mobile.png`` and
``complete-the-look.png``.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.shop import CHROMIUM, CHROMIUM_ARGS, REPOSITORY, Server, run_server
from tests.e2e.test_browser import ALL_IMAGES_LOADED

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1360, "height": 1000}
PHONE = {"width": 390, "height": 844}
QUESTION = "a red dress under 100"
DRESS = "vs-00119"  # Kite & Co viscose wrap dress in red


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized tab."""
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def ask_the_guide(page: Any, url: str, message: str) -> Any:
    """Open the shop, open the chat panel, send ``message`` and wait for the reply's product cards."""
    page.goto(url + "/", wait_until="networkidle")
    page.locator("[data-guide-toggle]").click()
    page.fill("#guide-message", message)
    page.keyboard.press("Enter")
    cards = page.locator("[data-testid=guide-results] .guide-card")
    cards.first.wait_for(timeout=30_000)
    # Wait for the reply's images (the page was idle before the reply came). Polled from here:
    # wait_for_function evaluates its predicate with eval in the page, which the shop's CSP forbids.
    images = page.locator("[data-testid=guide-results] img")
    for _ in range(300):
        if images.evaluate_all("imgs => imgs.every(i => i.complete)"):
            return cards
        page.wait_for_timeout(100)
    raise AssertionError("the guide's result images did not finish loading within 30 s")


def open_product(page: Any, url: str, product_id: str) -> Any:
    """Choose the first demo shopper on the home page, then open a product page; its "Complete the look"."""
    page.goto(url + "/", wait_until="networkidle")
    page.goto(f"{url}/shop/{product_id}", wait_until="networkidle")
    return page.locator("[data-testid=complete-the-look]")


def test_the_chat_answers_with_product_cards_that_match(server: Server, page: Any) -> None:
    cards = ask_the_guide(page, server.url, QUESTION)
    assert cards.count() > 0
    assert cards.locator("img").evaluate_all(ALL_IMAGES_LOADED)
    for href in cards.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        product = httpx.get(server.url + href.replace("/shop/", "/products/", 1)).json()
        assert product["product_type"] == "Dresses" and product["color"] == "red" and product["price"] <= 100
    session = page.evaluate("sessionStorage.getItem('vestis.guide.session')")
    assert session
    with page.expect_navigation():
        cards.first.click()
    assert "/shop/vs-" in page.url
    log = page.locator("[data-guide-log]")
    assert QUESTION in log.inner_text()  # the conversation follows the shopper to the product page


def test_the_chat_panel_fits_a_phone_screen(server: Server, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    ask_the_guide(page, server.url, QUESTION)
    box = page.locator("#guide-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    context.close()


def test_the_product_page_completes_the_look_and_advises_a_size(server: Server, page: Any) -> None:
    looks = open_product(page, server.url, DRESS)
    assert looks.locator("h2").inner_text() == "Complete the look"
    assert looks.locator(".look__reason").count() >= 1
    assert all(looks.locator(".look__reason").all_inner_texts())
    for look in looks.locator(".look").all():  # this dress first, then the pieces that complete it
        links = look.locator(".card__link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert links[0] == f"/shop/{DRESS}" and len(links) >= 3 and DRESS not in "".join(links[1:])
    assert looks.locator(".card img").evaluate_all(ALL_IMAGES_LOADED)
    advice = page.locator("[data-guide-size]")
    advice.wait_for(state="visible", timeout=15_000)
    assert "Size advice for cu-" in advice.inner_text()


def save_screenshots(url: str, folder: Path) -> None:
    """The chat with an answer (desktop and phone) and a product page's "Complete the look"."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name, viewport in (("guide-chat.png", DESKTOP), ("guide-chat-mobile.png", PHONE)):
            page = browser.new_page(viewport=viewport)
            ask_the_guide(page, url, QUESTION)
            page.screenshot(path=folder / name)
            page.close()
        page = browser.new_page(viewport=DESKTOP)
        looks = open_product(page, url, DRESS)
        looks.scroll_into_view_if_needed()
        page.screenshot(path=folder / "complete-the-look.png")
        browser.close()


if __name__ == "__main__":
    with (
        tempfile.TemporaryDirectory() as scratch,
        run_server(Path(sys.argv[1] if sys.argv[1:] else scratch)) as running,
    ):
        save_screenshots(running.url, REPOSITORY / "docs" / "screenshots")
    print("saved", REPOSITORY / "docs" / "screenshots")
