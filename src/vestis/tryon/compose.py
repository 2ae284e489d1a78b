"""Compose the warped garment into the person photo.

Order of work: fill old clothing the new garment leaves uncovered (skin colour, with the photo's
shading, where skin would show: arms, and for a top the torso and neck; inpainting elsewhere), paint the garment where it lands on the person, carry the photo's
shading onto it (multiply by the normalised, blurred luminance of the old clothing), feather
the edge and put face, hair and hands back on top. Pixels outside the person are never touched,
except that a skirt or dress hangs across the background between the legs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.body import Body
from vestis.tryon.warp import Warp
from vestis.vision.filters import weighted_blur

__all__ = ["Composite", "Compositor"]

_INPAINT_SCALE = 0.25
_SHADING_RANGE = (0.55, 1.25)
_GRAIN_LIMIT = 4.0
"""Strongest grain (luminance standard deviation) added to filled skin."""
_SKIN_PRIOR = 0.05
"""Weight of the person's overall skin colour against the nearby skin in a skin fill."""
_SHADE_BAND = 60.0
"""Largest luminance difference from the region's median of pixels that carry its shading."""


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

    def compose(
        self,
        person: np.ndarray,
        body: Body,
        warp: Warp,
        *,
        long_sleeves: bool,
        category: str = "upper",
        skirt: bool = False,
    ) -> Composite:
        """The person photo wearing the warped garment (H×W×3 uint8, same size as ``person``).

        ``category`` (``upper``, ``lower`` or ``dress``) says which old clothing is replaced and
        where bare skin may show instead (arms; legs); ``skirt`` lets a skirt or dress hang
        across the background between the legs (``between_legs``), the one place outside the
        person it may paint.
        """
        m = body.masks
        old, bare, front = _roles(m, category, long_sleeves)
        protected = m["face"] | front
        reach = _dilate(m["person"], 3) | (m["between_legs"] if skirt else False)
        painted = warp.mask & reach & ~protected
        # 1. Fill what the old clothing showed and the new garment does not cover.
        leftover = old & ~painted & ~protected
        # The clothing masks stop short of their soft edges (a trouser's dark outline, a collar's rim).
        edge = _dilate(m["person"], 2) if category != "upper" else m["person"]
        leftover |= _dilate(leftover, 2) & edge & ~painted & ~protected
        # Inpainting sources: old trousers leave background behind (skin on the legs is drawn),
        # a dress's neckline or hem the body around it; the upper path keeps its own.
        hidden = {"upper": None, "lower": m["person"], "dress": painted}[category]
        skin = _local_skin(person, m["skin"] & ~old, body.skin_rgb)
        # Skin filled in fades into the skin around it, over a ring of a few pixels filled alike.
        ring = _dilate(leftover, 3) & bare & m["skin"] & ~painted & ~protected & ~leftover
        image = _fill(person, leftover | ring, bare, skin, hidden=hidden)
        fade = cv2.GaussianBlur(leftover.astype(np.float32), (0, 0), 1.5)[..., None]
        image = np.where(ring[..., None], image * fade + person * (1 - fade), image).astype(np.uint8)
        # 2. Shade the garment like the photo: luminance of the old clothing, normalised to its mean.
        garment = warp.rgb.astype(np.float32) * _shading(person, old & painted, self.shading_strength)
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


def _fill(
    image: np.ndarray,
    region: np.ndarray,
    arms: np.ndarray,
    skin_rgb: np.ndarray,
    hidden: np.ndarray | None = None,
) -> np.ndarray:
    """Replace ``region``: skin (``skin_rgb``, one colour or H×W×3, with the photo's shading) on
    arms, inpainting elsewhere.

    ``hidden`` pixels (painted over afterwards) are inpainted too, so that the old clothing
    under the new garment does not bleed into the fill; that larger area is inpainted at half
    the resolution, which keeps it fast and loses nothing of a smooth background.
    """
    result = image.copy()
    if not region.any():
        return result
    on_arm = region & arms
    if (region & ~arms).any():
        height, width = region.shape
        scale = _INPAINT_SCALE if hidden is None else _INPAINT_SCALE / 2
        small = cv2.resize(image, (max(1, round(width * scale)), max(1, round(height * scale))))
        source = region if hidden is None else region | hidden
        small_mask = cv2.resize(source.astype(np.uint8), small.shape[1::-1], interpolation=cv2.INTER_NEAREST)
        small_mask = cv2.dilate(small_mask, np.ones((3, 3), np.uint8))
        inpainted = cv2.inpaint(small, small_mask, 5, cv2.INPAINT_TELEA)
        inpainted = cv2.resize(inpainted, (width, height), interpolation=cv2.INTER_LINEAR)
        result[region] = inpainted[region]
    shade = _shading(image, on_arm, 0.6)[on_arm] if on_arm.any() else 1.0
    colour = skin_rgb[on_arm] if skin_rgb.ndim == 3 else skin_rgb
    grain = _skin_grain(image, arms & ~region, int(on_arm.sum()))
    result[on_arm] = np.clip(colour * shade + grain, 0, 255).astype(np.uint8)
    return result


def _skin_grain(image: np.ndarray, skin: np.ndarray, count: int) -> np.ndarray:
    """``count``×1 luminance grain half as strong as the fine texture of the photo's own skin (its
    deviation from a 2-pixel blur, which also holds edges), so filled skin is not flatter than the skin beside it;
    the same seed every time, so a render is reproducible."""
    if count == 0 or skin.sum() < 50:
        return np.zeros((count, 1), np.float32)
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 2.0)
    strength = float(np.clip(np.std(detail[skin]), 0.0, _GRAIN_LIMIT))
    return np.random.default_rng(0).normal(0.0, 0.5 * strength, (count, 1)).astype(np.float32)


def _local_skin(image: np.ndarray, skin: np.ndarray, skin_rgb: np.ndarray) -> np.ndarray:
    """H×W×3 skin colour that follows the person's own nearby skin (a neck lit differently from
    the arms), tending to ``skin_rgb`` far from any."""
    sigma = max(4.0, min(skin.shape) / 12)
    return weighted_blur(
        image, skin.astype(np.float32), sigma, prior=(skin_rgb.reshape(1, 1, 3), _SKIN_PRIOR)
    )


def _shading(image: np.ndarray, region: np.ndarray, strength: float) -> np.ndarray:
    """H×W×1 multiplier: blurred luminance over ``region`` divided by its mean, 1 elsewhere."""
    if not region.any():
        return np.ones((*image.shape[:2], 1), np.float32)
    luminance = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    median = max(float(np.median(luminance[region])), 1.0)
    # Shade from the main garment only: a dark skirt inside the region must not darken a white top.
    weight = (region & (np.abs(luminance - median) < _SHADE_BAND)).astype(np.float32)
    blurred = weighted_blur(luminance, weight, max(3.0, min(image.shape[:2]) / 60))
    ratio = blurred / median
    ratio = np.clip(ratio, *_SHADING_RANGE) ** strength
    return np.where(region, ratio, 1.0).astype(np.float32)[..., None]


def _roles(
    masks: dict[str, np.ndarray], category: str, long_sleeves: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a garment of ``category`` replaces, where bare skin shows instead (a top or a dress:
    arms, torso and neck, so a shorter top bares the midriff, a neckline the chest and shorter
    sleeves the arms; legs below a dress or shorts), and what stays in
    front of it: hands, bare forearms over short sleeves, and arms, feet and a top worn over the
    waistband over trousers and skirts (``arms_front``: just the arm pixels that are not the old
    trousers)."""
    no_sleeves = ~np.asarray(long_sleeves)
    if category == "upper":
        return (
            masks["old_clothing"],
            masks["arms"] | masks["torso"] | masks["neck"],
            masks["hands"] | (masks["forearms"] & masks["skin"] & no_sleeves),
        )
    legs = masks["thighs"] | masks["calves"]
    if category == "lower":
        return masks["old_lower_clothing"], legs, masks["arms_front"] | masks["feet"] | masks["top_front"]
    old = masks["old_clothing"] | masks["old_lower_clothing"]
    bare = masks["arms"] | legs | masks["torso"] | masks["neck"]  # a neckline bares skin as a top's does
    return old, bare, masks["feet"] | (masks["arms_front"] & (masks["hands"] | no_sleeves))


def _dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    size = 2 * pixels + 1
    return cv2.dilate(mask.astype(np.uint8), np.ones((size, size), np.uint8)) > 0
