"""Keyed pseudonyms: a customer id turned into a tag that only this installation can recompute.

Erasure has to recognise a customer again later (the owner of a kept try-on photo, an
erased customer asked for again) without writing their id down. A tag is HMAC-SHA256 of
the id under a random key kept by the installation: the tag cannot be read back into the
id, and without the key it cannot even be checked against a guess. With the key it can,
so a tag is a pseudonym, not anonymous data: keep the key as private as the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from vestis.privacy.files import create_private

KEY_BYTES = 32

__all__ = ["KEY_BYTES", "key_in", "new_key", "tag"]


def new_key() -> bytes:
    """A fresh random key."""
    return secrets.token_bytes(KEY_BYTES)


def tag(key: bytes, customer_id: str) -> str:
    """The pseudonym of ``customer_id`` under ``key``: 64 hex digits."""
    return hmac.new(key, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()


def key_in(path: Path) -> bytes:
    """The key kept in ``path`` (hex), created 0600 on first use; of two processes racing, one key wins."""
    if not path.exists():
        create_private(path, new_key().hex().encode("ascii"))
    text = path.read_text("ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path}: not a pseudonym key ({KEY_BYTES * 2} hex digits expected)")
    return key
