"""Try-on as the API and the shop serve it: one shared pipeline, PNG out, nothing kept unless asked.

Uploaded photos live only in memory for the request. With ``keep=True`` (the shopper's
explicit choice) the person photo and the result are written, without metadata, under
``<home>/tryon/<id>/`` so that they can be found and deleted by that id (:func:`forget`).
"""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image

from vestis.vision.io import image_bytes

PRODUCT_TYPE_CATEGORIES = {
    "tops": "upper",
    "shirts": "upper",
    "t-shirts": "upper",
    "knitwear": "upper",
    "outerwear": "upper",
    "dresses": "dress",
    "skirts": "lower",
    "trousers": "lower",
    "jeans": "lower",
    "shorts": "lower",
}
"""Product types whose try-on category is known; other types let the pipeline decide."""


@dataclass(frozen=True)
class RenderedTryOn:
    """The result as PNG bytes (no metadata), and the id it was kept under, if it was."""

    png: bytes
    kept_id: str | None = None


def render_try_on(
    person: Image.Image,
    garment: Image.Image,
    *,
    category: str | None = None,
    keep_in: Path | None = None,
) -> RenderedTryOn:
    """Render ``garment`` on ``person``; raises ``vestis.tryon.TryOnError`` with a clear message.

    ``keep_in`` is the folder to keep the photo and result in (only on the shopper's request).
    """
    with _lock():
        result = _pipeline().render(person, garment, category=category)
    png = image_bytes(result.image, fmt="PNG")
    if keep_in is None:
        return RenderedTryOn(png)
    kept_id = uuid.uuid4().hex
    folder = keep_in / kept_id
    folder.mkdir(parents=True)
    (folder / "person.png").write_bytes(image_bytes(person, fmt="PNG"))
    (folder / "result.png").write_bytes(png)
    return RenderedTryOn(png, kept_id)


def forget(keep_in: Path, kept_id: str) -> bool:
    """Delete a kept photo and its result; ``False`` when nothing is kept under ``kept_id``."""
    if not re.fullmatch(r"[0-9a-f]{32}", kept_id):
        return False
    folder = keep_in / kept_id
    if not folder.is_dir():
        return False
    shutil.rmtree(folder)
    return True


def category_for(product_type: str | None) -> str | None:
    """The try-on category of a catalog product type, when it is known."""
    return PRODUCT_TYPE_CATEGORIES.get((product_type or "").strip().lower())


def can_try_on(product_type: str | None) -> bool:
    """Whether the try-on pipeline supports this product type's category today."""
    from vestis.tryon.garment import SUPPORTED

    return category_for(product_type) in SUPPORTED


@lru_cache(maxsize=1)
def _pipeline():  # type: ignore[no-untyped-def]
    from vestis.tryon import TryOn

    return TryOn(backend="warp")


@lru_cache(maxsize=1)
def _lock() -> threading.Lock:
    """The pose model is not thread-safe: one render at a time per process."""
    return threading.Lock()
