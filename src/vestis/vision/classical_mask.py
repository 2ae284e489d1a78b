"""The classical product segmentation: a garment told from plain studio paper by colour and outline.

Runs on a reduced copy of the photo (see :mod:`vestis.vision.product_mask`, which decides when
it is enough), in two tiers:

1. **Background model** (:func:`separate`). A smooth colour surface fitted to the border ring in
   CIELAB (paper is often lit unevenly); each pixel's distance from it is asymmetric — darker
   counts little (shadows only darken), lighter counts fully (a white tee on off-white paper).
   :func:`coloured_mask` keeps what clearly differs from it, holes filled: on a coloured garment
   that is the whole mask, and :func:`stands_out` says when it is (no faint fabric around it).
2. **Faint regions, outlines and GrabCut** (:func:`classical_mask`), for what does not stand
   out. A white garment on white paper differs from it by a few ΔE only, as a soft shadow does;
   such a region is kept when its border is a sharp edge (a seam) and it is not a narrow band
   along the garment (a drop shadow). Strong edges count as outline, and what an outline
   encloses is filled — except holes that show the paper itself (between an arm and the body,
   between trouser legs). GrabCut then settles a band along the edge; drop-shadow pixels start
   there as probable background, and GrabCut may not open holes in the garment.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

from vestis.vision.colour import rgb_to_lab
from vestis.vision.segment import keep_large_components, labels_in

__all__ = [
    "Separation",
    "classical_mask",
    "coloured_mask",
    "faint_outside",
    "fill_garment_holes",
    "paper_distance",
    "separate",
    "stands_out",
]

_RING = 4
"""Border ring width (pixels of the reduced copy) that models the background colour; its outermost
pixel is left out (catalog photos often have a darker line there, H&M's do)."""
_SHADOW_WEIGHT = 0.3
"""How much being *darker* than the background counts (shadows only darken)."""
_MIN_DISTANCE = 6.0
"""Lowest colour-distance threshold (ΔE) — JPEG noise on clean backgrounds stays below it."""
_MIN_EDGE = 1.0
"""Lowest edge threshold (ΔE per pixel): the faint outline of a white garment on white is above it."""
_MIN_INTERIOR_DISTANCE = 0.25
"""Typical ΔE from the background above which a region enclosed by an outline is garment."""
_MIN_FAINT_DISTANCE = 1.0
"""Lowest ΔE at which a faint region (white garment on white) is told from clean paper."""
_MIN_FAINT_SHARE = 0.002
_MAX_HUGGING = 0.85
"""A faint region lying mostly (this share) within a few pixels of the seed is a shadow band."""
_SHADOW_LIGHTNESS_TOLERANCE = 1.0
_SHADOW_CHROMA_TOLERANCE = 4.0
"""A shadow changes lightness (down) and barely the hue: ΔL* < 1 and Δ(a*, b*) < 4."""
_PRINT_BRIDGE = 1 / 32
"""Radius, as a share of the short side, of the closing whose span counts as enclosed by the mask."""
_MAX_FLOOR = 3.0
_MIN_STANDING_OUT = 0.02
_MIN_SEEDED = 0.97
_RIM = 0.02
_MAX_FAINT_OUTSIDE = 0.5
"""A colour mask stands out when the border's typical ΔE from the background model is at most
_MAX_FLOOR, it covers _MIN_STANDING_OUT of the photo, _MIN_SEEDED of its rim (_RIM of the short side
wide) clearly differs from the background, and the faint regions around it are at most
_MAX_FAINT_OUTSIDE of its area."""
_MIN_OPEN_HOLE_SHARE = 0.0002
"""Background-coloured holes smaller than this share of the image are specks and get filled."""


@dataclass(frozen=True)
class Separation:
    """A reduced photo measured against its background model (see :func:`separate`)."""

    rgb: np.ndarray
    lab: np.ndarray
    ring: np.ndarray
    """The border ring the background was modelled on."""
    delta: np.ndarray
    """CIELAB difference from the background surface, H×W×3."""
    distance: np.ndarray
    """ΔE from the background with darkening down-weighted (shadows count little)."""
    threshold: float
    """Distance above which a pixel clearly differs from the background (above the border's noise)."""
    full_distance: np.ndarray
    """Plain ΔE from the background."""
    floor: float
    """The border's typical plain ΔE: regions at or below it look like the background itself."""
    faint: float
    """Plain ΔE above which a pixel is told from the background at all (faintly: white on white)."""
    paper: np.ndarray
    """Coefficients of the background model (see :func:`paper_distance`)."""

    @property
    def seed(self) -> np.ndarray:
        """Pixels that clearly differ from the background."""
        return self.distance > self.threshold


def separate(rgb: np.ndarray) -> Separation:
    """Model the background of a reduced H×W×3 uint8 product photo and measure each pixel against it."""
    lab = rgb_to_lab(rgb)
    ring = np.ones(rgb.shape[:2], bool)
    ring[_RING:-_RING, _RING:-_RING] = False
    ring[[0, -1]] = ring[:, [0, -1]] = False
    paper = _background_surface(lab, ring)
    ys, xs = np.mgrid[0 : ring.shape[0], 0 : ring.shape[1]]
    delta = lab - _surface_basis(ys, xs, ring.shape) @ paper
    distance = _background_distance(delta)
    full_distance = np.linalg.norm(delta, axis=-1)
    return Separation(
        rgb=rgb,
        lab=lab,
        ring=ring,
        delta=delta,
        distance=distance,
        threshold=max(_MIN_DISTANCE, 2.0 * float(np.percentile(distance[ring], 90)) + 2.0),
        full_distance=full_distance,
        floor=max(_MIN_INTERIOR_DISTANCE, float(np.percentile(full_distance[ring], 90))),
        faint=max(_MIN_FAINT_DISTANCE, 2.0 * float(np.percentile(full_distance[ring], 90)) + 0.5),
        paper=paper,
    )


def coloured_mask(separation: Separation) -> np.ndarray:
    """What clearly differs from the background, with the garment's holes filled and specks dropped."""
    s = separation
    mask = ndimage.binary_opening(_close(s.seed, 1), iterations=1)
    return keep_large_components(_fill_garment_holes(mask, s.full_distance, s.floor))


def stands_out(separation: Separation, mask: np.ndarray) -> bool:
    """Whether ``mask`` (a :func:`coloured_mask`) is the whole product.

    It is when the paper follows its model (typical border ΔE at most :data:`_MAX_FLOOR`: not a
    scene, not a two-tone backdrop) and the mask covers at least 2 % of the photo, in one piece (a
    white band across a top parts its coloured ones), with a rim of pixels that mostly (97 %)
    clearly differ from the background (a white hem or cuff does not; a light print inside the
    garment does not matter), and little faint fabric around it (:func:`faint_outside` at most one
    half: a white collar, a light-grey garment, a shadow). Tuned on the benchmark's sets and the
    51 hand-checked try-on garment masks (docs/benchmarks.md, "Product mask").
    """
    return (
        separation.floor <= _MAX_FLOOR
        and mask.mean() >= _MIN_STANDING_OUT
        and cv2.connectedComponents(mask.astype(np.uint8))[0] == 2
        and float(separation.seed[_rim(mask)].mean()) >= _MIN_SEEDED
        and faint_outside(separation, mask) <= _MAX_FAINT_OUTSIDE
    )


def faint_outside(separation: Separation, mask: np.ndarray) -> float:
    """Area of the faint regions outside ``mask``, as a share of its own area.

    Faint pixels differ from the background by more than its noise but not clearly (white fabric
    on white paper, a light-grey sleeve, a soft shadow); pixels that clearly differ but were left
    out (the print of a white garment) count too. Those the mask's outline encloses count (white
    stripes between coloured ones, bridged by a closing over :data:`_PRINT_BRIDGE` of the short
    side), as do the regions of them that touch the mask (within a pixel) and those lying apart
    from it off the photo's border (a white garment beside a coloured one). A mask that misses
    part of a light garment has that part here; a complete one has at most its shadow.
    """
    s = separation
    near = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    faint = (s.full_distance > s.faint) | s.seed
    count, labels = cv2.connectedComponents((faint | near).astype(np.uint8))
    counted = np.ones(count, dtype=bool)
    counted[labels[s.ring]] = False
    counted[labels[near]] = True
    enclosed = _close(mask, max(2, round(_PRINT_BRIDGE * min(mask.shape)))) & faint
    outside = (labels_in(labels, count, np.flatnonzero(counted)) & ~near | enclosed) & ~mask
    return float(outside.sum() / max(int(mask.sum()), 1))


def paper_distance(
    separation: Separation, rgb: np.ndarray, ys: np.ndarray, xs: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Plain ΔE from the background model of the colours ``rgb`` (N×3) at pixels (``ys``, ``xs``) of
    the photo at any size ``shape`` — the model is a smooth surface over the whole photo."""
    return np.linalg.norm(rgb_to_lab(rgb) - _surface_basis(ys, xs, shape) @ separation.paper, axis=-1)


def fill_garment_holes(mask: np.ndarray, separation: Separation) -> np.ndarray:
    """``mask`` with its holes filled, except those showing the background (see :func:`_fill_garment_holes`)."""
    return _fill_garment_holes(mask, separation.full_distance, separation.floor)


def classical_mask(separation: Separation) -> np.ndarray:
    """The full classical mask: colour distance, faint regions with sharp edges, outlines, GrabCut."""
    s = separation
    seed = s.seed
    # Outlines: edges stronger than the background's own texture close white-on-white shapes.
    edges = _edge_strength(s.lab)
    edge_threshold = max(_MIN_EDGE, 3.0 * float(np.percentile(edges[s.ring], 95)))
    faint = _sharp_faint_regions(s, edges, edge_threshold)
    candidate = _fill_outlines(seed | (edges > edge_threshold) | faint, s.full_distance, s.floor)
    candidate = ndimage.binary_opening(candidate, iterations=2)
    candidate = keep_large_components(candidate)
    if candidate.sum() < 16:
        return candidate
    # GrabCut settles the band along the edge; the sure interior is never given away.
    sure_background = s.ring & (s.distance <= s.threshold)
    refined = _grabcut(s.rgb, candidate, sure_background, _shadow_band(s.delta, seed | faint))
    # GrabCut may not open holes: a hole inside the candidate is fabric that looks like paper.
    refined |= ndimage.binary_fill_holes(refined) & candidate
    return keep_large_components(_fill_garment_holes(refined, s.full_distance, s.floor))


# ------------------------------------------------------------------------------ helpers
def _rim(mask: np.ndarray) -> np.ndarray:
    """The mask's pixels within :data:`_RIM` of the short side from its edge (at least two pixels)."""
    width = max(2, round(_RIM * min(mask.shape)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return mask & (cv2.erode(mask.astype(np.uint8), kernel) == 0)


def _background_surface(lab: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Coefficients (6×3) of the background colour at every pixel: a quadratic surface in (x, y)
    fitted to the border ring (see :func:`_surface_basis`).

    A surface, not one colour, because studio paper is often lit unevenly (vignetting, a
    gradient from top to bottom). The fit is repeated without the ring pixels it explains
    worst, so a garment touching the border does not bend it.
    """
    ys, xs = np.nonzero(ring)
    rows, values = _surface_basis(ys, xs, ring.shape), lab[ring]
    keep = np.ones(len(rows), bool)
    for _ in range(3):
        # Normal equations: six unknowns per channel, a few thousand ring pixels (lstsq's SVD is 20× slower).
        kept = rows[keep].astype(np.float64)
        coefficients = np.linalg.solve(kept.T @ kept, kept.T @ values[keep]).astype(np.float32)
        residual = np.linalg.norm(values - rows @ coefficients, axis=1)
        keep = residual <= max(2.0, 3.0 * float(np.median(residual[keep])))
    return coefficients


def _surface_basis(ys: np.ndarray, xs: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The quadratic basis (1, x, y, xy, x², y²) at pixels (``ys``, ``xs``) of an image of ``shape``,
    in coordinates from -0.5 to 0.5 across it (so it holds at any resolution of the photo)."""
    x = (np.asarray(xs, np.float32) + 0.5) / shape[1] - 0.5
    y = (np.asarray(ys, np.float32) + 0.5) / shape[0] - 0.5
    return np.stack([np.ones_like(x), x, y, x * y, x**2, y**2], axis=-1)


def _background_distance(delta: np.ndarray) -> np.ndarray:
    """ΔE from the background colour (``delta`` = Lab − background), darkening down-weighted."""
    lightness = np.where(delta[..., 0] < 0, delta[..., 0] * _SHADOW_WEIGHT, delta[..., 0])
    return np.sqrt(lightness**2 + delta[..., 1] ** 2 + delta[..., 2] ** 2)


def _edge_strength(lab: np.ndarray) -> np.ndarray:
    """Gradient magnitude of the lightly smoothed Lab image (ΔE per pixel)."""
    smooth = cv2.GaussianBlur(lab, (0, 0), 1.0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    return np.sqrt((gx**2 + gy**2).sum(axis=-1))


def _sharp_faint_regions(separation: Separation, edges: np.ndarray, edge_threshold: float) -> np.ndarray:
    """Regions only faintly different from the background, kept where their edge is sharp.

    A white garment on white paper and a soft shadow both differ from the paper by a few ΔE
    of darkening, so colour cannot tell them apart; their edges can: a garment ends at a
    seam (a step), a shadow fades out. Each faint region is kept if the median edge strength
    near its border with the background (away from the strong seed) is that of an outline,
    and if it is not a narrow band hugging the seed's edge (a drop shadow with a crisp rim).
    """
    seed, ring = separation.seed, separation.ring
    solid = ndimage.binary_fill_holes(_close((separation.full_distance > separation.faint) | seed, 1))
    labels, count = ndimage.label(solid & ~seed)
    if count == 0:
        return np.zeros(seed.shape, bool)
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    near_seed = ndimage.binary_dilation(seed, iterations=3)
    edge = ndimage.binary_dilation(solid) & ~solid & ~near_seed
    # Each border pixel takes the label of a neighbouring region (the largest label nearby).
    owner = ndimage.grey_dilation(labels, size=3)
    nearby_edges = ndimage.maximum_filter(edges, size=5)
    sharpness = ndimage.median(nearby_edges, np.where(edge, owner, 0), index=np.arange(1, count + 1))
    # Noise alone makes the strongest nearby gradient look like an edge: demand twice the paper's.
    required = max(0.5 * edge_threshold, 2.0 * float(np.median(nearby_edges[ring])))
    hugging = ndimage.binary_dilation(seed, iterations=max(3, round(max(seed.shape) / 25)))
    hugged = np.bincount(labels[hugging].ravel(), minlength=count + 1)[1:] / np.maximum(areas[1:], 1)
    keep = np.flatnonzero(
        (np.nan_to_num(np.asarray(sharpness, dtype=float)) > required)
        & (areas[1:] >= _MIN_FAINT_SHARE * seed.size)
        & (hugged < _MAX_HUGGING)
    )
    return labels_in(labels, count + 1, keep + 1)


def _shadow_band(delta: np.ndarray, garment: np.ndarray) -> np.ndarray:
    """Pixels beside the garment that only darken the background: its drop shadow.

    A drop shadow often has a crisp rim, which would otherwise pass as the garment's outline;
    GrabCut gets these pixels as "probably background" and keeps them only if they look like
    the garment.
    """
    reach = max(3, round(max(garment.shape) / 50))
    beside = ndimage.binary_dilation(garment, iterations=reach) & ~garment
    darker_only = (delta[..., 0] < _SHADOW_LIGHTNESS_TOLERANCE) & (
        np.hypot(delta[..., 1], delta[..., 2]) < _SHADOW_CHROMA_TOLERANCE
    )
    return beside & darker_only


def _fill_outlines(outline: np.ndarray, distance: np.ndarray, floor: float) -> np.ndarray:
    """Fill what the outline encloses, also where small gaps break a faint outline.

    A small closing bridges gaps of a few pixels. A white garment on white paper often has
    wider gaps in its outline, so the enclosed regions are also found after a wide closing;
    each such region is kept only if it is not background: its typical (median) colour
    distance from the background is above ``floor``. The wide closing would otherwise also
    seal the narrow background slivers between an arm and the body, or between trouser legs.
    """
    small, large = (max(2, round(max(outline.shape) / d)) for d in (128, 48))
    closed = _close(outline, small)
    filled = _fill_garment_holes(closed, distance, floor)
    sealed = _close(outline, large)
    enclosed, count = ndimage.label(ndimage.binary_fill_holes(sealed) & ~sealed & ~filled)
    if count == 0:
        return filled
    interior = np.isin(enclosed, _not_background(enclosed, count, distance, floor))
    if not interior.any():
        return filled
    reach = ndimage.binary_dilation(interior, iterations=large + 2)
    return _fill_garment_holes(filled | interior | (sealed & reach), distance, floor)


def _fill_garment_holes(mask: np.ndarray, distance: np.ndarray, floor: float) -> np.ndarray:
    """Fill the mask's holes, except those showing the background.

    A hole inside a garment is print or fabric (garments have no holes), but a closed loop
    of garment can also frame the paper: the gap between an arm and the body, or between
    trouser legs whose hems touch. Such a hole is as close to the background colour as the
    paper itself (median distance at most ``floor``) and stays open; specks always fill.
    """
    holes, count = ndimage.label(ndimage.binary_fill_holes(mask) & ~mask)
    if count == 0:
        return mask
    open_holes = np.setdiff1d(np.arange(1, count + 1), _not_background(holes, count, distance, floor))
    areas = np.bincount(holes.ravel(), minlength=count + 1)
    open_holes = open_holes[areas[open_holes] >= _MIN_OPEN_HOLE_SHARE * mask.size]
    return mask | ((holes > 0) & ~np.isin(holes, open_holes))


def _not_background(labels: np.ndarray, count: int, distance: np.ndarray, floor: float) -> np.ndarray:
    """Labels (1..count) of regions whose median colour distance from the background exceeds ``floor``."""
    medians = np.asarray(ndimage.median(distance, labels, index=np.arange(1, count + 1)))
    return np.flatnonzero(medians > floor) + 1


def _close(mask: np.ndarray, radius: int) -> np.ndarray:
    """Morphological closing that also works for shapes touching the border."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    padded = cv2.copyMakeBorder(mask.astype(np.uint8), radius, radius, radius, radius, cv2.BORDER_REPLICATE)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)
    return closed[radius:-radius, radius:-radius].astype(bool)


def _grabcut(
    rgb: np.ndarray, candidate: np.ndarray, sure_background: np.ndarray, shadow: np.ndarray
) -> np.ndarray:
    """GrabCut on a band around the candidate's edge; ``shadow`` pixels start as probable background."""
    band = max(3, round(max(rgb.shape[:2]) / 80))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    as_uint8 = candidate.astype(np.uint8)
    inner = cv2.erode(as_uint8, kernel).astype(bool)
    outer = cv2.dilate(as_uint8, kernel).astype(bool)
    labels = np.full(candidate.shape, cv2.GC_BGD, np.uint8)
    labels[outer] = cv2.GC_PR_BGD
    labels[candidate] = cv2.GC_PR_FGD
    labels[shadow & ~inner] = cv2.GC_PR_BGD
    labels[inner] = cv2.GC_FGD
    labels[sure_background & ~candidate] = cv2.GC_BGD
    rows, cols = np.flatnonzero(outer.any(axis=1)), np.flatnonzero(outer.any(axis=0))
    top, bottom = max(rows[0] - band, 0), min(rows[-1] + band + 1, rgb.shape[0])
    left, right = max(cols[0] - band, 0), min(cols[-1] + band + 1, rgb.shape[1])
    roi = np.ascontiguousarray(labels[top:bottom, left:right])
    image = np.ascontiguousarray(rgb[top:bottom, left:right, ::-1])
    models = (np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64))
    cv2.setRNGSeed(0)  # GrabCut seeds its colour models with k-means: same photo, same mask
    cv2.grabCut(image, roi, None, *models, 2, cv2.GC_INIT_WITH_MASK)
    result = np.zeros(candidate.shape, bool)
    result[top:bottom, left:right] = (roi == cv2.GC_FGD) | (roi == cv2.GC_PR_FGD)
    return result
