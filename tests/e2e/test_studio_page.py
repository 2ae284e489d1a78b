"""The image studio page in real headless Chromium: upload a product photo, see before and after.

Run as a script (``python -m tests.e2e.test_studio_page [PHOTO]``) to refresh
``docs/screenshots/studio.png``.
"""

from __future__ import annotations

import base64
import io
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.e2e.shop import CHROMIUM, CHROMIUM_ARGS, REPOSITORY, Server, run_server
from vestis.generate.provenance import read_provenance

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1360, "height": 1000}
SCREENSHOT_PHOTO = REPOSITORY.parent / "shared" / "data" / "tryon-examples" / "garment" / "00126_00.jpg"


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server on an empty catalog: the studio needs no products (and no demo shop to build)."""
    with run_server(tmp_path_factory.mktemp("vestis-studio-home"), demo=False) as running:
        yield running


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized tab."""
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def product_photo(tmp_path: Path) -> Path:
    """A red T-shirt shape on an off-white studio background with a soft shadow."""
    image = Image.new("RGB", (480, 600), (236, 233, 228))
    draw = ImageDraw.Draw(image)
    shirt = [
        (140, 110),
        (200, 90),
        (280, 90),
        (340, 110),
        (420, 190),
        (370, 240),
        (340, 215),
        (340, 520),
        (140, 520),
        (140, 215),
        (110, 240),
        (60, 190),
    ]
    draw.polygon([(x + 8, y + 10) for x, y in shirt], fill=(214, 211, 206))
    draw.polygon(shirt, fill=(196, 38, 44))
    path = tmp_path / "red-tee.jpg"
    image.save(path, quality=92)
    return path


def process(page: Any, url: str, photo: Path, *, recipe: str = "marketplace-white") -> Any:
    """Open the studio, upload ``photo``, run ``recipe`` and return the "after" image's locator."""
    page.goto(url + "/studio", wait_until="networkidle")
    page.set_input_files("#studio-image", str(photo))
    page.check("input[name=tool][value=recipe]")
    page.select_option("select[name=recipe]", recipe)
    with page.expect_navigation(timeout=120_000):
        page.get_by_role("button", name="Process photo").click()
    page.wait_for_load_state("networkidle")
    return page.locator("[data-testid=studio-after]")


def test_the_studio_is_linked_from_the_shop_header(studio_server: Server, page: Any) -> None:
    page.goto(studio_server.url + "/", wait_until="networkidle")
    with page.expect_navigation():
        page.locator(".site-nav a", has_text="Studio").click()
    assert page.url.endswith("/studio")
    assert page.locator("h1").inner_text() == "Image studio"


def test_marketplace_white_shows_the_product_on_white_beside_the_photo(
    studio_server: Server, page: Any, product_photo: Path
) -> None:
    after = process(page, studio_server.url, product_photo)
    images = page.locator("[data-testid=studio-result] img")
    assert images.count() == 2
    assert images.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)")
    assert after.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [1600, 1600]
    source = after.get_attribute("src")
    assert source.startswith("data:image/jpeg;base64,")
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))
    assert (pixels[:40] >= 250).all()  # the top band is white
    assert pixels[800, 800, 0] > 150 and pixels[800, 800, 2] < 90  # the red shirt in the middle
    link = page.locator(".studio__download")
    assert link.get_attribute("download") == "red-tee-marketplace-white.jpg"
    assert link.get_attribute("href") == source


def test_the_shipped_generator_draws_labelled_previews(studio_server: Server, page: Any) -> None:
    page.goto(f"{studio_server.url}/studio")
    panel = page.locator("[data-testid=generate-form]")
    panel.locator("select[name=product_type]").select_option("dress")
    panel.locator("input[name=n]").fill("6")
    panel.get_by_role("button", name="Generate previews").click()
    previews = page.locator("[data-testid=generate-result] img")
    previews.first.wait_for()
    assert previews.count() == 6
    assert previews.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth === 32)")
    assert page.locator(".studio__generated-badge").all_inner_texts() == ["GENERATED"] * 6
    sheet = page.locator("[data-testid=generate-panel] .studio__download").get_attribute("href")
    assert read_provenance(base64.b64decode(sheet.split(",", 1)[1]))["generated"]


def test_an_uploaded_photo_gets_labelled_variations(
    studio_server: Server, page: Any, product_photo: Path
) -> None:
    page.goto(f"{studio_server.url}/studio")
    panel = page.locator("[data-testid=previews-panel]")
    assert (
        "knows one colour only (grey)" in panel.inner_text()
    )  # the shipped generator: variations, no colourways
    panel.locator("input[name=image]").set_input_files(str(product_photo))
    panel.locator("select[name=product_type]").select_option("t-shirt")
    panel.locator("input[name=variations]").fill("5")
    with page.expect_navigation(timeout=120_000):
        panel.get_by_role("button", name="Preview").click()
    tiles = page.locator("[data-testid=previews-result] img")
    tiles.first.wait_for()
    assert tiles.count() == 6
    assert tiles.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth === 32)")
    badges = page.locator(
        "[data-testid=previews-result] li .studio__real-badge, .studio__generated-badge"
    ).all_inner_texts()
    assert badges == ["Your photo"] + ["GENERATED"] * 5
    sheet = page.locator("[data-testid=previews-panel] .studio__download").get_attribute("href")
    assert read_provenance(base64.b64decode(sheet.split(",", 1)[1]))["generated"]


def save_screenshot(url: str, photo: Path, folder: Path) -> None:
    """The studio with a real garment photo before and after ``marketplace-white``."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP)
        process(page, url, photo)
        page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the full page
        page.screenshot(path=folder / "studio.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch, run_server(Path(scratch), demo=False) as running:
        save_screenshot(
            running.url,
            Path(sys.argv[1]) if sys.argv[1:] else SCREENSHOT_PHOTO,
            REPOSITORY / "docs" / "screenshots",
        )
    print("saved", REPOSITORY / "docs" / "screenshots" / "studio.png")
