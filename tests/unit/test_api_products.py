"""GET /products, /products/{id} and /products/{id}/image."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_api_support import shop_client


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """A shop with 30 products and no key needed for reads."""
    return shop_client(tmp_path)


def test_lists_the_first_page_with_the_total_count(client: TestClient) -> None:
    body = client.get("/products").json()
    assert body["count"] == 30
    assert [p["id"] for p in body["data"]] == [f"p{i:02d}" for i in range(24)]


def test_paginates_with_offset_and_limit(client: TestClient) -> None:
    body = client.get("/products", params={"offset": 25, "limit": 10}).json()
    assert body["count"] == 30
    assert [p["id"] for p in body["data"]] == ["p25", "p26", "p27", "p28", "p29"]


@pytest.mark.parametrize("params", [{"offset": -1}, {"limit": 0}, {"limit": 101}, {"min_price": "cheap"}])
def test_rejects_bad_query_parameters(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/products", params=params)
    assert response.status_code == 422
    assert next(iter(params)) in response.json()["message"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"color": "RED"}, {f"p{i:02d}" for i in range(0, 30, 3)}),
        ({"product_type": "dresses", "brand": "nordic"}, {f"p{i:02d}" for i in range(1, 30, 2)}),
        ({"gender": "unisex", "max_price": 14}, {"p00", "p02", "p04"}),
        ({"min_price": 37, "max_price": 39}, {"p27", "p28", "p29"}),
        ({"q": "Black dress"}, {f"p{i:02d}" for i in range(2, 30, 3) if i % 2}),
        ({"color": "", "min_price": ""}, {f"p{i:02d}" for i in range(24)}),
    ],
)
def test_filters_narrow_the_list(client: TestClient, params: dict[str, object], expected: set[str]) -> None:
    body = client.get("/products", params=params).json()
    assert {p["id"] for p in body["data"]} == expected
    assert body["count"] == (30 if params.get("color") == "" else len(expected))


def test_reads_one_product_with_its_image_url(client: TestClient) -> None:
    product = client.get("/products/p03").json()
    assert product["title"] == "Red dress 3"
    assert product["size"] == ["S", "M", "L"]
    assert product["image_url"] == "/products/p03/image"
    assert "image_path" not in product


def test_unknown_product_is_a_404_that_names_it(client: TestClient) -> None:
    response = client.get("/products/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "no product with id 'nope'"}


def test_serves_the_stored_image_with_cache_headers(client: TestClient) -> None:
    response = client.get("/products/p01/image")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert "max-age" in response.headers["cache-control"]
    assert response.headers["etag"]


@pytest.mark.parametrize(("product_id", "message"), [("p04", "has no stored image"), ("nope", "no product")])
def test_missing_image_is_a_404(client: TestClient, product_id: str, message: str) -> None:
    response = client.get(f"/products/{product_id}/image")
    assert response.status_code == 404
    assert message in response.json()["detail"]


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/health",
        "/products",
        "/products/{product_id}",
        "/products/{product_id}/image",
        "/events",
    } <= set(paths)
    assert client.get("/docs").status_code == 200
