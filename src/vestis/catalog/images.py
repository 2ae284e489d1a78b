"""Product images on disk, under the configured images directory.

An import never writes an image where the shop serves it while its transaction may still
fail: :func:`stage_images` gives an :class:`ImageStage` that validates and re-encodes each
image into a private staging folder under ``images_dir``, moves the staged files into place
only when the session's transaction commits, and deletes them when it rolls back. So a
failed import leaves every existing image untouched and no stray file behind.

Feeds name their images by path; :func:`file_inside` confines such a path to the feed's own
folder (symbolic links included), the same way whether or not a file exists outside it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from vestis.vision.io import image_bytes, load_image

__all__ = ["ImageStage", "file_inside", "product_image_file", "stage_images", "store_product_image"]

_STORED_SUFFIXES = (".jpg", ".png")
"""The suffixes stored images get; a product has at most one image, under one of them."""


class ImageStage:
    """Product images validated and written under temporary names, waiting to be published.

    :meth:`add` stages one product's image and returns the path it will have under
    ``images_dir``; :meth:`publish` moves every staged image into place (replacing the
    product's previous image); :meth:`discard` deletes whatever is still staged.
    """

    def __init__(self, images_dir: Path) -> None:
        self.images_dir = images_dir
        self._staged: dict[str, tuple[Path, Path]] = {}
        self._folder: Path | None = None
        self._numbers = itertools.count()

    def add(self, product_id: str, source: bytes | Path) -> str:
        """Validate ``source`` and stage it as ``product_id``'s image; returns its path relative to ``images_dir``.

        The image is re-encoded without metadata; a bad file raises ``vestis.vision.io.ImageError``.
        Staging a product twice keeps the newer image.
        """
        image = load_image(source, name=str(source) if isinstance(source, Path) else product_id)
        suffix = source.suffix.lower() if isinstance(source, Path) else ".png"
        fmt, ext = (
            ("JPEG", ".jpg") if suffix in (".jpg", ".jpeg") and image.mode == "RGB" else ("PNG", ".png")
        )
        relative = Path(_shard(product_id)) / f"{_safe_name(product_id)}{ext}"
        staged = self._staging_folder() / f"{next(self._numbers)}{ext}"
        staged.write_bytes(image_bytes(image, fmt=fmt))
        replaced = self._staged.pop(product_id, None)
        if replaced is not None:
            replaced[1].unlink(missing_ok=True)
        self._staged[product_id] = (relative, staged)
        return relative.as_posix()

    def publish(self) -> None:
        """Move every staged image into place, removing the product's image under the other suffix."""
        try:
            for relative, staged in self._staged.values():
                target = self.images_dir / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
                for suffix in _STORED_SUFFIXES:
                    if suffix != target.suffix:
                        target.with_suffix(suffix).unlink(missing_ok=True)
        finally:
            self.discard()

    def discard(self) -> None:
        """Delete every image still staged (and the staging folder); published images stay."""
        self._staged.clear()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _staging_folder(self) -> Path:
        if self._folder is None:
            self.images_dir.mkdir(parents=True, exist_ok=True)
            self._folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.images_dir))
        return self._folder


def stage_images(session: Session, images_dir: Path) -> ImageStage:
    """An :class:`ImageStage` tied to ``session``'s outermost transaction.

    Its images are published when that transaction commits and discarded when it ends
    without committing (savepoints are not tracked). Importers stage their images here so
    that "nothing was written" stays true for the files as well as the rows.
    """
    stage = ImageStage(images_dir)
    ended = False

    def on_commit(committed: Session) -> None:
        if not ended and not committed.in_nested_transaction():
            stage.publish()

    def on_end(_session: Session, transaction: SessionTransaction) -> None:
        nonlocal ended
        if not ended and transaction.parent is None:
            ended = True
            stage.discard()

    event.listen(session, "after_commit", on_commit)
    event.listen(session, "after_transaction_end", on_end)
    return stage


def store_product_image(images_dir: Path, product_id: str, source: bytes | Path) -> str:
    """Validate an image and store it for ``product_id`` at once; returns its path relative to ``images_dir``.

    For callers outside an import transaction (fixtures, one-off tools); importers use
    :func:`stage_images`. A bad file raises ``vestis.vision.io.ImageError`` and writes nothing.
    """
    stage = ImageStage(images_dir)
    try:
        relative = stage.add(product_id, source)
        stage.publish()
    finally:
        stage.discard()
    return relative


def file_inside(path: Path, folder: Path) -> Path | None:
    """``path`` resolved, if it stays inside ``folder`` (symbolic links followed first); ``None`` otherwise.

    Whether anything exists at ``path`` does not change the answer, so a caller that refuses
    ``None`` with one message cannot be used to probe for files outside ``folder``.
    """
    resolved = Path(os.path.realpath(path))  # unlike Path.resolve, never stats the file itself
    return resolved if Path(os.path.realpath(folder)) in resolved.parents else None


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
