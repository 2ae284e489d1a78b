"""Safe image input and output: size limits, decompression-bomb checks, EXIF handling."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 40_000_000
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")


class ImageError(ValueError):
    """An input that is not a usable image; the message says which and why."""


def load_image(
    source: bytes | Path, *, name: str | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """Decode an image fully, upright per EXIF, as RGB or RGBA, without its metadata.

    Raises :class:`ImageError` naming ``name`` (or the path) for non-images, corrupt or
    truncated files and images above ``max_pixels`` (decompression bombs included).
    """
    label = name or (str(source) if isinstance(source, Path) else "upload")
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
    except OSError as error:
        raise ImageError(f"{label}: cannot read file ({error.strerror})") from None
    if not data:
        raise ImageError(f"{label}: empty file, expected an image")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(
                    f"{label}: image is {width}x{height} = {width * height:,} pixels; "
                    f"the limit is {max_pixels:,}"
                )
            image.load()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            raise ImageError(f"{label}: not a supported image file (or too large to decode)") from None
        except (OSError, SyntaxError, ValueError) as error:
            if isinstance(error, ImageError):
                raise
            raise ImageError(f"{label}: corrupt or truncated image ({error})") from None
    image = ImageOps.exif_transpose(image)
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    clean = image.convert(mode)
    clean.info = {}
    return clean


def image_bytes(image: Image.Image, *, fmt: str = "PNG", quality: int = 92) -> bytes:
    """Encode ``image`` without any metadata (no EXIF, so no location ever leaks)."""
    buffer = io.BytesIO()
    if fmt.upper() in ("JPEG", "JPG"):
        image.convert("RGB").save(buffer, format="JPEG", quality=quality, optimize=True)
    else:
        image.save(buffer, format=fmt.upper())
    return buffer.getvalue()


def is_image_path(path: Path) -> bool:
    """Whether ``path`` has an image file extension."""
    return path.suffix.lower() in IMAGE_SUFFIXES
