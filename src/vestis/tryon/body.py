"""Person analysis: pose landmarks and person mask → named body regions and the clothing to replace.

Regions are drawn from the skeleton (a torso polygon from shoulders to hips, thick segments for
the arms, discs for hands and head) and clipped to the person mask. The current clothing is the
torso/upper-arm area of the person that does not look like skin, where the skin colour is
sampled from the face so it adapts to every skin tone and to the photo's lighting.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.errors import TryOnError
from vestis.vision.colour import rgb_to_lab
from vestis.vision.pose import PoseEstimator

__all__ = ["Body", "BodyAnalyser"]

_MIN_VISIBILITY = 0.5
_FACE_VISIBILITY = 0.3
_SKIN_DISTANCE = 14.0
"""Largest CIELAB distance (a, b weighted fully, L at a third) from the face colour that counts as skin."""


@dataclass(frozen=True)
class Body:
    """Keypoints (pixels), boolean region masks (H×W) and the sampled skin colour of one person."""

    keypoints: dict[str, tuple[float, float]]
    masks: dict[str, np.ndarray]
    skin_rgb: np.ndarray
    shoulder_width: float


class BodyAnalyser:
    """Find the person in a photo and split them into regions the compositor needs."""

    def __init__(self, estimator: PoseEstimator | None = None) -> None:
        self.estimator = estimator or PoseEstimator()

    def analyse(self, rgb: np.ndarray) -> Body:
        """Regions of the single, front-facing person in ``rgb`` (H×W×3 uint8).

        Raises :class:`TryOnError` when nobody is found, several people are, the person is
        seen from the back, or the shoulders and hips are not both in the picture.
        """
        pose = self.estimator.estimate(rgb)
        if pose is None or pose.mask.mean() < 0.01:
            raise TryOnError(
                "no person found in the person photo; use a photo of one person, facing the camera"
            )
        _check_single_person(pose.mask)
        vis, pts = pose.visibility, pose.points
        needed = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
        missing = [name for name in needed if vis[name] < _MIN_VISIBILITY]
        if missing:
            raise TryOnError(
                f"the person's {', '.join(missing)} are not visible; shoulders and hips must be in the photo"
            )
        facing_away = pts["left_shoulder"][0] < pts["right_shoulder"][0]
        face_hidden = max(vis["nose"], vis["left_eye"], vis["right_eye"]) < _FACE_VISIBILITY
        if facing_away or face_hidden:
            raise TryOnError("the person seems to be seen from the back; use a photo facing the camera")
        return _regions(rgb, pose.mask, pts, vis)


def _check_single_person(mask: np.ndarray) -> None:
    """Raise when the person mask holds two or more large, separate figures."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = np.sort(stats[1:, cv2.CC_STAT_AREA])[::-1]
    if count > 2 and areas[1] > 0.3 * areas[0]:
        raise TryOnError(
            f"found {int((areas > 0.3 * areas[0]).sum())} people in the person photo; use a photo of one"
        )


def _regions(
    rgb: np.ndarray, person: np.ndarray, pts: dict[str, tuple[float, float]], vis: dict[str, float]
) -> Body:
    """Draw the skeleton regions, clip them to the person and find the clothing to replace."""
    shape = person.shape
    p = {name: np.array(xy, dtype=np.float32) for name, xy in pts.items()}
    width = float(np.linalg.norm(p["left_shoulder"] - p["right_shoulder"]))
    arm = max(4, round(0.26 * width))
    across = (p["left_shoulder"] - p["right_shoulder"]) / max(width, 1.0)
    # Outer shoulder and hip corners: landmarks are joint centres, the body edge lies outside them.
    keypoints = {name: (float(x), float(y)) for name, (x, y) in pts.items()}
    keypoints["left_shoulder_edge"] = tuple(map(float, p["left_shoulder"] + across * 0.1 * width))
    keypoints["right_shoulder_edge"] = tuple(map(float, p["right_shoulder"] - across * 0.1 * width))
    keypoints["left_hip_edge"] = tuple(map(float, p["left_hip"] + across * 0.12 * width))
    keypoints["right_hip_edge"] = tuple(map(float, p["right_hip"] - across * 0.12 * width))
    keypoints["neck"] = tuple(map(float, (p["left_shoulder"] + p["right_shoulder"]) / 2))
    torso_poly = np.array(
        [
            keypoints[k]
            for k in ("right_shoulder_edge", "left_shoulder_edge", "left_hip_edge", "right_hip_edge")
        ]
    )
    torso = _polygon(shape, torso_poly) & person
    upper_arms, forearms, hands = (np.zeros(shape, bool) for _ in range(3))
    for side in ("left", "right"):
        upper_arms |= _segment(shape, p[f"{side}_shoulder"], p[f"{side}_elbow"], arm)
        if vis[f"{side}_elbow"] >= _MIN_VISIBILITY:
            forearms |= _segment(shape, p[f"{side}_elbow"], p[f"{side}_wrist"], round(arm * 0.85))
        if vis[f"{side}_wrist"] >= _MIN_VISIBILITY:
            centre = (p[f"{side}_wrist"] + p[f"{side}_index"] + p[f"{side}_pinky"]) / 3
            hands |= _disc(shape, centre, 0.3 * width)
    upper_arms &= person & ~torso
    forearms &= person & ~upper_arms
    hands &= person
    head_points = np.array([p[k] for k in ("nose", "left_eye", "right_eye", "left_ear", "right_ear")])
    head_centre = head_points.mean(axis=0)
    head_radius = max(float(np.ptp(head_points[:, 0])) * 0.9, 0.35 * width)
    neck_line = float(min(p["left_shoulder"][1], p["right_shoulder"][1]))
    neck_top = head_centre[1] + 0.6 * head_radius
    face = person & (_disc(shape, head_centre, 1.25 * head_radius) | _above(shape, min(neck_top, neck_line)))
    face &= ~upper_arms & ~torso
    neck = person & _above(shape, neck_line + 0.08 * width) & ~face & ~upper_arms
    legs = person & ~_above(shape, max(p["left_hip"][1], p["right_hip"][1]))
    skin_rgb = _skin_colour(rgb, face, head_centre, head_radius)
    skin = _skin_like(rgb, skin_rgb)
    candidate = (torso | upper_arms | (neck & ~face)) & person
    old_clothing = candidate & ~skin
    old_clothing = (
        cv2.morphologyEx(old_clothing.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)) > 0
    )
    masks = {
        "person": person,
        "torso": torso,
        "upper_arms": upper_arms,
        "forearms": forearms,
        "arms": upper_arms | forearms,
        "hands": hands & ~face,
        "neck": neck,
        "face": face,
        "legs": legs & ~torso,
        "skin": skin & person,
        "old_clothing": old_clothing & ~face,
    }
    return Body(keypoints=keypoints, masks=masks, skin_rgb=skin_rgb, shoulder_width=width)


def _skin_colour(rgb: np.ndarray, face: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray:
    """Median colour of the central face (eyes to chin), away from hair and background."""
    inner = _disc(face.shape, centre + np.array([0, 0.3 * radius]), 0.45 * radius) & face
    pixels = rgb[inner] if inner.sum() > 20 else rgb[face] if face.any() else np.array([[200, 160, 140]])
    return np.median(pixels.reshape(-1, 3), axis=0).astype(np.float32)


def _skin_like(rgb: np.ndarray, skin_rgb: np.ndarray) -> np.ndarray:
    """Pixels whose chroma is near the skin colour and whose lightness is roughly the same."""
    lab = rgb_to_lab(rgb)
    reference = rgb_to_lab(skin_rgb.reshape(1, 1, 3))[0, 0]
    delta = (lab - reference) * np.array([0.33, 1.0, 1.0], dtype=np.float32)
    return np.linalg.norm(delta, axis=-1) < _SKIN_DISTANCE


def _polygon(shape: tuple[int, ...], points: np.ndarray) -> np.ndarray:
    canvas = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(canvas, [np.round(points).astype(np.int32)], 1)
    return canvas > 0


def _segment(shape: tuple[int, ...], start: np.ndarray, end: np.ndarray, thickness: int) -> np.ndarray:
    canvas = np.zeros(shape[:2], np.uint8)
    a, b = tuple(int(v) for v in np.round(start)), tuple(int(v) for v in np.round(end))
    cv2.line(canvas, a, b, 1, thickness=max(1, thickness))
    return canvas > 0


def _disc(shape: tuple[int, ...], centre: np.ndarray, radius: float) -> np.ndarray:
    canvas = np.zeros(shape[:2], np.uint8)
    cv2.circle(canvas, tuple(int(v) for v in np.round(centre)), max(1, round(radius)), 1, thickness=-1)
    return canvas > 0


def _above(shape: tuple[int, ...], y: float) -> np.ndarray:
    rows = np.arange(shape[0])[:, None] < y
    return np.broadcast_to(rows, shape[:2]).copy()
