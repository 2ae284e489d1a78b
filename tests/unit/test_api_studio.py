"""The studio over HTTP: image in, image out, limits applied, bad options named."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from tests.unit.test_api_support import KEY, shop_client
from vestis.studio.metrics import background_purity

AUTH = {"X-API-Key": KEY}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return shop_client(tmp_path_factory.mktemp("studio"), products=0, max_image_pixels=600_000)


def _photo(size: tuple[int, int] = (240, 300), fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", size, (238, 236, 232))
    width, height = size
    ImageDraw.Draw(image).rectangle(
        (width // 4, height // 5, width * 3 // 4, height * 7 // 8), fill=(190, 40, 40)
    )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _upload(data: bytes | None = None, name: str = "shirt.jpg") -> dict[str, tuple[str, bytes, str]]:
    return {"image": (name, data or _photo(), "image/jpeg")}


def _decoded(response: object) -> Image.Image:
    return Image.open(io.BytesIO(response.content))  # type: ignore[attr-defined]


def test_lists_recipes_and_styles(client: TestClient) -> None:
    recipes = {r["name"]: r for r in client.get("/studio/recipes").json()}
    assert {"marketplace-white", "enhance", "lifestyle-warm", "transparent-png"} <= set(recipes)
    white = recipes["marketplace-white"]
    assert white["output_format"] == "jpeg"
    assert {"step": "remove-background", "params": {"background": "white"}} in white["steps"]
    styles = client.get("/studio/styles").json()
    assert "watercolour" in {s["name"] for s in styles} and all(s["description"] for s in styles)


def test_recolor_returns_the_recoloured_png(client: TestClient) -> None:
    response = client.post("/studio/recolor", files=_upload(), data={"to": "#1f3a93"}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == 'inline; filename="shirt-recolor.png"'
    pixels = np.asarray(_decoded(response).convert("RGB")).astype(int)
    red, green, blue = pixels[150, 120]
    assert blue > red + 40 and blue > green + 20
    assert np.abs(pixels[5, 5] - (238, 236, 232)).max() <= 6  # background untouched (JPEG input)


def test_recolor_can_answer_jpeg(client: TestClient) -> None:
    response = client.post(
        "/studio/recolor", files=_upload(), data={"to": "navy", "format": "jpeg"}, headers=AUTH
    )
    assert response.headers["content-type"] == "image/jpeg"
    assert _decoded(response).format == "JPEG"


def test_marketplace_recipe_returns_a_white_square_jpeg(client: TestClient) -> None:
    response = client.post("/studio/marketplace-white", files=_upload(), headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    result = _decoded(response)
    assert result.size == (1600, 1600) and not result.getexif()
    assert background_purity(result) >= 0.99


def test_transparent_recipe_returns_a_png_with_alpha(client: TestClient) -> None:
    response = client.post("/studio/transparent-png", files=_upload(), headers=AUTH)
    result = _decoded(response)
    assert result.format == "PNG" and result.mode == "RGBA"
    alpha = np.asarray(result.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha[alpha.shape[0] // 2, alpha.shape[1] // 2] == 255


@pytest.mark.slow
def test_style_by_name(client: TestClient) -> None:
    name = client.get("/studio/styles").json()[0]["name"]
    response = client.post(
        "/studio/style", files=_upload(_photo((96, 120))), data={"style": name}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    original = np.asarray(Image.open(io.BytesIO(_photo((96, 120)))).convert("RGB")).astype(float)
    styled = np.asarray(_decoded(response).convert("RGB").resize((96, 120))).astype(float)
    assert np.abs(styled - original).mean() > 5  # the style changed the picture


@pytest.mark.parametrize(
    ("path", "data", "files", "field", "message"),
    [
        ("/studio/recolor", {"to": "blurple"}, None, "to", "blurple"),
        ("/studio/recolor", {"to": "navy", "format": "gif"}, None, "format", "png"),
        ("/studio/recolor", {}, None, "to", "Field required"),
        ("/studio/style", {}, None, "style", "send either a style name or a style_image"),
        ("/studio/style", {"style": "no-such-style"}, None, "style", "no-such-style"),
    ],
)
def test_bad_options_give_422_naming_the_field(
    client: TestClient, path: str, data: dict[str, str], files: object, field: str, message: str
) -> None:
    response = client.post(path, files=_upload(), data=data, headers=AUTH)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"][0]["field"] == field
    assert message in body["message"]


def test_bad_images_and_unknown_recipes(client: TestClient) -> None:
    not_image = client.post("/studio/enhance", files=_upload(b"GIF89a nonsense", "x.gif"), headers=AUTH)
    assert not_image.status_code == 422 and "x.gif" in not_image.json()["detail"]
    tiny = client.post("/studio/enhance", files=_upload(_photo((8, 8), "PNG"), "tiny.png"), headers=AUTH)
    assert tiny.status_code == 422 and "8x8 pixels, too small" in tiny.json()["detail"]
    huge = client.post("/studio/enhance", files=_upload(_photo((1000, 800), "PNG"), "big.png"), headers=AUTH)
    assert huge.status_code == 422 and "the limit is 600,000" in huge.json()["detail"]
    unknown = client.post("/studio/sparkle", files=_upload(), headers=AUTH)
    assert unknown.status_code == 404 and "marketplace-white" in unknown.json()["detail"]
    sneaky = client.post("/studio/..%2F..%2Fetc%2Fpasswd.toml", files=_upload(), headers=AUTH)
    assert sneaky.status_code == 404


def test_writes_need_an_api_key(client: TestClient) -> None:
    assert client.post("/studio/recolor", files=_upload(), data={"to": "navy"}).status_code == 401
    assert client.get("/studio/recipes").status_code == 200


def test_a_request_over_the_upload_limit_is_refused(tmp_path: Path) -> None:
    small = shop_client(tmp_path, products=0, max_upload_bytes=2_000)
    response = small.post(
        "/studio/enhance", files=_upload(_photo((400, 400), "PNG") + b"\0" * 4000), headers=AUTH
    )
    assert response.status_code == 413


def test_studio_page_shows_the_tools_and_is_in_the_navigation(client: TestClient) -> None:
    page = client.get("/studio")
    assert page.status_code == 200
    assert '<a href="/studio" aria-current="page">Studio</a>' in page.text
    assert 'value="marketplace-white"' in page.text and 'value="watercolour"' in page.text
    assert "studio.css" in page.text
    assert '<a href="/studio"' in client.get("/").text


def test_studio_page_shows_before_and_after_with_a_download(client: TestClient) -> None:
    page = client.post("/studio", files=_upload(), data={"tool": "recolor", "to": "#1f3a93"})
    assert page.status_code == 200, page.text
    assert 'data-testid="studio-after"' in page.text
    assert 'download="shirt-recolor.png"' in page.text
    assert page.text.count("data:image/png;base64,") == 3  # before, after, and the download link


def test_studio_page_explains_a_bad_photo(client: TestClient) -> None:
    page = client.post("/studio", files=_upload(b"not an image", "notes.jpg"), data={"tool": "recipe"})
    assert page.status_code == 422
    assert 'role="alert">notes.jpg: not a supported image file' in page.text
