"""A small real shop for end-to-end tests and screenshots: feed, images, server, browser.

``python -m tests.e2e.shop`` builds the shop in a temporary folder, starts the server and
saves ``docs/screenshots/catalog.png`` and ``product.png``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

from vestis.catalog.db import open_catalog, transaction
from vestis.config import Settings
from vestis.data.merchant_feed import import_merchant_feed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
API_KEY = "e2e-key"
REPOSITORY = Path(__file__).resolve().parents[2]

COLOURS = {
    "navy": (38, 52, 92),
    "terracotta": (196, 98, 70),
    "black": (34, 34, 38),
    "sage": (150, 170, 140),
    "cream": (236, 226, 204),
    "mustard": (212, 164, 58),
}
KINDS = [
    ("T-shirts", "Organic cotton tee", "Nordic Thread", "unisex", "cotton", "XS,S,M,L,XL", 24.95),
    ("Dresses", "Linen midi dress", "Atelier Nine", "female", "linen", "34,36,38,40,42", 89.0),
    ("Trousers", "Wide-leg trousers", "Sundays", "female", "wool blend", "XS,S,M,L", 69.5),
    ("Knitwear", "Merino crew jumper", "Nordic Thread", "male", "merino wool", "S,M,L,XL", 79.0),
    ("Skirts", "Pleated midi skirt", "Atelier Nine", "female", "recycled polyester", "XS,S,M,L", 54.0),
]
FEED_COLUMNS = [
    "id", "title", "description", "brand", "product_type", "color", "pattern", "material",
    "gender", "size", "price", "image_link",
]  # fmt: skip


@dataclass(frozen=True)
class Server:
    """A running Vestis server: where to reach it and the catalog it serves."""

    url: str
    home: Path
    products: int


def build_catalog(home: Path, count: int = 30) -> int:
    """Write a Merchant Center TSV feed with drawn garment images and import it into ``home``."""
    feed_dir = home / "feed"
    (feed_dir / "images").mkdir(parents=True, exist_ok=True)
    lines = ["\t".join(FEED_COLUMNS)]
    colours = list(COLOURS)
    for i in range(count):
        product_type, name, brand, gender, material, sizes, price = KINDS[i % len(KINDS)]
        colour = colours[(i // len(KINDS) + i) % len(colours)]
        image = f"images/sku{i:03d}.png"
        garment_image(product_type, COLOURS[colour]).save(feed_dir / image)
        lines.append(
            "\t".join(
                [
                    f"SKU{i:03d}",
                    f"{name} in {colour}",
                    f"A wardrobe staple in soft {material}, cut for an easy, relaxed fit.",
                    brand,
                    product_type,
                    colour,
                    "solid" if i % 3 else "striped",
                    material,
                    gender,
                    sizes,
                    f"{price + (i % 4) * 5:.2f} EUR",
                    image,
                ]
            )
        )
    feed = feed_dir / "products.tsv"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(home=home)
    with transaction(open_catalog(settings)) as session:
        report = import_merchant_feed(session, feed, images_dir=settings.images_dir, progress=False)
    assert not report.errors, report.errors
    return report.rows_written


def garment_image(product_type: str, colour: tuple[int, int, int]) -> Image.Image:
    """A flat product shot: the garment's silhouette in ``colour`` on a light studio backdrop."""
    image = Image.new("RGB", (600, 800), (244, 241, 236))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 700, 450, 740), fill=(226, 222, 215))
    outline = tuple(max(0, c - 40) for c in colour)
    shapes = {
        "T-shirts": [(210, 170), (390, 170), (500, 250), (455, 320), (410, 290), (410, 660), (190, 660),
                     (190, 290), (145, 320), (100, 250)],
        "Knitwear": [(215, 160), (385, 160), (470, 220), (520, 600), (465, 610), (420, 300), (420, 660),
                     (180, 660), (180, 300), (135, 610), (80, 600), (130, 220)],
        "Dresses": [(240, 130), (360, 130), (380, 280), (470, 680), (130, 680), (220, 280)],
        "Trousers": [(200, 130), (400, 130), (430, 680), (330, 680), (300, 300), (270, 680), (170, 680)],
        "Skirts": [(220, 200), (380, 200), (470, 600), (130, 600)],
    }  # fmt: skip
    draw.polygon(shapes[product_type], fill=colour, outline=outline, width=4)
    return image


@contextmanager
def run_server(home: Path, *, api_keys: str = API_KEY, products: int = 0) -> Iterator[Server]:
    """Start ``uvicorn --factory vestis.api.app:create_app`` on a free port; stop it afterwards."""
    port = _free_port()
    env = {**os.environ, "VESTIS_HOME": str(home), "VESTIS_API_KEYS": api_keys}
    command = [sys.executable, "-m", "uvicorn", "--factory", "vestis.api.app:create_app", "--port", str(port)]
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, home / "server.log")
        yield Server(url=url, home=home, products=products)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def save_screenshots(url: str, folder: Path) -> None:
    """Screenshots of the catalog and of the first product's page, as a shopper sees them."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.goto(url + "/", wait_until="networkidle")
        page.screenshot(path=folder / "catalog.png")
        page.locator(".card__link").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=folder / "product.png")
        browser.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /health within {timeout:.0f} s:\n{log.read_text()}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        with run_server(home, products=build_catalog(home)) as server:
            save_screenshots(server.url, REPOSITORY / "docs" / "screenshots")
    print("saved", REPOSITORY / "docs" / "screenshots")
