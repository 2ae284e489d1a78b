"""Server-rendered shop pages: catalog, product page, navigation, optional sections, 404."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_api_support import shop_client
from vestis.api.routes.guide import GuideCard, OutfitPublic
from vestis.api.schemas import ProductPublic
from vestis.web import pages

HTML = {"accept": "text/html"}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """A shop with 30 products (two catalog pages)."""
    return shop_client(tmp_path)


def card_links(html: str) -> list[str]:
    """Product ids of the cards on a page, in order."""
    return re.findall(r'class="card__link" href="/shop/([^"]+)"', html)


def test_catalog_shows_cards_filters_and_pagination(client: TestClient) -> None:
    html = client.get("/").text
    assert card_links(html) == [f"p{i:02d}" for i in range(24)]
    assert '<img src="/products/p00/image" alt="Red shirt 0"' in html
    assert "€10.00" in html
    assert '<option value="Dresses">Dresses</option>' in html
    assert '<option value="black">black</option>' in html
    assert 'name="min_price"' in html and 'name="q"' in html
    assert "Page 1 of 2" in html and 'href="/?page=2"' in html
    assert "30 items" in html


def test_catalog_filters_and_keeps_them_across_pages(client: TestClient) -> None:
    html = client.get("/", params={"color": "red", "q": "", "min_price": "", "max_price": "40"}).text
    assert card_links(html) == [f"p{i:02d}" for i in range(0, 30, 3)]
    assert '<option value="red" selected>' in html
    assert "Page" not in html
    html = client.get("/", params={"gender": "unisex"}).text
    assert len(card_links(html)) == 15
    second = client.get("/", params={"product_type": "Shirts", "page": 2})
    assert second.status_code == 200


def test_catalog_says_when_nothing_matches(client: TestClient) -> None:
    html = client.get("/", params={"q": "tuxedo"}).text
    assert card_links(html) == []
    assert "No products match these filters." in html


def test_product_page_shows_the_details_and_hides_empty_sections(client: TestClient) -> None:
    response = client.get("/shop/p03")
    html = response.text
    assert response.status_code == 200
    assert '<img src="/products/p03/image" alt="Red dress 3">' in html
    for text in (
        "Red dress 3",
        "Nordic",
        "€13.00",
        "Soft organic cotton.",
        "Dresses",
        '<li class="chip">M</li>',
    ):
        assert text in html
    for slot in ("Similar items", "Complete the look", "extra--size-advice", "chat-panel"):
        assert slot not in html


def test_product_sections_appear_when_filled(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    other = ProductPublic(id="p09", title="Black dress 9", price=19.0, currency="EUR")
    shoes = GuideCard(id="p08", title="Black shoes 8", link="/shop/p08", reasons=["Shoes"])
    look = OutfitPublic(
        anchor_id="p03", items=[shoes], roles={"shoes": "p08"}, score=1.0, reason="Black goes with red"
    )
    sections = pages.ProductSections(
        size_advice="Take M: it fits your last purchases best.",
        try_on=True,
        similar=[other],
        complete_the_look=[look],
    )
    monkeypatch.setattr(pages, "product_sections", lambda session, product: sections)
    html = client.get("/shop/p03").text
    for text in ("Take M: it fits", "Try it on", "Similar items", "Complete the look", "Black goes with red",
                 'href="/shop/p08"', 'href="/shop/p09"'):  # fmt: skip
        assert text in html


def test_navigation_is_data_driven(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "NAV", [*pages.NAV, pages.NavLink("Studio", "/studio")])
    html = client.get("/").text
    assert '<a href="/" aria-current="page">Shop</a>' in html
    assert '<a href="/studio">Studio</a>' in html


@pytest.mark.parametrize("path", ["/shop/nope", "/no/such/page"])
def test_browsers_get_a_friendly_404(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HTML)
    assert response.status_code == 404
    assert "This page has wandered off" in response.text
    assert 'href="/">Back to the shop' in response.text


def test_api_clients_still_get_json_404s(client: TestClient) -> None:
    assert client.get("/no/such/page").json() == {"detail": "Not Found"}


def test_static_assets_are_served(client: TestClient) -> None:
    assert client.get("/static/shop.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/shop.js").status_code == 200
