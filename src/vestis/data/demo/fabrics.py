"""Fabric textures for the product renderer: solid, stripes, checks, florals, dots, denim, knit.

A texture covers the whole (double-size) canvas; garment parts are cut out of it, so a
pattern runs continuously across a garment like printed cloth does.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from vestis.data.demo.drawing import HEIGHT, RGB, SCALE, WIDTH, luminance, shade

_SIZE = (WIDTH * SCALE, HEIGHT * SCALE)
_FLOWER_COLOURS: tuple[RGB, ...] = ((250, 246, 240), (244, 170, 190), (250, 214, 90), (200, 60, 80))


def fabric(
    pattern: str,
    colour: RGB,
    accent: RGB,
    rng: np.random.Generator,
    *,
    vertical_stripes: bool = False,
    denim: bool = False,
    knit: bool = False,
) -> Image.Image:
    """The texture for ``pattern`` (a Merchant Center pattern name) on a ``colour`` ground."""
    image = _denim(colour, rng) if denim else Image.new("RGB", _SIZE, colour)
    pen = ImageDraw.Draw(image, "RGBA")
    if knit:
        for x in range(0, _SIZE[0], 10):
            pen.line([(x, 0), (x, _SIZE[1])], fill=(*shade(colour, 0.9), 110), width=3)
    if pattern == "striped":
        _stripes(pen, accent, rng, vertical=vertical_stripes)
    elif pattern == "checked":
        _checks(pen, accent, rng)
    elif pattern == "floral":
        _flowers(pen, colour, rng)
    elif pattern == "polka dot":
        _dots(pen, accent, rng)
    return image


def _stripes(pen: ImageDraw.ImageDraw, accent: RGB, rng: np.random.Generator, *, vertical: bool) -> None:
    period = int(rng.choice([24, 32, 44])) * SCALE // (2 if vertical else 1)
    width = max(SCALE * 2, period // int(rng.choice([3, 4])))
    extent = _SIZE[0] if vertical else _SIZE[1]
    for start in range(0, extent, period):
        box = (start, 0, start + width, _SIZE[1]) if vertical else (0, start, _SIZE[0], start + width)
        pen.rectangle(box, fill=accent)


def _checks(pen: ImageDraw.ImageDraw, accent: RGB, rng: np.random.Generator) -> None:
    period = int(rng.choice([40, 56, 72])) * SCALE
    band = period // 3
    for start in range(0, max(_SIZE), period):
        pen.rectangle((start, 0, start + band, _SIZE[1]), fill=(*accent, 120))
        pen.rectangle((0, start, _SIZE[0], start + band), fill=(*accent, 120))
        thin = start + period * 2 // 3
        pen.line([(thin, 0), (thin, _SIZE[1])], fill=(*accent, 200), width=SCALE * 2)
        pen.line([(0, thin), (_SIZE[0], thin)], fill=(*accent, 200), width=SCALE * 2)


def _flowers(pen: ImageDraw.ImageDraw, ground: RGB, rng: np.random.Generator) -> None:
    """Five-petal flowers with a centre and two leaves on a jittered grid."""
    petals = [c for c in _FLOWER_COLOURS if abs(luminance(c) - luminance(ground)) > 50] or [(250, 246, 240)]
    step = 58 * SCALE
    leaf = (70, 130, 80) if luminance(ground) > 90 else (120, 170, 110)
    for row, y in enumerate(range(0, _SIZE[1] + step, step)):
        for x in range(-step // 2 * (row % 2), _SIZE[0] + step, step):
            cx = x + float(rng.uniform(-12, 12)) * SCALE
            cy = y + float(rng.uniform(-12, 12)) * SCALE
            radius = float(rng.uniform(7, 11)) * SCALE
            petal = petals[int(rng.integers(len(petals)))]
            turn = float(rng.uniform(0, 2 * np.pi))
            pen.ellipse(
                (cx + radius * 0.6, cy - radius * 0.5, cx + radius * 2.0, cy + radius * 0.2), fill=leaf
            )
            for k in range(5):
                angle = turn + k * 2 * np.pi / 5
                px, py = cx + np.cos(angle) * radius * 0.8, cy + np.sin(angle) * radius * 0.8
                pen.ellipse(
                    (px - radius * 0.6, py - radius * 0.6, px + radius * 0.6, py + radius * 0.6), fill=petal
                )
            pen.ellipse((cx - radius * 0.35, cy - radius * 0.35, cx + radius * 0.35, cy + radius * 0.35),
                        fill=(236, 180, 50))  # fmt: skip


def _dots(pen: ImageDraw.ImageDraw, accent: RGB, rng: np.random.Generator) -> None:
    step = int(rng.choice([26, 34])) * SCALE
    radius = step // 5
    for row, y in enumerate(range(0, _SIZE[1] + step, step)):
        for x in range(-(step // 2) * (row % 2), _SIZE[0] + step, step):
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=accent)


def _denim(colour: RGB, rng: np.random.Generator) -> Image.Image:
    """Twill: fine diagonal lines and slub noise over the ground colour."""
    height, width = _SIZE[1], _SIZE[0]
    y, x = np.mgrid[0:height, 0:width]
    twill = ((x + y) // 3) % 4 == 0
    noise = rng.normal(0.0, 0.05, (height // 4, width // 4)).repeat(4, axis=0).repeat(4, axis=1)
    factor = 1.0 + noise - 0.08 * twill
    pixels = np.clip(np.asarray(colour, dtype=np.float32)[None, None, :] * factor[..., None], 0, 255)
    return Image.fromarray(pixels.astype(np.uint8), "RGB")
