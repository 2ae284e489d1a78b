"""Files only the server's own user may read: created 0600 in folders created 0700, never chmod-ed later.

The mode is set when a file is created, so there is no moment at which it is readable by
others. This module creates files that must not exist yet (:func:`write_new`,
:func:`create_private`); replacing one goes through :func:`vestis.files.replacing` with
``mode=PRIVATE_FILE``, the one atomic write.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700

__all__ = ["PRIVATE_DIR", "PRIVATE_FILE", "create_private", "private_dir", "write_new"]


def private_dir(path: Path) -> Path:
    """``path`` as a folder, created 0700 when it does not exist yet (an existing folder is left as it is)."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


def write_new(path: Path, data: bytes, *, mode: int = PRIVATE_FILE) -> None:
    """Write ``data`` to a file that must not exist yet, created with ``mode`` (default 0600)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def create_private(path: Path, data: bytes) -> bool:
    """Create ``path`` (0600) holding ``data`` unless it exists; ``False`` when another writer was first.

    The file appears with its whole content at once (written aside, then hard-linked into
    place), so a concurrent reader never sees it empty.
    """
    staging = path.with_name(f".{path.name}-{uuid.uuid4().hex}")
    write_new(staging, data)
    try:
        os.link(staging, path)
    except FileExistsError:
        return False
    finally:
        staging.unlink()
    return True
