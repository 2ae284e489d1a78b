"""Background steps: cut the product out onto pure white / transparent / a colour, and frame it.

Marketplaces ask for the main image on pure white (#FFFFFF, exactly 255 in every channel)
with the product filling most of a square canvas. :func:`remove_background` cuts the
subject out (the person in a photo with a person, else the product on its plain background,
see :mod:`vestis.vision.product_mask`) and composites it with a soft, anti-aliased edge; every
pixel outside that narrow edge band is exactly the background colour. :func:`fit_canvas`
crops to the product, scales it to ``fill`` of the canvas and centres it.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from vestis.studio.errors import StudioError
from vestis.vision.border import border_pixels
from vestis.vision.product_mask import product_alpha, product_mask
from vestis.vision.segment import person_alpha

__all__ = [
    "BACKGROUNDS",
    "SUBJECTS",
    "canvas_size",
    "cutout_alpha",
    "fit_canvas",
    "parse_background",
    "remove_background",
]

BACKGROUNDS = ("white", "transparent", "#rrggbb")
"""Accepted ``background`` values (any hex colour in place of ``#rrggbb``)."""
SUBJECTS = ("auto", "product", "person")
"""Accepted ``subject`` values of :func:`remove_background`."""
_MIN_PERSON_COVERAGE = 0.5
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_ASPECT = re.compile(r"(\d+):(\d+)")


def remove_background(image: Image.Image, *, background: str = "white", subject: str = "auto") -> Image.Image:
    """Put the photo's subject on ``background``: "white", "transparent" (RGBA) or a hex colour.

    ``subject="auto"`` uses the person mask when MediaPipe finds a person, else the product
    mask; an RGBA input with transparent pixels is taken as already cut out and recomposited.
    """
    colour = parse_background(background)
    if subject not in SUBJECTS:
        raise StudioError(f"subject: must be one of {', '.join(SUBJECTS)}; got {subject!r}")
    pixels = np.asarray(image) if image.mode == "RGBA" else None
    if pixels is not None and pixels[..., 3].min() < 255:
        rgb, alpha = pixels[..., :3], pixels[..., 3].astype(np.float32) / 255.0
    else:
        rgb = np.asarray(image.convert("RGB"))
        alpha = cutout_alpha(rgb, subject=subject)
    return _compose(rgb, alpha, colour)


def cutout_alpha(rgb: np.ndarray, *, subject: str = "auto") -> np.ndarray:
    """Soft matte (0..1) of the subject of an H×W×3 photo: the person if found, else the product.

    With ``subject="auto"`` a person mask is used only if it also covers at least half of
    the product mask: a model on studio paper is the photo's whole foreground, while a
    "person" MediaPipe sees in a garment's print or shape is only part of the garment.
    """
    if subject == "product":
        return product_alpha(rgb)
    person = person_alpha(rgb)
    if person is None:
        if subject == "person":
            raise StudioError("subject: 'person' was asked for, but no person was found in the image")
        return product_alpha(rgb)
    if subject == "person":
        return person
    product = product_alpha(rgb)
    foreground = product >= 0.5
    covered = (foreground & (person >= 0.5)).sum() / max(int(foreground.sum()), 1)
    return person if covered >= _MIN_PERSON_COVERAGE else product


def fit_canvas(
    image: Image.Image,
    *,
    size: int = 1600,
    aspect: str = "1:1",
    fill: float = 0.85,
    background: str = "white",
) -> Image.Image:
    """Crop to the product, scale it to ``fill`` of the canvas and centre it on ``background``.

    The canvas's longer side is ``size`` pixels and its shape is ``aspect`` ("W:H"). The
    product's bounding box is scaled so that it spans ``fill`` of the canvas along its
    limiting side (the longer one on a square canvas). The product is: the opaque pixels of
    an RGBA image; the non-white pixels of an image already on pure white; otherwise what
    :func:`vestis.vision.product_mask.product_mask` finds.
    """
    colour = parse_background(background)
    width, height = canvas_size(image.size, size=size, aspect=aspect)
    if not 0.05 <= fill <= 1.0:
        raise StudioError(f"fill: must be a share of the canvas from 0.05 to 1.0; got {fill!r}")
    product = image.crop(_product_box(image)).convert("RGBA")
    scale = fill * min(width / product.width, height / product.height)
    new_size = (max(1, round(product.width * scale)), max(1, round(product.height * scale)))
    product = product.resize(new_size, Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    canvas.paste(product, ((width - new_size[0]) // 2, (height - new_size[1]) // 2))
    pixels = np.asarray(canvas)
    return _compose(pixels[..., :3], pixels[..., 3].astype(np.float32) / 255.0, colour)


def canvas_size(image_size: tuple[int, int], *, size: int, aspect: str, **_: object) -> tuple[int, int]:
    """The (width, height) of the canvas :func:`fit_canvas` makes, whatever ``image_size``; recipes check it first."""
    if not isinstance(size, int) or not 16 <= size <= 10_000:
        raise StudioError(f"size: must be a whole number of pixels from 16 to 10000; got {size!r}")
    return _canvas_size(size, aspect)


def parse_background(background: str) -> tuple[int, int, int] | None:
    """``(r, g, b)`` for "white" or a hex colour, ``None`` for "transparent"."""
    if background == "white":
        return (255, 255, 255)
    if background == "transparent":
        return None
    match = _HEX.fullmatch(background) if isinstance(background, str) else None
    if match is None:
        raise StudioError(
            f"background: must be 'white', 'transparent' or a hex colour like '#f5f5f5'; got {background!r}"
        )
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


# ------------------------------------------------------------------------------ helpers
def _compose(rgb: np.ndarray, alpha: np.ndarray, colour: tuple[int, int, int] | None) -> Image.Image:
    """``rgb`` over ``colour`` with matte ``alpha``; where alpha is 0 the result is exactly ``colour``.

    Only the soft edge band (0 < alpha < 1) is blended in floating point; the rest is copied, so
    a large photo costs no full-size float arrays.
    """
    if colour is None:
        matte = np.rint(alpha * 255.0).astype(np.uint8)
        return Image.fromarray(np.dstack([rgb, matte]), "RGBA")
    result = np.empty_like(rgb)
    result[...] = colour
    np.copyto(result, rgb, where=(alpha >= 1.0)[..., None])
    edge = (alpha > 0.0) & (alpha < 1.0)
    weight = alpha[edge][:, None]
    blended = rgb[edge].astype(np.float32) * weight + np.asarray(colour, np.float32) * (1.0 - weight)
    result[edge] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return Image.fromarray(result, "RGB")


def _canvas_size(size: int, aspect: str) -> tuple[int, int]:
    match = _ASPECT.fullmatch(aspect) if isinstance(aspect, str) else None
    if match is None or 0 in (int(match.group(1)), int(match.group(2))):
        raise StudioError(
            f"aspect: must be 'W:H' with positive whole numbers, e.g. '1:1' or '3:4'; got {aspect!r}"
        )
    w, h = int(match.group(1)), int(match.group(2))
    return (size, max(1, round(size * h / w))) if w >= h else (max(1, round(size * w / h)), size)


def _product_box(image: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box (left, top, right, bottom) of the product; the whole image if none is found."""
    if image.mode == "RGBA":
        mask = np.asarray(image)[..., 3] > 0
    else:
        rgb = np.asarray(image.convert("RGB"))
        mask = (rgb < 255).any(axis=-1) if (border_pixels(rgb) == 255).all() else product_mask(rgb)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return (0, 0, image.width, image.height)
    return (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
