"""Bodies drawn by hand for unit tests: only the keypoints and masks a test needs."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from vestis.tryon.body import Body
from vestis.tryon.types import SIDES, BodyMasks, Keypoints, Landmarks, Point, SideKeypoints, SideLandmarks


def drawn_body(
    shape: tuple[int, int],
    points: dict[str, Point],
    masks: dict[str, np.ndarray],
    skin_rgb: np.ndarray,
    shoulder_width: float,
) -> Body:
    """A :class:`Body` with ``points`` (flat names, as :meth:`Keypoints.by_name` gives them; the
    rest at the origin) and ``masks`` (the rest empty; ``arms_drawn`` as ``arms``)."""
    named = {name: (0.0, 0.0) for name in _point_names()} | points
    landmarks = Landmarks.from_names(named)
    sides = {
        side: SideKeypoints(
            **vars(landmarks.side(side)),
            **{
                name: named[f"{side}_{name}"]
                for name in _names(SideKeypoints)
                if name not in _names(SideLandmarks)
            },
        )
        for side in SIDES
    }
    keypoints = Keypoints(
        nose=named["nose"],
        left=sides["left"],
        right=sides["right"],
        neck=named["neck"],
        waist=named["waist"],
        crotch=named["crotch"],
    )
    every = {name: np.zeros(shape, bool) for name in _names(BodyMasks)} | masks
    if "arms_drawn" not in masks:
        every["arms_drawn"] = every["arms"]
    return Body(
        keypoints=keypoints, masks=BodyMasks(**every), skin_rgb=skin_rgb, shoulder_width=shoulder_width
    )


def _names(cls: type) -> list[str]:
    return [field.name for field in fields(cls)]


def _point_names() -> list[str]:
    sides = [
        f"mouth_{side}" if name == "mouth" else f"{side}_{name}"
        for side in SIDES
        for name in _names(SideKeypoints)
    ]
    return ["nose", "neck", "waist", "crotch", *sides]
