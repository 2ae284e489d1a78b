"""Recommendations in the real shop: the API over HTTP and the rows shoppers see in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.shop import API_KEY, Server
from tests.e2e.test_browser import ALL_IMAGES_LOADED

pytestmark = pytest.mark.e2e
KEY = {"X-API-Key": API_KEY}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized tab."""
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    yield context.new_page()
    context.close()


def test_the_demo_server_serves_trained_models(server: Server) -> None:
    models = httpx.get(f"{server.url}/health").json()["models"]
    assert models["status"] == "ready"
    assert {label.split("@")[0] for label in models["loaded"]} >= {"popular", "itemknn", "als"}
    personal = f"{server.url}/customers/cu-000001/recommendations"
    assert httpx.get(personal).status_code == 401  # personal data: the shop's key or the shopper's token
    body = httpx.get(personal, params={"k": 5}, headers=KEY).json()
    assert body["count"] == 5 and all(item["reason"] and item["image_url"] for item in body["data"])
    cold = httpx.get(
        f"{server.url}/customers/someone-new/recommendations", params={"k": 3}, headers=KEY
    ).json()
    assert [item["reason"] for item in cold["data"]] == ["Popular right now"] * 3


def test_product_page_shows_similar_items_with_loaded_images(server: Server, page: Any) -> None:
    page.goto(server.url + "/shop/vs-00010", wait_until="networkidle")
    similar = page.locator(".extra--similar")
    assert similar.locator("h2").inner_text() == "Similar items"
    assert similar.locator(".card").count() == 6
    assert similar.locator(".card img").evaluate_all(ALL_IMAGES_LOADED)
    title = page.locator("h1").inner_text()
    assert all(title in reason for reason in similar.locator(".card__reason").all_inner_texts())
    looks = page.locator(".extra--looks-like")
    if looks.count():  # present once the visual model is trained
        assert looks.locator(".card img").evaluate_all(ALL_IMAGES_LOADED)


def test_home_page_recommends_for_the_chosen_shopper(server: Server, page: Any) -> None:
    page.goto(server.url + "/", wait_until="networkidle")
    row = page.locator("[data-testid=recommended]")
    assert row.locator("h2").inner_text() == "Recommended for you"
    first = row.locator(".card__title").all_inner_texts()
    assert len(first) == 8 and row.locator(".card img").evaluate_all(ALL_IMAGES_LOADED)
    options = page.locator("select[name=shopper] option")
    assert options.count() >= 3
    chosen = options.nth(2).get_attribute("value")
    with page.expect_navigation():
        page.select_option("select[name=shopper]", chosen)
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/?shopper={chosen}")
    assert page.locator("select[name=shopper]").input_value() == chosen
    row = page.locator("[data-testid=recommended]")
    assert row.locator(".card__title").all_inner_texts() != first
    assert all(row.locator(".card__reason").all_inner_texts())
    assert row.locator(".card img").evaluate_all(ALL_IMAGES_LOADED)
