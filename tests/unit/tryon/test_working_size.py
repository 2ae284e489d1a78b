"""Large inputs are reduced before try-on work starts: JPEGs decode at a reduced DCT scale."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from vestis.tryon.pipeline import WORK_PIXELS, working_copy
from vestis.vision.io import load_image


def _jpeg(width: int, height: int) -> bytes:
    gradient = np.linspace(0, 255, width, dtype=np.uint8)[None, :, None]
    pixels = np.broadcast_to(gradient, (height, width, 3)).copy()
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def test_load_image_decodes_a_large_jpeg_at_a_reduced_scale_that_still_covers_the_target() -> None:
    data = _jpeg(3072, 4096)
    image = load_image(data, reduce_to=WORK_PIXELS)
    assert image.width * image.height >= WORK_PIXELS
    assert image.size == (768, 1024)  # 1/4 scale is the smallest that holds 768×1024
    assert load_image(data).size == (3072, 4096)


def test_load_image_leaves_a_small_image_and_png_at_full_size() -> None:
    assert load_image(_jpeg(600, 800), reduce_to=WORK_PIXELS).size == (600, 800)
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 2000), "white").save(buffer, format="PNG")
    assert load_image(buffer.getvalue(), reduce_to=WORK_PIXELS).size == (2000, 2000)


def test_working_copy_of_an_undecoded_jpeg_matches_the_fully_decoded_one() -> None:
    data = _jpeg(2400, 3200)
    lazy = working_copy(Image.open(io.BytesIO(data)))
    full = working_copy(Image.open(io.BytesIO(data)).convert("RGB"))
    assert lazy.size == full.size
    assert lazy.width * lazy.height <= WORK_PIXELS
    difference = np.abs(np.asarray(lazy.convert("RGB"), float) - np.asarray(full, float))
    assert difference.mean() < 2.0
