"""Safe image loading: bad files get clear errors, metadata never leaks."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from vestis.vision.io import ImageError, image_bytes, load_image


def _png(size: tuple[int, int] = (8, 6), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def _truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 50).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()[: buffer.tell() // 2]


def test_loads_rgb_and_keeps_alpha() -> None:
    assert load_image(_png()).mode == "RGB"
    assert load_image(_png(mode="RGBA")).mode == "RGBA"
    assert load_image(_png(mode="P")).mode == "RGB"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"%PDF-1.4 definitely not an image", "not a supported image"),
        (_truncated_jpeg(), "corrupt or truncated"),
    ],
)
def test_bad_files_name_the_problem(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message) as caught:
        load_image(data, name="photo.png")
    assert str(caught.value).startswith("photo.png:")


def test_pixel_limit_stops_decompression_bombs() -> None:
    with pytest.raises(ImageError, match="limit is 1,000"):
        load_image(_png((100, 100)), max_pixels=1_000)


def test_exif_is_applied_then_stripped() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N"}  # GPS block
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buffer, format="JPEG", exif=exif.tobytes())
    image = load_image(buffer.getvalue())
    assert image.size == (20, 40)
    encoded = image_bytes(image, fmt="JPEG")
    assert not Image.open(io.BytesIO(encoded)).getexif()
