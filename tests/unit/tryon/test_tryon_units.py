"""Fast try-on checks on images the tests draw: garment keypoints, TPS, compositing, errors."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from vestis.tryon import TryOn, TryOnError
from vestis.tryon.body import Body
from vestis.tryon.compose import Compositor
from vestis.tryon.garment import GarmentAnalyser, guess_category, normalise_category
from vestis.tryon.warp import ThinPlateSpline, Warp
from vestis.vision.io import ImageError, load_image


def _tshirt(height: int = 400, width: int = 400) -> np.ndarray:
    """A red T-shirt silhouette (body 160 wide, short sleeves out to 60..340) on off-white."""
    image = np.full((height, width, 3), 240, np.uint8)
    body = np.array([[120, 60], [280, 60], [280, 340], [120, 340]])
    sleeves = [
        np.array([[120, 60], [60, 140], [90, 165], [120, 130]]),
        np.array([[280, 60], [340, 140], [310, 165], [280, 130]]),
    ]
    for polygon in (body, *sleeves):
        cv2.fillPoly(image, [polygon.astype(np.int32)], (200, 30, 40))
    cv2.ellipse(image, (200, 60), (30, 20), 0, 0, 180, (240, 240, 240), thickness=-1)
    return image


def test_garment_keypoints_on_drawn_tshirt() -> None:
    garment = GarmentAnalyser().analyse(_tshirt(), "top")
    k = garment.keypoints
    assert garment.category == "upper"
    assert k["right_hem"][0] == pytest.approx(120, abs=6) and k["left_hem"][0] == pytest.approx(280, abs=6)
    assert k["right_hem"][1] == pytest.approx(340, abs=4)
    assert k["right_sleeve"][0] == pytest.approx(60, abs=8) and k["left_sleeve"][0] == pytest.approx(
        340, abs=8
    )
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
    masks = {name: np.zeros((200, 160), bool) for name in ("face", "hands", "forearms", "skin", "arms")}
    masks["person"] = np.zeros((200, 160), bool)
    masks["person"][40:180, 40:120] = True
    masks["face"][40:70, 60:100] = True
    masks["old_clothing"] = masks["person"].copy()
    masks["old_clothing"][:90] = False
    body = Body(keypoints={}, masks=masks, skin_rgb=np.array([200, 160, 140], np.float32), shoulder_width=60)
    warped = np.zeros((200, 160), bool)
    warped[60:170, 30:130] = True
    warp = Warp(
        rgb=np.full((200, 160, 3), (0, 0, 255), np.uint8),
        mask=warped,
        grid=np.zeros((2, 2, 2)),
        regulariser=0,
        min_jacobian=1,
    )
    out = Compositor().compose(person, body, warp, long_sleeves=False).rgb
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


def test_tiny_images_unknown_backend_and_unsupported_category() -> None:
    with pytest.raises(TryOnError, match="at least 128"):
        TryOn().render(Image.new("RGB", (100, 400)), Image.fromarray(_tshirt()))
    with pytest.raises(TryOnError, match="unknown try-on backend"):
        TryOn(backend="diffusion")
    with pytest.raises(TryOnError, match="not supported"):
        TryOn().render(Image.new("RGB", (384, 512)), Image.fromarray(_tshirt()), "dress")


def test_corrupt_bytes_are_rejected_by_vision_io() -> None:
    with pytest.raises(ImageError, match="not a supported image"):
        load_image(b"\x89PNG not really", name="person.png")
