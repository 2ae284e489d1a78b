"""Image filters shared by the try-on and the studio."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["weighted_blur"]


def weighted_blur(
    values: np.ndarray,
    weight: np.ndarray,
    sigma: float,
    prior: tuple[np.ndarray | float, float] | None = None,
) -> np.ndarray:
    """Gaussian mean of ``values`` (H×W or H×W×C) counting each pixel by ``weight`` (H×W, ≥ 0).

    A normalised convolution: it spreads what is known (the pixels with weight) over what is not,
    e.g. the skin around a patch to fill. ``prior`` = (value, strength) is mixed in as if
    ``strength`` weight of ``value`` lay everywhere, so the mean tends to it far from any weight;
    without one, unweighted areas get the nearest weighted values. A blur this wide loses
    nothing when computed on a copy shrunk to about three pixels per sigma, so it is.
    """
    height, width = weight.shape
    shrink = min(1.0, 3.0 / sigma)
    small = (max(1, round(width * shrink)), max(1, round(height * shrink)))
    weight = weight.astype(np.float32)
    weighted = values.astype(np.float32) * (weight[..., None] if values.ndim == 3 else weight)
    sums, weights = (
        cv2.GaussianBlur(cv2.resize(plane, small, interpolation=cv2.INTER_AREA), (0, 0), sigma * shrink)
        for plane in (weighted, weight)
    )
    if values.ndim == 3:
        weights = weights[..., None]
    if prior is None:
        mean = sums / np.maximum(weights, 1e-3)
    else:
        value, strength = prior
        mean = (sums + strength * np.asarray(value, np.float32)) / (weights + strength)
    return cv2.resize(mean, (width, height), interpolation=cv2.INTER_LINEAR)
