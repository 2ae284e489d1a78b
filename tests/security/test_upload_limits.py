"""Issue 11, item 4: a cheap upload cannot cost the server minutes or gigabytes.

The web forms take at most ``max_form_image_pixels`` (12 MP), checked from the file's header
before a pixel is decoded; a recipe whose steps would make an image over the limit is refused
before its first step; at most ``max_concurrent_renders`` image jobs run at once and the rest
wait ``render_queue_seconds`` at most, then get 503 with ``Retry-After``.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFile

from tests.unit.test_api_support import KEY, shop_client
from vestis.config import Settings
from vestis.studio.recipes import RecipeStep, load_recipe
from vestis.tryon.pipeline import WORK_PIXELS, working_copy

AUTH = {"X-API-Key": KEY}
FORM_LIMIT = Settings().max_form_image_pixels


def tiny_png(width: int, height: int) -> bytes:
    """A PNG of a few kilobytes that decodes to ``width`` × ``height`` pixels (one bit each on disk)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def product_photo(size: tuple[int, int]) -> bytes:
    """A red garment on a pale background, as a PNG."""
    image = Image.new("RGB", size, (238, 236, 232))
    width, height = size
    ImageDraw.Draw(image).rectangle(
        (width // 4, height // 5, width * 3 // 4, height * 7 // 8), fill=(190, 40, 40)
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def steps_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the studio steps that ran (none run for real)."""
    ran: list[str] = []

    def record(step: RecipeStep, image: Image.Image) -> Image.Image:
        ran.append(step.step)
        return image

    monkeypatch.setattr(RecipeStep, "apply", record)
    return ran


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The sizes of the images whose pixels were decoded."""
    sizes: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def counting_load(image: ImageFile.ImageFile) -> Any:
        sizes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return sizes


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return shop_client(tmp_path, products=2)


def test_the_studio_form_refuses_a_tiny_png_over_the_form_limit_from_its_header(
    client: TestClient, steps_run: list[str], decoded: list[tuple[int, int]]
) -> None:
    bomb = tiny_png(4000, FORM_LIMIT // 4000 + 1)
    assert len(bomb) < 20_000
    assert client.get("/studio").status_code == 200
    response = client.post(
        "/studio", files={"image": ("bomb.png", bomb, "image/png")}, data={"tool": "recipe"}
    )
    assert response.status_code == 422
    assert f"the limit is {FORM_LIMIT:,}" in response.text and "bomb.png" in response.text
    assert decoded == [] and steps_run == []  # refused from the header: nothing decoded, nothing run
    # The API, behind a key, keeps its own larger limit.
    api = client.post(
        "/studio/recolor", files={"image": ("big.png", bomb)}, data={"to": "navy"}, headers=AUTH
    )
    assert api.status_code == 200, api.text
    assert steps_run == ["recolor"]


def test_the_try_on_form_refuses_a_tiny_png_over_the_form_limit_from_its_header(
    client: TestClient, decoded: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[object] = []
    monkeypatch.setattr("vestis.web.pages.render_try_on", lambda *args, **kwargs: renders.append(args))
    bomb = tiny_png(4000, FORM_LIMIT // 4000 + 1)
    response = client.post("/shop/p00/try-on", files={"person": ("me.png", bomb, "image/png")})
    assert response.status_code == 422 and f"the limit is {FORM_LIMIT:,}" in response.text
    assert decoded == [] and renders == []  # refused from the header: nothing decoded, nothing rendered


@pytest.mark.parametrize("route", ["api", "form"])
def test_a_recipe_that_would_grow_past_the_limit_is_refused_before_any_step(
    tmp_path: Path, steps_run: list[str], route: str
) -> None:
    client = shop_client(tmp_path, products=0, max_image_pixels=5_000_000, max_form_image_pixels=5_000_000)
    photo = product_photo((1200, 1100))  # enhance ends with a 2x upscale: 2400x2200 = 5.28 MP
    if route == "api":
        response = client.post("/studio/enhance", files={"image": ("shirt.png", photo)}, headers=AUTH)
    else:
        response = client.post(
            "/studio", files={"image": ("shirt.png", photo)}, data={"tool": "recipe", "recipe": "enhance"}
        )
    assert response.status_code == 422
    assert "step 5 (upscale) would make a 2400x2200 image" in response.text
    assert "the limit is 5,000,000 pixels" in response.text
    assert steps_run == []


def test_a_recipe_knows_every_step_s_output_size_before_it_runs() -> None:
    assert load_recipe("enhance").output_sizes((1000, 750))[-1] == (2000, 1500)
    assert load_recipe("marketplace-white").output_sizes((4000, 3000)) == [
        (4000, 3000),
        (4000, 3000),
        (1600, 1600),
        (1600, 1600),
    ]


def test_a_second_render_waits_briefly_then_gets_503_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_step(step: RecipeStep, image: Image.Image) -> Image.Image:
        started.set()
        release.wait(timeout=1.0)
        return image

    monkeypatch.setattr(RecipeStep, "apply", slow_step)
    app = shop_client(tmp_path, products=0, max_concurrent_renders=1, render_queue_seconds=0.1).app
    photo = {"image": ("shirt.png", product_photo((120, 150)))}
    with TestClient(app) as client:
        first: dict[str, int] = {}
        holder = threading.Thread(
            target=lambda: first.update(
                status=client.post(
                    "/studio/recolor", files=photo, data={"to": "navy"}, headers=AUTH
                ).status_code
            )
        )
        holder.start()
        assert started.wait(timeout=5.0)
        waited = time.perf_counter()
        busy = client.post("/studio", files=photo, data={"tool": "recolor", "to": "navy"})
        waited = time.perf_counter() - waited
        busy_api = client.post(
            "/tryon", files={"person": photo["image"]}, data={"product_id": "x"}, headers=AUTH
        )
        release.set()
        holder.join(timeout=5.0)
        after = client.post("/studio/recolor", files=photo, data={"to": "navy"}, headers=AUTH)
    assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
    assert "busy with other image jobs (1 at a time)" in busy.json()["detail"]
    assert waited >= 0.09  # it waited for a slot the queue time, then said so
    assert busy_api.status_code == 503 and "retry-after" in busy_api.headers
    assert first["status"] == 200
    assert after.status_code == 200  # the slot was given back


def test_try_on_renders_a_large_photo_at_the_working_size() -> None:
    photo = Image.new("RGB", (3000, 4000))
    small = working_copy(photo)
    assert small.width * small.height <= WORK_PIXELS
    assert abs(small.width / small.height - 0.75) < 0.01
    within = Image.new("RGB", (768, 1024))
    assert working_copy(within) is within
