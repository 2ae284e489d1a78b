"""Hand-crafted image features: patterns, colours and silhouettes told apart on drawn photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vestis.vision.features import (
    LAYOUT,
    extract_features,
    feature_matrix,
    image_features,
    similarity_space,
)
from vestis.vision.product_mask import product_mask

COLOURS = {"red": (196, 36, 44), "navy": (32, 42, 82), "green": (44, 124, 74), "yellow": (236, 196, 52)}
PATTERNS = ("solid", "stripes", "checks", "floral")
SHAPES = {
    "tee": [(40, 30), (120, 30), (150, 70), (125, 80), (120, 170), (40, 170), (35, 80), (10, 70)],
    "dress": [(60, 20), (100, 20), (110, 80), (145, 180), (15, 180), (50, 80)],
}


def draw_product(
    pattern: str,
    colour: str,
    *,
    shape: str = "tee",
    background: tuple[int, int, int] = (255, 255, 255),
    seed: int = 0,
    shadow: bool = False,
) -> Image.Image:
    """A garment silhouette filled with ``pattern`` in ``colour`` (white accents) on ``background``."""
    rng = np.random.default_rng(seed)
    fabric = Image.new("RGB", (160, 200), COLOURS[colour])
    pen = ImageDraw.Draw(fabric)
    period = int(rng.integers(12, 18))
    if pattern in ("stripes", "checks"):
        width = period // 2 if pattern == "stripes" else period // 3
        for y in range(0, 200, period):
            pen.rectangle([0, y, 160, y + width - 1], fill=(245, 245, 245))
    if pattern == "checks":
        for x in range(0, 160, period):
            pen.rectangle([x, 0, x + period // 3 - 1, 200], fill=(245, 245, 245))
    if pattern == "floral":
        for _ in range(40):
            x, y, r = rng.integers(0, 160), rng.integers(0, 200), int(rng.integers(3, 7))
            for angle in np.linspace(0, 2 * np.pi, 5, endpoint=False):
                cx, cy = x + 1.6 * r * np.cos(angle), y + 1.6 * r * np.sin(angle)
                pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(250, 214, 90))
            pen.ellipse([x - r, y - r, x + r, y + r], fill=(250, 246, 240))
    image = Image.new("RGB", (160, 200), background)
    if shadow:
        shadow_colour = tuple(c - 25 for c in background)
        ImageDraw.Draw(image).polygon([(x + 8, y + 8) for x, y in SHAPES[shape]], fill=shadow_colour)
    mask = Image.new("L", (160, 200), 0)
    ImageDraw.Draw(mask).polygon(SHAPES[shape], fill=255)
    image.paste(fabric, (0, 0), mask)
    return image


@pytest.fixture(scope="module")
def drawn() -> tuple[np.ndarray, list[str], list[str], list[str]]:
    patterns, colours, shapes, rows = [], [], [], []
    for seed, (pattern, colour, shape) in enumerate(
        (p, c, s) for p in PATTERNS for c in COLOURS for s in SHAPES
    ):
        background = (255, 255, 255) if seed % 2 else (238, 235, 228)
        features = extract_features(
            draw_product(pattern, colour, shape=shape, background=background, seed=seed)
        )
        rows.append(features.vector())
        patterns.append(pattern), colours.append(colour), shapes.append(shape)
    return np.stack(rows), patterns, colours, shapes


def _nearest(matrix: np.ndarray, block: str) -> np.ndarray:
    space = similarity_space(matrix, {block: 1.0})
    similarity = space @ space.T
    np.fill_diagonal(similarity, -np.inf)
    return similarity.argmax(axis=1)


@pytest.mark.parametrize(("block", "label"), [("pattern", 1), ("colour", 2), ("shape", 3)])
def test_nearest_neighbour_by_block_shares_that_property(drawn: tuple, block: str, label: int) -> None:
    matrix, labels = drawn[0], np.array(drawn[label])
    nearest = _nearest(matrix, block)
    assert (labels[nearest] == labels).all(), list(zip(labels, labels[nearest], strict=True))


def test_colour_name_and_mask_on_an_off_white_background_with_a_shadow() -> None:
    image = draw_product("solid", "green", background=(236, 232, 224), shadow=True)
    features = extract_features(image)
    assert features.colour_name == "green"
    mask = product_mask(np.asarray(image))
    truth = np.zeros((200, 160), dtype=np.uint8)
    drawing = Image.fromarray(truth)
    ImageDraw.Draw(drawing).polygon(SHAPES["tee"], fill=1)
    truth = np.asarray(drawing).astype(bool)
    assert (mask & truth).sum() / (mask | truth).sum() > 0.9


def test_features_have_fixed_length_and_named_blocks() -> None:
    small = extract_features(draw_product("stripes", "red").resize((64, 80)))
    large = extract_features(draw_product("stripes", "red").resize((640, 800)))
    assert small.vector().shape == large.vector().shape
    assert max(block.stop for block in LAYOUT.values()) == len(small.vector())
    assert np.isfinite(large.vector()).all()


def test_unreadable_images_give_empty_rows_not_errors(tmp_path: Path) -> None:
    good, broken = tmp_path / "good.png", tmp_path / "broken.png"
    draw_product("checks", "navy").save(good)
    broken.write_bytes(b"not an image")
    matrix, readable, names = feature_matrix([good, broken, None, tmp_path / "missing.png"], progress=False)
    assert readable.tolist() == [True, False, False, False]
    assert names[0] == "navy" and not matrix[1:].any()
    assert image_features(good).colour_name == "navy"


def test_a_blank_image_is_described_without_crashing() -> None:
    features = extract_features(Image.new("RGB", (100, 100), "white"))
    assert np.isfinite(features.vector()).all() and features.mask_fraction == 0.0
    with pytest.raises(ValueError, match="size"):
        extract_features(Image.new("RGB", (10, 10)), size=8)
