"""Typed results of the person analysis: the body's keypoints and its region masks.

Sides are the person's own ("left" is on the image's right when they face the camera), as the
pose model names them. Points are ``(x, y)`` pixels of the person photo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Literal

import numpy as np

__all__ = [
    "SIDES",
    "BodyMasks",
    "Keypoints",
    "Landmarks",
    "LowerBodyMasks",
    "Point",
    "Side",
    "SideKeypoints",
    "SideLandmarks",
]

Point = tuple[float, float]
Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")


@dataclass(frozen=True)
class SideLandmarks:
    """The pose model's landmarks on one side of the body."""

    eye: Point
    ear: Point
    mouth: Point
    shoulder: Point
    elbow: Point
    wrist: Point
    pinky: Point
    index: Point
    hip: Point
    knee: Point
    ankle: Point
    heel: Point
    foot_index: Point


@dataclass(frozen=True)
class SideKeypoints(SideLandmarks):
    """One side's landmarks and the outline points measured from them on the person."""

    shoulder_edge: Point
    """Outer corner of the shoulder (the landmark is the joint's centre, the body's edge lies outside it)."""
    shoulder_top: Point
    """Top of the shoulder's outline, where a top's shoulder seam rests."""
    hip_edge: Point
    """Outer corner of the hip at the hip joint's height."""
    waist: Point
    """End of the waist line on this side, where a waistband's corner goes."""
    hip_side: Point
    """Side of the hips at the height of the hip joints, as wide as the person measures there."""


@dataclass(frozen=True)
class Landmarks:
    """The pose model's landmarks of one person."""

    nose: Point
    left: SideLandmarks
    right: SideLandmarks

    @classmethod
    def from_names(cls, points: Mapping[str, Point]) -> Landmarks:
        """Landmarks from the pose model's names (``left_shoulder``, ``mouth_left``, …)."""
        sides = {
            side: SideLandmarks(
                **{name: points[_full_name(side, name)] for name in _field_names(SideLandmarks)}
            )
            for side in SIDES
        }
        return cls(nose=points["nose"], left=sides["left"], right=sides["right"])

    def side(self, side: Side) -> SideLandmarks:
        """The landmarks of the person's ``side``."""
        return self.left if side == "left" else self.right


@dataclass(frozen=True)
class Keypoints(Landmarks):
    """Landmarks and the points measured from them that the warp places a garment by."""

    left: SideKeypoints
    right: SideKeypoints
    neck: Point
    """Between the shoulder joints."""
    waist: Point
    """Middle of the waist line, a little above the hip joints."""
    crotch: Point
    """As far below the hip joints as the waist line is above them."""

    def side(self, side: Side) -> SideKeypoints:
        """The keypoints of the person's ``side``."""
        return self.left if side == "left" else self.right

    def shifted(self, dx: float, dy: float) -> Keypoints:
        """Every point moved by ``(dx, dy)`` pixels (from a crop's frame into the photo's, say)."""

        def move(point: Point) -> Point:
            return point[0] + dx, point[1] + dy

        return replace(
            self,
            **{name: move(getattr(self, name)) for name in ("nose", "neck", "waist", "crotch")},
            left=_moved(self.left, move),
            right=_moved(self.right, move),
        )

    def by_name(self) -> dict[str, Point]:
        """Every point by its flat name (``nose``, ``left_shoulder``, ``mouth_left``, ``neck``, …)."""
        named = {"nose": self.nose, "neck": self.neck, "waist": self.waist, "crotch": self.crotch}
        for side in SIDES:
            points = self.side(side)
            named |= {_full_name(side, name): getattr(points, name) for name in _field_names(SideKeypoints)}
        return named


@dataclass(frozen=True)
class LowerBodyMasks:
    """Boolean H×W masks of the person's regions from the waist line down."""

    hips: np.ndarray
    thighs: np.ndarray
    calves: np.ndarray
    feet: np.ndarray
    arms_front: np.ndarray
    """Forearm and hand pixels in front of the trousers (not in the colour of the clothing on the thighs)."""
    top_front: np.ndarray
    """A top worn over the waistband, in front of the trousers."""
    lower_body: np.ndarray
    """The person from the waist line to the feet, less the arms, a top and the face in front of it."""
    between_legs: np.ndarray
    """The background between the legs below the crotch: the one place outside the person a skirt may cover."""
    old_lower_clothing: np.ndarray
    """The trousers or skirt the person wears, which a lower garment replaces."""


@dataclass(frozen=True)
class BodyMasks(LowerBodyMasks):
    """Boolean H×W masks of the person's regions, drawn along the skeleton and clipped to the person."""

    person: np.ndarray
    torso: np.ndarray
    upper_arms: np.ndarray
    """Shoulder to elbow, widened to a loose sleeve around the arm."""
    forearms: np.ndarray
    arms: np.ndarray
    arms_drawn: np.ndarray
    """The arms as wide as an arm is drawn along the skeleton, without a loose sleeve around them."""
    hands: np.ndarray
    neck: np.ndarray
    face: np.ndarray
    legs: np.ndarray
    """The person below the hip joints."""
    skin: np.ndarray
    old_clothing: np.ndarray
    """The top (torso, upper arms and its sleeves) the person wears, which a new top replaces."""

    def by_name(self) -> dict[str, np.ndarray]:
        """Every mask by its field name."""
        return {name: getattr(self, name) for name in _field_names(BodyMasks)}

    def apply(self, change: Callable[[np.ndarray], np.ndarray]) -> BodyMasks:
        """Every mask passed through ``change`` (cropped to a box, say)."""
        return BodyMasks(**{name: change(mask) for name, mask in self.by_name().items()})


def _moved(points: SideKeypoints, move: Callable[[Point], Point]) -> SideKeypoints:
    return replace(points, **{name: move(getattr(points, name)) for name in _field_names(SideKeypoints)})


def _field_names(cls: type) -> list[str]:
    return [field.name for field in fields(cls)]


def _full_name(side: Side, name: str) -> str:
    """The pose model's name of one side's landmark: ``left_shoulder``, but ``mouth_left``."""
    return f"mouth_{side}" if name == "mouth" else f"{side}_{name}"
