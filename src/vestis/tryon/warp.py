"""Warp a garment onto a body with a thin-plate spline (TPS) fitted to matching keypoints.

The spline maps *body* coordinates to *garment* coordinates (the backward map), so every output
pixel looks its colour up in the garment photo with :func:`cv2.remap`. It is evaluated on a
coarse grid and interpolated, which keeps a 768×1024 warp to a few milliseconds. A warp that
folds (negative Jacobian determinant where the garment lands) is smoothed with a stronger
regulariser until it does not; the strongest one is practically affine and cannot fold.
A top's sleeves are not part of that spline: each is laid along its arm (shoulder → elbow →
wrist) by distance along and across the arm, so sleeves bend at the elbow with the arm, and
reaches back over the shoulder's cap, so it stays attached however the arm is held; gaps
between sleeves and body, holes the garment encloses and stray specks are then closed or
cleared. The photo's rim is first given the fabric's own colour, so that no line of its
background runs round the garment on the person.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.body import LEG_WIDTHS, Body
from vestis.tryon.garment import Garment, sleeve_root
from vestis.tryon.types import SIDES, Keypoints, Point, Side
from vestis.vision.filters import weighted_blur
from vestis.vision.segment import bounding_box

__all__ = [
    "ThinPlateSpline",
    "Warp",
    "Warper",
    "body_targets",
    "dress_targets",
    "hem_reach",
    "lower_targets",
    "sleeve_reach",
]

_GRID_STEP = 8
_REGULARISERS = (1e-4, 1e-2, 1e-1, 1.0, 1e3)
_ARM_HALF_WIDTH = 0.13
"""Half the arm's thickness as a fraction of the shoulder width (as :mod:`vestis.tryon.body` draws it)."""
_ARM_COVER = 1.15
"""Smallest sleeve width as a multiple of the arm's, so that a narrow sleeve photo still covers the arm."""
_NECK_LIFT = 0.09
"""How far above the shoulder points, in shoulder widths, a neckline level with them sits (the base of the neck)."""
_SLEEVELESS_ARMHOLE = (0.15, 0.5)
"""Shallowest and deepest armhole of a sleeveless top, in torso lengths below the shoulder joints."""
_PIECE = 0.02
"""Largest speck, as a share of the garment's largest piece, cleared from a top's warp."""
_SEAM_GAP = 0.12
"""Widest gap, in shoulder widths, closed between a top's body and sleeves."""
_NECKLINE_HALF = 0.3
"""Half the width, in shoulder widths, of the band around the neck where no gap is closed."""
_SEAM = 0.3
"""Share of the sleeve, from its root, where the sleeve layer may also fill gaps with the garment's body."""
_SHOULDER_CAP = 0.05
"""How far past the shoulder point, in shoulder widths, a sleeve reaches back from its root."""
_ROOT_SAMPLE = 0.1
"""Share of the sleeve's length past its root whose cross-section is carried back towards the shoulder."""
_EASE = 1.05
"""How much wider than the body part it covers a lower garment or skirt is placed, at least."""
_FULL_INSEAM = 1.75
"""Inseam of full-length trousers in garment hip widths (photos of real trousers measure 1.7–2.4)."""
_FULL_LENGTH = 0.8
"""Trouser legs reaching this share of a full-length inseam are full length: they end at the ankle."""
_INNER_REACH = 0.4
"""Farthest a trouser leg's inner edge reaches towards the other leg, as a fraction of their distance."""
_NATURAL_WAIST = 0.6
"""A dress's waist, as a fraction of the way from the shoulders to the hip joints."""
_WAIST_WIDTH = 0.8
"""Smallest dress waist width as a fraction of the hip width."""


class ThinPlateSpline:
    """A 2-D thin-plate spline through ``source → target`` point pairs (N×2 each, N ≥ 3).

    ``regulariser`` (λ ≥ 0) trades exact interpolation for smoothness; 0 maps every control
    point exactly, large values tend to the best affine map. Coordinates are normalised
    internally so λ means the same at any image size.
    """

    def __init__(self, source: np.ndarray, target: np.ndarray, regulariser: float = 0.0) -> None:
        source = np.asarray(source, dtype=np.float64)
        target = np.asarray(target, dtype=np.float64)
        if source.shape != target.shape or source.ndim != 2 or source.shape[1] != 2 or len(source) < 3:
            raise ValueError(
                f"need matching N×2 point arrays with N ≥ 3; got {source.shape} and {target.shape}"
            )
        self._offset = source.mean(axis=0)
        self._scale = max(float(np.abs(source - self._offset).max()), 1e-9)
        self._source = (source - self._offset) / self._scale
        n = len(source)
        system = np.zeros((n + 3, n + 3))
        system[:n, :n] = _kernel(self._source, self._source) + regulariser * np.eye(n)
        system[:n, n] = 1.0
        system[:n, n + 1 :] = self._source
        system[n, :n] = 1.0
        system[n + 1 :, :n] = self._source.T
        rhs = np.zeros((n + 3, 2))
        rhs[:n] = target
        self._coefficients = np.linalg.lstsq(system, rhs, rcond=None)[0]

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Map M×2 points (any leading shape ending in 2) through the spline."""
        points = np.asarray(points, dtype=np.float64)
        flat = (points.reshape(-1, 2) - self._offset) / self._scale
        n = len(self._source)
        weights, affine = self._coefficients[:n], self._coefficients[n:]
        mapped = _kernel(flat, self._source) @ weights + affine[0] + flat @ affine[1:]
        return mapped.reshape(points.shape)


@dataclass(frozen=True)
class Warp:
    """The garment warped into the person photo's frame, plus the coarse backward map for debugging."""

    rgb: np.ndarray
    mask: np.ndarray
    grid: np.ndarray
    regulariser: float
    min_jacobian: float
    sleeves: np.ndarray | None = None
    """Where the sleeves laid along the arms landed (they are part of ``mask``), if any."""


class Warper:
    """Fit the body → garment spline, unfold it if needed and resample the garment."""

    def warp(self, garment: Garment, body: Body, shape: tuple[int, int]) -> Warp:
        """Warp ``garment`` onto ``body`` in an image of ``shape`` (height, width)."""
        targets = body_targets(garment, body)
        # Sleeves (of tops and dresses) follow the arms on their own (see _sleeve_layer); the spline places the rest.
        sleeves = garment.sleeves
        skipped = {f"{side}_sleeve" for side in sleeves}
        names = [name for name in garment.keypoints if name in targets and name not in skipped]
        source = np.array([garment.keypoints[name] for name in names])
        target = np.array([targets[name] for name in names])
        height, width = shape
        ys, xs = np.mgrid[0 : height + _GRID_STEP : _GRID_STEP, 0 : width + _GRID_STEP : _GRID_STEP]
        coarse_points = np.stack([xs, ys], axis=-1).astype(np.float64)
        for regulariser in _REGULARISERS:
            grid = ThinPlateSpline(target, source, regulariser)(coarse_points).astype(np.float32)
            min_det = _min_jacobian(grid, garment.mask)
            if min_det > 0:
                break
        full = cv2.resize(
            grid, (xs.shape[1] * _GRID_STEP, ys.shape[0] * _GRID_STEP), interpolation=cv2.INTER_LINEAR
        )
        full = full[:height, :width]
        map_x, map_y = np.ascontiguousarray(full[..., 0]), np.ascontiguousarray(full[..., 1])
        colours = garment.colours
        rgb = cv2.remap(colours, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        cut = garment.mask.copy()
        for part in sleeves.values():
            cut &= ~part
        alpha = cv2.remap(cut.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0) > 0.5
        laid = np.zeros_like(alpha)
        for side, part in sleeves.items():
            laid |= _sleeve_layer(garment, colours, part, side, body, targets, rgb, alpha)
        if sleeves:
            laid |= _close_seams(rgb, alpha, body)
            _drop_pieces(alpha)
            laid &= alpha
        return Warp(
            rgb=rgb, mask=alpha, grid=grid, regulariser=regulariser, min_jacobian=min_det, sleeves=laid
        )


def body_targets(garment: Garment, body: Body) -> dict[str, tuple[float, float]]:
    """Where each garment keypoint should land on the body (pixels of the person photo).

    Collar and shoulders sit slightly above the shoulder joints, the hem at the hips, a sleeved
    top's armpits a third of the way down the torso; a sleeve end goes as far along the arm
    (shoulder → elbow → wrist) as the sleeve is long, measured in body scale. The neckline, and
    a sleeveless top's armholes, keep their true depth (a camisole's V, a tank's scoop). Lower garments and dresses
    are placed by :func:`lower_targets` and :func:`dress_targets`.
    """
    if garment.category == "lower":
        return lower_targets(garment, body)
    if garment.category == "dress":
        return dress_targets(garment, body)
    k = body.keypoints
    g = {name: np.array(xy) for name, xy in garment.keypoints.items()}
    hems = {side: _xy(k.side(side).hip_edge) + np.array([0.0, 0.04 * _torso_length(k)]) for side in SIDES}
    targets = _top_targets(g, k, body.shoulder_width)
    targets.update({f"{side}_hem": hem for side, hem in hems.items()})
    return _as_tuples(targets)


def lower_targets(garment: Garment, body: Body) -> dict[str, tuple[float, float]]:
    """Body points for a lower garment's keypoints (see :func:`vestis.tryon.garment.lower_keypoints`).

    The waistband goes on the body's waist line, the hip sides at crotch level on the hip
    edges; widths are scaled so the garment's hips match the body's. Each leg runs down its
    hip → knee → ankle line for the share of the leg its inseam makes of a full-length one
    (:data:`_FULL_INSEAM` hip widths; legs reaching :data:`_FULL_LENGTH` of it end at the
    ankle), at least as wide as the body's leg. Skirts get hem corners like a dress's.
    """
    k = body.keypoints
    g = {name: np.array(xy) for name, xy in garment.keypoints.items()}
    hip_width = _hip_width(k)
    scale = hip_width / max(float(np.linalg.norm(g["left_hip"] - g["right_hip"])), 1.0)
    body_waist, crotch = _xy(k.waist), _xy(k.crotch)
    drop = crotch - (_xy(k.left.hip) + _xy(k.right.hip)) / 2
    targets = {"waist": body_waist}
    for side in SIDES:
        own = k.side(side)
        targets[f"{side}_waist"] = body_waist + (_xy(own.waist) - body_waist) * _EASE
        targets[f"{side}_hip"] = crotch + (_xy(own.hip_side) + drop - crotch) * _EASE
    if "crotch" not in g:
        targets.update(_skirt_targets(g, body, float(body_waist[1]), float(g["waist"][1]), scale, scale))
        return _as_tuples(targets)
    targets["crotch"] = crotch
    garment_hips = float(np.linalg.norm(g["left_hip"] - g["right_hip"]))
    start = float(np.linalg.norm(drop))
    for name, joint in (("knee", "knee"), ("leg", "ankle")):
        legs = {}
        for side in SIDES:
            own = k.side(side)
            leg = [_xy(own.hip), _xy(own.knee), _xy(own.ankle)]
            inseam = g[f"{side}_leg_outer"][1] - g["crotch"][1]
            share = min(1.0, inseam / max(_FULL_INSEAM * garment_hips, 1.0))
            share = 1.0 if share >= _FULL_LENGTH else share
            outer, inner = g[f"{side}_{name}_outer"], g[f"{side}_{name}_inner"]
            down = ((outer[1] + inner[1]) / 2 - g["crotch"][1]) / max(inseam, 1.0)
            centre, direction = _along_with_direction(leg, start + share * down * (_length(leg) - start))
            half = max(scale * abs(outer[0] - inner[0]) / 2, _EASE * LEG_WIDTHS[joint] * hip_width / 2)
            legs[side] = (centre, _outward(direction, side), half)
        # Inner edges stop short of the midline between the legs, so that close legs cannot fold.
        apart = float(np.linalg.norm(legs["left"][0] - legs["right"][0]))
        for side, (centre, out_dir, half) in legs.items():
            targets[f"{side}_{name}_outer"] = centre + out_dir * half
            targets[f"{side}_{name}_inner"] = centre - out_dir * min(half, _INNER_REACH * apart)
    return _as_tuples(targets)


def dress_targets(garment: Garment, body: Body) -> dict[str, tuple[float, float]]:
    """Body points for a dress: the bodice like a top, the waist at the natural waist, the skirt
    down the legs as far as it is long with its own flare.

    Lengths are scaled by the bodice (shoulders to waist on the garment and on the body), which
    strap and off-shoulder dresses measure as well as sleeved ones; widths by the waist.
    """
    k = body.keypoints
    g = {name: np.array(xy) for name, xy in garment.keypoints.items()}
    shoulders = (_xy(k.left.shoulder) + _xy(k.right.shoulder)) / 2
    hips = (_xy(k.left.hip) + _xy(k.right.hip)) / 2
    waist = shoulders + _NATURAL_WAIST * (hips - shoulders)
    hip_width = _hip_width(k)
    across = (_xy(k.left.hip_side) - _xy(k.right.hip_side)) / max(hip_width, 1.0)
    g_waist = (g["left_waist"][1] + g["right_waist"][1]) / 2
    g_shoulders = (g["left_shoulder"][1] + g["right_shoulder"][1]) / 2
    length_scale = float(waist[1] - shoulders[1]) / max(float(g_waist - g_shoulders), 1.0)
    targets = _top_targets(g, k, body.shoulder_width)
    half = _EASE * _WAIST_WIDTH * hip_width / 2
    width_scale = 2 * half / max(float(abs(g["left_waist"][0] - g["right_waist"][0])), 1.0)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        targets[f"{side}_waist"] = waist + sign * across * half
    targets.update(_skirt_targets(g, body, float(waist[1]), float(g_waist), width_scale, length_scale))
    return _as_tuples(targets)


def hem_reach(garment: Garment, body: Body) -> float:
    """How far down the legs a lower garment or dress ends: 0 the hips, 1 the knees, 2 the ankles."""
    targets = lower_targets(garment, body) if garment.category == "lower" else dress_targets(garment, body)
    k = body.keypoints
    hem = max(y for name, (_, y) in targets.items() if name.endswith(("_hem", "_leg_outer", "_leg_inner")))
    hips, knees, ankles = (
        (left[1] + right[1]) / 2
        for left, right in (
            (k.left.hip, k.right.hip),
            (k.left.knee, k.right.knee),
            (k.left.ankle, k.right.ankle),
        )
    )
    if hem <= knees:
        return max(0.0, (hem - hips) / max(knees - hips, 1.0))
    return 1.0 + (hem - knees) / max(ankles - knees, 1.0)


def sleeve_reach(garment: Garment, body: Body) -> float:
    """How far the longer sleeve reaches down the arm: 0 none, 1 the elbow, 2 the wrist."""
    g = {name: np.array(xy) for name, xy in garment.keypoints.items()}
    scale = body.shoulder_width / max(float(np.linalg.norm(g["left_shoulder"] - g["right_shoulder"])), 1.0)
    reach = 0.0
    for side in SIDES:
        if f"{side}_sleeve" not in g:
            continue
        length = scale * float(np.linalg.norm(g[f"{side}_sleeve"] - g[f"{side}_shoulder"]))
        arm = body.keypoints.side(side)
        upper = float(np.linalg.norm(_xy(arm.elbow) - _xy(arm.shoulder_edge)))
        lower = float(np.linalg.norm(_xy(arm.wrist) - _xy(arm.elbow)))
        reach = max(reach, min(length, upper) / max(upper, 1.0) + max(length - upper, 0.0) / max(lower, 1.0))
    return min(reach, 2.0)


def _sleeve_layer(
    garment: Garment,
    colours_photo: np.ndarray,
    part: np.ndarray,
    side: Side,
    body: Body,
    targets: dict[str, Point],
    rgb: np.ndarray,
    alpha: np.ndarray,
) -> np.ndarray:
    """Paint one sleeve along the arm into ``rgb``/``alpha`` (in place, over the body); returns
    where it landed.

    The sleeve's axis (root → cuff centre) is laid along the arm (the middle of the armhole,
    taken onto the arm's axis → elbow → wrist), so the sleeve bends at the elbow with the arm.
    Along, the sleeve keeps its length in body scale (ending at the wrist at most); across, it
    keeps its width but is never narrower than the arm; nothing folds. Behind the root, back to
    the shoulder point, the sleeve's first cross-section fills whatever the garment's body leaves
    open, so the sleeve stays attached over the shoulder's cap however the arm is held.
    ``colours_photo`` is the garment photo with clean edges (:attr:`Garment.colours`).
    """
    axis = _SleeveAxis.of(garment, part, side)
    t = {name: np.array(xy) for name, xy in targets.items()}
    arm = _arm_line(body, side, t)
    shoulders = float(
        np.linalg.norm(
            np.array(garment.keypoints["left_shoulder"]) - np.array(garment.keypoints["right_shoulder"])
        )
    )
    scale = float(np.linalg.norm(t["left_shoulder"] - t["right_shoulder"])) / max(shoulders, 1.0)
    reach = min(scale * axis.length, _length(arm))
    per_across = min(1 / scale, axis.half_width / (_ARM_COVER * _ARM_HALF_WIDTH * body.shoulder_width))
    # Behind its root the sleeve reaches back up to the shoulder point, closing the shoulder's cap.
    behind = float(np.linalg.norm(t[f"{side}_shoulder"] - arm[0])) + _SHOULDER_CAP * body.shoulder_width
    first = (arm[1] - arm[0]) / max(float(np.linalg.norm(arm[1] - arm[0])), 1e-6)
    window = _window([*arm, arm[0] - first * behind], axis.half_width / per_across + 2, alpha.shape)
    landed = np.zeros_like(alpha)
    if window is None:
        return landed
    ys, xs = np.mgrid[window].astype(np.float32)
    along, across, inward = _arm_coordinates(xs, ys, arm, np.array(targets["neck"]))
    # Pixels behind the root read the sleeve a little past its root, where it is all sleeve.
    lengthwise = np.where(along < 0, _ROOT_SAMPLE * reach, along) * (axis.length / max(reach, 1.0))
    map_x, map_y = axis.maps(lengthwise, across * per_across)
    sleeve = cv2.remap(part.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0) > 0.5
    # Near the shoulder, any garment pixel may close the seam the body's spline leaves open.
    whole = cv2.remap(garment.mask.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)
    sleeve |= (whole > 0.5) & (along >= 0) & (along < _SEAM * reach) & ~alpha[window]
    # Behind the root the sleeve's own fabric only fills what the garment's body leaves open, up
    # to the shoulder and never above the line through the shoulder points.
    left, right = t["left_shoulder"], t["right_shoulder"]
    below = (xs - right[0]) * (left[1] - right[1]) - (ys - right[1]) * (left[0] - right[0]) <= 0
    sleeve &= (along >= 0) | ((along > -behind) & below & ~alpha[window])
    # A wide sleeve's inner side, off the arm, hangs behind the garment's body, not over it.
    off_arm = across * inward > _ARM_HALF_WIDTH * body.shoulder_width
    sleeve &= ~(off_arm & alpha[window])
    colours = cv2.remap(colours_photo, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    rgb[window][sleeve] = colours[sleeve]
    alpha[window] |= sleeve
    landed[window] = sleeve
    return landed


@dataclass(frozen=True)
class _SleeveAxis:
    """A sleeve in the garment photo: its axis from the root (the middle of the armhole) to the
    cuff's centre, as unit vectors along and across it, its length and its mean half width."""

    root: np.ndarray
    along: np.ndarray
    across: np.ndarray
    length: float
    half_width: float

    @classmethod
    def of(cls, garment: Garment, part: np.ndarray, side: Side) -> _SleeveAxis:
        """The axis of ``side``'s sleeve, whose pixels are ``part``."""
        root, cuff = sleeve_root(garment.keypoints, side), np.array(garment.keypoints[f"{side}_sleeve"])
        length = max(float(np.linalg.norm(cuff - root)), 1.0)
        along = (cuff - root) / length
        return cls(root, along, np.array([-along[1], along[0]]), length, float(part.sum()) / length / 2)

    def maps(self, lengthwise: np.ndarray, crosswise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The garment photo's x and y (float32 maps for :func:`cv2.remap`) at these distances
        along and across the sleeve from its root."""
        map_x = self.root[0] + lengthwise * self.along[0] + crosswise * self.across[0]
        map_y = self.root[1] + lengthwise * self.along[1] + crosswise * self.across[1]
        return map_x.astype(np.float32), map_y.astype(np.float32)


def _arm_line(body: Body, side: Side, targets: dict[str, np.ndarray]) -> list[np.ndarray]:
    """The line a sleeve is laid along: from the middle of the armhole, moved onto the arm's axis
    (a raised arm's axis runs above it), to the elbow and the wrist."""
    own = body.keypoints.side(side)
    joint, elbow = _xy(own.shoulder), _xy(own.elbow)
    upper = (elbow - joint) / max(float(np.linalg.norm(elbow - joint)), 1e-6)
    armhole = (targets[f"{side}_shoulder"] + targets[f"{side}_armpit"]) / 2
    return [joint + upper * max(0.0, float((armhole - joint) @ upper)), elbow, _xy(own.wrist)]


def _window(corners: list[np.ndarray], pad: float, shape: tuple[int, ...]) -> tuple[slice, slice] | None:
    """The box around ``corners``, ``pad`` pixels wider, inside an image of ``shape``; ``None`` when empty."""
    height, width = shape[:2]
    x0, y0 = (max(0, int(min(p[i] for p in corners) - pad)) for i in (0, 1))
    x1, y1 = (int(max(p[i] for p in corners) + pad) for i in (0, 1))
    x1, y1 = min(width, x1), min(height, y1)
    if x1 <= x0 or y1 <= y0:
        return None
    return slice(y0, y1), slice(x0, x1)


def _arm_coordinates(
    xs: np.ndarray, ys: np.ndarray, arm: list[np.ndarray], centre: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each pixel's distance along the ``arm`` line (negative before its start), its signed distance
    across it, and which side of the arm (±1) the body's ``centre`` lies on, all from the arm's
    nearest segment."""
    best = np.full(xs.shape, np.inf, np.float32)
    along = np.zeros_like(xs)
    across = np.zeros_like(xs)
    inward = np.zeros_like(xs)
    start = 0.0
    for index, (a, b) in enumerate(zip(arm, arm[1:], strict=False)):
        span = max(float(np.linalg.norm(b - a)), 1e-6)
        u = (b - a) / span
        vx, vy = xs - a[0], ys - a[1]
        position = vx * u[0] + vy * u[1]
        low = -np.inf if index == 0 else 0.0
        high = np.inf if index == len(arm) - 2 else span
        clamped = np.clip(position, low, high)
        distance = np.hypot(vx - clamped * u[0], vy - clamped * u[1])
        closer = distance < best
        best = np.where(closer, distance, best)
        along = np.where(closer, start + clamped, along)
        across = np.where(closer, u[0] * vy - u[1] * vx, across)
        towards_body = np.sign(u[0] * (centre[1] - a[1]) - u[1] * (centre[0] - a[0]))
        inward = np.where(closer, towards_body, inward)
        start += span
    return along, across, inward


def _close_seams(rgb: np.ndarray, alpha: np.ndarray, body: Body) -> np.ndarray:
    """Close the narrow gaps left between a top's body and its sleeves (at the shoulders, under
    the arms) and any hole the garment encloses (a sleeve's gap to the body in the photo) in
    ``rgb``/``alpha`` (in place), away from the neckline, whose openings are the design's; the
    gap takes the garment's colours around it. Returns what was closed."""
    size = max(3, round(_SEAM_GAP * body.shoulder_width)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    closed = np.zeros_like(alpha)
    if not alpha.any():
        return closed
    box = bounding_box(alpha, size)
    closed[box] = cv2.morphologyEx(alpha[box].astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0
    # What the outside cannot reach without crossing the garment is a hole in it.
    outside = np.pad((~closed[box]).astype(np.uint8), 1, constant_values=1)
    cv2.floodFill(outside, None, (0, 0), 0)
    closed[box] |= outside[1:-1, 1:-1] > 0
    columns = np.arange(alpha.shape[1])
    beside_neck = np.abs(columns - body.keypoints.neck[0]) > _NECKLINE_HALF * body.shoulder_width
    gap = closed & ~alpha & body.masks.person & ~body.masks.face & beside_neck[None, :]
    if not gap.any():
        return gap
    window = bounding_box(gap, size)
    # The garment's own colours, averaged over a neighbourhood the size of the gap.
    filled = weighted_blur(rgb[window], alpha[window].astype(np.float32), size / 2)
    rgb[window][gap[window]] = np.clip(filled[gap[window]], 0, 255).astype(np.uint8)
    alpha |= gap
    return gap


def _drop_pieces(alpha: np.ndarray) -> None:
    """Clear the specks of ``alpha`` (in place) apart from the garment: pieces smaller than
    :data:`_PIECE` of the largest, which a sleeve laid along an arm can leave at its edge."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(alpha.astype(np.uint8), connectivity=8)
    if count <= 2:
        return
    areas = stats[:, cv2.CC_STAT_AREA]
    keep = areas >= _PIECE * areas[1:].max()
    keep[0] = False  # the background
    alpha &= keep[labels]


def _along(polyline: list[np.ndarray], length: float) -> np.ndarray:
    """The point ``length`` pixels along ``polyline`` from its start (its end if it is shorter)."""
    for start, end in zip(polyline, polyline[1:], strict=False):
        segment = float(np.linalg.norm(end - start))
        if length <= segment:
            return start + (end - start) * (length / max(segment, 1e-9))
        length -= segment
    return polyline[-1]


def _skirt_targets(
    g: dict[str, np.ndarray],
    body: Body,
    body_waist_y: float,
    garment_waist_y: float,
    width_scale: float,
    length_scale: float,
) -> dict[str, np.ndarray]:
    """Hip and hem corners of a skirt or a dress's skirt, placed down the body's midline (hips →
    knees → ankles) by the garment's own length and width in body scale, never narrower than
    the legs they cover."""
    left, right = body.keypoints.left, body.keypoints.right
    hips, knees, ankles = (
        (_xy(a), _xy(b))
        for a, b in ((left.hip, right.hip), (left.knee, right.knee), (left.ankle, right.ankle))
    )
    mid_hip = (hips[0] + hips[1]) / 2
    line = [
        np.array([mid_hip[0], body_waist_y]),
        mid_hip,
        (knees[0] + knees[1]) / 2,
        (ankles[0] + ankles[1]) / 2,
    ]
    hip_width = _hip_width(body.keypoints)
    spans = [
        hip_width,
        hip_width,
        float(np.linalg.norm(knees[0] - knees[1])) + LEG_WIDTHS["knee"] * hip_width,
        float(np.linalg.norm(ankles[0] - ankles[1])) + LEG_WIDTHS["ankle"] * hip_width,
    ]
    targets = {}
    for row in ("hip", "hem"):
        right, left = g[f"right_{row}"], g[f"left_{row}"]
        along = length_scale * ((right[1] + left[1]) / 2 - garment_waist_y)
        centre, direction = _along_with_direction(line, along)
        legs = float(np.interp(along, np.cumsum([0.0] + _segment_lengths(line)), spans))
        half = max(width_scale * abs(left[0] - right[0]) / 2, _EASE * legs / 2)
        for side in ("left", "right"):
            targets[f"{side}_{row}"] = centre + _outward(direction, side) * half
    return targets


def _along_with_direction(polyline: list[np.ndarray], length: float) -> tuple[np.ndarray, np.ndarray]:
    """The point ``length`` along ``polyline`` (extended past its end) and the unit direction there."""
    for start, end in zip(polyline, polyline[1:], strict=False):
        segment = float(np.linalg.norm(end - start))
        if length <= segment or end is polyline[-1]:
            direction = (end - start) / max(segment, 1e-9)
            return start + direction * length, direction
        length -= segment
    return polyline[-1], np.array([0.0, 1.0])


def _outward(direction: np.ndarray, side: str) -> np.ndarray:
    """Unit vector across a downward ``direction`` towards the wearer's ``side`` (left = image right)."""
    normal = np.array([direction[1], -direction[0]])
    return normal if side == "left" else -normal


def _segment_lengths(polyline: list[np.ndarray]) -> list[float]:
    return [float(np.linalg.norm(b - a)) for a, b in zip(polyline, polyline[1:], strict=False)]


def _length(polyline: list[np.ndarray]) -> float:
    return float(sum(_segment_lengths(polyline)))


def _top_targets(g: dict[str, np.ndarray], k: Keypoints, shoulder_width: float) -> dict[str, np.ndarray]:
    """Targets of a top's (or a bodice's) neckline, shoulders, armpits and sleeve ends (see
    :func:`body_targets`). The garment's body, armpit to armpit, spans the shoulder joints: that
    scale keeps the neckline's and a sleeveless top's armholes' true depth."""
    shoulders = _shoulder_targets(k)
    torso_length = _torso_length(k)
    sleeveless = not any(f"{side}_sleeve" in g for side in ("left", "right"))
    chest = shoulder_width / max(float(np.linalg.norm(g["left_armpit"] - g["right_armpit"])), 1.0)
    depth = chest * (g["neck"][1] - _mean_y(_pair(g, "shoulder")))
    # A neckline level with the shoulder points sits a little above them, at the base of the neck.
    neck_y = _mean_y(shoulders) - _NECK_LIFT * shoulder_width + depth
    targets = {"neck": np.array([_xy(k.neck)[0], neck_y])}
    scale = shoulder_width / max(float(np.linalg.norm(g["left_shoulder"] - g["right_shoulder"])), 1.0)
    for side in SIDES:
        own = k.side(side)
        targets[f"{side}_shoulder"] = shoulders[side]
        armhole = 0.33 * torso_length
        if sleeveless:
            armhole = chest * float(g[f"{side}_armpit"][1] - g[f"{side}_shoulder"][1])
            armhole = float(np.clip(armhole, *(share * torso_length for share in _SLEEVELESS_ARMHOLE)))
        targets[f"{side}_armpit"] = _xy(own.shoulder) + np.array([0.0, armhole])
        if f"{side}_sleeve" in g:
            length = scale * float(np.linalg.norm(g[f"{side}_sleeve"] - g[f"{side}_shoulder"]))
            targets[f"{side}_sleeve"] = _along(
                [_xy(own.shoulder_edge), _xy(own.elbow), _xy(own.wrist)], length
            )
    return targets


def _shoulder_targets(k: Keypoints) -> dict[str, np.ndarray]:
    """A top's shoulder points: on top of the shoulders, as :class:`~vestis.tryon.body.Body` measures them."""
    return {side: _xy(k.side(side).shoulder_top) for side in SIDES}


def _torso_length(k: Keypoints) -> float:
    """Mean vertical distance from the shoulder joints to the hip joints."""
    return float(np.mean([_xy(k.side(side).hip)[1] - _xy(k.side(side).shoulder)[1] for side in SIDES]))


def _hip_width(k: Keypoints) -> float:
    """Width of the hips as the body measures them."""
    return float(np.linalg.norm(_xy(k.left.hip_side) - _xy(k.right.hip_side)))


def _xy(point: Point) -> np.ndarray:
    return np.array(point)


def _pair(points: dict[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    return {side: points[f"{side}_{name}"] for side in ("left", "right")}


def _mean_y(points: dict[str, np.ndarray]) -> float:
    return float(np.mean([xy[1] for xy in points.values()]))


def _as_tuples(points: dict[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    return {name: (float(x), float(y)) for name, (x, y) in points.items()}


def _kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """TPS radial basis U(r) = r² log r² between every row of ``a`` and of ``b``."""
    squared = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)
    return np.where(squared > 0, squared * np.log(np.maximum(squared, 1e-300)), 0.0)


def _min_jacobian(grid: np.ndarray, garment_mask: np.ndarray) -> float:
    """Smallest Jacobian determinant of the backward map over grid cells that land on the garment."""
    dx_dx = np.gradient(grid[..., 0], axis=1)
    dx_dy = np.gradient(grid[..., 0], axis=0)
    dy_dx = np.gradient(grid[..., 1], axis=1)
    dy_dy = np.gradient(grid[..., 1], axis=0)
    det = dx_dx * dy_dy - dx_dy * dy_dx
    height, width = garment_mask.shape
    x = np.clip(np.round(grid[..., 0]).astype(int), 0, width - 1)
    y = np.clip(np.round(grid[..., 1]).astype(int), 0, height - 1)
    inside = (grid[..., 0] >= 0) & (grid[..., 0] < width) & (grid[..., 1] >= 0) & (grid[..., 1] < height)
    on_garment = inside & garment_mask[y, x]
    return float(det[on_garment].min()) if on_garment.any() else 1.0
