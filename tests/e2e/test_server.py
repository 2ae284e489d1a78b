"""The real server over HTTP: product listing, and a huge upload refused without harm."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.shop import API_KEY, Server

pytestmark = pytest.mark.e2e

MB = 1024 * 1024


def test_lists_the_imported_products(server: Server) -> None:
    response = httpx.get(f"{server.url}/products", params={"limit": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == server.products == 30
    assert {p["id"] for p in body["data"]} == {f"SKU{i:03d}" for i in range(30)}
    first = body["data"][0]
    assert httpx.get(server.url + first["image_url"]).headers["content-type"] == "image/png"


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
    event = {"user_id": "e2e", "item_id": "SKU001", "timestamp": 1714567890, "event_type": "purchase"}
    headers = {"Authorization": f"Bearer {API_KEY}"}
    first = httpx.post(f"{server.url}/events", json={"events": [event, event]}, headers=headers)
    assert first.json() == {"accepted": 1, "duplicates": 1}
    refused = httpx.post(f"{server.url}/events", json={"events": [event]})
    assert refused.status_code == 401
