"""Warp a garment onto a body with a thin-plate spline (TPS) fitted to matching keypoints.

The spline maps *body* coordinates to *garment* coordinates (the backward map), so every output
pixel looks its colour up in the garment photo with :func:`cv2.remap`. It is evaluated on a
coarse grid and interpolated, which keeps a 768×1024 warp to a few milliseconds. A warp that
folds (negative Jacobian determinant where the garment lands) is smoothed with a stronger
regulariser until it does not; the strongest one is practically affine and cannot fold.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.body import Body
from vestis.tryon.garment import Garment

__all__ = ["ThinPlateSpline", "Warp", "Warper", "body_targets", "sleeve_reach"]

_GRID_STEP = 8
_REGULARISERS = (1e-4, 1e-2, 1e-1, 1.0, 1e3)


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


class Warper:
    """Fit the body → garment spline, unfold it if needed and resample the garment."""

    def warp(self, garment: Garment, body: Body, shape: tuple[int, int]) -> Warp:
        """Warp ``garment`` onto ``body`` in an image of ``shape`` (height, width)."""
        names = [name for name in garment.keypoints if name in _TARGETS]
        source = np.array([garment.keypoints[name] for name in names])
        targets = body_targets(garment, body)
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
        rgb = cv2.remap(garment.rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        alpha = cv2.remap(garment.mask.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)
        return Warp(rgb=rgb, mask=alpha > 0.5, grid=grid, regulariser=regulariser, min_jacobian=min_det)


_TARGETS = (
    "neck",
    "left_shoulder",
    "right_shoulder",
    "left_armpit",
    "right_armpit",
    "left_sleeve",
    "right_sleeve",
    "left_hem",
    "right_hem",
)


def body_targets(garment: Garment, body: Body) -> dict[str, tuple[float, float]]:
    """Where each garment keypoint should land on the body (pixels of the person photo).

    Collar and shoulders sit slightly above the shoulder joints, armpits a third of the way down
    the torso, the hem at the hips; a sleeve end goes as far along the arm (shoulder → elbow →
    wrist) as the sleeve is long, measured in body scale.
    """
    k = {name: np.array(xy) for name, xy in body.keypoints.items()}
    lift = np.array([0.0, 0.07 * body.shoulder_width])
    torso_length = float(
        np.mean([k["left_hip"][1] - k["left_shoulder"][1], k["right_hip"][1] - k["right_shoulder"][1]])
    )
    g = {name: np.array(xy) for name, xy in garment.keypoints.items()}
    scale = body.shoulder_width / max(float(np.linalg.norm(g["left_shoulder"] - g["right_shoulder"])), 1.0)
    targets = {"neck": k["neck"] - 1.5 * lift}
    for side in ("left", "right"):
        shoulder = (k[f"{side}_shoulder"] + k[f"{side}_shoulder_edge"]) / 2
        targets[f"{side}_shoulder"] = shoulder - lift
        targets[f"{side}_armpit"] = k[f"{side}_shoulder"] + np.array([0.0, 0.33 * torso_length])
        targets[f"{side}_hem"] = k[f"{side}_hip_edge"] + np.array([0.0, 0.04 * torso_length])
        if f"{side}_sleeve" in g:
            length = scale * float(np.linalg.norm(g[f"{side}_sleeve"] - g[f"{side}_shoulder"]))
            targets[f"{side}_sleeve"] = _along(
                [k[f"{side}_shoulder_edge"], k[f"{side}_elbow"], k[f"{side}_wrist"]], length
            )
    return {name: (float(x), float(y)) for name, (x, y) in targets.items()}


def sleeve_reach(garment: Garment, body: Body) -> float:
    """How far the longer sleeve reaches down the arm: 0 none, 1 the elbow, 2 the wrist."""
    k = {name: np.array(xy) for name, xy in body.keypoints.items()}
    g = {name: np.array(xy) for name, xy in garment.keypoints.items()}
    scale = body.shoulder_width / max(float(np.linalg.norm(g["left_shoulder"] - g["right_shoulder"])), 1.0)
    reach = 0.0
    for side in ("left", "right"):
        if f"{side}_sleeve" not in g:
            continue
        length = scale * float(np.linalg.norm(g[f"{side}_sleeve"] - g[f"{side}_shoulder"]))
        upper = float(np.linalg.norm(k[f"{side}_elbow"] - k[f"{side}_shoulder_edge"]))
        lower = float(np.linalg.norm(k[f"{side}_wrist"] - k[f"{side}_elbow"]))
        reach = max(reach, min(length, upper) / max(upper, 1.0) + max(length - upper, 0.0) / max(lower, 1.0))
    return min(reach, 2.0)


def _along(polyline: list[np.ndarray], length: float) -> np.ndarray:
    """The point ``length`` pixels along ``polyline`` from its start (its end if it is shorter)."""
    for start, end in zip(polyline, polyline[1:], strict=False):
        segment = float(np.linalg.norm(end - start))
        if length <= segment:
            return start + (end - start) * (length / max(segment, 1e-9))
        length -= segment
    return polyline[-1]


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
