"""Cut-out masks: a product on a plain studio background, or a person in a photo.

:func:`product_mask` / :func:`product_alpha` handle catalog photos (a garment on white,
off-white or grey paper), in four steps on a ≈512 px copy:

1. **Background model.** A smooth colour surface fitted to the border ring in CIELAB (paper
   is often lit unevenly); each pixel's distance from it is asymmetric — darker counts
   little (shadows only darken), lighter counts fully (a white tee on off-white paper).
2. **Faint regions and outlines.** A white garment on white paper differs from it by a
   few ΔE only, as a soft shadow does; such a region is kept when its border is a sharp
   edge (a seam) and it is not a narrow band along the garment (a drop shadow). Strong
   edges count as outline, and what an outline encloses is filled — except holes that
   show the paper itself (between an arm and the body, between trouser legs).
3. **GrabCut** settles a band along the edge; drop-shadow pixels start there as probable
   background, and GrabCut may not open holes in the garment.
4. **Back to full size** with a guided filter steered by the full-resolution photo, which
   snaps the edge to the photo and gives a soft anti-aliased matte.

:func:`person_mask` / :func:`person_alpha` wrap MediaPipe's person segmentation
(:class:`vestis.vision.pose.PoseEstimator`).
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

from vestis.vision.colour import rgb_to_lab
from vestis.vision.pose import Pose, PoseEstimator

__all__ = ["person_alpha", "person_mask", "product_alpha", "product_mask", "refine_alpha", "shows_person"]

WORK_SIZE = 512
"""Long side (pixels) of the copy the segmentation runs on."""
_RING = 4
"""Border ring width (pixels at :data:`WORK_SIZE`) that models the background colour."""
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
_MIN_OPEN_HOLE_SHARE = 0.0002
"""Background-coloured holes smaller than this share of the image are specks and get filled."""
_MIN_PERSON_SHARE = 0.03
_MIN_TORSO_SHARE = 0.25
"""Shortest torso (share of the photo's height) that counts as a person in the photo."""
_PERSON_LANDMARKS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def product_mask(rgb: np.ndarray) -> np.ndarray:
    """Boolean H×W mask of the product in an H×W×3 uint8 photo on a plain background."""
    return product_alpha(rgb) >= 0.5


def product_alpha(rgb: np.ndarray) -> np.ndarray:
    """Soft H×W float32 matte (1 = product, 0 = background) of a product photo."""
    rgb = _check_rgb(rgb)
    small = _reduce(rgb)
    return refine_alpha(rgb, _product_mask_small(small))


def person_mask(rgb: np.ndarray) -> np.ndarray:
    """Boolean H×W mask of the most prominent person; all False when nobody is found."""
    alpha = person_alpha(rgb)
    return np.zeros(rgb.shape[:2], bool) if alpha is None else alpha >= 0.5


def person_alpha(rgb: np.ndarray) -> np.ndarray | None:
    """Soft H×W float32 matte of the person in the photo, or ``None`` if no person is found.

    A person counts as found when MediaPipe sees both shoulders and both hips (visibility
    ≥ 0.5), the torso (shoulders' midpoint to hips' midpoint) is at least a quarter of the
    photo's height and the person covers at least 3 % of it. MediaPipe also "finds" people
    in garment photos — a portrait printed on a tee, trousers' legs — but with a small torso
    (at most 0.23 of the height on the 51 try-on garment photos, at least 0.29 on their
    22 model photos).
    """
    rgb = _check_rgb(rgb)
    pose = _person_pose(rgb)
    if pose is None:
        return None
    return refine_alpha(rgb, _keep_large_components(ndimage.binary_fill_holes(pose.mask)))


def shows_person(rgb: np.ndarray) -> bool:
    """Whether the photo shows a person by the rule of :func:`person_alpha` (one pose estimate, no matte)."""
    return _person_pose(_check_rgb(rgb)) is not None


def refine_alpha(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Bring a coarse boolean mask to ``rgb``'s full size as a soft matte that follows its edges.

    The upsampled mask is smoothed by a guided filter whose guide is the full-resolution
    photo, so the matte's edge snaps to the photo's edge; outside a narrow band along the
    coarse edge the matte is exactly 0 or 1.
    """
    height, width = rgb.shape[:2]
    coarse = cv2.resize(mask.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    scale = max(height, width) / max(mask.shape)
    radius = max(2, round(2 * scale))
    guide = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    alpha = _guided_filter(guide, coarse, radius)
    band = max(2, round(1.5 * scale + 1))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    binary = (coarse >= 0.5).astype(np.uint8)
    outside = cv2.dilate(binary, kernel) == 0
    inside = cv2.erode(binary, kernel) == 1
    alpha = np.clip(alpha, 0.0, 1.0)
    alpha[outside] = 0.0
    alpha[inside] = 1.0
    return alpha.astype(np.float32)


# ------------------------------------------------------------------------------ helpers
def _person_pose(rgb: np.ndarray) -> Pose | None:
    """The pose (at the reduced size) of a person found by :func:`person_alpha`'s rule, else ``None``."""
    small = _reduce(rgb)
    pose = PoseEstimator().estimate(small)
    if pose is None or min(pose.visibility[name] for name in _PERSON_LANDMARKS) < 0.5:
        return None
    shoulders = np.mean([pose.points["left_shoulder"], pose.points["right_shoulder"]], axis=0)
    hips = np.mean([pose.points["left_hip"], pose.points["right_hip"]], axis=0)
    if np.hypot(*(shoulders - hips)) < _MIN_TORSO_SHARE * small.shape[0]:
        return None
    if pose.mask.mean() < _MIN_PERSON_SHARE:
        return None
    return pose


def _guided_filter(guide: np.ndarray, source: np.ndarray, radius: int, rows: int = 256) -> np.ndarray:
    """OpenCV's guided filter (eps 1e-4) run on bands of ``rows`` rows, with the same result.

    The filter's internal images are the photo's size each; on a 12-megapixel photo they come to
    ~300 MB at once. A pixel's result depends only on pixels within ``2 * radius`` rows, so bands
    with that much overlap give the same numbers for a fraction of the memory.
    """
    result = np.empty_like(source)
    halo = 2 * radius + 2
    height = source.shape[0]
    for top in range(0, height, rows):
        bottom = min(top + rows, height)
        start, stop = max(0, top - halo), min(height, bottom + halo)
        band = cv2.ximgproc.guidedFilter(guide[start:stop], source[start:stop], radius, 1e-4)
        result[top:bottom] = band[top - start : bottom - start]
    return result


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[-1] not in (3, 4) or rgb.dtype != np.uint8:
        raise ValueError(f"rgb: expected an H×W×3 uint8 array; got shape {rgb.shape} and dtype {rgb.dtype}")
    if min(rgb.shape[:2]) < 8:
        raise ValueError(f"rgb: image is {rgb.shape[1]}x{rgb.shape[0]}; a mask needs at least 8x8 pixels")
    return np.ascontiguousarray(rgb[..., :3])


def _reduce(rgb: np.ndarray) -> np.ndarray:
    """A copy whose long side is at most :data:`WORK_SIZE` (area-averaged: no aliasing)."""
    scale = WORK_SIZE / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    size = (max(8, round(rgb.shape[1] * scale)), max(8, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _product_mask_small(rgb: np.ndarray) -> np.ndarray:
    """The product mask at working size: 1. distance from the border colour, 2. outlines, 3. GrabCut."""
    lab = rgb_to_lab(rgb)
    ring = np.ones(rgb.shape[:2], bool)
    ring[_RING:-_RING, _RING:-_RING] = False
    # 1. Colour distance from the background model.
    delta = lab - _background_surface(lab, ring)
    distance = _background_distance(delta)
    spread = float(np.percentile(distance[ring], 90))
    threshold = max(_MIN_DISTANCE, 2.0 * spread + 2.0)
    seed = distance > threshold
    # 2. Outlines: edges stronger than the background's own texture close white-on-white shapes.
    edges = _edge_strength(lab)
    edge_threshold = max(_MIN_EDGE, 3.0 * float(np.percentile(edges[ring], 95)))
    full_distance = np.linalg.norm(delta, axis=-1)
    floor = max(_MIN_INTERIOR_DISTANCE, float(np.percentile(full_distance[ring], 90)))
    faint = _sharp_faint_regions(full_distance, seed, edges, ring, edge_threshold)
    candidate = _fill_outlines(seed | (edges > edge_threshold) | faint, full_distance, floor)
    candidate = ndimage.binary_opening(candidate, iterations=2)
    candidate = _keep_large_components(candidate)
    if candidate.sum() < 16:
        return candidate
    # 3. GrabCut settles the band along the edge; the sure interior is never given away.
    refined = _grabcut(rgb, candidate, ring & (distance <= threshold), _shadow_band(delta, seed | faint))
    # GrabCut may not open holes: a hole inside the candidate is fabric that looks like paper.
    refined |= ndimage.binary_fill_holes(refined) & candidate
    return _keep_large_components(_fill_garment_holes(refined, full_distance, floor))


def _background_surface(lab: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Background colour at every pixel: a quadratic surface in (x, y) fitted to the border ring.

    A surface, not one colour, because studio paper is often lit unevenly (vignetting, a
    gradient from top to bottom). The fit is repeated without the ring pixels it explains
    worst, so a garment touching the border does not bend it.
    """
    height, width = ring.shape
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    xx, yy = xx / width - 0.5, yy / height - 0.5
    basis = np.stack([np.ones_like(xx), xx, yy, xx * yy, xx**2, yy**2], axis=-1)
    rows, values = basis[ring], lab[ring]
    keep = np.ones(len(rows), bool)
    for _ in range(3):
        coefficients, *_ = np.linalg.lstsq(rows[keep], values[keep], rcond=None)
        residual = np.linalg.norm(values - rows @ coefficients, axis=1)
        keep = residual <= max(2.0, 3.0 * float(np.median(residual[keep])))
    return basis @ coefficients


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


def _sharp_faint_regions(
    distance: np.ndarray, seed: np.ndarray, edges: np.ndarray, ring: np.ndarray, edge_threshold: float
) -> np.ndarray:
    """Regions only faintly different from the background, kept where their edge is sharp.

    A white garment on white paper and a soft shadow both differ from the paper by a few ΔE
    of darkening, so colour cannot tell them apart; their edges can: a garment ends at a
    seam (a step), a shadow fades out. Each faint region is kept if the median edge strength
    near its border with the background (away from the strong seed) is that of an outline,
    and if it is not a narrow band hugging the seed's edge (a drop shadow with a crisp rim).
    """
    threshold = max(_MIN_FAINT_DISTANCE, 2.0 * float(np.percentile(distance[ring], 90)) + 0.5)
    solid = ndimage.binary_fill_holes(_close((distance > threshold) | seed, 1))
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
    return np.isin(labels, keep + 1)


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


def _keep_large_components(mask: np.ndarray, share: float = 0.1) -> np.ndarray:
    """Keep the connected parts at least ``share`` of the largest part's area."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= share * areas.max()) + 1
    return np.isin(labels, keep)
