"""GarmentAnalyser: the analyses it keeps (a garment tried on again is not segmented again) and
when the frame cuts a garment."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.unit.tryon.test_tryon_units import _top, _tshirt
from vestis.tryon import TryOnError
from vestis.tryon.garment import GarmentAnalyser


def test_the_same_photo_is_analysed_once_and_shared_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    analyser = GarmentAnalyser()
    calls = []
    analyse = analyser._analyse
    monkeypatch.setattr(analyser, "_analyse", lambda *args: calls.append(1) or analyse(*args))
    photo = _tshirt()
    first = analyser.analyse(photo, "top")
    again = analyser.analyse(photo.copy(), "Tops")  # same pixels, same class under another name
    assert again is first and len(calls) == 1
    assert not first.rgb.flags.writeable and not first.mask.flags.writeable
    analyser.analyse(photo)  # the class guessed is another request: analysed anew
    analyser.analyse(photo, "shirt")  # and so is a top said to have sleeves
    assert len(calls) == 3


def test_a_changed_pixel_is_another_garment_and_equals_a_fresh_analysis() -> None:
    analyser = GarmentAnalyser()
    photo = _tshirt()
    analyser.analyse(photo, "top")
    changed = photo.copy()
    changed[200, 200] = (201, 30, 40)
    cached = analyser.analyse(changed, "top")
    fresh = GarmentAnalyser(cache_size=0).analyse(changed, "top")
    assert cached is not analyser.analyse(photo, "top")
    assert np.array_equal(cached.mask, fresh.mask) and cached.keypoints == fresh.keypoints


def test_the_least_recently_used_analysis_goes_first() -> None:
    analyser = GarmentAnalyser(cache_size=1)
    photo, other = _tshirt(), _tshirt()
    other[0, 0] = 0
    first = analyser.analyse(photo, "top")
    analyser.analyse(other, "top")
    assert analyser.analyse(photo, "top") is not first


def test_no_cache_and_a_bad_size() -> None:
    analyser = GarmentAnalyser(cache_size=0)
    assert analyser.analyse(_tshirt(), "top") is not analyser.analyse(_tshirt(), "top")
    with pytest.raises(ValueError, match="cache_size"):
        GarmentAnalyser(cache_size=-1)


def test_sleeves_that_touch_the_sides_are_no_cut_but_a_cut_body_is() -> None:
    wide = _top([[120, 60], [0, 135], [0, 195], [120, 130]], colour=(200, 30, 40), paper=240)
    assert (
        GarmentAnalyser().analyse(wide, "top").category == "upper"
    )  # cuffs on the sides: 0.21 of its height
    with pytest.raises(TryOnError, match="runs out of the frame"):
        GarmentAnalyser().analyse(np.ascontiguousarray(_tshirt()[:, 200:]), "top")


def _shirt_with_hanging_sleeves(seams: bool) -> np.ndarray:
    """A 400×400 photo of a long-sleeved shirt laid out with its arms down: one wide silhouette
    (x 60..340), sleeves 60..110 and 290..340 parted from the body by darker seams when ``seams``."""
    image = np.full((400, 400, 3), 240, np.uint8)
    outline = np.array(
        [[170, 50], [230, 50], [300, 70], [340, 110], [340, 330], [60, 330], [60, 110], [100, 70]]
    )
    cv2.fillPoly(image, [outline.astype(np.int32)], (40, 70, 150))
    cv2.ellipse(image, (200, 50), (28, 18), 0, 0, 180, (240, 240, 240), thickness=-1)
    if seams:
        for x in (110, 290):
            cv2.line(image, (x, 120), (x, 325), (20, 35, 90), thickness=3)
    return image


@pytest.mark.parametrize("seams", [True, False])
def test_a_sleeved_category_finds_sleeves_hanging_against_the_body(seams: bool) -> None:
    photo = _shirt_with_hanging_sleeves(seams)
    assert not {"left_sleeve", "right_sleeve"} & set(GarmentAnalyser().analyse(photo, "top").keypoints)
    points = GarmentAnalyser().analyse(photo, "shirt").keypoints
    right, left = points["right_sleeve"], points["left_sleeve"]
    assert right[0] < 115 < 285 < left[0]  # on the sleeves, outside the seams
    assert right[1] > 250 and left[1] > 250  # at the cuffs, near the hem
    if seams:  # the body's sides are the seams
        assert abs(points["right_armpit"][0] - 110) <= 6 and abs(points["left_armpit"][0] - 290) <= 6
