"""Numbers that say whether a studio step did its job, each with its unit.

* :func:`background_purity` — share (0..1) of background pixels that are exactly white;
* :func:`colour_cast` — how far the photo's neutral surfaces are from grey, in ΔE (CIELAB);
* :func:`sharpness` — variance of the Laplacian of the grey image, in grey levels²;
* :func:`noise_level` — robust estimate of the noise's standard deviation, in grey levels;
* :func:`psnr` / :func:`ssim` — closeness of an image to a reference (dB / unitless, 1 = equal).

All take PIL images or uint8 arrays (H×W×3 or H×W×4); none changes its input.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage

from vestis.studio.errors import StudioError
from vestis.vision.colour import rgb_to_lab

__all__ = ["background_purity", "border_ring", "colour_cast", "noise_level", "psnr", "sharpness", "ssim"]

BORDER_SHARE = 0.02
"""Width of the border ring :func:`background_purity` checks, as a share of the shorter side."""
_NEUTRAL_SHARE = 0.25
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
_MAD_TO_SIGMA = 1.0 / (0.6745 * 6.0)
"""A Gaussian's σ is its median absolute value / 0.6745; the kernel scales σ by √36 = 6."""


def background_purity(image: Image.Image | np.ndarray, mask: np.ndarray | None = None) -> float:
    """Share (0..1) of background pixels that are exactly #FFFFFF (or fully transparent).

    The background is ``mask`` (True = background) when given, else the border ring of the
    image (:data:`BORDER_SHARE` of the shorter side, at least one pixel wide): marketplaces
    check that the main image's edges are pure white.
    """
    pixels = _pixels(image)
    region = border_ring(pixels.shape[:2]) if mask is None else np.asarray(mask, dtype=bool)
    if region.shape != pixels.shape[:2]:
        raise StudioError(f"mask: shape {region.shape} does not match the image's {pixels.shape[:2]}")
    if not region.any():
        raise StudioError("mask: selects no pixel")
    pure = (pixels[..., :3] == 255).all(axis=-1)
    if pixels.shape[-1] == 4:
        pure = (pure & (pixels[..., 3] == 255)) | (pixels[..., 3] == 0)
    return float(pure[region].mean())


def border_ring(shape: tuple[int, int], share: float = BORDER_SHARE) -> np.ndarray:
    """Boolean mask of the image's outer ring, ``share`` of the shorter side wide (≥ 1 pixel)."""
    width = max(1, round(min(shape) * share))
    ring = np.ones(shape, dtype=bool)
    ring[width:-width, width:-width] = False
    return ring


def colour_cast(image: Image.Image | np.ndarray) -> float:
    """Colour cast in ΔE: distance of the neutral surfaces' mean (a*, b*) from grey (0, 0).

    The neutral surfaces are the least chromatic quarter of the pixels: a product photo's
    background, whites, greys and blacks. A cast shifts them all the same way, so the mean
    shift is the cast, while a garment's own colours do not enter. Assumes the photo holds
    some neutral surface, as product photos do.
    """
    lab = rgb_to_lab(_pixels(image)[..., :3]).reshape(-1, 3)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    neutral = chroma <= np.quantile(chroma, _NEUTRAL_SHARE)
    return float(np.hypot(*lab[neutral, 1:].mean(axis=0)))


def sharpness(image: Image.Image | np.ndarray) -> float:
    """Variance of the Laplacian of the grey image (grey levels², higher = crisper detail)."""
    return float(ndimage.laplace(_grey(image)).var())


def noise_level(image: Image.Image | np.ndarray) -> float:
    """Standard deviation of the noise in grey levels (0..255), averaged over the channels.

    Immerkær's kernel (the difference of two Laplacians) cancels smooth image structure and
    keeps the noise; the median absolute response, not the mean, makes the estimate robust
    to the edges and texture that survive the kernel.
    """
    pixels = _pixels(image)[..., :3].astype(np.float32)
    sigmas = [
        np.median(np.abs(ndimage.convolve(pixels[..., c], _IMMERKAER)[1:-1, 1:-1])) * _MAD_TO_SIGMA
        for c in range(3)
    ]
    return float(np.mean(sigmas))


def psnr(reference: Image.Image | np.ndarray, test: Image.Image | np.ndarray) -> float:
    """Peak signal-to-noise ratio of ``test`` against ``reference`` over all channels, in dB (inf when equal).

    OpenCV's ``PSNR``: the textbook figure, 13× faster than the NumPy formula it replaced on
    a 512 px photo (``python -m benchmarks.image_metrics``).
    """
    a, b = _pair(reference, test)
    return float("inf") if np.array_equal(a, b) else float(cv2.PSNR(a, b, 255.0))


def ssim(reference: Image.Image | np.ndarray, test: Image.Image | np.ndarray) -> float:
    """Structural similarity of the grey images (Gaussian window σ = 1.5, as Wang et al. 2004).

    OpenCV-contrib's ``quality.QualitySSIM``: within 1e-3 of torchmetrics' SSIM on real
    photos, and 5.6× faster (``python -m benchmarks.image_metrics``).
    """
    a, b = (_grey(x) for x in _pair(reference, test))
    return float(cv2.quality.QualitySSIM_compute(a, b)[0][0])


# ------------------------------------------------------------------------------ helpers
def _pixels(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, Image.Image):
        image = np.asarray(image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"))
    pixels = np.asarray(image)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=-1)
    if pixels.ndim != 3 or pixels.shape[-1] not in (3, 4):
        raise StudioError(f"image: expected H×W×3 or H×W×4 pixels; got shape {pixels.shape}")
    return pixels


def _grey(image: Image.Image | np.ndarray) -> np.ndarray:
    rgb = _pixels(image)[..., :3].astype(np.float32)
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _pair(
    reference: Image.Image | np.ndarray, test: Image.Image | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    a, b = _pixels(reference)[..., :3], _pixels(test)[..., :3]
    if a.shape != b.shape:
        raise StudioError(f"test: shape {b.shape} differs from the reference's {a.shape}")
    return a.astype(np.float32), b.astype(np.float32)
