"""Lower garments and dresses on drawn silhouettes and a drawn figure: keypoints, category guess,
leg regions, hem placement, warp without folds and the composite."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vestis.tryon import TryOnError
from vestis.tryon.body import Body, BodyAnalyser, require_legs
from vestis.tryon.compose import Compositor
from vestis.tryon.garment import (
    Garment,
    GarmentAnalyser,
    dress_keypoints,
    guess_category,
    lower_keypoints,
)
from vestis.tryon.warp import Warper, hem_reach
from vestis.vision.pose import Pose

TROUSER_RGB = (30, 40, 160)
SKIN_RGB = (205, 160, 135)


def _canvas(height: int = 500, width: int = 400) -> np.ndarray:
    return np.full((height, width, 3), 245, np.uint8)


def _trousers(inseam: int = 320, touching: bool = False) -> np.ndarray:
    """Flat-lay trousers: waistband 120..280 at y=40, crotch at y=140, legs down to 140 + inseam."""
    image = _canvas()
    hem = 140 + inseam
    right_leg = [(120, 40), (200, 40), (200, 140), (180, hem), (130, hem), (112, 140)]
    left_leg = [(200, 40), (280, 40), (288, 140), (270, hem), (220, hem), (200, 140)]
    for leg in (right_leg, left_leg):
        cv2.fillPoly(image, [np.array(leg, np.int32)], TROUSER_RGB)
    if touching:  # legs pressed together near the hem: a closed sliver of background between them
        cv2.fillPoly(
            image,
            [np.array([(170, hem - 30), (230, hem - 30), (230, hem), (170, hem)], np.int32)],
            TROUSER_RGB,
        )
    return image


def _skirt() -> np.ndarray:
    """An A-line skirt: straight waistband 140..260 at y=60, hem 100..300 at y=260."""
    image = _canvas(400, 400)
    cv2.fillPoly(image, [np.array([(140, 60), (260, 60), (300, 260), (100, 260)], np.int32)], (150, 30, 60))
    return image


def _dress() -> np.ndarray:
    """A sleeveless dress: shoulders at y=40, waist (narrowest, 150..250) at y=200, hem at y=560."""
    image = _canvas(600, 400)
    outline = [(130, 40), (170, 40), (200, 70), (230, 40), (270, 40), (280, 110), (250, 200),
               (310, 560), (90, 560), (150, 200), (120, 110)]  # fmt: skip
    cv2.fillPoly(image, [np.array(outline, np.int32)], (20, 120, 60))
    return image


def test_trouser_keypoints_follow_the_silhouette() -> None:
    k = GarmentAnalyser().analyse(_trousers(), "trousers").keypoints
    assert k["right_waist"][0] == pytest.approx(120, abs=4) and k["left_waist"][0] == pytest.approx(
        280, abs=4
    )
    assert k["waist"] == pytest.approx((200, 40), abs=4)
    assert k["crotch"][0] == pytest.approx(200, abs=6) and k["crotch"][1] == pytest.approx(140, abs=20)
    assert k["right_leg_outer"] == pytest.approx((130, 460), abs=6)
    assert k["left_leg_outer"] == pytest.approx((270, 460), abs=6)
    assert k["right_leg_inner"][0] < 200 < k["left_leg_inner"][0]
    assert k["right_knee_outer"][1] == pytest.approx(300, abs=10)


def test_legs_touching_at_the_hem_keep_their_gap() -> None:
    garment = GarmentAnalyser().analyse(_trousers(touching=True), "lower")
    assert "crotch" in garment.keypoints
    assert not garment.mask[380, 200], "the background between the legs must not be garment"


def test_skirt_keypoints_are_hem_corners() -> None:
    mask = np.all(_skirt() != 245, axis=-1)
    k = lower_keypoints(mask)
    assert "crotch" not in k
    assert k["right_hem"] == pytest.approx((100, 260), abs=6) and k["left_hem"] == pytest.approx(
        (300, 260), abs=6
    )
    assert k["right_waist"] == pytest.approx((140, 60), abs=3)


def test_dress_keypoints_find_the_waist_and_the_hem() -> None:
    mask = np.all(_dress() != 245, axis=-1)
    k = dress_keypoints(mask)
    assert k["right_waist"][1] == pytest.approx(200, abs=14) and k["left_waist"][1] == k["right_waist"][1]
    assert k["right_waist"][0] == pytest.approx(150, abs=8) and k["left_waist"][0] == pytest.approx(
        250, abs=8
    )
    assert k["right_hem"] == pytest.approx((90, 560), abs=8) and k["left_hem"] == pytest.approx(
        (310, 560), abs=8
    )
    assert k["right_shoulder"][1] == pytest.approx(40, abs=8) and k["neck"][0] == pytest.approx(200, abs=4)


def test_category_guess_for_trousers_shorts_skirts_and_dresses() -> None:
    def silhouette(image: np.ndarray) -> np.ndarray:
        return np.all(image != 245, axis=-1)

    assert guess_category(silhouette(_trousers())) == "lower"
    assert guess_category(silhouette(_trousers(inseam=60))) == "lower"  # shorts: a short leg gap
    assert guess_category(silhouette(_skirt())) == "lower"
    assert guess_category(silhouette(_dress())) == "dress"


class _DrawnFigure:
    """A pose estimator returning a drawn, front-facing figure (stands in for MediaPipe)."""

    def __init__(self, image_height: int = 1000, cut_at: int | None = None) -> None:
        self.height = image_height
        self.cut_at = cut_at

    def points(self) -> dict[str, tuple[float, float]]:
        p = {
            "nose": (200, 90), "left_eye": (212, 80), "right_eye": (188, 80), "left_ear": (225, 85),
            "right_ear": (175, 85), "mouth_left": (208, 105), "mouth_right": (192, 105),
            "left_shoulder": (260, 170), "right_shoulder": (140, 170), "left_elbow": (285, 300),
            "right_elbow": (115, 300), "left_wrist": (295, 420), "right_wrist": (105, 420),
            "left_pinky": (298, 440), "right_pinky": (102, 440), "left_index": (294, 445),
            "right_index": (106, 445), "left_hip": (235, 440), "right_hip": (165, 440),
            "left_knee": (240, 660), "right_knee": (160, 660), "left_ankle": (240, 880),
            "right_ankle": (160, 880), "left_heel": (240, 900), "right_heel": (160, 900),
            "left_foot_index": (255, 930), "right_foot_index": (145, 930),
        }  # fmt: skip
        return {name: (float(x), float(y)) for name, (x, y) in p.items()}

    def image(self) -> np.ndarray:
        """Skin-coloured figure in blue trousers (waist to ankles) on a light background."""
        image = np.full((self.height, 400, 3), 235, np.uint8)
        p = {name: tuple(round(v) for v in xy) for name, xy in self.points().items()}
        cv2.circle(image, (200, 95), 45, SKIN_RGB, -1)
        cv2.fillPoly(
            image, [np.array([(130, 160), (270, 160), (275, 450), (125, 450)], np.int32)], (240, 240, 240)
        )
        for side in ("left", "right"):
            cv2.line(image, p[f"{side}_shoulder"], p[f"{side}_elbow"], SKIN_RGB, 34)
            cv2.line(image, p[f"{side}_elbow"], p[f"{side}_wrist"], SKIN_RGB, 28)
            cv2.circle(image, p[f"{side}_index"], 16, SKIN_RGB, -1)
            cv2.line(image, p[f"{side}_hip"], p[f"{side}_knee"], TROUSER_RGB, 70)
            cv2.line(image, p[f"{side}_knee"], p[f"{side}_ankle"], TROUSER_RGB, 55)
            cv2.line(image, p[f"{side}_heel"], p[f"{side}_foot_index"], (20, 20, 20), 24)
        cv2.fillPoly(
            image, [np.array([(125, 400), (275, 400), (272, 470), (128, 470)], np.int32)], TROUSER_RGB
        )
        return image

    def estimate(self, rgb: np.ndarray) -> Pose:
        mask = np.any(np.abs(rgb.astype(int) - 235) > 12, axis=-1)
        points = self.points()
        visibility = {
            name: 0.99 if self.cut_at is None or y < self.cut_at else 0.2 for name, (_, y) in points.items()
        }
        return Pose(points=points, visibility=visibility, mask=mask)


@pytest.fixture(scope="module")
def figure() -> tuple[np.ndarray, Body]:
    estimator = _DrawnFigure()
    image = estimator.image()
    return image, BodyAnalyser(estimator).analyse(image)  # type: ignore[arg-type]


def test_body_regions_for_the_legs(figure: tuple[np.ndarray, Body]) -> None:
    image, body = figure
    m, k = body.masks.by_name(), body.keypoints
    assert k.waist[1] < 440 < k.crotch[1], "waist line above, crotch below the hip joints"
    assert k.right.waist[0] < 165 and k.left.waist[0] > 235
    for name in ("hips", "thighs", "calves", "feet", "lower_body", "old_lower_clothing"):
        assert m[name].any() and not (m[name] & ~m["person"]).any(), name
    assert m["thighs"][550, 160] and m["calves"][780, 240] and m["feet"][915, 150]
    assert not m["lower_body"][m["feet"]].any() and not m["lower_body"][:380].any()
    trousers = np.all(image == TROUSER_RGB, axis=-1)
    found = m["old_lower_clothing"]
    assert (found & trousers).sum() / trousers.sum() > 0.9
    assert not (found & m["hands"] & ~trousers).any(), "hands in front of the trousers are no clothing"
    assert {"left_knee", "right_knee", "left_ankle", "right_ankle"} <= body.visible


def test_photos_that_miss_the_legs_say_so() -> None:
    estimator = _DrawnFigure(cut_at=800)
    body = BodyAnalyser(estimator).analyse(estimator.image())  # type: ignore[arg-type]
    require_legs(body, reach=0.8, garment="lower garment")  # shorts need only the knees
    with pytest.raises(TryOnError, match="ankles are not in the photo.*below the knees"):
        require_legs(body, reach=2.0, garment="lower garment")
    estimator = _DrawnFigure(cut_at=600)
    body = BodyAnalyser(estimator).analyse(estimator.image())  # type: ignore[arg-type]
    with pytest.raises(TryOnError, match="knees are not in the photo"):
        require_legs(body, reach=0.5, garment="dress")


def _garment(image: np.ndarray, category: str) -> Garment:
    return GarmentAnalyser().analyse(image, category)


def test_hems_land_where_the_garment_ends(figure: tuple[np.ndarray, Body]) -> None:
    _, body = figure
    assert hem_reach(_garment(_trousers(), "lower"), body) == pytest.approx(2.0, abs=0.1)
    assert 0.1 < hem_reach(_garment(_trousers(inseam=70), "lower"), body) < 0.9  # shorts
    assert 0.6 < hem_reach(_garment(_dress(), "dress"), body) < 2.2


@pytest.mark.parametrize(
    ("image", "category"), [(_trousers(), "lower"), (_skirt(), "lower"), (_dress(), "dress")]
)
def test_warp_covers_the_legs_without_folding(
    figure: tuple[np.ndarray, Body], image: np.ndarray, category: str
) -> None:
    person, body = figure
    warp = Warper().warp(_garment(image, category), body, person.shape[:2])
    assert warp.min_jacobian > 0
    hips = body.masks.hips
    assert (warp.mask & hips).sum() / hips.sum() > 0.8


def test_compose_replaces_the_trousers_and_keeps_the_rest(figure: tuple[np.ndarray, Body]) -> None:
    person, body = figure
    garment = _garment(_trousers(inseam=70), "lower")  # shorts over long trousers
    warp = Warper().warp(garment, body, person.shape[:2])
    composite = Compositor().compose(person, body, warp, long_sleeves=False, category="lower")
    out = composite.rgb.astype(int)
    outside = ~cv2.dilate(body.masks.person.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    assert np.array_equal(out[outside], person[outside])
    for region in ("face", "feet"):
        assert np.array_equal(out[getattr(body.masks, region)], person[getattr(body.masks, region)]), region
    calf = body.masks.calves & ~cv2.dilate(composite.painted.astype(np.uint8), np.ones((15, 15))).astype(bool)
    assert calf.sum() > 1000, "shorts leave the calves bare"
    assert np.abs(out[calf] - np.array(SKIN_RGB)).mean() < 40, "bare calves are filled with skin colour"
