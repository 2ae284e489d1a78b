"""Trousers, skirts and dresses through the try-on service, the API route and the demo catalog."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.unit.test_api_support import KEY, shop_client
from vestis.catalog.taxonomy import tryon_category
from vestis.data.demo.vocabulary import CATEGORIES
from vestis.tryon.service import can_try_on

AUTH = {"X-API-Key": KEY}


@pytest.mark.parametrize(
    ("product_type", "category"),
    [
        ("Trousers", "lower"),
        ("jeans", "lower"),
        ("Skirts", "lower"),
        ("Shorts", "lower"),
        ("Dresses", "dress"),
    ],
)
def test_lower_garments_and_dresses_can_be_tried_on(product_type: str, category: str) -> None:
    assert tryon_category(product_type) == category
    assert can_try_on(product_type)


def test_demo_catalog_types_that_are_worn_can_be_tried_on() -> None:
    offered = {c.product_type for c in CATEGORIES if can_try_on(c.product_type)}
    assert {"Dresses", "Skirts", "Trousers", "Jeans", "Tops"} <= offered
    assert not offered & {"Shoes", "Accessories"}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return shop_client(tmp_path, products=6)


def test_product_page_offers_try_on_for_dresses(client: TestClient) -> None:
    assert "Try it on" in client.get("/shop/p01").text  # a dress with a photo


def test_route_renders_a_dress_on_a_full_body_photo_and_refuses_a_half_body_one(
    client: TestClient, shared_data: Path
) -> None:
    folder = shared_data / "tryon-examples"
    full_body = ("me.jpg", (folder / "person" / "049205_0.jpg").read_bytes(), "image/jpeg")
    dress = ("dress.jpg", (folder / "garment" / "053790_1.jpg").read_bytes(), "image/jpeg")
    response = client.post(
        "/tryon", files={"person": full_body, "garment": dress}, data={"category": "dress"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    assert Image.open(io.BytesIO(response.content)).size == (768, 1024)
    half_body = ("me.jpg", (folder / "person" / "01008_00.jpg").read_bytes(), "image/jpeg")
    trousers = ("trousers.jpg", (folder / "garment" / "051988_1.jpg").read_bytes(), "image/jpeg")
    refused = client.post("/tryon", files={"person": half_body, "garment": trousers}, headers=AUTH)
    assert refused.status_code == 422
    assert "not in the photo" in refused.json()["detail"]
