"""Garment analysis: product-photo mask, category guess and keypoints read off the silhouette.

The mask is the project's one product mask (:func:`vestis.vision.product_mask.product_cutout`),
found on a reduced copy for speed; try-on adds its own doubt to it (an outline far from left-right
symmetric sends the photo on to U²-Net-p), takes one garment of several lying apart, and refuses
photos of a person wearing it, of garments overlapping and of garments the frame cuts. Keypoints
need no model: the body width is read low on the silhouette, armpits are where it narrows from
sleeve span to body width, shoulders are the top of the silhouette above the body edges, the
sleeves are what lies outside the body and their ends the centres of their far ends
(:func:`upper_keypoints`).
Without a category hint the class is read off the silhouette too (see :func:`guess_category`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.errors import TryOnError
from vestis.vision.border import border_colour, border_pixels
from vestis.vision.colour import rgb_to_lab
from vestis.vision.product_mask import Cutout, opaque, product_cutout
from vestis.vision.segment import (
    bounding_box,
    check_rgb,
    labels_in,
    reduced,
    refine_alpha,
    shows_hands,
    shows_person,
)

__all__ = [
    "CATEGORIES",
    "GARMENT_CACHE",
    "GARMENT_SIZE",
    "Garment",
    "GarmentAnalyser",
    "normalise_category",
    "sleeve_parts",
    "sleeve_root",
]

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
    "jumper": "upper",
    "sweatshirt": "upper",
    "hoodie": "upper",
    "cardigan": "upper",
    "polo": "upper",
    "polo_shirt": "upper",
    "jacket": "upper",
    "blazer": "upper",
    "coat": "upper",
    "vest_top": "upper",
    "tank_top": "upper",
    "camisole": "upper",
    "lower": "lower",
    "lower_body": "lower",
    "trousers": "lower",
    "pants": "lower",
    "skirt": "lower",
    "dress": "dress",
    "dresses": "dress",
}
"""Accepted category names (case-insensitive) and the garment class each stands for."""
SLEEVED = frozenset(
    {
        "shirt",
        "t-shirt",
        "tshirt",
        "sweater",
        "jumper",
        "sweatshirt",
        "hoodie",
        "cardigan",
        "polo",
        "polo_shirt",
        "jacket",
        "blazer",
        "coat",
    }
)
"""Category names of tops that always have sleeves: a photo of one whose silhouette shows none has
them hanging against its body (:func:`upper_keypoints`)."""

SUPPORTED = ("upper", "lower", "dress")
"""Garment classes the warp backend can render today."""

GARMENT_CACHE = 16
"""Analyses :class:`GarmentAnalyser` keeps by default (each holds a photo of at most
:data:`GARMENT_SIZE` and its mask: about 4 MB)."""
GARMENT_SIZE = 1024
"""Longest side (pixels) of the garment photo :meth:`GarmentAnalyser.analyse` returns."""
_ANALYSIS_SIZE = 384
"""Longest side of the copy the silhouette is found on (keypoints are read at :data:`GARMENT_SIZE`)."""
_FRONT_VIEW_SYMMETRY = 0.7
"""Least mirror symmetry (see :func:`mirror_symmetry`) of a garment photographed from the front."""
_CUT_BY_FRAME = 0.03
_CUT_AT_SIDE = 0.3
"""Share of a silhouette's width along the photo's top or bottom edge, and of its height along a
side, beyond which the frame cuts it (a model's legs under the top edge: 0.10-0.99; photos cut at
a side only, H&M detail close-ups and shirts: 0.44-0.85; a top whose cuffs touch the sides: 0.05,
a Myntra T-shirt whose sleeves fill a 224-pixel photo: 0.15)."""
_OVERLAP_ASPECT = 1.4
_TWO_AXES = 0.8
"""An asymmetric silhouette at most this wide for its height (H&M multi-packs and sets: 0.57-1.19;
catalog shoes from the side: 1.53 and more) that two mirror axes explain this much of is several
garments overlapping."""
_BORDER_SPREAD_LIMIT = 18.0
"""Largest typical CIELAB distance of border pixels from their median that still counts as plain."""
_LEG_GAP = 0.4
"""Shortest gap between legs, as a fraction of the garment's height, that makes it trousers/shorts."""
_DRESS_LENGTH = 3.3
"""Smallest height / chest-or-waist width ratio of a dress (tops measure 0.5–2.6, dresses 3.7–5)."""
_WAISTBAND_DEPTH = 0.04
"""Largest dip of a waistband's top edge, as a fraction of the garment's height."""
_WAISTBAND_WIDTH = 0.7
"""Smallest waistband width as a fraction of the widest row of the garment's top quarter."""
_SKIRT_LENGTH = 1.8
"""Largest height / waistband width of shorts and skirts read as such (longer skirts read as dresses)."""
_CROTCH_GAP = 0.15
"""Shortest leg gap, as a fraction of a lower garment's height, read as two legs (shorts included)."""
_HEM_SHARE = 0.5
"""Width, as a share of the body's, below which a garment's lower end is a tie or a crotch, not its body."""
_SLEEVE_SPAN = 1.12
"""Run width, in body widths, above which a row of a top runs through its sleeves."""
_ARMHOLE_DEPTH = 0.45
"""Armpit depth below the shoulders, in body widths, of a top whose sleeves touch its body."""
_SLEEVE_GAP = 0.3
"""Smallest gap between sleeves hanging below a top's hem, as a share of the run there, read as its body."""
_ARMHOLE_SPAN = 0.85
"""Share of the body's width the outline of a sleeveless top reaches at its armpits."""
_MIN_SLEEVE = 0.04
"""Smallest sleeve area, as a fraction of the garment's, read as a sleeve (straps are less)."""
_SLEEVE_MARGIN = 0.04
"""How far outside the body's sides, in body widths, a sleeve begins."""
_HANGING_SLEEVE = (0.06, 0.3)
"""Where, in the garment's width from either side, the seam of a sleeve hanging against the body is looked for."""
_SEAM_EDGE = 4.0
"""Least horizontal lightness gradient (CIELAB L per pixel, Sobel) of a seam or fold between sleeve and body."""
_SEAM_ROWS = 0.3
"""Least share of the garment's middle rows showing that edge for a column pair to be the seams."""
_SLEEVE_SHARE = 0.15
"""Width of a sleeve hanging against the body, as a share of the garment's, where no seam shows."""
_BACKGROUND_LIKE = 6.0
"""Largest CIELAB distance (lightness at half weight) from the border colour that counts as background."""
_PAPER_NOISE = 3
"""Largest channel difference from the background colour of a garment photo that is still paper."""
_PAPER_GAP = 0.05
"""Narrowest patch of background colour, in the garment's shoulder widths, that is background, not fabric."""
_EDGE = 2
"""Width in pixels, either side of a garment photo's outline, of the rim given the fabric's colour."""


@dataclass(frozen=True)
class Garment:
    """Garment RGB and mask (the photo reduced to at most :data:`GARMENT_SIZE`), its class, named
    keypoints in pixels of that frame, and what the warp reads from it, prepared once with the
    analysis (and kept with it by :class:`GarmentAnalyser`'s cache)."""

    rgb: np.ndarray
    mask: np.ndarray
    category: str
    keypoints: dict[str, tuple[float, float]]
    colours: np.ndarray
    """``rgb`` with the garment's rim (:data:`_EDGE` pixels either side of its outline) in the
    colour of the fabric just inside it: what the warp samples, so that no line of the photo's
    background runs round the garment on the person."""
    sleeves: dict[str, np.ndarray]
    """The sleeves laid along the arms, by side (``left``/``right``): masks of the sleeves whose
    end was found, without the paper between a hanging sleeve and the body; empty for lower
    garments."""


def normalise_category(category: str | None) -> str | None:
    """The garment class for a user-supplied category name; ``None`` stays ``None`` (guess it)."""
    if category is None:
        return None
    key = _key(category)
    if key not in CATEGORIES:
        raise TryOnError(
            f"category {category!r} is not known; use one of {', '.join(sorted(set(CATEGORIES)))}"
        )
    return CATEGORIES[key]


class GarmentAnalyser:
    """Separate a garment from its plain background and find its keypoints.

    A shop's shoppers try the same few products on over and over: the last ``cache_size``
    analyses are kept (keyed by a digest of the photo's pixels and the category asked for), so a
    garment seen before costs a hash of its photo instead of a segmentation. ``cache_size=0``
    turns that off.
    """

    def __init__(self, cache_size: int = GARMENT_CACHE) -> None:
        if cache_size < 0:
            raise ValueError(f"cache_size must be 0 or more; got {cache_size}")
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[bytes, str | None, bool], Garment] = OrderedDict()
        self._cache_lock = threading.Lock()

    def analyse(self, rgb: np.ndarray, category: str | None = None) -> Garment:
        """Mask, class and keypoints of the garment in ``rgb`` (H×W×3 uint8, or ×4 with transparency).

        The garment comes back at a bounded size (long side at most :data:`GARMENT_SIZE`; keypoints
        in that frame), so the cost hardly depends on the photo's. Of several garments lying apart
        in the photo the one of ``category`` (the largest of it), or the largest, is taken.
        Raises :class:`TryOnError` when the photo shows a person wearing the garment, the
        background is not plain, no garment is found, several garments overlap, the outline is
        not a front view's (a shoe) or the class (given or guessed) is not one the pipeline renders.
        A ``category`` that names a top with sleeves (:data:`SLEEVED`: ``shirt``, ``blazer``, …)
        says so: sleeves hanging against its body in the photo are then looked for.
        The arrays of the returned garment are read-only: it may be shared with later calls.
        """
        wanted = normalise_category(category)
        sleeved = _key(category) in SLEEVED if category is not None else False
        frame = _frame(rgb)
        if not self.cache_size:
            return self._analyse(frame, wanted, sleeved)
        key = (_digest(frame), wanted, sleeved)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        garment = self._analyse(frame, wanted, sleeved)
        for array in (garment.rgb, garment.mask, garment.colours, *garment.sleeves.values()):
            array.setflags(write=False)
        with self._cache_lock:
            self._cache[key] = garment
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return garment

    def _analyse(self, frame: np.ndarray, wanted: str | None, sleeved: bool) -> Garment:
        """:meth:`analyse` of a photo already reduced by :func:`_frame`, without the cache."""
        _check_no_person(frame[..., :3])
        found = _silhouette(frame, wanted)
        _check_front_view(found.mask)
        resolved = wanted or guess_category(found.mask, found.gap)
        if resolved not in SUPPORTED:
            raise TryOnError(
                f"category {resolved!r} is not supported by the warp backend yet; supported: {', '.join(SUPPORTED)}"
            )
        small = _open_leg_gap(found.mask, found.gap) if resolved == "lower" else found.mask
        photo = opaque(frame)
        mask = refine_alpha(photo, small) >= 0.5
        if resolved == "lower":
            height, width = mask.shape
            gap = cv2.resize(found.gap.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0
            keypoints = lower_keypoints(mask, gap)
        else:
            keypoints = (
                dress_keypoints(mask)
                if resolved == "dress"
                else upper_keypoints(mask, photo if sleeved else None)
            )
        return Garment(
            rgb=photo,
            mask=mask,
            category=resolved,
            keypoints=keypoints,
            colours=_clean_edges(photo, mask),
            sleeves={} if resolved == "lower" else _laid_sleeves(photo, mask, keypoints),
        )

    def guess(self, rgb: np.ndarray) -> str:
        """The class (``upper``, ``lower`` or ``dress``) of the garment in ``rgb``, supported or not."""
        found = _silhouette(_frame(rgb), None)
        return guess_category(found.mask, found.gap)

    def symmetry(self, rgb: np.ndarray) -> float:
        """The :func:`mirror_symmetry` of the garment's silhouette, as :meth:`analyse` measures it."""
        return mirror_symmetry(_silhouette(_frame(rgb), None).mask)


def guess_category(mask: np.ndarray, background_like: np.ndarray | None = None) -> str:
    """``upper``, ``lower`` or ``dress`` from the silhouette (H×W bool) of a product photo.

    Trousers show a gap between the legs: a tall vertical run of non-garment pixels near the
    centre of the lower part. The mask itself has that gap filled when the legs touch at the hem,
    so ``background_like`` (pixels in the background's colour) counts as gap too. Shorts (whose
    leg gap is short) and skirts (widest at the hem) start with a waistband: a straight top edge
    as wide as the garment's top quarter, where tops show a neckline, straps or shoulders; and
    they are at most :data:`_SKIRT_LENGTH` waistbands long.
    Dresses are long for their chest/waist width (sleeves left out: the narrowest row of the
    20–50 % band) and in one piece there; anything else is a top.
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
    leg_gap = _longest_vertical_run(below_crotch)
    if leg_gap >= _LEG_GAP * height:
        return "lower"
    flares = span[bottom - height // 20] >= span[top : top + height // 2].max()
    waistband = _waistband_width(mask, top, height, span)
    if 0 < height <= _SKIRT_LENGTH * waistband and (leg_gap >= _CROTCH_GAP * height or flares):
        return "lower"
    narrowest = int(span[top + height // 5 : top + height // 2 + 1].min())
    if narrowest > 0 and height / narrowest >= _DRESS_LENGTH:
        return "dress"
    return "upper"


def mirror_symmetry(mask: np.ndarray) -> float:
    """IoU of a silhouette with its mirror image about the vertical through its centroid.

    Garments photographed from the front measure 0.89 or more (5th percentile of the try-on
    examples), a wrap top's tie included; shoes, photographed from the side, 0.43-0.60.
    """
    ys, xs = np.nonzero(mask)
    if not xs.size:
        return 0.0
    shifted = xs - xs.mean()
    reach = int(np.ceil(np.abs(shifted).max())) + 1
    canvas = np.zeros((int(ys.max()) + 1, 2 * reach + 1), bool)
    columns = np.round(shifted).astype(int) + reach
    canvas[ys, columns] = True
    mirrored = canvas[:, ::-1]
    return float((canvas & mirrored).sum() / max(int((canvas | mirrored).sum()), 1))


def upper_keypoints(mask: np.ndarray, photo: np.ndarray | None = None) -> dict[str, tuple[float, float]]:
    """Neckline centre, shoulders, armpits, sleeve ends (cuff centres) and hem corners of a top.

    The body is found on the garment's centre line (:func:`_body_extent`): its hem is where
    that line leaves the silhouette, its width that of the run through the centre just above
    the hem, or higher up when that is much narrower (a tie, a bodysuit's crotch), and never
    wider than the gap between sleeves hanging below the hem (flared sleeves merge with the body
    in the silhouette but part from it there). Armpits are where the run through the centre,
    read from the top, narrows from sleeve span to body width. Where it never does, a top whose
    silhouette never spreads past its body has no sleeves and its armpits are where the outline
    first reaches :data:`_ARMHOLE_SPAN` of the body's width; sleeves touching the body all the way
    put them :data:`_ARMHOLE_DEPTH` body widths below the shoulders. Sleeves are what lies
    outside the body (:func:`sleeve_parts`); their ends are the centres of their far ends.

    ``photo`` (the garment's RGB) is given for a top known to have sleeves: where its silhouette
    shows none, they hang against its body (a shirt or a blazer laid out with its arms down, a
    third of H&M's photos of such tops), and the body's sides are the seams that part them
    (:func:`_hanging_sleeves`).

    Sides are named as the wearer sees them: a front-view photo shows the wearer's right on the
    image's left, as the person photo does, so names match :class:`~vestis.tryon.body.Body`'s.
    """
    outline = _outline(mask)
    points = _upper_points(mask, outline, _body_extent(mask, *outline))
    if photo is not None and not any(name.endswith("_sleeve") for name in points):
        points = _upper_points(mask, outline, _hanging_sleeves(mask, photo, outline))
    return points


def _upper_points(
    mask: np.ndarray,
    outline: tuple[int, int, np.ndarray, np.ndarray],
    body: tuple[float, float],
) -> dict[str, tuple[float, float]]:
    """:func:`upper_keypoints` of a top whose body runs between the columns ``body``."""
    top, bottom, left, right = outline
    height = bottom - top + 1
    body_left, body_right = body
    centre = (body_left + body_right) / 2
    body_width = body_right - body_left
    points: dict[str, tuple[float, float]] = {}
    for side, x in (("right", body_left + 0.12 * body_width), ("left", body_right - 0.12 * body_width)):
        column = mask[:, round(x)]
        points[f"{side}_shoulder"] = (x, float(column.argmax()) if column.any() else float(top))
    shoulder_y = min(points["right_shoulder"][1], points["left_shoulder"][1])
    rows = np.arange(round(shoulder_y), top + height // 2)
    row_left, row_right = _run_around(mask[rows], round(centre))
    wide = (row_right - row_left) > _SLEEVE_SPAN * body_width
    settle = max(2, height // 30)
    stays_narrow = np.array([not wide[i : i + settle].any() for i in range(len(wide))], dtype=bool)
    narrows = np.nonzero(stays_narrow[1:] & wide[:-1])[0]
    spans = right[rows] - left[rows]
    reaches = np.nonzero(spans >= _ARMHOLE_SPAN * body_width)[0]
    if narrows.size:
        armpit_y = float(rows[narrows[0] + 1])
    elif spans.max(initial=0) <= _SLEEVE_SPAN * body_width and reaches.size:
        armpit_y = float(rows[reaches[0]])
    else:
        armpit_y = shoulder_y + _ARMHOLE_DEPTH * body_width
    armpit_y = min(max(armpit_y, top + 0.12 * height), top + 0.5 * height)
    # A deep V may reach below the armpits, never below the middle.
    centre_column = mask[: round(max(armpit_y, top + 0.5 * height)), round(centre)]
    points["neck"] = (centre, float(centre_column.argmax()) if centre_column.any() else float(top))
    points["right_armpit"] = (body_left, armpit_y)
    points["left_armpit"] = (body_right, armpit_y)
    parts = sleeve_parts(mask, points, margin=_SLEEVE_MARGIN * body_width)
    body = mask & ~parts["right"] & ~parts["left"]
    body_rows = np.nonzero(body.sum(axis=1) >= _HEM_SHARE * body_width)[0]
    hem_y = float(body_rows[-1]) if body_rows.size else float(bottom)
    hem_row = body[round(hem_y - 0.02 * height)]
    hem_columns = np.nonzero(hem_row)[0] if hem_row.any() else np.array([body_left, body_right])
    points["right_hem"] = (float(hem_columns[0]), hem_y)
    points["left_hem"] = (float(hem_columns[-1]), hem_y)
    for side, part in parts.items():
        if part.sum() >= _MIN_SLEEVE * mask.sum():
            points[f"{side}_sleeve"] = _sleeve_end(part, sleeve_root(points, side))
    if not any(name.endswith("_sleeve") for name in points):
        # Sleeveless: the shoulders are the tops of the straps, which rest on the shoulders.
        for side, outer in (("right", body_left), ("left", body_right)):
            points[f"{side}_shoulder"] = _top_between(mask, centre + 0.2 * (outer - centre), outer)
    return points


def _hanging_sleeves(
    mask: np.ndarray, photo: np.ndarray, outline: tuple[int, int, np.ndarray, np.ndarray]
) -> tuple[float, float]:
    """Left and right edge of the body of a top whose sleeves hang against it, over its full width.

    Where a sleeve meets the body the photo shows a long vertical line (the seam, the fold, the
    shadow between them): of the columns :data:`_HANGING_SLEEVE` of the width in from either
    side, the mirror pair along which the most rows of the garment's middle show a vertical edge.
    Where no pair shows one in :data:`_SEAM_ROWS` of those rows, the sleeves are taken to be
    :data:`_SLEEVE_SHARE` of the width (the median of the seams found on H&M's photos).
    """
    top, bottom, left, right = outline
    height = bottom - top + 1
    rows = np.arange(top + int(0.35 * height), top + int(0.8 * height))
    outer_left, outer_right = float(np.median(left[rows])), float(np.median(right[rows]))
    width = outer_right - outer_left
    lightness = cv2.GaussianBlur(rgb_to_lab(np.ascontiguousarray(photo[..., :3]))[..., 0], (5, 5), 0)
    vertical = np.abs(cv2.Sobel(lightness, cv2.CV_32F, 1, 0, ksize=3)) > _SEAM_EDGE
    inside = cv2.erode(mask.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    profile = np.convolve((vertical & inside)[rows].mean(axis=0), np.ones(3) / 3, mode="same")
    low, high = _HANGING_SLEEVE
    shares = np.linspace(low, high, 50)
    pairs = np.array(
        [
            min(profile[round(outer_left + share * width)], profile[round(outer_right - share * width)])
            for share in shares
        ]
    )
    share = float(shares[int(pairs.argmax())]) if pairs.max() >= _SEAM_ROWS else _SLEEVE_SHARE
    return outer_left + share * width, outer_right - share * width


def _body_extent(
    mask: np.ndarray, top: int, bottom: int, left: np.ndarray, right: np.ndarray
) -> tuple[float, float]:
    """Left and right edge of a top's body (see :func:`upper_keypoints`)."""
    height = bottom - top + 1
    lower_half = np.arange(top + height // 2, bottom - height // 20 + 1)
    middle = (int(np.median(left[lower_half])) + int(np.median(right[lower_half]))) // 2
    column = mask[:, middle]
    start = top + height // 2
    below = np.nonzero(~column[start:])[0]
    hem = start + int(below[0]) - 1 if below.size and column[start] else bottom
    body_rows = np.arange(top + height // 2, hem - height // 20 + 1)
    body_left, body_right = _body_run(mask, body_rows if body_rows.size else lower_half, middle)
    near_hem = np.arange(hem - 15 * height // 100, hem - height // 30 + 1)
    hem_left, hem_right = _body_run(mask, near_hem, middle)
    if hem_right - hem_left >= _HEM_SHARE * (body_right - body_left):
        body_left, body_right = hem_left, hem_right
    hanging = mask[hem + height // 50 : hem + height // 10 + 1]
    if hem < bottom - height // 25 and hanging.size:
        columns = np.arange(mask.shape[1])
        beside_left = hanging & (columns < middle)
        beside_right = hanging & (columns > middle)
        if beside_left.any() and beside_right.any():
            inner_left = float(np.median([columns[row].max() for row in beside_left if row.any()]))
            inner_right = float(np.median([columns[row].min() for row in beside_right if row.any()]))
            if inner_right - inner_left >= _SLEEVE_GAP * (body_right - body_left):
                body_left, body_right = max(body_left, inner_left), min(body_right, inner_right)
    return body_left, body_right


def _top_between(mask: np.ndarray, start: float, end: float) -> tuple[float, float]:
    """Topmost silhouette point between columns ``start`` and ``end`` (either order)."""
    low, high = sorted((max(0, round(start)), max(0, round(end))))
    band = mask[:, low : high + 1]
    rows = np.nonzero(band.any(axis=1))[0]
    if not rows.size:
        return (start + end) / 2, float(np.nonzero(mask.any(axis=1))[0][0])
    return float(np.nonzero(band[rows[0]])[0].mean() + low), float(rows[0])


def _body_run(mask: np.ndarray, rows: np.ndarray, column: int) -> tuple[float, float]:
    """Median left and right ends of the runs through ``column`` over ``rows`` (rows it misses skipped)."""
    run_left, run_right = _run_around(mask[rows], column)
    valid = run_right > run_left
    if not valid.any():
        return float(column), float(column)
    return float(np.median(run_left[valid])), float(np.median(run_right[valid]))


def sleeve_root(keypoints: dict[str, tuple[float, float]], side: str) -> np.ndarray:
    """Where a sleeve joins the body of a top: halfway between its shoulder point and armpit."""
    return (np.array(keypoints[f"{side}_shoulder"]) + np.array(keypoints[f"{side}_armpit"])) / 2


def sleeve_parts(
    mask: np.ndarray, keypoints: dict[str, tuple[float, float]], margin: float = 0.0
) -> dict[str, np.ndarray]:
    """The sleeves of a top's silhouette by side: what lies more than ``margin`` pixels outside the
    body, whose sides run from each shoulder point to its armpit and from there straight down,
    in pieces that reach above the armpit (a flared hem is no sleeve)."""
    height, width = mask.shape
    ys = np.arange(height, dtype=np.float32)[:, None]
    xs = np.arange(width, dtype=np.float32)[None, :]
    parts = {}
    for side, outward in (("right", -1.0), ("left", 1.0)):
        (sx, sy), (ax, ay) = keypoints[f"{side}_shoulder"], keypoints[f"{side}_armpit"]
        edge = np.where(ys >= ay, ax, sx + (ax - sx) * np.clip((ys - sy) / max(ay - sy, 1.0), 0, 1))
        part = mask & ((xs - edge) * outward > margin) & (ys >= sy)
        count, labels = cv2.connectedComponents(part.astype(np.uint8))
        parts[side] = labels_in(labels, count, labels[: round(ay)])
    return parts


def _sleeve_end(part: np.ndarray, root: np.ndarray) -> tuple[float, float]:
    """Centre of a sleeve's far end along its axis (from the root through its centroid)."""
    ys, xs = np.nonzero(part[::2, ::2])
    pixels = np.stack([xs, ys], axis=1).astype(np.float32) * 2
    axis = pixels.mean(axis=0) - root
    axis /= max(float(np.linalg.norm(axis)), 1e-6)
    along = (pixels - root) @ axis
    far = pixels[along >= 0.8 * float(along.max())]
    return float(far[:, 0].mean()), float(far[:, 1].mean())


def lower_keypoints(
    mask: np.ndarray, background_like: np.ndarray | None = None
) -> dict[str, tuple[float, float]]:
    """Waistband, hip sides and either leg openings (trousers, shorts) or hem corners (skirts).

    The waistband is the top of the silhouette; the crotch is the top of the gap that splits
    the lower part into two legs. Each leg gives its opening (the bottom row's outer and inner
    edge) and a knee pair halfway down, so the warp can bend it with the person's knee. Without
    a leg gap the garment is a skirt: hem corners at the bottom row. Sides are the wearer's.
    ``background_like`` (pixels in the background's colour) counts as gap, as in
    :func:`guess_category`, for legs the mask joins where they touch.
    """
    top, bottom, left, right = _outline(mask)
    height = bottom - top + 1
    band = np.arange(top, top + max(2, height // 30))
    points = {
        "right_waist": (float(np.median(left[band])), float(top)),
        "left_waist": (float(np.median(right[band])), float(top)),
    }
    points["waist"] = ((points["right_waist"][0] + points["left_waist"][0]) / 2, float(top))
    gap = ~mask if background_like is None else ~mask | background_like
    crotch = _crotch(gap, top, bottom, left, right)
    hip_y = crotch[1] if crotch is not None else top + 0.25 * height
    points["right_hip"] = (float(left[round(hip_y)]), hip_y)
    points["left_hip"] = (float(right[round(hip_y)]), hip_y)
    if crotch is None:
        hem_row = round(bottom - 0.02 * height)
        points["right_hem"] = (float(left[hem_row]), float(bottom))
        points["left_hem"] = (float(right[hem_row]), float(bottom))
        return points
    points["crotch"] = crotch
    middle = round(crotch[0])
    for side, legs in (("right", mask[:, :middle]), ("left", mask[:, middle:])):
        offset = 0 if side == "right" else middle
        rows = np.nonzero(legs.any(axis=1))[0]
        if not rows.size:
            raise TryOnError(
                f"could not find the garment's {side} leg in the photo; use a front photo of the whole garment"
            )
        opening = int(rows[-1])
        for name, y in (("knee", (crotch[1] + opening) / 2), ("leg", opening - 0.02 * height)):
            nearest = int(rows[np.abs(rows - round(y)).argmin()])  # a leg's outline may have gaps
            row = np.nonzero(legs[nearest])[0] + offset
            outer, inner = (row[0], row[-1]) if side == "right" else (row[-1], row[0])
            y_out = float(opening) if name == "leg" else float(y)
            points[f"{side}_{name}_outer"] = (float(outer), y_out)
            points[f"{side}_{name}_inner"] = (float(inner), y_out)
    return points


def dress_keypoints(mask: np.ndarray) -> dict[str, tuple[float, float]]:
    """A top's keypoints for the bodice, then waist, hip and hem corners of the skirt.

    The waist is the narrowest row of the body (sleeves hanging apart left out) between a
    fifth and two fifths of the height (where the waist of real dresses lies); above it the dress is read as a top whose
    hem is the waist, below it the skirt gives hip points (a quarter of the way to the hem)
    and hem corners, so the warp keeps the dress's own flare.
    """
    top, bottom, left, right = _outline(mask)
    height = bottom - top + 1
    body_rows = np.arange(top + height // 4, bottom)
    centre = round(float(np.median((left[body_rows] + right[body_rows]) / 2)))
    band = np.arange(top + height // 5, top + 2 * height // 5)
    run_left, run_right = _run_around(mask[band], centre)
    waist_y = int(band[np.argmin(run_right - run_left)])
    bodice = mask.copy()
    bodice[waist_y + 1 :] = False
    points = upper_keypoints(bodice)
    points["right_waist"] = points.pop("right_hem")
    points["left_waist"] = points.pop("left_hem")
    hip_y = round(waist_y + 0.25 * (bottom - waist_y))
    points["right_hip"] = (float(left[hip_y]), float(hip_y))
    points["left_hip"] = (float(right[hip_y]), float(hip_y))
    hem_row = round(bottom - 0.02 * height)
    points["right_hem"] = (float(left[hem_row]), float(bottom))
    points["left_hem"] = (float(right[hem_row]), float(bottom))
    return points


def _waistband_width(mask: np.ndarray, top: int, height: int, span: np.ndarray) -> int:
    """Width of the silhouette's top edge when it is straight (within :data:`_WAISTBAND_DEPTH` of
    the top across the middle 80 % of its width) and nearly as wide as the widest row of its top
    quarter (where a top has its shoulders and sleeves), as a waistband is; 0 otherwise."""
    columns = np.nonzero(mask[top : top + height // 4].any(axis=0))[0]
    if columns.size < 3:
        return 0
    first = mask[top:, columns].argmax(axis=0)
    on_top = columns[first <= _WAISTBAND_DEPTH * height]
    inner = (columns >= np.percentile(columns, 10)) & (columns <= np.percentile(columns, 90))
    straight = float(np.mean(first[inner] <= _WAISTBAND_DEPTH * height)) >= 0.9
    width = int(np.ptp(on_top)) + 1 if on_top.size else 0
    return width if straight and width >= _WAISTBAND_WIDTH * span[top : top + height // 4].max() else 0


def _longest_vertical_run(block: np.ndarray) -> int:
    """Length of the longest run of ``True`` down any column of ``block``."""
    best = 0
    run = np.zeros(block.shape[1], int)
    for row in block:
        run = np.where(row, run + 1, 0)
        best = max(best, int(run.max(initial=0)))
    return best


def _outline(mask: np.ndarray) -> tuple[int, int, np.ndarray, np.ndarray]:
    """Top and bottom row of the silhouette and each row's leftmost and rightmost column (-1 if empty)."""
    filled = mask.any(axis=1)
    rows = np.nonzero(filled)[0]
    left = np.where(filled, mask.argmax(axis=1), -1)
    right = np.where(filled, mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1), -1)
    return int(rows[0]), int(rows[-1]), left, right


def _crotch(
    gap: np.ndarray, top: int, bottom: int, left: np.ndarray, right: np.ndarray
) -> tuple[float, float] | None:
    """Top of the gap between the legs, or ``None`` when no gap of :data:`_CROTCH_GAP` runs to the hem.

    The gap (non-garment pixels) is looked for in a narrow band around the centre of the lower
    half, from the hem up; a few rows where the legs touch are bridged.
    """
    height = bottom - top + 1
    lower = np.arange(top + height // 2, bottom + 1)
    middle = int(np.median((left[lower] + right[lower]) / 2))
    reach = max(1, round(0.04 * float((right - left).max())))
    band = gap[top : bottom + 1, max(0, middle - reach) : middle + reach + 1]
    gap_rows = band.any(axis=1)
    tolerance = max(2, height // 25)
    start = end = None
    for y in range(height - 1, height // 5 - 1, -1):
        if gap_rows[y]:
            start, end = y, end if end is not None else y
        elif start is not None and start - y > tolerance:
            break
    if start is None or end - start + 1 < _CROTCH_GAP * height:
        return None
    row = band[start]
    empty = np.nonzero(row)[0]
    x = max(0, middle - reach) + float(empty.mean())
    # The mask closes the narrow top of the gap: extrapolate its widening back to zero width.
    third = max(reach, round(float(np.max(right - left)) / 6))
    rows = np.arange(start, start + max(3, (end - start) // 3))
    widths = gap[top + rows, max(0, middle - third) : middle + third + 1].sum(axis=1)
    slope, intercept = np.polyfit(rows, widths, 1) if np.ptp(widths) > 0 else (0.0, 0.0)
    apex = -intercept / slope if slope > 0 else start
    return x, float(top + np.clip(apex, height // 5, start))


def _open_leg_gap(mask: np.ndarray, background_like: np.ndarray) -> np.ndarray:
    """``mask`` without the background between the legs that it closed where the legs touch.

    The gap is the connected region of background-coloured or unmasked pixels below the
    crotch that holds the first such pixel under it; without a crotch the mask is returned as is.
    """
    top, bottom, left, right = _outline(mask)
    crotch = _crotch(~mask | background_like, top, bottom, left, right)
    if crotch is None:
        return mask
    x, y = round(crotch[0]), round(crotch[1])
    candidates = (~mask | background_like).astype(np.uint8)
    candidates[:y] = 0
    reach = max(2, round(0.02 * mask.shape[1]))
    seeds = np.argwhere(candidates[y:, max(0, x - reach) : x + reach + 1])
    if not seeds.size:
        return mask
    _, labels = cv2.connectedComponents(candidates, connectivity=4)
    return mask & (labels != labels[y + seeds[0, 0], max(0, x - reach) + seeds[0, 1]])


def _run_around(rows: np.ndarray, column: int) -> tuple[np.ndarray, np.ndarray]:
    """Left and right ends of the run of mask pixels containing ``column`` in each row (a sleeve
    hanging beside the body with a gap is left out)."""
    column = min(max(column, 0), rows.shape[1] - 1)
    to_left = ~rows[:, : column + 1][:, ::-1]
    to_right = ~rows[:, column:]
    left = column - np.where(to_left.any(axis=1), to_left.argmax(axis=1), column + 1) + 1
    right = column + np.where(to_right.any(axis=1), to_right.argmax(axis=1), rows.shape[1] - column) - 1
    return left, right


def _background_like(lab: np.ndarray) -> np.ndarray:
    """Pixels close to the median border colour (shadows count: lightness has half weight)."""
    delta = (lab - border_colour(lab, width=2, columns=False)) * np.array([0.5, 1.0, 1.0], dtype=np.float32)
    return np.linalg.norm(delta, axis=-1) < _BACKGROUND_LIKE


def _check_plain_background(lab: np.ndarray) -> None:
    """Raise unless the image border is one fairly even colour (a studio or flat-lay background)."""
    border = border_pixels(lab, width=3)
    spread = float(np.median(np.linalg.norm(border - np.median(border, axis=0), axis=-1)))
    if spread > _BORDER_SPREAD_LIMIT:
        raise TryOnError(
            f"the garment photo is not on a plain background (border colour varies by ΔE {spread:.0f}, "
            f"limit {_BORDER_SPREAD_LIMIT:.0f}); use a product photo on a plain, light background"
        )


@dataclass(frozen=True)
class _Found:
    """The garment's silhouette on the analysis copy, the background-coloured gap pixels, and the cut-out."""

    mask: np.ndarray
    gap: np.ndarray
    """Pixels in the background's colour that are not light fabric (see :func:`guess_category`)."""
    cutout: Cutout


def _digest(frame: np.ndarray) -> bytes:
    """A 128-bit digest of a photo's pixels and shape (BLAKE2b, a few milliseconds at 1024 px)."""
    digest = hashlib.blake2b(str(frame.shape).encode(), digest_size=16)
    digest.update(memoryview(np.ascontiguousarray(frame)).cast("B"))
    return digest.digest()


def _laid_sleeves(
    rgb: np.ndarray, mask: np.ndarray, g: dict[str, tuple[float, float]]
) -> dict[str, np.ndarray]:
    """The garment's sleeve masks by side, for the sides whose sleeve end was found.

    Patches in the photo's exact background colour are left out: the garment mask closes the gap
    between a hanging sleeve and the body, which would otherwise line the arm in white. Bands
    narrower than :data:`_PAPER_GAP` are fabric (a Breton top's white stripes), not that gap.
    """
    background = border_colour(rgb, width=2, columns=False)
    shoulders = float(np.linalg.norm(np.subtract(g["left_shoulder"], g["right_shoulder"])))
    size = max(3, round(_PAPER_GAP * shoulders)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    sleeves = {}
    for side, part in sleeve_parts(mask, g).items():
        if f"{side}_sleeve" not in g or not part.any():
            continue
        box = bounding_box(part, size)
        paper = (np.abs(rgb[box].astype(np.int16) - background).max(axis=-1) <= _PAPER_NOISE) & part[box]
        sleeves[side] = part.copy()
        sleeves[side][box] &= cv2.morphologyEx(paper.astype(np.uint8), cv2.MORPH_OPEN, kernel) == 0
    return sleeves


def _clean_edges(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``rgb`` with the garment's rim (:data:`_EDGE` pixels either side of the ``mask``'s edge)
    in the mean colour of the fabric just inside it.

    The rim mixes fabric with the photo's background, and sampling the warp between fabric and
    background pixels mixes them again: left alone, a white or grey line would run round the
    garment on the person.
    """
    if not mask.any():
        return rgb
    box = bounding_box(mask, 3 * _EDGE)
    kernel = np.ones((2 * _EDGE + 1, 2 * _EDGE + 1), np.uint8)
    inner = cv2.erode(mask[box].astype(np.uint8), kernel)
    reach = (4 * _EDGE + 1, 4 * _EDGE + 1)
    weights = cv2.boxFilter(inner, cv2.CV_32F, reach, normalize=False)
    sums = cv2.boxFilter(cv2.bitwise_and(rgb[box], rgb[box], mask=inner), cv2.CV_32F, reach, normalize=False)
    ys, xs = np.nonzero((cv2.dilate(mask[box].astype(np.uint8), kernel) > inner) & (weights > 0))
    cleaned = rgb.copy()
    cleaned[box][ys, xs] = (sums[ys, xs] / weights[ys, xs][:, None] + 0.5).astype(np.uint8)
    return cleaned


def _key(category: str) -> str:
    """A category name as :data:`CATEGORIES` and :data:`SLEEVED` spell it."""
    return category.strip().lower().replace(" ", "_")


def _frame(rgb: np.ndarray) -> np.ndarray:
    """The photo reduced to :data:`GARMENT_SIZE` (alpha kept); raises on anything but H×W×3/4 uint8."""
    try:
        check_rgb(rgb)
    except ValueError as error:
        raise TryOnError(f"the garment photo is not usable: {error}") from None
    return np.ascontiguousarray(reduced(np.asarray(rgb), GARMENT_SIZE))


def _check_no_person(rgb: np.ndarray) -> None:
    """Raise when the photo shows a person: a pose (:func:`~vestis.vision.segment.shows_person`) or,
    where the head is out of the frame, a hand (:func:`~vestis.vision.segment.shows_hands`)."""
    rgb = reduced(rgb)  # both reduce to this size: once is enough
    if shows_person(rgb) or shows_hands(rgb):
        raise TryOnError(
            "the garment photo shows a person wearing it; use the product photo of the garment alone "
            "on a plain background"
        )


def _silhouette(frame: np.ndarray, wanted: str | None) -> _Found:
    """The one garment's silhouette on the analysis copy of ``frame`` (see :func:`_one_garment`).

    The product mask's colour step is doubted (and U²-Net-p asked) when the garment it finds is
    not a front view's; raises when the background is not plain or no garment is found.
    """
    small = reduced(frame, _ANALYSIS_SIZE)
    transparent = small.shape[-1] == 4 and small[..., 3].min() < 255
    if not transparent:
        _check_plain_background(rgb_to_lab(small[..., :3]))
    cutout = product_cutout(
        small,
        size=_ANALYSIS_SIZE,
        doubtful=lambda mask: mirror_symmetry(_one_garment(mask, wanted)) < _FRONT_VIEW_SYMMETRY,
    )
    if cutout.mask.mean() < 0.02:
        raise TryOnError("no garment found in the garment photo; use a product photo on a plain background")
    mask = _one_garment(cutout.mask, wanted)
    if cutout.separation is None:  # transparent: what is not garment is background
        return _Found(mask=mask, gap=~mask, cutout=cutout)
    light_fabric = mask & ~cutout.separation.seed
    return _Found(mask=mask, gap=_background_like(cutout.separation.lab) & ~light_fabric, cutout=cutout)


def _one_garment(mask: np.ndarray, wanted: str | None) -> np.ndarray:
    """The garment to try on among the mask's separate parts: the largest one, or the largest of
    class ``wanted`` when one is (a pyjama's trousers beside its top)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask
    order = np.argsort(stats[1:, cv2.CC_STAT_AREA])[::-1] + 1
    if wanted is not None:
        for label in order:
            part = labels == label
            if guess_category(part) == wanted:
                return part
    return labels == order[0]


def _check_front_view(mask: np.ndarray) -> None:
    """Raise unless the silhouette is one whole garment seen from the front, saying what it is instead.

    A garment the frame cuts (see :func:`_cut_by_frame`) is a close-up or worn by a person whose head is out of the frame. An
    outline far from left-right symmetric that is no wider than :data:`_OVERLAP_ASPECT` times its
    height and that two mirror axes explain (:func:`_mirror_cover` at least :data:`_TWO_AXES`)
    is several garments overlapping (a 2-pack, a baby set); otherwise it is no front view (a
    shoe from the side, 1.5-4 times as wide as high).
    """
    if _cut_by_frame(mask):
        raise TryOnError(
            "the garment photo does not show the whole garment: it runs out of the frame (a close-up, "
            "or a person wearing it with the head cut off); use the product photo of the whole garment"
        )
    if mirror_symmetry(mask) >= _FRONT_VIEW_SYMMETRY:
        return
    rows, columns = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    aspect = (columns[-1] - columns[0] + 1) / (rows[-1] - rows[0] + 1)
    if aspect <= _OVERLAP_ASPECT and _mirror_cover(mask) >= _TWO_AXES:
        raise TryOnError(
            "the garment photo shows several garments overlapping (a multi-pack or a set); use a photo "
            "of the one garment alone, or of garments lying apart"
        )
    raise TryOnError(
        "the garment photo does not show a garment from the front: its outline is far from "
        "left-right symmetric (a shoe, a side view, or a garment that hardly stands out from "
        "its background); use the front-view product photo of a top, bottoms or a dress"
    )


def _cut_by_frame(mask: np.ndarray) -> bool:
    """Whether the silhouette runs out of the photo: along its top or bottom edge over
    :data:`_CUT_BY_FRAME` of its width, or along a side over :data:`_CUT_AT_SIDE` of its height
    (where a wide garment's cuffs may touch)."""
    width, height = int(mask.any(axis=0).sum()), int(mask.any(axis=1).sum())
    top, bottom = (int(band.any(axis=0).sum()) for band in (mask[:2], mask[-2:]))
    left, right = (int(band.any(axis=1).sum()) for band in (mask[:, :2], mask[:, -2:]))
    return max(top, bottom) > _CUT_BY_FRAME * width or max(left, right) > _CUT_AT_SIDE * height


def _mirror_cover(mask: np.ndarray, rows: int = 96) -> float:
    """Share of the silhouette that its mirror images about two vertical axes explain together.

    For each axis the pixels whose mirror image is also silhouette form its symmetric part; the
    first axis is the one with the largest part, the second the one adding most to it. Two
    garments lying over each other side by side are each symmetric about their own axis, so two
    axes explain them almost whole (0.83-0.99 on the H&M multi-packs and sets). Measured on a copy
    :data:`rows` high.
    """
    top, bottom = np.nonzero(mask.any(axis=1))[0][[0, -1]]
    left, right = np.nonzero(mask.any(axis=0))[0][[0, -1]]
    box = mask[top : bottom + 1, left : right + 1].astype(np.uint8)
    width = max(4, round(box.shape[1] * rows / box.shape[0]))
    small = cv2.resize(box, (width, rows), interpolation=cv2.INTER_AREA) > 0
    columns = np.arange(width)
    parts = []
    for twice_axis in range(2 * width):  # axes every half column
        source = twice_axis - columns
        inside = (source >= 0) & (source < width)
        mirrored = np.zeros_like(small)
        mirrored[:, inside] = small[:, source[inside]]
        parts.append(small & mirrored)
    first = max(parts, key=lambda part: int(part.sum()))
    both = max(int((first | part).sum()) for part in parts)
    return both / max(int(small.sum()), 1)
