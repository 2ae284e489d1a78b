"""Cut-out masks of a person in a photo, and the matte helpers every cut-out shares.

:func:`person_mask` / :func:`person_alpha` wrap MediaPipe's person segmentation
(:class:`vestis.vision.pose.PoseEstimator`); :func:`shows_person` says whether a photo shows
one. Masks are found on a reduced copy (:func:`reduced`) and brought back to the photo's size
by :func:`refine_alpha`, a guided filter steered by the full-resolution photo that snaps the
edge to it and gives a soft anti-aliased matte. The product mask is
:mod:`vestis.vision.product_mask`.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

from vestis.vision.pose import HandDetector, Pose, PoseEstimator

__all__ = [
    "WORK_SIZE",
    "bounding_box",
    "check_rgb",
    "keep_large_components",
    "labels_in",
    "person_alpha",
    "person_mask",
    "reduced",
    "refine_alpha",
    "shows_hands",
    "shows_person",
]

WORK_SIZE = 512
"""Long side (pixels) of the copy the segmentation runs on."""
_MIN_PERSON_SHARE = 0.03
_MIN_TORSO_SHARE = 0.25
"""Shortest torso (share of the photo's height) that counts as a person in the photo."""
_PERSON_LANDMARKS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


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
    rgb = check_rgb(rgb)
    pose = _person_pose(rgb)
    if pose is None:
        return None
    return refine_alpha(rgb, keep_large_components(ndimage.binary_fill_holes(pose.mask)))


def shows_person(rgb: np.ndarray) -> bool:
    """Whether the photo shows a person by the rule of :func:`person_alpha` (one pose estimate, no matte)."""
    return _person_pose(check_rgb(rgb)) is not None


def shows_hands(rgb: np.ndarray) -> bool:
    """Whether MediaPipe's hand detector finds a hand in the photo (on the copy :func:`reduced` makes).

    A hand means a person, also where the pose model finds none because the head is out of the
    frame (a model's legs in trousers, hands hanging beside them). On the 517 garment photos of
    the H&M catalog and 73 Myntra product photos it finds none; on 60 Myntra photos of trousers
    worn with the head cut off, one or two hands in 51.
    """
    return HandDetector().count(reduced(check_rgb(rgb))) > 0


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


def check_rgb(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` as a contiguous H×W×3 uint8 array (an alpha channel dropped); raises ValueError naming it if unusable."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[-1] not in (3, 4) or rgb.dtype != np.uint8:
        raise ValueError(f"rgb: expected an H×W×3 uint8 array; got shape {rgb.shape} and dtype {rgb.dtype}")
    if min(rgb.shape[:2]) < 8:
        raise ValueError(f"rgb: image is {rgb.shape[1]}x{rgb.shape[0]}; a mask needs at least 8x8 pixels")
    return np.ascontiguousarray(rgb[..., :3])


def reduced(image: np.ndarray, size: int = WORK_SIZE) -> np.ndarray:
    """A copy whose long side is at most ``size`` pixels (area-averaged: no aliasing); small images as they are.

    While the image is at least twice the target it is halved first (a bilinear resize to half
    size averages 2×2 blocks): the same averages as one area resize, at a tenth of the time on a
    20-megapixel photo.
    """
    scale = size / max(image.shape[:2])
    if scale >= 1:
        return image
    shape = (max(8, round(image.shape[1] * scale)), max(8, round(image.shape[0] * scale)))
    while image.shape[1] >= 2 * shape[0] and image.shape[0] >= 2 * shape[1]:
        image = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(image, shape, interpolation=cv2.INTER_AREA)


def bounding_box(mask: np.ndarray, margin: int) -> tuple[slice, slice]:
    """The bounding box of ``mask``, ``margin`` pixels wider on every side and clipped to the
    frame (the whole frame when the mask is empty), as a pair of slices."""
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return slice(0, mask.shape[0]), slice(0, mask.shape[1])
    return (
        slice(max(0, int(rows[0]) - margin), int(rows[-1]) + margin + 1),
        slice(max(0, int(columns[0]) - margin), int(columns[-1]) + margin + 1),
    )


def keep_large_components(mask: np.ndarray, share: float = 0.1) -> np.ndarray:
    """Keep the connected parts at least ``share`` of the largest part's area."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= share * areas.max()) + 1
    return labels_in(labels, count, keep)


def labels_in(labels: np.ndarray, count: int, chosen: np.ndarray) -> np.ndarray:
    """Pixels of a label image (``count`` labels, as OpenCV's connected components give) whose label
    is in ``chosen`` — any array of labels, repeats allowed: ``labels[region]`` picks the parts that
    touch a region. Label 0, the background, is never chosen. A table lookup, several times faster
    than ``np.isin`` on a photo-sized image."""
    table = np.zeros(count, dtype=bool)
    table[np.asarray(chosen, dtype=np.intp).ravel()] = True
    table[0] = False
    return table[labels]


# ------------------------------------------------------------------------------ helpers
def _person_pose(rgb: np.ndarray) -> Pose | None:
    """The pose (at the reduced size) of a person found by :func:`person_alpha`'s rule, else ``None``."""
    small = reduced(rgb)
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
