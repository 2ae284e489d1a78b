"""Colour science for product photos: sRGB → CIELAB, a named palette, and colour names.

CIELAB is used because Euclidean distance in it (ΔE) roughly follows how different two
colours look, so "same colour" means the same thing for dark navy as for pale pink.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["PALETTE", "PALETTE_LAB", "PALETTE_NAMES", "colour_name", "lab_to_rgb", "rgb_to_lab"]

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


_RGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]], dtype=np.float32
)
_WHITE = np.array([0.95047, 1.0, 1.08883], dtype=np.float32)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB values in 0..255; any shape ending in 3, returned as float32."""
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
    srgb = np.asarray(rgb, dtype=np.float32) / 255.0
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    lab = np.stack(
        [116.0 * f[..., 1] - 16.0, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])], axis=-1
    )
    return lab.astype(np.float32)


def _lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    lab = np.asarray(lab, dtype=np.float32)
    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], axis=-1)
    xyz = np.where(f > 0.206893, f**3, (f - 16.0 / 116.0) / 7.787) * _WHITE
    linear = np.clip(xyz @ np.linalg.inv(_RGB_TO_XYZ).T.astype(np.float32), 0.0, 1.0)
    srgb = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)
    return (srgb * 255.0).astype(np.float32)


PALETTE_LAB: np.ndarray = rgb_to_lab(np.array(list(PALETTE.values()), dtype=np.float32))
"""The palette in CIELAB, one row per name in :data:`PALETTE_NAMES`."""


def colour_name(lab: np.ndarray) -> str:
    """The palette name nearest (by ΔE) to one CIELAB colour."""
    distance = np.linalg.norm(PALETTE_LAB - np.asarray(lab, dtype=np.float32).reshape(1, 3), axis=1)
    return PALETTE_NAMES[int(np.argmin(distance))]
