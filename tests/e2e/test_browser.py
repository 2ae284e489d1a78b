"""The shop in real headless Chromium: cards with loaded images, filters, product page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.shop import Server

pytestmark = pytest.mark.e2e

ALL_IMAGES_LOADED = "imgs => imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized tab."""
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    yield context.new_page()
    context.close()


def test_catalog_shows_cards_with_loaded_images(server: Server, page: Any) -> None:
    page.goto(server.url + "/", wait_until="networkidle")
    cards = page.locator(".results .card")
    assert cards.count() == 24
    assert page.locator(".results__count").inner_text() == "360 items"
    assert page.locator(".results .card img").evaluate_all(ALL_IMAGES_LOADED)


def test_a_filter_narrows_the_grid(server: Server, page: Any) -> None:
    page.goto(server.url + "/", wait_until="networkidle")
    with page.expect_navigation():
        page.select_option("select[name=product_type]", "Dresses")
    page.wait_for_load_state("networkidle")
    titles = page.locator(".results .card__title").all_inner_texts()
    assert 0 < len(titles) <= 24
    assert all("dress" in title.lower() for title in titles)
    assert page.url.endswith("/?product_type=Dresses")
    assert page.locator("h1").inner_text() == "Dresses"
    assert page.locator(".results .card img").evaluate_all(ALL_IMAGES_LOADED)


def test_clicking_a_card_opens_the_product_page(server: Server, page: Any) -> None:
    page.goto(server.url + "/", wait_until="networkidle")
    card = page.locator(".results .card").nth(2)
    title = card.locator(".card__title").inner_text()
    with page.expect_navigation():
        card.click()
    page.wait_for_load_state("networkidle")
    assert "/shop/vs-" in page.url
    assert page.locator("h1").inner_text() == title
    assert page.locator(".product__media img").evaluate_all(ALL_IMAGES_LOADED)
    assert page.locator(".chip").count() > 0


def test_try_it_on_shows_the_result_beside_the_photo(server: Server, page: Any, shared_data: Path) -> None:
    photo = shared_data / "tryon-examples" / "person" / "01008_00.jpg"
    page.goto(server.url + "/shop/vs-00001", wait_until="networkidle")
    page.set_input_files("#try-on-photo", str(photo))
    with page.expect_navigation():
        page.locator(".try-on__form button").click()
    page.wait_for_load_state("networkidle")
    result = page.locator("[data-testid=try-on-result] img")
    assert result.count() == 2
    assert result.evaluate_all(ALL_IMAGES_LOADED)
    assert not (server.home / "tryon").exists()  # nothing kept: the shopper did not ask
