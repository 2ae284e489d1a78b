"""Helpers shared by the API and web unit tests: a small catalog behind a TestClient.

(Kept in a ``test_api_*`` module because the unit-test conftest belongs to the catalog
tests; nothing here is collected as a test.)
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from vestis.app import create_app
from vestis.catalog import store
from vestis.catalog.db import transaction
from vestis.catalog.images import store_product_image
from vestis.config import Settings

KEY = "k1"
COLOURS = {"red": (200, 40, 40), "blue": (40, 60, 200), "black": (20, 20, 20)}


def png_bytes(colour: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (30, 40)) -> bytes:
    """A tiny PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def shop_client(tmp_path: Path, products: int = 30, **settings: Any) -> TestClient:
    """A TestClient on a fresh app under ``tmp_path`` holding ``products`` products.

    Products ``p00``… cycle through the colours above, alternate ``Shirts``/``Dresses``,
    cost ``10 + i`` EUR and have an image, except every fifth, which has none.
    """
    options: dict[str, Any] = {"home": tmp_path, "api_keys": KEY, "allowed_hosts": "testserver", **settings}
    app = create_app(Settings(**options))
    add_products(app, products)
    return TestClient(app)


def add_products(app: FastAPI, count: int) -> None:
    """Write ``count`` products (and their images) through the catalog store."""
    settings: Settings = app.state.settings
    colours = list(COLOURS)
    rows = []
    for i in range(count):
        product_id = f"p{i:02d}"
        colour = colours[i % len(colours)]
        image = (
            None
            if i % 5 == 4
            else store_product_image(settings.images_dir, product_id, png_bytes(COLOURS[colour]))
        )
        rows.append(
            {
                "id": product_id,
                "title": f"{colour.title()} {'shirt' if i % 2 == 0 else 'dress'} {i}",
                "description": "Soft organic cotton.",
                "brand": "Acme" if i % 2 == 0 else "Nordic",
                "product_type": "Shirts" if i % 2 == 0 else "Dresses",
                "color": colour,
                "gender": "female" if i % 2 else "unisex",
                "price": 10.0 + i,
                "currency": "EUR",
                "size": ["S", "M", "L"],
                "image_path": image,
            }
        )
    with transaction(app.state.engine) as session:
        store.upsert_products(session, rows=rows)


def event(**overrides: Any) -> dict[str, Any]:
    """A valid event as a client would send it, with ``overrides`` applied."""
    return {
        "user_id": "u1",
        "item_id": "p00",
        "timestamp": "2024-05-01T12:00:00Z",
        "event_type": "view",
        **overrides,
    }
