"""The matte helpers every cut-out shares (the product mask's own tests: test_vision_product_mask.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.unit.studio_photos import iou, shirt_photo
from vestis.vision.segment import (
    bounding_box,
    check_rgb,
    keep_large_components,
    labels_in,
    reduced,
    refine_alpha,
    shows_hands,
)


def test_refine_alpha_upsamples_a_coarse_mask_to_the_photo() -> None:
    photo, truth = shirt_photo()
    coarse = truth[::4, ::4]
    alpha = refine_alpha(np.asarray(photo), coarse)
    assert alpha.shape == truth.shape
    assert iou(alpha >= 0.5, truth) >= 0.97


def test_reduced_bounds_the_long_side_and_keeps_small_images() -> None:
    image = np.zeros((1000, 600, 4), np.uint8)
    assert reduced(image, 500).shape == (500, 300, 4)
    assert reduced(image, 2000) is image


def test_keep_large_components_drops_specks() -> None:
    mask = np.zeros((50, 50), bool)
    mask[5:30, 5:30] = True
    mask[40:42, 40:42] = True
    assert np.array_equal(keep_large_components(mask), mask & (np.arange(50)[:, None] < 35))


def test_labels_in_picks_the_parts_touching_a_region_as_isin_does() -> None:
    rng = np.random.default_rng(3)
    mask = rng.random((60, 80)) > 0.6
    count, labels = cv2.connectedComponents(mask.astype(np.uint8))
    band = labels[:10]
    expected = np.isin(labels, np.unique(band)[np.unique(band) > 0])
    assert np.array_equal(labels_in(labels, count, band), expected)
    assert not labels_in(labels, count, np.array([0])).any()  # the background is never chosen
    assert np.array_equal(labels_in(labels, count, np.arange(count)), labels > 0)


def test_a_garment_photo_shows_no_hands() -> None:
    photo, _ = shirt_photo()
    assert not shows_hands(np.asarray(photo))


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((50, 50), np.uint8), np.zeros((50, 50, 3))]
)
def test_bad_arrays_are_refused(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="rgb"):
        check_rgb(bad)


def test_bounding_box_adds_the_margin_within_the_frame() -> None:
    mask = np.zeros((50, 40), bool)
    mask[10:20, 5:8] = True
    assert bounding_box(mask, 3) == (slice(7, 23), slice(2, 11))
    assert bounding_box(mask, 30) == (slice(0, 50), slice(0, 38))
    assert bounding_box(np.zeros((6, 4), bool), 2) == (slice(0, 6), slice(0, 4))
