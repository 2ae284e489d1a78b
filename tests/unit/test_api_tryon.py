"""Try-on over HTTP and on the product page: PNG out, clear errors, nothing kept unless asked."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from tests.unit.test_api_support import KEY, png_bytes, shop_client
from vestis.vision import pose

AUTH = {"X-API-Key": KEY}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return shop_client(tmp_path, products=6)


@pytest.fixture
def photos(shared_data: Path) -> tuple[bytes, bytes]:
    """A real VITON-HD person photo and a T-shirt photo."""
    folder = shared_data / "tryon-examples"
    return (folder / "person" / "01008_00.jpg").read_bytes(), (
        folder / "garment" / "00126_00.jpg"
    ).read_bytes()


def test_renders_a_png_without_metadata_and_keeps_nothing(
    client: TestClient, photos: tuple[bytes, bytes], tmp_path: Path
) -> None:
    person, garment = photos
    files = {"person": ("me.jpg", person, "image/jpeg"), "garment": ("tee.jpg", garment, "image/jpeg")}
    response = client.post("/tryon", files=files, data={"category": "upper"}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png" and response.headers["cache-control"] == "no-store"
    result = Image.open(io.BytesIO(response.content))
    assert result.size == Image.open(io.BytesIO(person)).size
    assert not result.getexif() and "exif" not in result.info
    assert not (tmp_path / "tryon").exists()


def test_keep_stores_the_photo_and_result_under_an_id(
    client: TestClient, photos: tuple[bytes, bytes], tmp_path: Path
) -> None:
    person, garment = photos
    files = {"person": ("me.jpg", person, "image/jpeg"), "garment": ("tee.jpg", garment, "image/jpeg")}
    response = client.post("/tryon", files=files, data={"category": "upper", "keep": "true"}, headers=AUTH)
    kept_id = response.headers["x-vestis-kept-id"]
    kept = tmp_path / "tryon" / kept_id
    assert sorted(p.name for p in kept.iterdir()) == ["person.png", "result.png"]
    assert client.delete(f"/tryon/{kept_id}").status_code == 401
    assert client.delete(f"/tryon/{kept_id}", headers=AUTH).status_code == 204
    assert not kept.exists()
    assert client.delete(f"/tryon/{kept_id}", headers=AUTH).status_code == 404
    assert client.delete("/tryon/..%2F..%2Fvestis.db", headers=AUTH).status_code == 404


def _tee() -> bytes:
    """A red T-shirt silhouette on white, like a product photo."""
    image = Image.new("RGB", (600, 800), "white")
    outline = [(200, 150), (400, 150), (540, 260), (480, 330), (430, 290), (430, 680), (170, 680),
               (170, 290), (120, 330), (60, 260)]  # fmt: skip
    ImageDraw.Draw(image).polygon(outline, fill=(200, 30, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_photo_without_a_person_gets_a_clear_422(client: TestClient) -> None:
    blank = png_bytes((235, 235, 235), size=(600, 800))
    files = {"person": ("wall.png", blank, "image/png"), "garment": ("tee.png", _tee(), "image/png")}
    response = client.post("/tryon", files=files, headers=AUTH)
    assert response.status_code == 422
    assert "person" in response.json()["detail"].lower()


def test_inputs_are_checked_before_any_work(client: TestClient) -> None:
    person = ("me.png", png_bytes(size=(300, 400)), "image/png")
    both = client.post(
        "/tryon", files={"person": person, "garment": person}, data={"product_id": "p00"}, headers=AUTH
    )
    assert both.status_code == 422 and "either a garment photo or a product_id" in both.text
    text = client.post(
        "/tryon",
        files={"person": ("notes.txt", b"hello", "text/plain")},
        data={"product_id": "p00"},
        headers=AUTH,
    )
    assert text.status_code == 422 and "notes.txt" in text.json()["detail"]
    missing = client.post("/tryon", files={"person": person}, data={"product_id": "nope"}, headers=AUTH)
    assert missing.status_code == 404
    assert client.post("/tryon", files={"person": person}, data={"product_id": "p00"}).status_code == 401


def test_product_page_offers_try_on_and_shows_the_result(
    client: TestClient, photos: tuple[bytes, bytes]
) -> None:
    assert "Try it on" in client.get("/shop/p00").text  # a shirt with a photo
    assert "Try it on" not in client.get("/shop/p04").text  # no photo to try on
    person, _ = photos
    page = client.post("/shop/p00/try-on", files={"person": ("me.jpg", person, "image/jpeg")})
    assert page.status_code in (200, 422)
    assert 'data-testid="try-on-result"' in page.text or 'class="try-on__error"' in page.text


def test_product_page_explains_a_failed_try_on(client: TestClient) -> None:
    blank = png_bytes((235, 235, 235), size=(600, 800))
    page = client.post("/shop/p00/try-on", files={"person": ("wall.png", blank, "image/png")})
    assert page.status_code == 422 and 'class="try-on__error"' in page.text


def test_without_mediapipe_try_on_answers_503_naming_the_extra(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # a shop installed without `vestis[tryon]`
    for name in ("_POSES", "_HANDS", "_SEGMENTERS"):
        pool = getattr(pose, name)
        monkeypatch.setattr(pose, name, pose._GraphPool(pool._factory))
    person = png_bytes((180, 150, 130), size=(600, 800))
    files = {"person": ("me.png", person, "image/png"), "garment": ("tee.png", _tee(), "image/png")}
    response = client.post("/tryon", files=files, headers=AUTH)
    assert response.status_code == 503
    assert "vestis[tryon]" in response.json()["detail"]
