"""Synthetic product photos with a known garment mask, for the segmentation and studio tests."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

PAPER = (240, 237, 230)
"""An off-white studio paper (slightly warm, as real ones are)."""


def shirt_mask(width: int = 384, height: int = 512, *, drop: int = 0) -> np.ndarray:
    """Boolean mask of a T-shirt silhouette (drawn 4× larger, then averaged: anti-aliased edge)."""
    scale = 4
    w, h = width / 100, height / 100
    outline = [
        (38, 12), (62, 12), (90, 28), (82, 44), (72, 38), (72, 88 + drop),
        (28, 88 + drop), (28, 38), (18, 44), (10, 28),
    ]  # fmt: skip
    canvas = Image.new("L", (width * scale, height * scale), 0)
    ImageDraw.Draw(canvas).polygon([(x * w * scale, y * h * scale) for x, y in outline], fill=255)
    return np.asarray(canvas.resize((width, height), Image.Resampling.BOX)) >= 128


def shirt_photo(
    colour: tuple[int, int, int] = (40, 70, 150),
    *,
    paper: tuple[int, int, int] = PAPER,
    shadow: float = 28.0,
    outline: float = 0.0,
    drop: int = 0,
    seed: int = 0,
) -> tuple[Image.Image, np.ndarray]:
    """A shirt on paper with vignetting, a soft drop shadow, folds and sensor noise; and its mask.

    ``shadow`` is how many grey levels the drop shadow darkens the paper at most; ``outline``
    darkens the shirt's seam line (white garments are told from white paper by it); ``drop``
    lengthens the shirt so it runs off the bottom of the photo.
    """
    rng = np.random.default_rng(seed)
    mask = shirt_mask(drop=drop)
    height, width = mask.shape
    yy, xx = np.mgrid[0:height, 0:width]
    vignette = 1.0 - 0.04 * (((xx / width - 0.5) ** 2 + (yy / height - 0.5) ** 2) * 4)
    image = np.asarray(paper, np.float32) * vignette[..., None]
    cast = ndimage.gaussian_filter(np.roll(mask, (12, 10), axis=(0, 1)).astype(np.float32), 7)
    image -= shadow * cast[..., None]
    folds = 1.0 + 0.06 * np.sin(xx / 9.0 + yy / 23.0)
    shirt = np.asarray(colour, np.float32) * folds[..., None]
    edge = mask & ~ndimage.binary_erosion(mask, iterations=2)
    shirt[edge] -= outline
    image = np.where(mask[..., None], shirt, image)
    image += rng.normal(0.0, 1.5, image.shape)
    return Image.fromarray(np.clip(np.rint(image), 0, 255).astype(np.uint8)), mask


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boolean masks."""
    return float((a & b).sum() / (a | b).sum())
