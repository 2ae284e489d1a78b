"""The studio's measurements on images whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from vestis.studio.errors import StudioError
from vestis.studio.metrics import (
    background_purity,
    border_ring,
    colour_cast,
    noise_level,
    psnr,
    sharpness,
    ssim,
)


def test_background_purity_counts_exactly_white_border_pixels() -> None:
    pixels = np.full((100, 100, 3), 255, np.uint8)
    assert background_purity(pixels) == 1.0
    pixels[:, :50] = 254  # one grey level off is not white
    assert background_purity(pixels) == pytest.approx(0.5, abs=0.03)
    ring = border_ring((100, 100))
    assert ring.sum() == 100 * 100 - 96 * 96
    mask = np.zeros((100, 100), bool)
    mask[:, 60:] = True
    assert background_purity(pixels, mask) == 1.0


def test_background_purity_of_transparent_images() -> None:
    rgba = np.zeros((40, 40, 4), np.uint8)  # fully transparent: clean
    assert background_purity(Image.fromarray(rgba)) == 1.0
    rgba[..., 3] = 128
    assert background_purity(Image.fromarray(rgba)) == 0.0


def test_colour_cast_is_zero_for_neutral_and_grows_with_the_cast() -> None:
    grey = np.repeat(np.linspace(30, 230, 64, dtype=np.uint8)[None, :, None], 3, axis=2).repeat(16, axis=0)
    assert colour_cast(grey) < 0.5
    warm = np.clip(grey * np.array([1.1, 1.0, 0.9]), 0, 255).astype(np.uint8)
    warmer = np.clip(grey * np.array([1.2, 1.0, 0.8]), 0, 255).astype(np.uint8)
    assert 2.0 < colour_cast(warm) < colour_cast(warmer)


def test_sharpness_and_noise_level() -> None:
    checker = (np.indices((64, 64)).sum(axis=0) // 8 % 2 * 200 + 20).astype(np.uint8)
    blurred = np.asarray(
        Image.fromarray(checker).resize((16, 16)).resize((64, 64), Image.Resampling.BILINEAR)
    )
    assert sharpness(checker) > 5 * sharpness(blurred)
    flat = np.full((80, 80, 3), 128.0)
    noisy = flat + np.random.default_rng(0).normal(0, 5, flat.shape)
    assert noise_level(flat.astype(np.uint8)) == 0.0
    assert noise_level(np.rint(noisy).astype(np.uint8)) == pytest.approx(5.0, rel=0.1)


def test_psnr_and_ssim() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (32, 32, 3)).astype(np.uint8)
    assert psnr(image, image) == float("inf") and ssim(image, image) == pytest.approx(1.0)
    shifted = np.clip(image.astype(int) + 10, 0, 255).astype(np.uint8)
    assert 25 < psnr(image, shifted) < 30
    with pytest.raises(StudioError, match="shape"):
        psnr(image, image[:16])


def test_ssim_and_psnr_agree_with_torchmetrics_on_a_blurred_noisy_photo() -> None:
    torch = pytest.importorskip("torch")
    image_measures = pytest.importorskip("torchmetrics.functional.image")
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:96, 0:96]
    photo = np.stack([(xx * 2) % 256, (yy * 3) % 256, ((xx + yy) * 5) % 256], axis=-1).astype(np.uint8)
    test = np.clip(photo.astype(int) + rng.integers(-20, 21, photo.shape), 0, 255).astype(np.uint8)
    grey = [
        np.asarray(Image.fromarray(x).convert("RGB"), np.float32) @ np.float32([0.299, 0.587, 0.114])
        for x in (photo, test)
    ]
    reference = image_measures.structural_similarity_index_measure(
        torch.from_numpy(grey[1])[None, None], torch.from_numpy(grey[0])[None, None], data_range=255.0
    )
    assert ssim(photo, test) == pytest.approx(float(reference), abs=1e-3)
    peak = image_measures.peak_signal_noise_ratio(
        torch.from_numpy(test).float(), torch.from_numpy(photo).float(), data_range=255.0
    )
    assert psnr(photo, test) == pytest.approx(float(peak), abs=1e-3)
