"""Files written whole or not at all: the one atomic write every layer uses.

A file is written under a hidden temporary name beside its target (the same folder, so the
rename never crosses file systems), flushed to disk, then renamed over the target with
``os.replace``: a reader, or a process that crashes half-way, sees the old content or the
new, never part of it. The temporary name is unique, so concurrent writers never share one;
it keeps the target's suffix, because ``np.savez`` and ``scipy.sparse.save_npz`` append
``.npz`` to any other; and it carries :data:`PARTIAL_MARK`, so the leftovers of a killed
process can be swept (:func:`sweep_partials`). The temporary file is created with its final
``mode`` before anything is written, so a private file is never readable by others, not
even for a moment.

Examples
--------
>>> import numpy as np
>>> with replacing(tmp_path / "vectors.npz") as temporary:  # doctest: +SKIP
...     np.savez_compressed(temporary, vectors=np.zeros(3))
>>> atomic_write(tmp_path / "ACTIVE", b"v3\\n")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PARTIAL_MARK", "atomic_write", "replacing", "sweep_partials"]

PARTIAL_MARK = ".vestis-partial"
"""Part of every temporary file's name; what :func:`sweep_partials` looks for."""


@contextmanager
def replacing(path: Path, *, mode: int = 0o666) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; it replaces ``path`` when the block ends without error.

    The temporary file already exists (empty, created with ``mode`` less the umask) when the
    block starts; writers that open it by name keep that mode. On an error it is removed and
    ``path`` is left as it was. Missing parent folders are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}{PARTIAL_MARK}{path.suffix}")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    try:
        yield temporary
        handle = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(handle)  # the bytes are on disk before the name is
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes, *, mode: int = 0o666) -> None:
    """Replace ``path`` with ``data``, atomically (see :func:`replacing`)."""
    with replacing(path, mode=mode) as temporary:
        temporary.write_bytes(data)


def sweep_partials(folder: Path) -> int:
    """Remove the temporary files killed writers left anywhere under ``folder``; how many there were."""
    leftovers = [path for path in Path(folder).rglob(f".*{PARTIAL_MARK}*") if path.is_file()]
    for path in leftovers:
        path.unlink(missing_ok=True)
    return len(leftovers)
