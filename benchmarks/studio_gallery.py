"""Before/after gallery of every studio step and the shipped recipes, on real garment photos.

Run: ``.venv/bin/python -m benchmarks.studio_gallery`` — writes docs/studio-gallery.png. Each
row is one step (or recipe) with a before/after pair per photo. Steps that repair a defect
get a photo with that defect: white balance gets a warm cast added, denoise gets Gaussian
noise (σ = 12), upscale gets the photo at half size; sharpen and upscale show a zoomed crop so
the detail is visible. The row label says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vestis.studio.recipes import load_recipe, recipe_names
from vestis.studio.steps import STEPS

ROOT = Path(__file__).resolve().parents[1]
GARMENTS = ROOT.parent / "shared" / "data" / "tryon-examples" / "garment"
PHOTOS = ("00126_00.jpg", "03032_00.jpg", "06123_00.jpg")
OUTPUT = ROOT / "docs" / "studio-gallery.png"
SIDE = 768
THUMB = (210, 280)
LABEL_WIDTH = 230
GAP = 6
CROP_SHARE = 0.25
"""Side of the zoomed crop shown for sharpen and upscale, as a share of the image width."""

Transform = Callable[[Image.Image], Image.Image]


@dataclass(frozen=True)
class Row:
    """One gallery row: a title, how the photo is prepared, what runs, and whether to zoom in."""

    title: str
    note: str
    run: Transform
    prepare: Transform = lambda image: image
    zoom: bool = False


def main() -> None:
    """Render every row on every photo and write the gallery PNG."""
    photos = [_resized(Image.open(GARMENTS / name).convert("RGB"), SIDE) for name in PHOTOS]
    sheet = gallery(photos, rows())
    sheet.save(OUTPUT, optimize=True)
    print("wrote", OUTPUT, sheet.size)


def rows() -> list[Row]:
    """The steps (with the inputs that show what they do) followed by the shipped recipes."""

    def step(name: str, **params: Any) -> Transform:
        return lambda image: STEPS[name](image, **params)

    cutout = step("remove-background", background="transparent")
    steps = [
        Row("remove-background", "background = white", step("remove-background", background="white")),
        Row("remove-background", "background = transparent", cutout),
        Row("fit-canvas", "on the cut-out: 1:1, fill 0.85", step("fit-canvas", size=800), prepare=cutout),
        Row("white-balance", "auto; input: warm cast added", step("white-balance"), prepare=_warm_cast),
        Row("equalise", "CLAHE, clip limit 2", step("equalise")),
        Row("denoise", "input: noise σ = 12 added", step("denoise"), prepare=_noisy),
        Row("sharpen", "zoomed crop", step("sharpen"), zoom=True),
        Row(
            "upscale",
            "2×, input at half size; zoomed crop",
            step("upscale", factor=2),
            prepare=_half,
            zoom=True,
        ),
        Row("recolor", "to #1f3a93", step("recolor", to="#1f3a93")),
        Row("pattern-fill", "stripes", step("pattern-fill", pattern="stripes")),
        Row("tone-shift", "warmth 9 (lifestyle grade)", step("tone-shift", warmth=9.0)),
        Row("tone-transfer", "reference: vintage-film", step("tone-transfer", reference="vintage-film")),
        Row("style", "neural style: watercolour", step("style", style="watercolour")),
    ]
    recipes = [Row(f"recipe {r.name}", r.description, r.apply) for r in map(load_recipe, recipe_names())]
    return steps + recipes


def gallery(photos: list[Image.Image], rows: list[Row]) -> Image.Image:
    """The sheet: a header, then per row its label and a before/after pair for each photo."""
    width, height = THUMB
    pair = 2 * width + GAP
    header = 34
    sheet = Image.new(
        "RGB", (LABEL_WIDTH + len(photos) * (pair + 3 * GAP), header + len(rows) * (height + GAP)), "white"
    )
    draw = ImageDraw.Draw(sheet)
    bold, small = _font(17), _font(13)
    for column in range(len(photos)):
        left = LABEL_WIDTH + column * (pair + 3 * GAP)
        draw.text((left + 4, 8), "before", fill="#555", font=small)
        draw.text((left + width + GAP + 4, 8), "after", fill="#555", font=small)
    for index, row in enumerate(rows):
        top = header + index * (height + GAP)
        draw.text((10, top + 10), row.title, fill="#17171a", font=bold)
        _wrapped(draw, row.note, (10, top + 36), small)
        for column, photo in enumerate(photos):
            before = row.prepare(photo)
            after = row.run(before)
            left = LABEL_WIDTH + column * (pair + 3 * GAP)
            for offset, image in ((0, before), (width + GAP, after)):
                shown = _crop(image) if row.zoom else image
                sheet.paste(_thumbnail(shown), (left + offset, top))
        print(f"  {row.title}: {row.note}")
    return sheet


def _warm_cast(image: Image.Image) -> Image.Image:
    """A tungsten-like cast that clips no channel (clipped pixels carry no colour to correct)."""
    pixels = np.asarray(image).astype(np.float32) * np.array([1.0, 0.93, 0.74], dtype=np.float32)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _noisy(image: Image.Image) -> Image.Image:
    noise = np.random.default_rng(0).normal(0.0, 12.0, (image.height, image.width, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))


def _half(image: Image.Image) -> Image.Image:
    return image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)


def _crop(image: Image.Image) -> Image.Image:
    """The same region of the garment (centre, upper third) whatever the image's scale."""
    side = image.width * CROP_SHARE
    cx, cy = image.width / 2, image.height * 0.35
    box = (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))
    return image.crop(box).resize((THUMB[0], THUMB[0]), Image.Resampling.NEAREST)


def _thumbnail(image: Image.Image) -> Image.Image:
    """``image`` fitted into a thumbnail cell; transparency shown over a checkerboard."""
    width, height = THUMB
    cell = _checkerboard(THUMB) if image.mode == "RGBA" else Image.new("RGB", THUMB, (246, 245, 243))
    fitted = image.copy()
    fitted.thumbnail(THUMB, Image.Resampling.LANCZOS)
    position = ((width - fitted.width) // 2, (height - fitted.height) // 2)
    if fitted.mode == "RGBA":
        cell.paste(fitted, position, fitted)
    else:
        cell.paste(fitted.convert("RGB"), position)
    return cell


def _checkerboard(size: tuple[int, int], square: int = 10) -> Image.Image:
    y, x = np.indices((size[1], size[0]))
    light = ((x // square + y // square) % 2).astype(bool)
    return Image.fromarray(np.where(light[..., None], 255, 228).repeat(3, axis=2).astype(np.uint8))


def _resized(image: Image.Image, side: int) -> Image.Image:
    scale = side / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, origin: tuple[int, int], font: Any) -> None:
    words, line, y = text.split(), "", origin[1]
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > LABEL_WIDTH - 20 and line:
            draw.text((origin[0], y), line, fill="#6b6b74", font=font)
            line, y = word, y + 17
        else:
            line = candidate
    draw.text((origin[0], y), line, fill="#6b6b74", font=font)


def _font(size: int) -> Any:
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


if __name__ == "__main__":
    main()
