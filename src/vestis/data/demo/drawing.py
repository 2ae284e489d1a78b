"""A small product-photo canvas: patterned garment parts, seams and studio shading on white.

Shapes are given in output pixels (512×640) and drawn at twice that size, then
downsampled, which anti-aliases every edge. Each part is filled with the product's
fabric texture and outlined, so overlapping parts read as seams; ``finish`` adds soft
edge shading, top-left light and a faint drop shadow, like a ghost-mannequin photo.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 512, 640
SCALE = 2
WHITE = (255, 255, 255)

Point = tuple[float, float]
RGB = tuple[int, int, int]


class Canvas:
    """Draws one product image; coordinates are output pixels with the origin top-left."""

    def __init__(self, colour: RGB, texture: Image.Image) -> None:
        self.colour = colour
        self.texture = texture
        self.image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), WHITE)
        self.mask = Image.new("L", self.image.size, 0)
        self.pen = ImageDraw.Draw(self.image)
        self.seam = seam_colour(colour)

    def part(
        self, points: Sequence[Point], *, fill: RGB | Image.Image | None = None, outline: bool = True
    ) -> None:
        """Fill the polygon ``points`` with the fabric (or ``fill``) and outline it."""
        scaled = _scaled(points)
        mask = Image.new("L", self.image.size, 0)
        ImageDraw.Draw(mask).polygon(scaled, fill=255)
        self._paint(mask, fill)
        if outline:
            self.pen.line([*scaled, scaled[0]], fill=self.seam, width=3 * SCALE // 2, joint="curve")

    def ellipse(self, box: tuple[float, float, float, float], *, fill: RGB | Image.Image | None = None,
                outline: bool = True) -> None:  # fmt: skip
        """Fill the ellipse inside ``box`` (left, top, right, bottom) like :meth:`part`."""
        scaled = [v * SCALE for v in box]
        mask = Image.new("L", self.image.size, 0)
        ImageDraw.Draw(mask).ellipse(scaled, fill=255)
        self._paint(mask, fill)
        if outline:
            self.pen.ellipse(scaled, outline=self.seam, width=3 * SCALE // 2)

    def line(self, points: Sequence[Point], *, colour: RGB | None = None, width: float = 1.5) -> None:
        """A seam or detail line through ``points``."""
        self.pen.line(
            _scaled(points), fill=colour or self.seam, width=max(1, round(width * SCALE)), joint="curve"
        )

    def stitches(
        self, points: Sequence[Point], *, colour: RGB, dash: float = 6.0, width: float = 1.2
    ) -> None:
        """A dashed line (top stitching) along ``points``."""
        for start, end in zip(points[:-1], points[1:], strict=True):
            length = math.dist(start, end)
            steps = max(1, int(length // dash))
            for i in range(0, steps, 2):
                a = _lerp(start, end, i / steps)
                b = _lerp(start, end, min(1.0, (i + 1) / steps))
                self.line([a, b], colour=colour, width=width)

    def dot(self, centre: Point, radius: float, colour: RGB, *, rim: RGB | None = None) -> None:
        """A filled circle such as a button, rivet or eyelet."""
        x, y = centre
        box = [(x - radius) * SCALE, (y - radius) * SCALE, (x + radius) * SCALE, (y + radius) * SCALE]
        self.pen.ellipse(box, fill=colour, outline=rim or self.seam, width=SCALE)
        self.mask_ellipse((x - radius, y - radius, x + radius, y + radius))

    def mask_ellipse(self, box: tuple[float, float, float, float]) -> None:
        """Add an ellipse to the silhouette without painting it."""
        ImageDraw.Draw(self.mask).ellipse([v * SCALE for v in box], fill=255)

    def finish(self) -> Image.Image:
        """Downsample, shade the product and add a soft drop shadow on the white ground."""
        image = self.image.reduce(SCALE)
        mask = self.mask.reduce(SCALE)
        pixels = np.asarray(image, dtype=np.float32)
        inside = np.asarray(mask, dtype=np.float32)[..., None] / 255.0
        depth = np.asarray(mask.filter(ImageFilter.GaussianBlur(9)), dtype=np.float32)[..., None] / 255.0
        shade = (0.78 + 0.22 * depth) * _LIGHT
        shadow = (
            np.asarray(
                mask.transform(mask.size, Image.Transform.AFFINE, (1, 0, -7, 0, 1, -9)).filter(
                    ImageFilter.GaussianBlur(8)
                ),
                dtype=np.float32,
            )[..., None]
            / 255.0
        )
        ground = 255.0 * (1.0 - 0.10 * shadow)
        out = inside * np.minimum(pixels * shade, 255.0) + (1.0 - inside) * np.minimum(pixels, ground)
        return Image.fromarray(np.clip(np.round(out), 0, 255).astype(np.uint8), "RGB")

    def _paint(self, mask: Image.Image, fill: RGB | Image.Image | None) -> None:
        source = fill if fill is not None else self.texture
        if isinstance(source, tuple):
            self.image.paste(source, (0, 0, *self.image.size), mask)
        else:
            self.image.paste(source, (0, 0), mask)
        self.mask.paste(255, (0, 0, *self.mask.size), mask)


def seam_colour(colour: RGB) -> RGB:
    """Seams and outlines: darker than the fabric, or lighter on near-black fabric."""
    if luminance(colour) < 55:
        return (78, 78, 84)
    return shade(colour, 0.55)


def shade(colour: RGB, factor: float) -> RGB:
    """``colour`` scaled by ``factor`` (below 1 darker, above 1 lighter), clamped to 0-255."""
    return tuple(int(min(255, max(0, round(c * factor)))) for c in colour)  # type: ignore[return-value]


def luminance(colour: RGB) -> float:
    """Perceived brightness 0-255."""
    return 0.3 * colour[0] + 0.59 * colour[1] + 0.11 * colour[2]


def mirror(points: Sequence[Point], axis: float = WIDTH / 2) -> list[Point]:
    """``points`` reflected across the vertical line ``x = axis``, in reverse order.

    Appending ``mirror(left)`` to a left-half outline closes a symmetric polygon.
    """
    return [(2 * axis - x, y) for x, y in reversed(points)]


def curve(start: Point, control: Point, end: Point, steps: int = 14) -> list[Point]:
    """Points on the quadratic Bézier curve from ``start`` to ``end`` bending towards ``control``."""
    return [
        (
            (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0],
            (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1],
        )
        for t in (i / steps for i in range(steps + 1))
    ]


def arc(centre: Point, radius_x: float, radius_y: float, start_deg: float, end_deg: float,
        steps: int = 24) -> list[Point]:  # fmt: skip
    """Points on an elliptical arc, angles in degrees clockwise from 3 o'clock (screen coordinates)."""
    return [
        (
            centre[0] + radius_x * math.cos(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
            centre[1] + radius_y * math.sin(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def _scaled(points: Sequence[Point]) -> list[tuple[float, float]]:
    return [(x * SCALE, y * SCALE) for x, y in points]


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _light() -> np.ndarray:
    """Studio light from the top left: 4 % brighter there, 8 % darker at the bottom right."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    return (1.04 - 0.08 * (y / HEIGHT) - 0.04 * (x / WIDTH))[..., None]


_LIGHT = _light()
