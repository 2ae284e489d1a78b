"""Colour science for product photos: sRGB → CIELAB, a named palette, and colour names.

CIELAB is used because Euclidean distance in it (ΔE) roughly follows how different two
colours look, so "same colour" means the same thing for dark navy as for pale pink.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

__all__ = [
    "PALETTE",
    "PALETTE_LAB",
    "PALETTE_NAMES",
    "colour_name",
    "lab_to_rgb",
    "rgb_to_lab",
    "squared_distance",
]

PALETTE: dict[str, tuple[int, int, int]] = {
    "black": (28, 28, 32),
    "white": (242, 241, 236),
    "grey": (140, 142, 146),
    "light grey": (200, 200, 202),
    "navy": (32, 42, 82),
    "blue": (44, 96, 176),
    "light blue": (156, 194, 228),
    "red": (196, 36, 44),
    "burgundy": (116, 26, 46),
    "pink": (236, 160, 182),
    "purple": (110, 60, 140),
    "green": (44, 124, 74),
    "olive": (110, 114, 60),
    "beige": (216, 196, 160),
    "brown": (112, 74, 46),
    "yellow": (236, 196, 52),
    "orange": (226, 112, 42),
}
"""Common Merchant Center colour names and a typical sRGB value of each."""

PALETTE_NAMES: tuple[str, ...] = tuple(PALETTE)


def squared_distance(
    pixels: np.ndarray, reference: np.ndarray, weights: tuple[float, float, float] = (1.0, 1.0, 1.0)
) -> np.ndarray:
    """Squared Euclidean distance of each colour in ``pixels`` (N×3, e.g. CIELAB) to ``reference``,
    each channel scaled by its weight first (float32, N).

    Compare it with a squared threshold: the same test as ``np.linalg.norm(…, axis=-1) < d``,
    done a channel at a time, which is about six times faster on the hundreds of thousands of
    pixels of a person photo.
    """
    total = np.zeros(len(pixels), np.float32)
    for channel, weight in enumerate(weights):
        difference = (pixels[:, channel] - np.float32(reference[channel])) * np.float32(weight)
        total += difference * difference
    return total


def rgb_to_lab(rgb: np.ndarray, *, precise: bool = True) -> np.ndarray:
    """CIELAB (D65) of sRGB values in 0..255; any shape ending in 3, returned as float32.

    ``precise=False`` on uint8 input uses OpenCV's 8-bit tables: several times faster on a whole
    photo and within about 1 ΔE (99th percentile), enough for masks and colour thresholds.
    """
    rgb = np.asarray(rgb)
    if not precise and rgb.dtype == np.uint8:
        return _rgb_to_lab_8bit(rgb)
    return _in_blocks(_rgb_to_lab, rgb)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """sRGB (float32, 0..255, clipped to the gamut) of CIELAB values: the inverse of :func:`rgb_to_lab`."""
    return _in_blocks(_lab_to_rgb, lab)


_BLOCK = 1 << 20
"""Colours converted at a time: each conversion holds several float copies of its input."""


def _in_blocks(convert: Callable[[np.ndarray], np.ndarray], values: np.ndarray) -> np.ndarray:
    """``convert`` (a per-colour function) over ``values`` in blocks of :data:`_BLOCK` colours.

    The same numbers as one call, but a 12-megapixel photo's temporaries stay at block size
    instead of several hundred megabytes.
    """
    values = np.asarray(values)
    flat = values.reshape(-1, 3)
    if len(flat) <= _BLOCK:
        return convert(values)
    result = np.empty(flat.shape, dtype=np.float32)
    for start in range(0, len(flat), _BLOCK):
        result[start : start + _BLOCK] = convert(flat[start : start + _BLOCK])
    return result.reshape(values.shape)


def _rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    return _convert(np.asarray(rgb, dtype=np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def _rgb_to_lab_8bit(rgb: np.ndarray) -> np.ndarray:
    if not rgb.size:
        return rgb.astype(np.float32)
    coded = cv2.cvtColor(np.ascontiguousarray(rgb.reshape(-1, 1, 3)), cv2.COLOR_RGB2Lab)
    lab = coded.reshape(rgb.shape).astype(np.float32)
    lab -= np.array([0.0, 128.0, 128.0], dtype=np.float32)
    lab[..., 0] *= 100.0 / 255.0
    return lab


def _lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    return np.clip(_convert(np.asarray(lab, dtype=np.float32), cv2.COLOR_Lab2RGB), 0.0, 1.0) * 255.0


def _convert(values: np.ndarray, code: int) -> np.ndarray:
    """OpenCV's float32 colour conversion (D65, sRGB companding) of any array ending in 3."""
    if not values.size:
        return values.astype(np.float32)
    column = np.ascontiguousarray(values.reshape(-1, 1, 3))
    return cv2.cvtColor(column, code).reshape(values.shape)


PALETTE_LAB: np.ndarray = rgb_to_lab(np.array(list(PALETTE.values()), dtype=np.float32))
"""The palette in CIELAB, one row per name in :data:`PALETTE_NAMES`."""


def colour_name(lab: np.ndarray) -> str:
    """The palette name nearest (by ΔE) to one CIELAB colour."""
    distance = np.linalg.norm(PALETTE_LAB - np.asarray(lab, dtype=np.float32).reshape(1, 3), axis=1)
    return PALETTE_NAMES[int(np.argmin(distance))]
