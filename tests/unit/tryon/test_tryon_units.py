"""Fast try-on checks on images the tests draw: garment keypoints, TPS, compositing, errors."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from vestis.tryon import TryOn, TryOnError
from vestis.tryon.body import (
    Body,
    BodyAnalyser,
    _hand_pixels,
    _main_colours,
    _near_colours,
    _plausible_body,
    _shoulder_top,
    facing,
)
from vestis.tryon.compose import Compositor
from vestis.tryon.garment import (
    GarmentAnalyser,
    guess_category,
    normalise_category,
)
from vestis.tryon.warp import ThinPlateSpline, Warp, Warper, _close_seams, body_targets
from vestis.vision.io import ImageError, load_image
from vestis.vision.pose import Pose

from .bodies import drawn_body


def _tshirt() -> np.ndarray:
    """A red T-shirt silhouette (body 160 wide, short sleeves out to 60..340) on off-white."""
    right_sleeve = [[120, 60], [60, 140], [90, 165], [120, 130]]
    return _top(right_sleeve, colour=(200, 30, 40), paper=240)


def _top(right_sleeve: list[list[int]], colour: tuple[int, int, int], paper: int) -> np.ndarray:
    """A 400×400 photo of a top: body 120..280 × 60..340 with a crew neck, the given right sleeve
    polygon and its mirror image as the left one."""
    image = np.full((400, 400, 3), paper, np.uint8)
    body = np.array([[120, 60], [280, 60], [280, 340], [120, 340]])
    sleeve = np.array(right_sleeve)
    mirrored = np.stack([400 - sleeve[:, 0], sleeve[:, 1]], axis=1)
    for polygon in (body, sleeve, mirrored):
        cv2.fillPoly(image, [polygon.astype(np.int32)], colour)
    cv2.ellipse(image, (200, 60), (30, 20), 0, 0, 180, (paper, paper, paper), thickness=-1)
    return image


def test_garment_keypoints_on_drawn_tshirt() -> None:
    garment = GarmentAnalyser().analyse(_tshirt(), "top")
    k = garment.keypoints
    assert garment.category == "upper"
    assert k["right_hem"][0] == pytest.approx(120, abs=6) and k["left_hem"][0] == pytest.approx(280, abs=6)
    assert k["right_hem"][1] == pytest.approx(340, abs=4)
    # Sleeve ends lie on the cuff edge from (60, 140) to (90, 165), near its middle.
    assert k["right_sleeve"] == pytest.approx((75, 152), abs=12)
    assert k["left_sleeve"] == pytest.approx((325, 152), abs=12)
    assert 120 < k["right_armpit"][1] < 175 and k["right_armpit"][0] == pytest.approx(120, abs=8)
    assert k["neck"][0] == pytest.approx(200, abs=4) and 60 < k["neck"][1] < 90
    assert k["right_shoulder"][1] == pytest.approx(60, abs=6)


def test_category_guess_and_names() -> None:
    tall = np.zeros((300, 100), bool)
    tall[10:290, 20:80] = True
    legs = tall.copy()
    legs[120:, 45:55] = False
    assert guess_category(GarmentAnalyser().analyse(_tshirt()).mask) == "upper"
    assert guess_category(tall) == "dress" and guess_category(legs) == "lower"
    assert normalise_category("T-Shirt") == "upper" and normalise_category(None) is None
    with pytest.raises(TryOnError, match="not known"):
        normalise_category("hat")


def test_tps_maps_control_points_exactly_and_identity() -> None:
    rng = np.random.default_rng(0)
    source = rng.uniform(0, 500, (9, 2))
    target = source + rng.normal(0, 20, (9, 2))
    assert np.allclose(ThinPlateSpline(source, target)(source), target, atol=1e-6)
    grid = rng.uniform(0, 500, (50, 2))
    assert np.allclose(ThinPlateSpline(source, source)(grid), grid, atol=1e-6)
    with pytest.raises(ValueError, match="N×2"):
        ThinPlateSpline(source[:2], target[:2])


def test_compose_leaves_background_and_face_untouched() -> None:
    rng = np.random.default_rng(1)
    person = rng.integers(0, 255, (200, 160, 3), dtype=np.uint8)
    names = ("face", "hands", "forearms", "skin", "arms", "torso", "neck")
    masks = {name: np.zeros((200, 160), bool) for name in names}
    masks["person"] = np.zeros((200, 160), bool)
    masks["person"][40:180, 40:120] = True
    masks["face"][40:70, 60:100] = True
    masks["old_clothing"] = masks["person"].copy()
    masks["old_clothing"][:90] = False
    body = drawn_body((200, 160), {}, masks, np.array([200, 160, 140], np.float32), 60)
    warped = np.zeros((200, 160), bool)
    warped[60:170, 30:130] = True
    out = Compositor().compose(person, body, _flat_warp(warped, (0, 0, 255)), long_sleeves=False).rgb
    outside = ~cv2.dilate(masks["person"].astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    assert np.array_equal(out[outside], person[outside])
    assert np.array_equal(out[masks["face"]], person[masks["face"]])
    assert out[120:160, 60:100, 2].mean() > 200


def test_blank_person_photo_is_no_person() -> None:
    blank = Image.new("RGB", (384, 512), (235, 235, 235))
    with pytest.raises(TryOnError, match="no person found"):
        TryOn().render(blank, Image.fromarray(_tshirt()), "upper")


def test_busy_garment_background_is_rejected() -> None:
    noise = np.random.default_rng(2).integers(0, 255, (400, 400, 3), dtype=np.uint8)
    with pytest.raises(TryOnError, match="not on a plain background"):
        TryOn().render(Image.new("RGB", (384, 512)), Image.fromarray(noise), "upper")


def test_tiny_and_huge_images_and_unknown_backend() -> None:
    with pytest.raises(TryOnError, match="at least 128"):
        TryOn().render(Image.new("RGB", (100, 400)), Image.fromarray(_tshirt()))
    with pytest.raises(TryOnError, match="unknown try-on backend"):
        TryOn(backend="diffusion")
    huge = Image.new("L", (8000, 5001))  # one pixel row over the 40-megapixel limit
    with pytest.raises(TryOnError, match="the person photo is 8000x5001"):
        TryOn().render(huge, Image.fromarray(_tshirt()))


def test_corrupt_bytes_are_rejected_by_vision_io() -> None:
    with pytest.raises(ImageError, match="not a supported image"):
        load_image(b"\x89PNG not really", name="person.png")


def _long_sleeve_shirt() -> np.ndarray:
    """A blue long-sleeve shirt on white, its sleeves hanging beside the body to y = 280."""
    return _top([[120, 60], [75, 270], [105, 280], [120, 150]], colour=(30, 60, 200), paper=246)


def _front_body(height: int = 400, width: int = 300, elbow_out: float = 40) -> Body:
    """A front-facing skeleton whose forearms bend outwards at the elbows (no photo needed)."""
    points = {
        "left_shoulder": (200.0, 100.0),
        "right_shoulder": (100.0, 100.0),
        "left_elbow": (215.0, 180.0),
        "right_elbow": (85.0, 180.0),
        "left_wrist": (215.0 + elbow_out, 250.0),
        "right_wrist": (85.0 - elbow_out, 250.0),
        "left_hip": (185.0, 260.0),
        "right_hip": (115.0, 260.0),
    }
    points |= {
        "left_shoulder_edge": (210.0, 100.0),
        "right_shoulder_edge": (90.0, 100.0),
        "left_hip_edge": (197.0, 260.0),
        "right_hip_edge": (103.0, 260.0),
        "neck": (150.0, 100.0),
        "left_shoulder_top": (205.0, 93.0),  # halfway from joint to edge, 0.07 shoulder widths up
        "right_shoulder_top": (95.0, 93.0),
    }
    empty = np.zeros((height, width), bool)
    return drawn_body(
        (height, width), points, {"person": ~empty, "face": empty}, np.zeros(3, np.float32), 100
    )


def test_long_sleeves_follow_bent_arms_to_the_wrists() -> None:
    garment = GarmentAnalyser().analyse(_long_sleeve_shirt(), "top")
    assert {"left_sleeve", "right_sleeve"} <= set(garment.keypoints)
    body = _front_body()
    warp = Warper().warp(garment, body, (400, 300))
    assert warp.sleeves is not None and warp.sleeves.any()
    for side in ("left", "right"):
        elbow = np.array(body.keypoints.side(side).elbow)
        wrist = np.array(body.keypoints.side(side).wrist)
        forearm = [np.round(elbow + t * (wrist - elbow)).astype(int) for t in np.linspace(0.1, 0.9, 9)]
        covered = [warp.mask[y, x] for x, y in forearm]
        assert np.mean(covered) >= 0.8, (side, covered)
    # The torso keeps the garment's body colour and the sleeves do not fold back over it.
    assert warp.mask[180, 150] and warp.rgb[180, 150, 2] > 150
    assert not warp.sleeves[150:250, 130:170].any()


@pytest.mark.parametrize(
    ("shoulders", "eyes", "ears", "face_visibility", "expected"),
    [
        ((200, 100), (160, 140), (175, 125), 0.99, "front"),
        ((100, 200), (140, 160), (125, 175), 0.99, "back"),
        ((200, 100), (160, 140), (175, 125), 0.05, "back"),
        ((160, 140), (151, 149), (158, 142), 0.99, "side"),
        ((130, 170), (152, 148), (160, 140), 0.99, "side"),
    ],
    ids=["front", "mirrored-back", "hidden-face", "profile", "body-mirrored-face-not"],
)
def test_facing_from_landmarks(
    shoulders: tuple[float, float],
    eyes: tuple[float, float],
    ears: tuple[float, float],
    face_visibility: float,
    expected: str,
) -> None:
    points = {
        "left_shoulder": (shoulders[0], 100.0),
        "right_shoulder": (shoulders[1], 100.0),
        "left_hip": (shoulders[0] * 0.9 + 15, 260.0),
        "right_hip": (shoulders[1] * 0.9 + 15, 260.0),
        "left_eye": (eyes[0], 50.0),
        "right_eye": (eyes[1], 50.0),
        "left_ear": (ears[0], 52.0),
        "right_ear": (ears[1], 52.0),
        "nose": (150.0, 60.0),
    }
    visibility = dict.fromkeys(points, 0.99) | dict.fromkeys(
        ("nose", "left_eye", "right_eye"), face_visibility
    )
    assert facing(points, visibility) == expected


def test_short_sleeves_bare_the_old_sleeves_as_skin() -> None:
    """A grey old sleeve on the forearm that the new T-shirt does not reach turns skin-coloured."""
    person = np.full((200, 160, 3), 230, np.uint8)
    masks = {name: np.zeros((200, 160), bool) for name in ("face", "hands", "skin", "torso", "neck")}
    masks["person"] = np.zeros((200, 160), bool)
    masks["person"][30:190, 30:130] = True
    masks["forearms"] = np.zeros((200, 160), bool)
    masks["forearms"][120:170, 30:50] = True
    masks["arms"] = masks["forearms"].copy()
    masks["old_clothing"] = masks["person"] & ~masks["face"]
    person[masks["person"]] = (90, 90, 90)
    skin = np.array([205, 160, 130], np.float32)
    body = drawn_body((200, 160), {}, masks, skin, 60)
    torso_only = np.zeros((200, 160), bool)
    torso_only[40:180, 55:125] = True
    out = Compositor().compose(person, body, _flat_warp(torso_only, (20, 120, 40)), long_sleeves=False).rgb
    forearm = out[130:160, 33:47].reshape(-1, 3).astype(float)
    assert np.abs(forearm.mean(axis=0) - skin).max() < 25


def _flat_warp(mask: np.ndarray, colour: tuple[int, int, int]) -> Warp:
    """A warped garment of one colour covering ``mask``."""
    rgb = np.full((*mask.shape, 3), colour, np.uint8)
    return Warp(rgb=rgb, mask=mask, grid=np.zeros((2, 2, 2)), regulariser=0, min_jacobian=1)


def _camisole() -> np.ndarray:
    """A 400×400 camisole: thin straps from y = 40 to the body's top corners at y = 110, a V neck
    down to y = 170 (below the armpits), body 100..300 wide down to the hem at y = 370."""
    image = np.full((400, 400, 3), 242, np.uint8)
    body = np.array([[100, 110], [160, 110], [200, 170], [240, 110], [300, 110], [300, 370], [100, 370]])
    cv2.fillPoly(image, [body], (20, 20, 20))
    for top, bottom in (((150, 40), (130, 112)), ((250, 40), (270, 112))):
        cv2.line(image, top, bottom, (20, 20, 20), thickness=6)
    return image


def test_camisole_armpits_sit_at_the_body_top_not_at_the_v() -> None:
    k = GarmentAnalyser().analyse(_camisole(), "top").keypoints
    assert not any(name.endswith("_sleeve") for name in k)
    assert k["right_shoulder"][1] == pytest.approx(40, abs=6) and k["left_shoulder"][1] == pytest.approx(
        40, abs=6
    )
    assert k["right_armpit"][1] == pytest.approx(110, abs=12) and k["right_armpit"][0] == pytest.approx(
        100, abs=6
    )
    assert k["neck"] == pytest.approx((200, 170), abs=8)


def test_camisole_v_keeps_its_true_depth_on_the_body() -> None:
    """The V ends as far below the shoulders as the garment's chest width says, not stretched by
    the straps' narrow spacing; the armholes keep their depth too."""
    garment = GarmentAnalyser().analyse(_camisole(), "top")
    body = _front_body()
    targets = body_targets(garment, body)
    chest = body.shoulder_width / 200  # the garment's body is 200 wide, armpit to armpit
    shoulders_y = (targets["left_shoulder"][1] + targets["right_shoulder"][1]) / 2
    neck_drop = targets["neck"][1] - body.keypoints.neck[1]
    assert neck_drop == pytest.approx(chest * 130 - 16, abs=8)  # V 130 below the straps, lifted 0.16 sw
    armhole = targets["right_armpit"][1] - body.keypoints.right.shoulder[1]
    assert armhole == pytest.approx(chest * 70, abs=6)  # the straps' 70 pixels down to the armpit
    assert shoulders_y < targets["right_armpit"][1] < targets["neck"][1] < targets["right_hem"][1]


def test_flared_sleeves_merged_with_the_body_are_told_apart_below_its_hem() -> None:
    """Bell sleeves touch the body down to its hem and hang below it: the body is the gap between them."""
    image = np.full((400, 400, 3), 245, np.uint8)
    body = np.array([[130, 60], [270, 60], [270, 300], [130, 300]])
    right_sleeve = np.array([[130, 60], [60, 330], [150, 330], [150, 300], [135, 120]])
    left_sleeve = np.stack([400 - right_sleeve[:, 0], right_sleeve[:, 1]], axis=1)
    for polygon in (body, right_sleeve, left_sleeve):
        cv2.fillPoly(image, [polygon.astype(np.int32)], (230, 120, 140))
    cv2.ellipse(image, (200, 60), (30, 20), 0, 0, 180, (245, 245, 245), thickness=-1)
    k = GarmentAnalyser().analyse(image, "top").keypoints
    assert k["right_hem"][1] == pytest.approx(300, abs=6)
    assert k["right_hem"][0] == pytest.approx(150, abs=10) and k["left_hem"][0] == pytest.approx(250, abs=10)
    assert {"left_sleeve", "right_sleeve"} <= set(k)
    assert k["right_sleeve"][1] > 300 and k["right_sleeve"][0] < 120


class _StubPose:
    """A pose estimator that returns fixed landmarks (those of a head cut off by the frame's top)."""

    def estimate(self, rgb: np.ndarray) -> Pose:
        names = ("nose", "left_eye", "right_eye", "left_ear", "right_ear")
        points = dict.fromkeys(names, (150.0, -12.0)) | {
            "left_eye": (152.0, -15.0),
            "right_eye": (148.0, -15.0),
            "left_shoulder": (120.0, 100.0),
            "right_shoulder": (170.0, 100.0),
            "left_hip": (140.0, 300.0),
            "right_hip": (175.0, 300.0),
        }
        mask = np.zeros(rgb.shape[:2], bool)
        mask[60:380, 100:200] = True
        return Pose(points=points, visibility=dict.fromkeys(points, 0.99), mask=mask)


def test_head_cut_off_with_unreadable_shoulders_is_refused_with_that_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("vestis.tryon.body._check_one_person", lambda rgb, mask: None)
    with pytest.raises(TryOnError, match="head is cut off by the top of the photo"):
        BodyAnalyser(_StubPose()).analyse(np.full((400, 300, 3), 200, np.uint8))


def test_gaps_between_body_and_sleeve_close_but_the_neckline_stays_open() -> None:
    body = _front_body()
    alpha = np.zeros((400, 300), bool)
    alpha[100:250, 100:200] = True  # the body
    alpha[100:200, 206:230] = True  # a sleeve, 6 pixels off its right side
    alpha[100:140, 140:160] = False  # a V neckline 20 wide, at the neck (x = 150)
    rgb = np.zeros((400, 300, 3), np.uint8)
    rgb[alpha] = (200, 40, 40)
    closed = _close_seams(rgb, alpha, body)
    assert closed[150, 200:206].all() and alpha[150, 200:206].all()
    # The gap takes the colours around it.
    assert np.abs(rgb[150, 201:205].astype(int) - (200, 40, 40)).max() <= 12, rgb[150, 201:205]
    assert not alpha[105:135, 145:155].any()  # the neckline is the design's


def test_only_what_looks_like_the_top_counts_as_clothing_above_the_shoulders() -> None:
    """A strap in the top's colour is clothing; hair of another colour beside it is not."""
    rgb = np.zeros((60, 60, 3), np.uint8)
    rgb[30:, :] = (20, 40, 160)  # the top on the chest: blue, with a little white lettering
    rgb[50:52, 10:20] = (250, 250, 250)
    rgb[:30, 10:14] = (20, 40, 160)  # a strap
    rgb[:30, 40:50] = (120, 70, 40)  # auburn hair
    chest = np.zeros((60, 60), bool)
    chest[30:] = True
    above = ~chest
    like = _near_colours(rgb, above, _main_colours(rgb, chest))
    assert like[:30, 10:14].all() and not like[:30, 40:50].any()


def test_hand_is_its_skin_not_the_disc_drawn_round_it() -> None:
    disc = np.zeros((100, 100), bool)
    cv2.circle(disc.view(np.uint8), (50, 50), 30, 1, thickness=-1)
    skin = np.zeros_like(disc)
    skin[40:80, 40:60] = True  # the hand; the rest of the disc is a shirt
    hand = _hand_pixels(disc, skin)
    assert hand[60, 50] and not hand[50, 25]
    assert _hand_pixels(disc, np.zeros_like(disc)).sum() == disc.sum()  # a gloved hand keeps the disc


def test_shoulder_top_is_read_off_the_silhouette() -> None:
    person = np.zeros((200, 200), bool)
    person[90:, 40:160] = True  # shoulders whose tops are 10 pixels above the joints at y = 100
    x, y = _shoulder_top(person, np.array([60.0, 100.0]), (50.0, 100.0), 100.0)
    assert (x, y) == pytest.approx((55, 90), abs=1)
    person[:, 50:60] = True  # hair falling over the shoulder: the usual height instead
    assert _shoulder_top(person, np.array([60.0, 100.0]), (50.0, 100.0), 100.0)[1] == pytest.approx(90, abs=1)


def test_a_skeleton_with_a_persons_proportions_is_plausible_and_a_shoe_shaped_one_not() -> None:
    person = {
        "left_shoulder": (200.0, 100.0),
        "right_shoulder": (100.0, 100.0),
        "left_hip": (185.0, 250.0),
        "right_hip": (115.0, 250.0),
        "nose": (150.0, 40.0),
        "left_eye": (160.0, 30.0),
        "right_eye": (140.0, 30.0),
    }
    standing = np.zeros((400, 300), bool)
    standing[10:390, 80:220] = True
    assert _plausible_body(person, standing)
    lying = np.zeros((400, 300), bool)
    lying[150:250, 10:290] = True  # wider than tall, as a shoe
    assert not _plausible_body(person, lying)
    squashed = person | {"left_hip": (185.0, 120.0), "right_hip": (115.0, 120.0)}  # hips at the shoulders
    assert not _plausible_body(squashed, standing)
    cut_off = person | {"nose": (150.0, -20.0), "left_eye": (190.0, -30.0), "right_eye": (110.0, -30.0)}
    assert _plausible_body(cut_off, standing)  # a head out of the frame is not measured


def test_a_shoe_is_no_garment_seen_from_the_front() -> None:
    shoe = np.full((300, 400, 3), 245, np.uint8)
    sole = np.array([[40, 200], [360, 200], [370, 230], [30, 230]])
    upper = np.array([[40, 200], [60, 150], [200, 140], [330, 170], [360, 200]])  # heel left, toe right
    cv2.fillPoly(shoe, [sole, upper], (60, 40, 30))
    cv2.fillPoly(shoe, [np.array([[40, 150], [90, 80], [130, 90], [110, 150]])], (60, 40, 30))  # the shaft
    with pytest.raises(TryOnError, match="does not show a garment from the front"):
        GarmentAnalyser().analyse(shoe)
    assert GarmentAnalyser().symmetry(_tshirt()) > 0.95
