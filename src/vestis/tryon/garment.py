"""Garment analysis: product-photo mask, category guess and keypoints read off the silhouette.

The mask comes from :func:`vestis.vision.features.foreground_mask` (distance from the border
colour, shadows down-weighted), computed on a reduced copy for speed. Keypoints need no model:
the hem is the bottom row, the body width is the typical width of the lower half, armpits are
where the silhouette narrows from sleeve span to body width, shoulders are the top of the
silhouette above the body edges and sleeve ends are its outermost points above the armpits.
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
        height, width = rgb.shape[:2]
        scale = min(1.0, _ANALYSIS_SIZE / max(height, width))
        small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        lab = rgb_to_lab(small)
        _check_plain_background(lab)
        small_mask = foreground_mask(small, lab=lab)
        if small_mask.mean() < 0.02:
            raise TryOnError(
                "no garment found in the garment photo; use a product photo on a plain background"
            )
        mask = cv2.resize(small_mask.astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR) > 0
        resolved = normalise_category(category) or guess_category(small_mask)
        if resolved not in SUPPORTED:
            raise TryOnError(
                f"category {resolved!r} is not supported by the warp backend yet; supported: {', '.join(SUPPORTED)}"
            )
        return Garment(rgb=rgb, mask=mask, category=resolved, keypoints=upper_keypoints(mask))


def guess_category(mask: np.ndarray) -> str:
    """``upper``, ``lower`` or ``dress`` from the silhouette's aspect and whether its bottom splits in two legs."""
    rows, cols = np.nonzero(mask)
    height = rows.max() - rows.min() + 1
    width = cols.max() - cols.min() + 1
    aspect = height / width
    if aspect < 1.6:
        return "upper"
    lowest = rows.max()
    for row in range(lowest - height // 4, lowest - height // 50):
        line = mask[row].astype(np.int8)
        if np.count_nonzero(np.diff(line) == 1) + int(line[0]) >= 2:
            return "lower"
    return "dress"


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


def _run_around(rows: np.ndarray, column: int) -> tuple[np.ndarray, np.ndarray]:
    """Left and right ends of the run of mask pixels containing ``column`` in each row (a sleeve
    hanging beside the body with a gap is left out)."""
    to_left = ~rows[:, : column + 1][:, ::-1]
    to_right = ~rows[:, column:]
    left = column - np.where(to_left.any(axis=1), to_left.argmax(axis=1), column + 1) + 1
    right = column + np.where(to_right.any(axis=1), to_right.argmax(axis=1), rows.shape[1] - column) - 1
    return left, right


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
