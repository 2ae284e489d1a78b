"""Product images on disk, under the configured images directory."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from vestis.vision.io import image_bytes, load_image


def store_product_image(images_dir: Path, product_id: str, source: bytes | Path) -> str:
    """Validate an image and store it for ``product_id``; returns its path relative to ``images_dir``.

    The image is re-encoded without metadata; a bad file raises ``vestis.vision.io.ImageError``.
    """
    image = load_image(source, name=str(source) if isinstance(source, Path) else product_id)
    suffix = source.suffix.lower() if isinstance(source, Path) else ".png"
    fmt, ext = ("JPEG", ".jpg") if suffix in (".jpg", ".jpeg") and image.mode == "RGB" else ("PNG", ".png")
    relative = Path(_shard(product_id)) / f"{_safe_name(product_id)}{ext}"
    target = images_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(target.suffix + ".tmp")
    temporary.write_bytes(image_bytes(image, fmt=fmt))
    temporary.replace(target)
    return relative.as_posix()


def product_image_file(images_dir: Path, image_path: str | None) -> Path | None:
    """The stored file for a product's ``image_path``, if it exists and stays inside ``images_dir``."""
    if not image_path:
        return None
    root = images_dir.resolve()
    candidate = (root / image_path).resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _safe_name(product_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", product_id)[:80]
    if safe != product_id:
        safe += "-" + hashlib.sha1(product_id.encode()).hexdigest()[:8]
    return safe


def _shard(product_id: str) -> str:
    return hashlib.sha1(product_id.encode()).hexdigest()[:2]
