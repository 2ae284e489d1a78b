"""remove_background and fit_canvas on synthetic shirt photos."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from tests.unit.studio_photos import iou, shirt_photo
from vestis.studio.background import fit_canvas, parse_background, remove_background
from vestis.studio.errors import StudioError
from vestis.studio.metrics import background_purity


@pytest.fixture(scope="module")
def shirt() -> tuple[Image.Image, np.ndarray]:
    return shirt_photo()


def test_white_background_is_exactly_white_and_keeps_the_shirt(shirt: tuple[Image.Image, np.ndarray]) -> None:
    photo, truth = shirt
    assert background_purity(photo) == 0.0
    out = remove_background(photo, subject="product")
    pixels = np.asarray(out)
    assert out.mode == "RGB" and out.size == photo.size
    assert background_purity(out) == 1.0
    white = (pixels == 255).all(axis=-1)
    assert iou(~white, truth) >= 0.97
    inside = ndimage.binary_erosion(truth, iterations=4)
    assert np.array_equal(pixels[inside], np.asarray(photo)[inside])  # the shirt's own pixels untouched


def test_transparent_and_coloured_backgrounds(shirt: tuple[Image.Image, np.ndarray]) -> None:
    photo, truth = shirt
    clear = remove_background(photo, background="transparent", subject="product")
    alpha = np.asarray(clear)[..., 3]
    assert clear.mode == "RGBA"
    assert (alpha[:4] == 0).all() and iou(alpha >= 128, truth) >= 0.97
    assert 0 < ((alpha > 0) & (alpha < 255)).mean() < 0.03  # a soft edge, nothing more
    grey = np.asarray(remove_background(photo, background="#f0f0f0", subject="product"))
    assert (grey[0, 0] == 240).all()
    again = np.asarray(remove_background(clear))  # an RGBA cut-out is only recomposited
    assert (again[:4] == 255).all()


def test_input_is_not_mutated(shirt: tuple[Image.Image, np.ndarray]) -> None:
    photo, _ = shirt
    before = np.asarray(photo).copy()
    remove_background(photo, subject="product")
    assert np.array_equal(np.asarray(photo), before)


def test_fit_canvas_crops_centres_and_fills(shirt: tuple[Image.Image, np.ndarray]) -> None:
    photo, _ = shirt
    white = remove_background(photo, subject="product")
    out = fit_canvas(white, size=600, fill=0.8)
    assert out.size == (600, 600) and out.mode == "RGB"
    product = (np.asarray(out) < 250).any(axis=-1)
    rows, cols = np.flatnonzero(product.any(axis=1)), np.flatnonzero(product.any(axis=0))
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) == pytest.approx(480, abs=4)
    assert (rows[0] + rows[-1]) / 2 == pytest.approx(300, abs=3)
    assert (cols[0] + cols[-1]) / 2 == pytest.approx(300, abs=3)
    assert background_purity(out) == 1.0
    tall = fit_canvas(white, size=800, aspect="3:4", background="transparent")
    assert tall.size == (600, 800) and tall.mode == "RGBA"
    assert np.asarray(fit_canvas(photo, size=300)).shape == (300, 300, 3)  # raw photo: segmented first


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda im: remove_background(im, background="blue"), "background"),
        (lambda im: remove_background(im, subject="dog"), "subject"),
        (lambda im: fit_canvas(im, size=5), "size"),
        (lambda im: fit_canvas(im, fill=1.5), "fill"),
        (lambda im: fit_canvas(im, aspect="wide"), "aspect"),
        (lambda im: remove_background(im, subject="person"), "subject"),
    ],
)
def test_bad_parameters_name_themselves(shirt: tuple[Image.Image, np.ndarray], call, parameter: str) -> None:
    with pytest.raises(StudioError, match=parameter):
        call(shirt[0])


def test_parse_background() -> None:
    assert parse_background("white") == (255, 255, 255)
    assert parse_background("transparent") is None
    assert parse_background("#0a0B0c") == (10, 11, 12)
    assert parse_background("#fff") == (255, 255, 255)
