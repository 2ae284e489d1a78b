"""API keys on write (and optionally read) endpoints, and the uploaded-image helper."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from fastapi import HTTPException, UploadFile
from fastapi.testclient import TestClient

from tests.unit.test_api_support import KEY, event, png_bytes, shop_client
from vestis.api.deps import SettingsDep, read_image_upload
from vestis.api.limits import BodyTooLarge
from vestis.config import Settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """A shop with the key ``k1``; reads are open."""
    return shop_client(tmp_path, products=2)


@pytest.mark.parametrize(
    "headers", [{"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}], ids=["header", "bearer"]
)
def test_a_valid_key_opens_write_endpoints(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/events", json={"events": [event()]}, headers=headers)
    assert response.status_code == 200


def test_a_missing_key_is_401_before_the_body_is_looked_at(client: TestClient) -> None:
    response = client.post("/events", json={"events": [{"event_type": "like"}]})
    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("headers", [{"X-API-Key": "k2"}, {"Authorization": "Bearer k11"}])
def test_a_wrong_key_is_403(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/events", json={"events": [event()]}, headers=headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "the API key is not valid"


def test_writes_are_closed_when_no_keys_are_configured(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=0, api_keys="")
    response = client.post("/events", json={"events": [event()]}, headers={"X-API-Key": "anything"})
    assert response.status_code == 403
    assert "VESTIS_API_KEYS" in response.json()["detail"]


def test_reads_are_open_by_default(client: TestClient) -> None:
    assert client.get("/products").status_code == 200
    assert client.get("/products/p00/image").status_code == 200


def test_reads_can_require_a_key(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=2, api_keys="k1,k2", read_requires_key=True)
    for path in ("/products", "/products/p00", "/products/p00/image"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"X-API-Key": "bad"}).status_code == 403
        assert client.get(path, headers={"X-API-Key": "k2"}).status_code == 200
    assert client.get("/health").status_code == 200


def test_read_image_upload_through_a_route(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=0, max_image_pixels=30 * 40)

    @client.app.post("/test-upload")  # type: ignore[attr-defined]
    async def upload(file: UploadFile, settings: SettingsDep) -> dict[str, list[int]]:
        return {"size": list((await read_image_upload(file, settings)).size)}

    good = client.post("/test-upload", files={"file": ("shirt.png", png_bytes(), "image/png")})
    assert good.json() == {"size": [30, 40]}
    text = client.post("/test-upload", files={"file": ("notes.png", b"hello, not an image", "image/png")})
    assert text.status_code == 422
    assert text.json()["detail"] == "notes.png: not a supported image file (or too large to decode)"
    big = client.post("/test-upload", files={"file": ("big.png", png_bytes(size=(31, 40)), "image/png")})
    assert big.status_code == 422
    assert "big.png: image is 31x40 = 1,240 pixels; the limit is 1,200" in big.json()["detail"]


def test_read_image_upload_refuses_a_file_over_the_upload_limit(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, max_upload_bytes=100)
    upload = UploadFile(io.BytesIO(png_bytes() + b"\0" * 200), filename="padded.png")
    with pytest.raises(BodyTooLarge) as caught:
        asyncio.run(read_image_upload(upload, settings))
    assert isinstance(caught.value, HTTPException)
    assert caught.value.status_code == 413
