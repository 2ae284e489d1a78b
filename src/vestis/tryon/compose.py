"""Compose the warped garment into the person photo.

Order of work: fill old clothing the new garment leaves uncovered (skin colour on the arms,
inpainting elsewhere), paint the garment where it lands on the person, carry the photo's
shading onto it (multiply by the normalised, blurred luminance of the old clothing), feather
the edge and put face, hair and hands back on top. Pixels outside the person are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.body import Body
from vestis.tryon.warp import Warp

__all__ = ["Composite", "Compositor"]

_INPAINT_SCALE = 0.25
_SHADING_RANGE = (0.55, 1.25)


@dataclass(frozen=True)
class Composite:
    """The composed RGB image and the masks of what was painted and what was filled."""

    rgb: np.ndarray
    painted: np.ndarray
    filled: np.ndarray


class Compositor:
    """Blend a :class:`~vestis.tryon.warp.Warp` into the person photo using the body regions."""

    def __init__(self, feather: float = 1.5, shading_strength: float = 0.5) -> None:
        self.feather = feather
        self.shading_strength = shading_strength

    def compose(self, person: np.ndarray, body: Body, warp: Warp, *, long_sleeves: bool) -> Composite:
        """The person photo wearing the warped garment (H×W×3 uint8, same size as ``person``)."""
        m = body.masks
        protected = m["face"] | m["hands"]
        if not long_sleeves:
            protected |= m["forearms"] & m["skin"]
        painted = warp.mask & _dilate(m["person"], 3) & ~protected
        # 1. Fill what the old clothing showed and the new garment does not cover.
        leftover = m["old_clothing"] & ~painted & ~protected
        image = _fill(person, leftover, m["arms"], body.skin_rgb)
        # 2. Shade the garment like the photo: luminance of the old clothing, normalised to its mean.
        garment = warp.rgb.astype(np.float32) * _shading(
            person, m["old_clothing"] & painted, self.shading_strength
        )
        # 3. Feather the edge and blend; keep protected regions and the outside exactly.
        alpha = (
            cv2.GaussianBlur(painted.astype(np.float32), (0, 0), self.feather)
            if self.feather > 0
            else painted
        )
        alpha = np.where(painted | (_dilate(painted, 2) & ~protected & m["person"]), alpha, 0.0)[..., None]
        blended = image.astype(np.float32) * (1 - alpha) + garment * alpha
        blended[protected] = person[protected]
        return Composite(
            rgb=np.clip(blended + 0.5, 0, 255).astype(np.uint8), painted=painted, filled=leftover
        )


def _fill(image: np.ndarray, region: np.ndarray, arms: np.ndarray, skin_rgb: np.ndarray) -> np.ndarray:
    """Replace ``region``: skin colour (with the photo's shading) on arms, inpainting elsewhere."""
    result = image.copy()
    if not region.any():
        return result
    height, width = region.shape
    small = cv2.resize(image, (max(1, round(width * _INPAINT_SCALE)), max(1, round(height * _INPAINT_SCALE))))
    small_mask = cv2.resize(region.astype(np.uint8), small.shape[1::-1], interpolation=cv2.INTER_NEAREST)
    small_mask = cv2.dilate(small_mask, np.ones((3, 3), np.uint8))
    inpainted = cv2.inpaint(small, small_mask, 5, cv2.INPAINT_TELEA)
    inpainted = cv2.resize(inpainted, (width, height), interpolation=cv2.INTER_LINEAR)
    on_arm = region & arms
    shade = _shading(image, on_arm, 0.6)[on_arm] if on_arm.any() else 1.0
    result[region] = inpainted[region]
    result[on_arm] = np.clip(skin_rgb * shade, 0, 255).astype(np.uint8)
    return result


def _shading(image: np.ndarray, region: np.ndarray, strength: float) -> np.ndarray:
    """H×W×1 multiplier: blurred luminance over ``region`` divided by its mean, 1 elsewhere."""
    if not region.any():
        return np.ones((*image.shape[:2], 1), np.float32)
    luminance = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    weight = region.astype(np.float32)
    sigma = max(3.0, min(image.shape[:2]) / 60)
    blurred = cv2.GaussianBlur(luminance * weight, (0, 0), sigma) / np.maximum(
        cv2.GaussianBlur(weight, (0, 0), sigma), 1e-3
    )
    ratio = blurred / max(float(np.median(luminance[region])), 1.0)
    ratio = np.clip(ratio, *_SHADING_RANGE) ** strength
    return np.where(region, ratio, 1.0).astype(np.float32)[..., None]


def _dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    size = 2 * pixels + 1
    return cv2.dilate(mask.astype(np.uint8), np.ones((size, size), np.uint8)) > 0
