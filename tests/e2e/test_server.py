"""The real server over HTTP, started as ``make demo`` starts it: products, uploads, restarts."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.shop import API_KEY, Server, run_server
from tests.unit.test_demo_shop import CATEGORIES, read_rows
from vestis.data.demo import demo_is_generated
from vestis.data.demo.shop import CUSTOMERS_FILE, EVENTS_FILE, IMAGES_DIR, PRODUCTS_FILE

pytestmark = pytest.mark.e2e

MB = 1024 * 1024
DEMO_PRODUCTS = 360


def test_the_generated_demo_is_the_full_default_shop(server: Server) -> None:
    """What ``serve --demo`` generated in the empty home: 360 products of six brands in every
    category, 2,000 shoppers and a year of events. Checked on the server's own files, so that the
    full-sized shop is generated once per test run (tests/unit/test_demo_shop.py checks a small one)."""
    demo = server.home / "demo"
    feed = read_rows(demo / PRODUCTS_FILE, "\t")
    assert len(feed) == DEMO_PRODUCTS and {r["product_type"] for r in feed} == CATEGORIES
    assert len({r["brand"] for r in feed}) == 6 and len({r["color"] for r in feed}) >= 14
    assert {r["gender"] for r in feed} == {"female", "male", "unisex"}
    assert len(read_rows(demo / CUSTOMERS_FILE)) == 2000
    assert 100_000 <= len(read_rows(demo / EVENTS_FILE)) <= 300_000
    assert len(list((demo / IMAGES_DIR).glob("*.png"))) == DEMO_PRODUCTS
    assert demo_is_generated(demo)


def test_lists_the_demo_products(server: Server) -> None:
    response = httpx.get(f"{server.url}/products", params={"limit": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == DEMO_PRODUCTS and len(body["data"]) == 100
    first = body["data"][0]
    image = httpx.get(server.url + first["image_url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    health = httpx.get(f"{server.url}/health").json()
    assert health["database"]["counts"]["events"] > 100_000


@pytest.mark.parametrize(
    "product_type",
    ["Tops", "Shirts", "Dresses", "Skirts", "Trousers", "Jeans", "Outerwear", "Shoes", "Accessories"],
)
def test_every_demo_category_is_on_sale(server: Server, product_type: str) -> None:
    body = httpx.get(f"{server.url}/products", params={"product_type": product_type}).json()
    assert body["count"] >= 20
    assert all(p["product_type"] == product_type for p in body["data"])


def test_filters_agree_with_each_product(server: Server) -> None:
    params = {"product_type": "Dresses", "max_price": 80, "limit": 100}
    body = httpx.get(f"{server.url}/products", params=params).json()
    assert 0 < body["count"] == len(body["data"])
    assert all(p["product_type"] == "Dresses" and p["price"] <= 80 for p in body["data"])


@pytest.mark.parametrize(
    ("content_type", "limit"),
    [("application/json", "10 MB"), ("multipart/form-data; boundary=vestis", "20 MB")],
    ids=["json", "multipart"],
)
def test_a_200_mb_streamed_upload_is_refused_quickly(server: Server, content_type: str, limit: str) -> None:
    before = httpx.get(f"{server.url}/health").json()["database"]["counts"]

    def body() -> Iterator[bytes]:
        chunk = b"[" + b" " * (MB - 1)
        for _ in range(200):
            yield chunk

    started = time.monotonic()
    response = httpx.post(
        f"{server.url}/events",
        content=body(),
        headers={"X-API-Key": API_KEY, "content-type": content_type},
        timeout=30,
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 413
    assert response.json() == {"detail": f"request body is larger than the {limit} limit"}
    assert elapsed < 10, f"took {elapsed:.1f} s"
    health = httpx.get(f"{server.url}/health")
    assert health.status_code == 200
    assert health.json()["database"]["counts"] == before


def test_events_round_trip(server: Server) -> None:
    event = {"user_id": "e2e", "item_id": "vs-00001", "timestamp": 1714567890, "event_type": "purchase"}
    headers = {"Authorization": f"Bearer {API_KEY}"}
    first = httpx.post(f"{server.url}/events", json={"events": [event, event]}, headers=headers)
    assert first.json() == {"accepted": 1, "duplicates": 1}
    refused = httpx.post(f"{server.url}/events", json={"events": [event]})
    assert refused.status_code == 401


def test_a_second_start_reuses_the_demo(server: Server) -> None:
    manifest = server.home / "demo" / "demo.json"
    written = manifest.stat().st_mtime_ns
    log = server.home / "server.log"
    generated_once = log.read_text().count("generating the demo shop")
    with run_server(server.home, startup_timeout=60) as again:
        assert httpx.get(f"{again.url}/products").json()["count"] == DEMO_PRODUCTS
    assert manifest.stat().st_mtime_ns == written
    assert log.read_text().count("generating the demo shop") == generated_once == 1
