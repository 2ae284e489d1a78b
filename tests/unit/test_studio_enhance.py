"""Enhance steps measured with the studio metrics on images with a known defect."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.unit.studio_photos import shirt_photo
from vestis.studio.enhance import denoise, equalise, sharpen, white_balance
from vestis.studio.errors import StudioError
from vestis.studio.metrics import colour_cast, noise_level, sharpness

CAST = (1.12, 1.0, 0.82)


def _with_cast(image: Image.Image, gains: tuple[float, float, float] = CAST) -> Image.Image:
    pixels = np.asarray(image, np.float32) * np.asarray(gains, np.float32)
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))


def _colour_chart(seed: int = 0) -> Image.Image:
    """Patches of many hues around a neutral grey ramp, averaging roughly to grey."""
    rng = np.random.default_rng(seed)
    tiles = rng.integers(40, 216, size=(6, 8, 3)).astype(np.uint8)
    tiles[2:4] = np.linspace(60, 200, 8, dtype=np.uint8)[None, :, None]
    return Image.fromarray(np.kron(tiles, np.ones((24, 24, 1), np.uint8)))


def _smooth_scene(size: int = 192) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    grey = 128 + 40 * np.sin(xx / 31.0) * np.cos(yy / 23.0)
    return np.repeat(grey[..., None], 3, axis=-1).astype(np.float32)


def _contrast(image: Image.Image, block: int = 16) -> float:
    """Local RMS contrast: mean standard deviation of the grey levels in 16×16 blocks."""
    grey = np.asarray(image.convert("L"), np.float32)
    rows, cols = grey.shape[0] // block, grey.shape[1] // block
    blocks = grey[: rows * block, : cols * block].reshape(rows, block, cols, block)
    return float(blocks.std(axis=(1, 3)).mean())


@pytest.fixture(scope="module")
def product() -> Image.Image:
    return shirt_photo(paper=(226, 226, 226))[0]


@pytest.mark.parametrize("method", ["auto", "white-patch"])
def test_white_balance_removes_a_cast_on_a_product_photo(product: Image.Image, method: str) -> None:
    cast = _with_cast(product)
    before, after = colour_cast(cast), colour_cast(white_balance(cast, method=method))
    assert before > 5.0
    assert after <= 0.2 * before, (before, after)


def test_grey_world_removes_a_cast_on_a_colourful_scene() -> None:
    chart = _colour_chart()
    cast = _with_cast(chart, (1.15, 1.0, 0.85))
    before, after = colour_cast(cast), colour_cast(white_balance(cast, method="grey-world"))
    assert after <= 0.5 * before, (before, after)
    assert colour_cast(white_balance(chart, method="grey-world")) < 3.0


def test_noise_is_measured_and_reduced() -> None:
    rng = np.random.default_rng(3)
    clean = _smooth_scene()
    noisy = Image.fromarray(np.clip(np.rint(clean + rng.normal(0, 10, clean.shape)), 0, 255).astype(np.uint8))
    assert noise_level(Image.fromarray(clean.astype(np.uint8))) < 1.5
    measured = noise_level(noisy)
    assert measured == pytest.approx(10.0, rel=0.2)
    assert noise_level(denoise(noisy)) <= 0.6 * measured
    assert noise_level(denoise(noisy, strength=15)) <= 0.6 * measured


def test_sharpen_restores_what_blur_took(product: Image.Image) -> None:
    original = sharpness(product)
    blurred = product.filter(ImageFilter.GaussianBlur(1.2))
    restored = sharpen(blurred, amount=1.5, radius=1.2, threshold=0)
    assert sharpness(blurred) < 0.5 * original
    assert abs(sharpness(restored) - original) < abs(sharpness(blurred) - original)
    assert sharpness(restored) > 1.5 * sharpness(blurred)


def test_sharpen_keeps_a_pure_white_background_white() -> None:
    pixels = np.full((64, 64, 3), 255, np.uint8)
    pixels[20:44, 20:44] = (40, 60, 150)
    out = np.asarray(sharpen(Image.fromarray(pixels), amount=2.0))
    assert (out[:10] == 255).all() and (out[18:20, 20:44] == 255).all()


def test_equalise_raises_the_contrast_of_a_flat_photo(product: Image.Image) -> None:
    flat = Image.fromarray((110 + 0.2 * np.asarray(product, np.float32)).astype(np.uint8))
    out = equalise(flat, clip_limit=3.0)
    assert _contrast(out) > 1.5 * _contrast(flat), (_contrast(flat), _contrast(out))
    blue = np.asarray(out, np.float32)[..., 2] - np.asarray(out, np.float32)[..., 0]
    assert blue[100:300, 150:250].mean() > 5  # the navy shirt stays blue


def test_steps_keep_mode_size_and_alpha(product: Image.Image) -> None:
    rgba = product.convert("RGBA")
    alpha = np.zeros(rgba.size[::-1], np.uint8)
    alpha[50:200, 60:300] = 255
    rgba.putalpha(Image.fromarray(alpha))
    for step in (white_balance, equalise, denoise, sharpen):
        out = step(rgba)
        assert out.mode == "RGBA" and out.size == rgba.size, step.__name__
        assert np.array_equal(np.asarray(out)[..., 3], alpha), step.__name__
        assert step(product).mode == "RGB"


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda im: white_balance(im, method="magic"), "method"),
        (lambda im: equalise(im, clip_limit=0), "clip_limit"),
        (lambda im: denoise(im, strength=-1), "strength"),
        (lambda im: sharpen(im, amount=9), "amount"),
        (lambda im: sharpen(im, radius=0), "radius"),
    ],
)
def test_bad_parameters_name_themselves(product: Image.Image, call, parameter: str) -> None:
    with pytest.raises(StudioError, match=parameter):
        call(product)


def test_equalise_leaves_flat_white_paper_alone() -> None:
    rng = np.random.default_rng(3)
    paper = np.clip(243 + rng.normal(0, 2, (240, 320, 3)), 0, 255).astype(np.uint8)
    paper[80:160, 100:220] = (30, 40, 120)  # a navy patch: the only thing worth more contrast
    out = np.asarray(equalise(Image.fromarray(paper), clip_limit=4.0), np.float32)
    change = np.abs(out - paper.astype(np.float32))
    assert change[:60].mean() < 1.0, change[:60].mean()
    plain = np.asarray(_plain_clahe(paper, 4.0), np.float32)
    assert np.abs(plain - paper)[:60].mean() > 2 * change[:60].mean()


def _plain_clahe(rgb: np.ndarray, clip_limit: float) -> np.ndarray:
    """CLAHE on L without the flat-area guard: what the guard is compared with."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lab[..., 0] = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(8, 8)).apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
