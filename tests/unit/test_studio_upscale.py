"""2× upscaling: the mode/size contract, the shipped network's quality, bad parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vestis.config import Settings
from vestis.models import ModelRegistry
from vestis.studio import upscale as upscale_module
from vestis.studio.errors import StudioError
from vestis.studio.metrics import psnr, ssim
from vestis.studio.srnet import load_weights
from vestis.studio.train_upscaler import register
from vestis.studio.upscale import UPSCALER, WEIGHTS, network_metrics, upscale, weights_path


def _chart() -> Image.Image:
    """Discs, strokes of several widths and a diagonal stripe print on paper (256×256)."""
    big = Image.new("RGB", (512, 512), (236, 234, 230))
    draw = ImageDraw.Draw(big)
    for i in range(8):
        draw.ellipse((20 + i * 60, 30, 60 + i * 60, 70 + i * 20), fill=(40 + i * 25, 60, 150 - i * 10))
        draw.line((10, 150 + i * 40, 500, 170 + i * 30), fill=(20, 20, 30), width=3 + i)
    for x in range(0, 512, 12):
        draw.line((x, 400, x + 30, 512), fill=(180, 40, 40), width=4)
    return big.resize((256, 256), Image.Resampling.LANCZOS)


@pytest.fixture(scope="module")
def chart() -> Image.Image:
    return _chart()


def test_shipped_weights_beat_lanczos_on_held_out_photos() -> None:
    assert WEIGHTS.is_file(), f"{WEIGHTS} is missing"
    metrics = network_metrics()
    assert metrics is not None
    assert metrics["psnr_network"] > metrics["psnr_lanczos"] > metrics["psnr_bicubic"]
    assert metrics["val_images"] >= 50


def test_network_is_closer_to_the_truth_than_lanczos(chart: Image.Image) -> None:
    small = chart.resize((128, 128), Image.Resampling.BICUBIC)
    network, lanczos = upscale(small, method="network"), upscale(small, method="lanczos")
    assert psnr(chart, network) >= psnr(chart, lanczos) + 1.0
    assert ssim(chart, network) >= ssim(chart, lanczos)
    assert np.array_equal(np.asarray(upscale(small)), np.asarray(network))  # auto picks the winner


@pytest.mark.parametrize("method", ["auto", "network", "lanczos"])
@pytest.mark.parametrize("factor", [2, 4])
def test_size_and_mode_contract(chart: Image.Image, method: str, factor: int) -> None:
    small = chart.resize((40, 30))
    rgba = small.convert("RGBA")
    rgba.putalpha(Image.fromarray(np.tile(np.array([0, 255], np.uint8).repeat(20), (30, 1))))
    for image in (small, rgba):
        out = upscale(image, factor=factor, method=method)
        assert out.size == (40 * factor, 30 * factor) and out.mode == image.mode
    alpha = np.asarray(upscale(rgba, factor=factor, method=method))[..., 3]
    assert alpha[:, : 10 * factor].max() <= 8 and alpha[:, -10 * factor :].min() >= 247


def test_factor_three_uses_lanczos(chart: Image.Image) -> None:
    assert upscale(chart.resize((20, 20)), factor=3).size == (60, 60)
    with pytest.raises(StudioError, match="factor"):
        upscale(chart, factor=3, method="network")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"factor": 5}, "factor"), ({"method": "bicubic"}, "method"), ({"factor": 1}, "factor")],
)
def test_bad_parameters_name_themselves(chart: Image.Image, params: dict, parameter: str) -> None:
    with pytest.raises(StudioError, match=parameter):
        upscale(chart, **params)


def test_too_large_a_result_is_refused() -> None:
    with pytest.raises(StudioError, match="limit"):
        upscale(Image.new("RGB", (6000, 6000)), factor=2)


def test_weights_registered_by_a_shop_replace_the_shipped_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chart: Image.Image
) -> None:
    registry = ModelRegistry(tmp_path / "models")
    assert weights_path(registry.root) == WEIGHTS  # nothing registered: the shipped file
    monkeypatch.setattr(upscale_module, "get_settings", lambda: Settings(home=tmp_path))
    net, _ = load_weights(WEIGHTS)
    metrics = {"psnr_network": 40.0, "psnr_lanczos": 30.0, "ssim_network": 0.99}
    version = register(net, metrics, registry)  # what `train_upscaler --register` does
    assert version.family == UPSCALER and registry.active(UPSCALER) == version
    assert weights_path() == version.path / WEIGHTS.name
    assert network_metrics() == metrics
    assert upscale(chart, method="network").size == (512, 512)
    (version.path / WEIGHTS.name).write_bytes(b"truncated")
    upscale_module._load.cache_clear()
    assert network_metrics() is None  # unreadable: auto falls back to Lanczos, network names the cause
    with pytest.raises(StudioError, match="weights"):
        upscale(chart, method="network")
