"""Enhance steps: white balance, contrast (CLAHE), denoise and sharpen a product photo.

Each step takes an RGB or RGBA image and returns a new image of the same mode and size; the
alpha channel, when there is one, passes through untouched. What each step achieves is
measured by :mod:`vestis.studio.metrics` (colour cast, noise level, sharpness).
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from PIL import Image

from vestis.studio.errors import StudioError
from vestis.studio.metrics import noise_level
from vestis.vision.colour import rgb_to_lab

__all__ = ["WHITE_BALANCE_METHODS", "denoise", "equalise", "sharpen", "white_balance"]

WhiteBalanceMethod = Literal["auto", "grey-world", "white-patch"]
WHITE_BALANCE_METHODS: tuple[str, ...] = ("auto", "grey-world", "white-patch")
_NEAR_WHITE_LIGHTNESS = 70.0
_NEAR_WHITE_CHROMA = 25.0
_NEAR_WHITE_SHARE = 0.05
"""``auto`` uses white-patch when at least this share of the photo is near-white (L* ≥ 70, C* ≤ 25)."""
_MAX_GAIN = 2.0
_FLAT_WINDOW = 15
_NOISE_STD = 3.0
_TEXTURE_STD = 6.0
"""CLAHE applies fully where the local lightness standard deviation (grey levels, over 15×15 pixels)
exceeds the noise's 3 by 6 more; below 3 a bright area counts as flat."""
_BRIGHT_FROM = 190.0
_BRIGHT_RAMP = 30.0
_SAMPLE_PIXELS = 1_000_000
"""White balance measures the cast on an evenly strided sample of about this many pixels."""
_BAND_ROWS = 256
"""Sharpening works on bands of this many rows, so a large photo never needs full-size float arrays."""


def white_balance(image: Image.Image, *, method: WhiteBalanceMethod = "auto") -> Image.Image:
    """Remove a colour cast by scaling the red, green and blue channels (in linear light).

    * ``white-patch`` makes the photo's near-white surfaces neutral: the brightest half of
      the pixels with L* ≥ 70 and chroma ≤ 25 (a product photo's paper, a white garment).
    * ``grey-world`` makes the photo's mean colour neutral (assumes colours average to grey).
    * ``auto`` (the rule): white-patch when near-white pixels make at least 5 % of the
      photo — true of almost every product photo, whose background is such a surface —
      else grey-world. Gains are limited to ½…2 so a photo of one strong colour is not
      turned into its complement.

    The cast is measured on an evenly strided sample of about a million pixels (every pixel of
    smaller photos) and the gains are applied through a 256-entry table per channel, so a large
    photo costs neither time nor full-size float arrays.
    """
    if method not in WHITE_BALANCE_METHODS:
        raise StudioError(f"method: must be one of {', '.join(WHITE_BALANCE_METHODS)}; got {method!r}")
    rgb, alpha = _split(image)
    stride = max(1, int(np.ceil(np.sqrt(rgb.shape[0] * rgb.shape[1] / _SAMPLE_PIXELS))))
    sample = rgb[::stride, ::stride]
    linear = _to_linear(sample)
    near_white = _near_white(sample)
    if method == "auto":
        method = "white-patch" if near_white.mean() >= _NEAR_WHITE_SHARE else "grey-world"
    if method == "white-patch" and near_white.any():
        brightness = linear[near_white].mean(axis=1)
        reference = linear[near_white][brightness >= np.median(brightness)].mean(axis=0)
        target = reference.max()
    else:
        reference = linear.reshape(-1, 3).mean(axis=0)
        target = reference.mean()
    gains = np.clip(target / np.maximum(reference, 1e-6), 1 / _MAX_GAIN, _MAX_GAIN)
    levels = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    table = _to_srgb(_to_linear(levels) * gains)
    for channel in range(3):
        rgb[..., channel] = table[rgb[..., channel], channel]
    return _join(rgb, alpha)


def equalise(image: Image.Image, *, clip_limit: float = 2.0, tiles: int = 8) -> Image.Image:
    """Local contrast and exposure: CLAHE on the lightness channel (CIELAB), colours kept.

    ``clip_limit`` bounds how much any tile's contrast is stretched (1 = almost none, 4 = strong);
    ``tiles`` is the grid size per side. The change fades out over flat bright areas (paper,
    plain white fabric), where CLAHE would only turn noise and JPEG blocks into grey blotches.
    """
    if not 0.5 <= clip_limit <= 10.0:
        raise StudioError(f"clip_limit: must be from 0.5 to 10; got {clip_limit!r}")
    if not isinstance(tiles, int) or not 1 <= tiles <= 64:
        raise StudioError(f"tiles: must be a whole number from 1 to 64; got {tiles!r}")
    rgb, alpha = _split(image)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    clahe = cv2.createCLAHE(clipLimit=float(clip_limit), tileGridSize=(tiles, tiles))
    lightness = lab[..., 0]
    change = clahe.apply(lightness).astype(np.float32) - lightness
    lab[..., 0] = np.clip(np.rint(lightness + change * _contrast_weight(lightness)), 0, 255).astype(np.uint8)
    return _join(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB), alpha)


def denoise(image: Image.Image, *, strength: float | None = None) -> Image.Image:
    """Non-local-means denoising; ``strength`` is the filter's h in grey levels (0..255).

    ``None`` (default) sets it from the measured noise (:func:`vestis.studio.metrics.noise_level`):
    h ≈ the noise's σ, at least 3, so a clean photo is barely touched.
    """
    if strength is not None and not 0 < strength <= 50:
        raise StudioError(f"strength: must be above 0 and at most 50 grey levels, or None; got {strength!r}")
    rgb, alpha = _split(image)
    h = max(3.0, noise_level(rgb)) if strength is None else float(strength)
    clean = cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(rgb), None, h, h, 7, 21)
    return _join(clean, alpha)


def sharpen(
    image: Image.Image, *, amount: float = 0.6, radius: float = 1.0, threshold: int = 2
) -> Image.Image:
    """Unsharp mask: add back ``amount`` × (image − Gaussian blur of σ ``radius`` pixels).

    Differences of at most ``threshold`` grey levels are left alone, so flat areas (and their
    noise) are not sharpened and a pure-white background stays exactly white.
    """
    if not 0 <= amount <= 5:
        raise StudioError(f"amount: must be from 0 to 5; got {amount!r}")
    if not 0.3 <= radius <= 20:
        raise StudioError(f"radius: must be from 0.3 to 20 pixels; got {radius!r}")
    if not isinstance(threshold, int) or not 0 <= threshold <= 255:
        raise StudioError(
            f"threshold: must be a whole number of grey levels from 0 to 255; got {threshold!r}"
        )
    rgb, alpha = _split(image)
    halo = int(np.ceil(4 * radius)) + 1  # beyond OpenCV's Gaussian kernel radius for float images
    sharp = np.empty_like(rgb)
    for top in range(0, rgb.shape[0], _BAND_ROWS):
        bottom = min(top + _BAND_ROWS, rgb.shape[0])
        start, stop = max(0, top - halo), min(rgb.shape[0], bottom + halo)
        pixels = rgb[start:stop].astype(np.float32)
        detail = pixels - cv2.GaussianBlur(pixels, (0, 0), radius)
        detail[np.abs(detail) <= threshold] = 0.0
        band = np.clip(np.rint(pixels + amount * detail), 0, 255).astype(np.uint8)
        sharp[top:bottom] = band[top - start : top - start + bottom - top]
    return _join(sharp, alpha)


# ------------------------------------------------------------------------------ helpers
def _split(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """RGB pixels (a copy, uint8) and the alpha channel (or ``None``)."""
    if image.mode == "RGBA":
        pixels = np.array(image)
        return np.ascontiguousarray(pixels[..., :3]), pixels[..., 3]
    return np.array(image if image.mode == "RGB" else image.convert("RGB")), None


def _join(rgb: np.ndarray, alpha: np.ndarray | None) -> Image.Image:
    if alpha is None:
        return Image.fromarray(rgb, "RGB")
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")


def _contrast_weight(lightness: np.ndarray) -> np.ndarray:
    """1 on textured or mid-tone areas, falling to 0 on flat bright ones (8-bit L above 190)."""
    values = lightness.astype(np.float32)
    window = (_FLAT_WINDOW, _FLAT_WINDOW)
    variance = cv2.blur(values * values, window) - cv2.blur(values, window) ** 2
    texture = (np.sqrt(np.maximum(variance, 0.0)) - _NOISE_STD) / _TEXTURE_STD
    bright = (cv2.blur(values, window) - _BRIGHT_FROM) / _BRIGHT_RAMP
    return np.clip(np.maximum(texture, 1.0 - bright), 0.0, 1.0)


def _to_linear(rgb: np.ndarray) -> np.ndarray:
    srgb = rgb.astype(np.float32) / 255.0
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    srgb = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)
    return np.rint(srgb * 255.0).astype(np.uint8)


def _near_white(rgb: np.ndarray) -> np.ndarray:
    """Bright, nearly neutral pixels that are not clipped in only some channels."""
    lab = rgb_to_lab(rgb)
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    clipped = (rgb == 255).any(axis=-1) & ~(rgb == 255).all(axis=-1)
    return (lab[..., 0] >= _NEAR_WHITE_LIGHTNESS) & (chroma <= _NEAR_WHITE_CHROMA) & ~clipped
