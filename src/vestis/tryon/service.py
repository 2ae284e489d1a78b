"""Try-on as the API and the shop serve it: one shared pipeline, PNG out, nothing kept unless asked.

Uploaded photos live only in memory for the request. With ``keep=True`` (the shopper's
explicit choice) the person photo and the result are written, without metadata, under
``<home>/tryon/<id>/`` so that they can be found and deleted by that id (:func:`forget`).
The id is 128 random bits: knowing it is what lets a shopper delete their photo. Folders
are created 0700 and files 0600. When the shop names the customer who kept the photo, the
folder also holds ``owner.json`` with that customer's keyed pseudonym (never the id), so
that erasing the customer finds their photos (:func:`forget_owner`) while the folder alone
does not say whose they are; the key is ``<home>/tryon/owner.key``.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image

from vestis.catalog.taxonomy import tryon_category
from vestis.privacy import pseudonyms
from vestis.privacy.files import PRIVATE_DIR, private_dir, write_new
from vestis.vision.io import image_bytes

KEPT_TRY_ONS = "tryon"
"""The folder under the home where photos and results are kept on the shopper's request."""
OWNER_FILE = "owner.json"
OWNER_KEY_FILE = "owner.key"
_KEPT_ID = re.compile(r"[0-9a-f]{32}")


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
    owner: str | None = None,
) -> RenderedTryOn:
    """Render ``garment`` on ``person``; raises ``vestis.tryon.TryOnError`` with a clear message.

    ``keep_in`` is the folder to keep the photo and result in (only on the shopper's request),
    ``owner`` the customer who kept them, when the shop knows who that is (see :func:`keep`).
    """
    with _lock():
        result = _pipeline().render(person, garment, category=category)
    png = image_bytes(result.image, fmt="PNG")
    if keep_in is None:
        return RenderedTryOn(png)
    return RenderedTryOn(png, keep(keep_in, person, png, owner=owner))


def keep(keep_in: Path, person: Image.Image, result_png: bytes, *, owner: str | None = None) -> str:
    """Keep the person photo (as PNG, without metadata) and the result under a new random id; returns it.

    The folder is created 0700 and every file 0600. With an ``owner`` (a customer id), their
    pseudonym is written first, so a photo is never on disk without the owner that erasure
    looks for. Nothing is left behind when a write fails.
    """
    kept_id = secrets.token_hex(16)
    folder = private_dir(keep_in) / kept_id
    folder.mkdir(mode=PRIVATE_DIR)
    try:
        if owner:
            write_new(folder / OWNER_FILE, json.dumps({"owner": _owner_tag(keep_in, owner)}).encode("ascii"))
        write_new(folder / "person.png", image_bytes(person, fmt="PNG"))
        write_new(folder / "result.png", result_png)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return kept_id


def forget(keep_in: Path, kept_id: str) -> bool:
    """Delete a kept photo and its result; ``False`` when nothing is kept under ``kept_id``."""
    if not _KEPT_ID.fullmatch(kept_id):
        return False
    folder = keep_in / kept_id
    if not folder.is_dir():
        return False
    shutil.rmtree(folder)
    return True


def forget_owner(keep_in: Path, customer_id: str) -> int:
    """Delete every photo and result kept for ``customer_id`` (see :func:`keep`); returns how many."""
    owned = kept_for(keep_in, customer_id)
    for kept_id in owned:
        shutil.rmtree(keep_in / kept_id)
    return len(owned)


def kept_for(keep_in: Path, customer_id: str) -> list[str]:
    """The ids of the photos kept for ``customer_id`` (see :func:`keep`), sorted."""
    if not (keep_in / OWNER_KEY_FILE).is_file():  # no photo was ever kept with an owner
        return []
    wanted = _owner_tag(keep_in, customer_id)
    return sorted(
        folder.name
        for folder in keep_in.iterdir()
        if _KEPT_ID.fullmatch(folder.name) and _owner_of(folder) == wanted
    )


def can_try_on(product_type: str | None) -> bool:
    """Whether the try-on pipeline supports this product type's category (:func:`tryon_category`) today."""
    from vestis.tryon.garment import SUPPORTED, normalise_category

    return normalise_category(tryon_category(product_type)) in SUPPORTED


def _owner_tag(keep_in: Path, customer_id: str) -> str:
    private_dir(keep_in)
    return pseudonyms.tag(pseudonyms.key_in(keep_in / OWNER_KEY_FILE), customer_id)


def _owner_of(folder: Path) -> str | None:
    """The owner pseudonym recorded in a kept folder, or None (kept anonymously, or unreadable)."""
    try:
        return json.loads((folder / OWNER_FILE).read_text("ascii")).get("owner")
    except (OSError, ValueError, AttributeError):
        return None


@lru_cache(maxsize=1)
def _pipeline():  # type: ignore[no-untyped-def]
    from vestis.tryon import TryOn

    return TryOn(backend="warp")


@lru_cache(maxsize=1)
def _lock() -> threading.Lock:
    """The pose model is not thread-safe: one render at a time per process."""
    return threading.Lock()
