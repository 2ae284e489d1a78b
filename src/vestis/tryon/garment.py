"""Garment analysis: product-photo mask, category guess and keypoints read off the silhouette.

The mask comes from :func:`vestis.vision.features.foreground_mask` (distance from the border
colour, shadows down-weighted), computed on a reduced copy for speed. Keypoints need no model:
the hem is the bottom row, the body width is the typical width of the lower half, armpits are
where the silhouette narrows from sleeve span to body width, shoulders are the top of the
silhouette above the body edges and sleeve ends are its outermost points above the armpits.
Without a category hint the class is read off the silhouette too (see :func:`guess_category`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.errors import TryOnError
from vestis.vision.colour import rgb_to_lab
from vestis.vision.features import foreground_mask

__all__ = ["CATEGORIES", "Garment", "GarmentAnalyser", "normalise_category"]

CATEGORIES: dict[str, str] = {
    "upper": "upper",
    "upper_body": "upper",
    "top": "upper",
    "tops": "upper",
    "shirt": "upper",
    "t-shirt": "upper",
    "tshirt": "upper",
    "blouse": "upper",
    "sweater": "upper",
    "lower": "lower",
    "lower_body": "lower",
    "trousers": "lower",
    "pants": "lower",
    "skirt": "lower",
    "dress": "dress",
    "dresses": "dress",
}
"""Accepted category names (case-insensitive) and the garment class each stands for."""

SUPPORTED = ("upper",)
"""Garment classes the warp backend can render today."""

_ANALYSIS_SIZE = 384
_BORDER_SPREAD_LIMIT = 18.0
"""Largest typical CIELAB distance of border pixels from their median that still counts as plain."""
_LEG_GAP = 0.4
"""Shortest gap between legs, as a fraction of the garment's height, that makes it trousers/shorts."""
_DRESS_LENGTH = 3.3
"""Smallest height / chest-or-waist width ratio of a dress (tops measure 0.5–2.6, dresses 3.7–5)."""
_BACKGROUND_LIKE = 6.0
"""Largest CIELAB distance (lightness at half weight) from the border colour that counts as background."""


@dataclass(frozen=True)
class Garment:
    """Garment RGB and mask (full size), its class and named keypoints in pixels."""

    rgb: np.ndarray
    mask: np.ndarray
    category: str
    keypoints: dict[str, tuple[float, float]]


def normalise_category(category: str | None) -> str | None:
    """The garment class for a user-supplied category name; ``None`` stays ``None`` (guess it)."""
    if category is None:
        return None
    key = category.strip().lower().replace(" ", "_")
    if key not in CATEGORIES:
        raise TryOnError(
            f"category {category!r} is not known; use one of {', '.join(sorted(set(CATEGORIES)))}"
        )
    return CATEGORIES[key]


class GarmentAnalyser:
    """Separate a garment from its plain background and find its keypoints."""

    def analyse(self, rgb: np.ndarray, category: str | None = None) -> Garment:
        """Mask, class and keypoints of the garment in ``rgb`` (H×W×3 uint8).

        Raises :class:`TryOnError` when the background is not plain, no garment is found or the
        class (given or guessed) is not one the pipeline renders.
        """
        small_mask, lab = _small_silhouette(rgb)
        height, width = rgb.shape[:2]
        mask = cv2.resize(small_mask.astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR) > 0
        resolved = normalise_category(category) or guess_category(small_mask, _background_like(lab))
        if resolved not in SUPPORTED:
            raise TryOnError(
                f"category {resolved!r} is not supported by the warp backend yet; supported: {', '.join(SUPPORTED)}"
            )
        return Garment(rgb=rgb, mask=mask, category=resolved, keypoints=upper_keypoints(mask))

    def guess(self, rgb: np.ndarray) -> str:
        """The class (``upper``, ``lower`` or ``dress``) of the garment in ``rgb``, supported or not."""
        small_mask, lab = _small_silhouette(rgb)
        return guess_category(small_mask, _background_like(lab))


def guess_category(mask: np.ndarray, background_like: np.ndarray | None = None) -> str:
    """``upper``, ``lower`` or ``dress`` from the silhouette (H×W bool) of a product photo.

    Trousers show a gap between the legs: a tall vertical run of non-garment pixels near the
    centre of the lower part. The mask itself has that gap filled when the legs touch at the hem,
    so ``background_like`` (pixels in the background's colour) counts as gap too. Dresses are
    long for their chest/waist width (sleeves left out: the narrowest row of the 20–50 % band)
    and in one piece there; anything else is a top.
    """
    rows = np.nonzero(mask.any(axis=1))[0]
    top, bottom = int(rows[0]), int(rows[-1])
    height = bottom - top + 1
    gap = ~mask if background_like is None else ~mask | background_like
    left = mask.argmax(axis=1)
    right = mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1)
    span = np.where(mask.any(axis=1), right - left + 1, 0)
    lower_half = np.arange(top + height // 2, bottom + 1)
    middle = int(np.median((left[lower_half] + right[lower_half]) / 2))
    reach = max(1, round(0.05 * span.max()))
    below_crotch = gap[top + height // 4 : bottom + 1, max(0, middle - reach) : middle + reach + 1]
    if _longest_vertical_run(below_crotch) >= _LEG_GAP * height:
        return "lower"
    narrowest = int(span[top + height // 5 : top + height // 2 + 1].min())
    if narrowest > 0 and height / narrowest >= _DRESS_LENGTH:
        return "dress"
    return "upper"


def upper_keypoints(mask: np.ndarray) -> dict[str, tuple[float, float]]:
    """Neckline centre, shoulders, armpits, sleeve ends and hem corners of a top's silhouette.

    Sides are named as the wearer sees them: a front-view photo shows the wearer's right on the
    image's left, as the person photo does, so names match :class:`~vestis.tryon.body.Body`'s.
    """
    rows = np.nonzero(mask.any(axis=1))[0]
    top, bottom = int(rows[0]), int(rows[-1])
    height = bottom - top + 1
    left = np.where(mask.any(axis=1), mask.argmax(axis=1), -1)
    right = np.where(mask.any(axis=1), mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1), -1)
    lower_half = np.arange(top + height // 2, bottom - height // 20 + 1)
    middle = (int(np.median(left[lower_half])) + int(np.median(right[lower_half]))) // 2
    run_left, run_right = _run_around(mask[lower_half], middle)
    body_left, body_right = float(np.median(run_left)), float(np.median(run_right))
    centre = (body_left + body_right) / 2
    body_width = body_right - body_left
    # Armpit: lowest row of the upper part where the silhouette still spans well beyond the body.
    span = right - left
    upper_rows = np.arange(top, top + height // 2)
    wide = upper_rows[span[upper_rows] > 1.12 * body_width]
    armpit_y = float(wide[-1] + 1) if wide.size else top + 0.3 * height
    armpit_y = min(max(armpit_y, top + 0.15 * height), top + 0.5 * height)
    hem_y = float(bottom)
    columns = {"right": body_left + 0.12 * body_width, "left": body_right - 0.12 * body_width}
    points: dict[str, tuple[float, float]] = {}
    for side, x in columns.items():
        column = mask[:, round(x)]
        points[f"{side}_shoulder"] = (x, float(column.argmax()) if column.any() else float(top))
    centre_column = mask[: round(armpit_y), round(centre)]
    neck_y = float(centre_column.argmax()) if centre_column.any() else float(top)
    points["neck"] = (centre, neck_y)
    points["right_armpit"] = (float(left[round(armpit_y)]) if wide.size else body_left, armpit_y)
    points["left_armpit"] = (float(right[round(armpit_y)]) if wide.size else body_right, armpit_y)
    # Sleeve ends: outermost silhouette points above the armpit, if the garment has sleeves.
    if wide.size:
        band = np.arange(top, round(armpit_y))
        li, ri = band[np.argmin(left[band])], band[np.argmax(right[band])]
        points["right_sleeve"] = (float(left[li]), float(li))
        points["left_sleeve"] = (float(right[ri]), float(ri))
    hem_row = round(hem_y - 0.02 * height)
    points["right_hem"] = (float(left[hem_row]), hem_y)
    points["left_hem"] = (float(right[hem_row]), hem_y)
    return points


def _longest_vertical_run(block: np.ndarray) -> int:
    """Length of the longest run of ``True`` down any column of ``block``."""
    best = 0
    run = np.zeros(block.shape[1], int)
    for row in block:
        run = np.where(row, run + 1, 0)
        best = max(best, int(run.max(initial=0)))
    return best


def _run_around(rows: np.ndarray, column: int) -> tuple[np.ndarray, np.ndarray]:
    """Left and right ends of the run of mask pixels containing ``column`` in each row (a sleeve
    hanging beside the body with a gap is left out)."""
    to_left = ~rows[:, : column + 1][:, ::-1]
    to_right = ~rows[:, column:]
    left = column - np.where(to_left.any(axis=1), to_left.argmax(axis=1), column + 1) + 1
    right = column + np.where(to_right.any(axis=1), to_right.argmax(axis=1), rows.shape[1] - column) - 1
    return left, right


def _small_silhouette(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Garment mask and CIELAB image of a copy reduced to :data:`_ANALYSIS_SIZE`; raises on unusable photos."""
    height, width = rgb.shape[:2]
    scale = min(1.0, _ANALYSIS_SIZE / max(height, width))
    small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    lab = rgb_to_lab(small)
    _check_plain_background(lab)
    small_mask = foreground_mask(small, lab=lab)
    if small_mask.mean() < 0.02:
        raise TryOnError("no garment found in the garment photo; use a product photo on a plain background")
    return small_mask, lab


def _background_like(lab: np.ndarray) -> np.ndarray:
    """Pixels close to the median border colour (shadows count: lightness has half weight)."""
    border = np.concatenate([lab[:2].reshape(-1, 3), lab[-2:].reshape(-1, 3)])
    delta = (lab - np.median(border, axis=0)) * np.array([0.5, 1.0, 1.0], dtype=np.float32)
    return np.linalg.norm(delta, axis=-1) < _BACKGROUND_LIKE


def _check_plain_background(lab: np.ndarray) -> None:
    """Raise unless the image border is one fairly even colour (a studio or flat-lay background)."""
    border = np.concatenate(
        [
            lab[:3].reshape(-1, 3),
            lab[-3:].reshape(-1, 3),
            lab[:, :3].reshape(-1, 3),
            lab[:, -3:].reshape(-1, 3),
        ]
    )
    spread = float(np.median(np.linalg.norm(border - np.median(border, axis=0), axis=-1)))
    if spread > _BORDER_SPREAD_LIMIT:
        raise TryOnError(
            f"the garment photo is not on a plain background (border colour varies by ΔE {spread:.0f}, "
            f"limit {_BORDER_SPREAD_LIMIT:.0f}); use a product photo on a plain, light background"
        )
