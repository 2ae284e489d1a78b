"""Product cut-out masks on synthetic photos whose true mask is known."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.studio_photos import iou, shirt_photo
from vestis.vision.segment import product_alpha, product_mask, refine_alpha

WHITE = (252, 252, 250)


@pytest.mark.parametrize(
    ("case", "params", "expected"),
    [
        ("navy shirt with a drop shadow", {}, 0.98),
        ("black shirt with a drop shadow", {"colour": (25, 25, 28)}, 0.98),
        ("white shirt on off-white paper", {"colour": WHITE, "outline": 20.0, "shadow": 0.0}, 0.95),
        ("white shirt with a drop shadow", {"colour": WHITE, "outline": 20.0}, 0.95),
        ("shirt running off the bottom edge", {"drop": 20}, 0.98),
    ],
)
def test_product_mask_finds_the_shirt(case: str, params: dict, expected: float) -> None:
    photo, truth = shirt_photo(**params)
    found = product_mask(np.asarray(photo))
    assert iou(found, truth) >= expected, case


def test_the_drop_shadow_stays_background() -> None:
    photo, truth = shirt_photo(shadow=40.0)
    found = product_mask(np.asarray(photo))
    shadow_side = np.roll(truth, (12, 10), axis=(0, 1)) & ~truth
    assert found[shadow_side].mean() < 0.05


def test_alpha_is_soft_only_along_the_edge() -> None:
    photo, truth = shirt_photo()
    alpha = product_alpha(np.asarray(photo))
    assert alpha.dtype == np.float32 and alpha.shape == truth.shape
    soft = (alpha > 0) & (alpha < 1)
    assert soft.any()
    distance_inside = np.abs(np.diff(truth.astype(int), axis=1)).sum()  # edge length, roughly
    assert soft.sum() < 8 * distance_inside
    assert (alpha[:5] == 0).all() and (alpha[truth & np.roll(truth, 8, axis=0)][::97] >= 0.5).all()


def test_refine_alpha_upsamples_a_coarse_mask_to_the_photo() -> None:
    photo, truth = shirt_photo()
    coarse = truth[::4, ::4]
    alpha = refine_alpha(np.asarray(photo), coarse)
    assert alpha.shape == truth.shape
    assert iou(alpha >= 0.5, truth) >= 0.97


def test_plain_paper_gives_an_empty_mask() -> None:
    rng = np.random.default_rng(1)
    paper = np.clip(rng.normal(238, 1.5, (200, 160, 3)), 0, 255).astype(np.uint8)
    assert product_mask(paper).mean() < 0.01


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((50, 50), np.uint8), np.zeros((50, 50, 3))]
)
def test_bad_arrays_are_refused(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="rgb"):
        product_mask(bad)
