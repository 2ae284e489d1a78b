"""Product images for the demo shop and a contact sheet to look at them all at once.

Every product gets a 512×640 PNG: its silhouette on pure white, filled with its colour
and pattern, shaded like a studio shot. Rendering is seeded per product id, so an image
depends only on the product and the seed, never on which other products exist.
"""

from __future__ import annotations

import csv
import textwrap
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vestis.data.demo.drawing import Canvas
from vestis.data.demo.fabrics import fabric
from vestis.data.demo.garments import GARMENTS
from vestis.data.demo.goods import GOODS
from vestis.data.demo.products import DemoProduct
from vestis.data.demo.vocabulary import COLOUR_RGB

DRAWERS = {**GARMENTS, **GOODS}
_KNITS = ("wool", "merino wool", "cashmere", "wool blend")


def render_product_image(product: DemoProduct, *, seed: int) -> Image.Image:
    """The product photo of ``product`` (RGB, 512×640, white background)."""
    rng = np.random.default_rng([seed, zlib.crc32(product.id.encode())])
    colour = COLOUR_RGB[product.colour]
    texture = fabric(
        product.pattern,
        colour,
        COLOUR_RGB[product.accent],
        rng,
        vertical_stripes=product.shape == "shirt",
        denim="denim" in product.material or product.shape == "jeans",
        knit=product.material in _KNITS and product.shape in ("top", "dress", "beanie", "scarf"),
    )
    canvas = Canvas(colour, texture)
    DRAWERS[product.shape](canvas, product, rng)
    return canvas.finish()


def write_contact_sheet(out_dir: Path, target: Path, *, count: int = 48, columns: int = 8) -> Path:
    """A grid of ``count`` product images from a generated demo with their titles and prices.

    Products are taken round-robin over product types, so every category shows up.
    """
    with (out_dir / "products.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    chosen = _round_robin(rows, count)
    thumb_w, thumb_h, caption = 200, 250, 54
    rows_needed = -(-len(chosen) // columns)
    sheet = Image.new(
        "RGB", (columns * (thumb_w + 12) + 12, rows_needed * (thumb_h + caption + 12) + 12), "white"
    )
    pen = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=12)
    for index, row in enumerate(chosen):
        x = 12 + (index % columns) * (thumb_w + 12)
        y = 12 + (index // columns) * (thumb_h + caption + 12)
        with Image.open(out_dir / row["image_link"]) as image:
            sheet.paste(image.convert("RGB").resize((thumb_w, thumb_h), Image.Resampling.LANCZOS), (x, y))
        pen.rectangle((x, y, x + thumb_w - 1, y + thumb_h - 1), outline=(225, 225, 225))
        lines = textwrap.wrap(row["title"], 32)[:2] + [row["price"]]
        for k, line in enumerate(lines):
            pen.text((x + 2, y + thumb_h + 3 + k * 16), line, fill=(40, 40, 40), font=font)
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(target, optimize=True)
    return target


def _round_robin(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    by_type: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_type.setdefault(row["product_type"], []).append(row)
    queues = [iter(group[:: max(1, len(group) // 6)] + group) for group in by_type.values()]
    chosen: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(chosen) < min(count, len(rows)):
        for queue in queues:
            row = next((r for r in queue if r["id"] not in seen), None)
            if row is not None and len(chosen) < count:
                chosen.append(row)
                seen.add(row["id"])
    return chosen
