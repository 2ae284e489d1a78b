"""Safe image loading: bad files get clear errors, metadata never leaks."""

from __future__ import annotations

import io
from pathlib import Path

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


def _encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` with almost no pixel data behind it."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_cmyk_is_converted_to_rgb() -> None:
    image = load_image(_encoded(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG"))
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((8, 8))
    assert red > 200 and green < 60 and blue < 60


def test_sixteen_bit_greyscale_is_scaled_not_clipped() -> None:
    import numpy as np

    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (8, 1))
    image = load_image(_encoded(Image.fromarray(ramp), "PNG"))
    assert image.mode == "RGB"
    row = np.asarray(image)[0, :, 0]
    assert row[0] == 0 and row[-1] == 255
    assert abs(int(row[32]) - 132) <= 2  # mid-grey stays mid-grey (a clip would give 255)


def test_forty_eight_bit_rgb_png_loads_as_eight_bit() -> None:
    import numpy as np

    pixels = np.zeros((8, 8, 3), dtype=">u2")
    pixels[..., 0] = 65535
    pixels[..., 2] = 32896
    raw = _png_48_bit(pixels)
    image = load_image(raw)
    assert image.mode == "RGB"
    assert image.getpixel((4, 4)) == (255, 0, 128)


def _png_48_bit(pixels: object) -> bytes:
    """A 16-bit-per-channel RGB PNG, written by hand (Pillow cannot write one)."""
    import struct
    import zlib

    import numpy as np

    array = np.asarray(pixels)
    height, width = array.shape[:2]

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\0" + array[y].astype(">u2").tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_palette_transparency_becomes_alpha() -> None:
    palette = Image.new("P", (10, 10), 0)
    palette.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    palette.paste(1, (2, 2, 8, 8))
    image = load_image(_encoded(palette, "PNG", transparency=0))
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((5, 5)) == (200, 0, 0, 255)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animated_images_give_their_first_frame(fmt: str, caplog: pytest.LogCaptureFixture) -> None:
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue", "green")]
    data = _encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, lossless=True)
    with caplog.at_level("INFO", logger="vestis.vision.io"):
        image = load_image(data, name=f"spin.{fmt.lower()}")
    red, green, blue = image.convert("RGB").getpixel((10, 10))
    assert red > 200 and green < 40 and blue < 40
    assert "3 frames; using the first" in caplog.text


def test_one_pixel_images_are_too_small() -> None:
    with pytest.raises(
        ImageError, match=r"pixel.png: image is 1x1 pixels, too small; each side must be at least 2"
    ):
        load_image(_png((1, 1)), name="pixel.png")
    with pytest.raises(ImageError, match="at least 32"):
        load_image(_png((40, 20)), min_side=32)


def test_decompression_bomb_is_refused_from_the_header() -> None:
    bomb = _png_header_only(20_000, 20_000)
    assert len(bomb) < 200
    with pytest.raises(ImageError, match=r"bomb.png: .*the limit is 40,000,000 pixels"):
        load_image(bomb, name="bomb.png")
    with pytest.raises(ImageError, match="image is 6000x6000 = 36,000,000 pixels; the limit is 1,000,000"):
        load_image(_png_header_only(6_000, 6_000), max_pixels=1_000_000)


def test_corrupt_pixel_data_is_reported() -> None:
    good = _png((32, 32))
    start = good.index(b"IDAT") + 8
    corrupt = good[:start] + bytes(b ^ 0xFF for b in good[start : start + 20]) + good[start + 20 :]
    with pytest.raises(ImageError, match="shirt.png: corrupt or truncated"):
        load_image(corrupt, name="shirt.png")


def test_exif_orientation_and_metadata_survive_no_round_trip() -> None:
    exif = Image.Exif()
    exif[0x0112] = 3  # upside down
    exif[0x010F] = "CameraMaker"
    base = Image.new("RGB", (30, 20), "white")
    base.paste((0, 0, 0), (0, 0, 5, 5))  # black corner top-left as stored
    image = load_image(_encoded(base, "JPEG", exif=exif.tobytes()))
    assert image.getpixel((27, 17))[0] < 50  # rotated 180°: the corner is now bottom-right
    assert not image.info and not image.getexif()
    assert not Image.open(io.BytesIO(image_bytes(image, fmt="PNG"))).getexif()


def test_a_path_may_be_given_as_text_and_a_missing_file_is_named(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(_png())
    assert load_image(str(photo)).size == load_image(photo).size == (8, 6)
    with pytest.raises(ImageError, match="missing.png: cannot read file"):
        load_image(str(tmp_path / "missing.png"))
