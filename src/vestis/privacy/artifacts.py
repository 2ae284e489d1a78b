"""Take an erased customer's id out of the saved models, in every version and guide generation on disk.

Which saved files name customers (everything else under the models folder is about products):

- every recommender version's ``state.npz`` (hybrid components included): ``users``, the ids
  of the matrix rows, and the popularity model's segment map ``m_segment_users`` /
  ``m_segment_labels`` (customer → "women 25-34");
- the shopping guide's outfit model, ``guide/<generation>/outfits/state.npz``: ``users``;
- the guide's size model, ``guide/<generation>/sizes/size_advisor.json``: ``history``, each
  customer's purchases with sizes, returns and fit feedback, and ``latent.customers``, each
  customer's true size learned from their fit answers.

The segment-map entry, the size history and the latent size are deleted. In a ``users`` array the id is
replaced by an alias that names nobody (``erased-<random>``, the same in every file of one
erasure, so a hybrid and its components still line up): the row's numbers stay, but
nothing can find them by the customer's id any more, and they are gone from the versions
that the next ``vestis train`` / ``vestis guide build`` writes. Files are rewritten
atomically with their mode kept, arrays streamed member by member, so a large model is
never held in memory whole.

Folders whose name starts with a dot (versions being written) are left alone: a training
that read the events before the erasure registers its version afterwards, with the id in
it. The tombstones (:mod:`vestis.privacy.tombstones`) keep such a version from answering
for the customer, and erasing again (it is idempotent) rewrites it.
"""

from __future__ import annotations

import io
import json
import shutil
import stat
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import numpy as np

from vestis.files import replacing

USER_ARRAYS = ("users",)
"""Arrays of customer ids whose entry is replaced by an alias."""
SEGMENT_ARRAYS = ("m_segment_users", "m_segment_labels")
"""The popularity model's segment map, as parallel arrays (ids, labels): the customer's entry is dropped."""
SIZE_MODEL_FILE = "size_advisor.json"

__all__ = ["scrub_models"]


def scrub_models(models_dir: Path, customer_id: str) -> int:
    """Remove ``customer_id`` from every saved model under ``models_dir``; returns the files rewritten."""
    if not models_dir.is_dir():
        return 0
    alias = f"erased-{uuid.uuid4().hex}"
    rewritten = 0
    for path in _files(models_dir, "*.npz"):
        rewritten += _scrub_arrays(path, customer_id, alias)
    for path in _files(models_dir, SIZE_MODEL_FILE):
        rewritten += _scrub_size_history(path, customer_id)
    return rewritten


def _files(root: Path, pattern: str) -> Iterator[Path]:
    """Files matching ``pattern`` under ``root``, skipping anything inside a hidden (staging) folder."""
    for path in sorted(root.rglob(pattern)):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path


def _scrub_arrays(path: Path, customer_id: str, alias: str) -> bool:
    """Rewrite the id arrays of one ``.npz`` file that hold ``customer_id``; whether it was rewritten."""
    try:
        with np.load(path, allow_pickle=False) as arrays:
            present = [name for name in (*USER_ARRAYS, *SEGMENT_ARRAYS) if name in arrays.files]
            found = {name: arrays[name] for name in present}
    except (OSError, ValueError, zipfile.BadZipFile):  # not an array archive Vestis wrote: nothing of ours
        return False
    changes = {}
    for name in USER_ARRAYS:
        if name in found and found[name].dtype.kind == "U" and np.any(found[name] == customer_id):
            ids = found[name].tolist()
            changes[name] = np.array([alias if i == customer_id else i for i in ids], dtype=str)
    if all(name in found for name in SEGMENT_ARRAYS):
        owners, labels = (found[name] for name in SEGMENT_ARRAYS)
        keep = owners != customer_id
        if not keep.all():
            changes |= {SEGMENT_ARRAYS[0]: owners[keep], SEGMENT_ARRAYS[1]: labels[keep]}
    if not changes:
        return False
    _replace_keeping_mode(path, lambda file: _rewrite_npz(path, file, changes))
    return True


def _rewrite_npz(source: Path, target: BinaryIO, changes: Mapping[str, np.ndarray]) -> None:
    """Copy the archive ``source`` into ``target`` member by member, with ``changes`` in place of theirs."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", allowZip64=True) as new:
        for member in old.infolist():
            name = member.filename.removesuffix(".npy")
            copy = zipfile.ZipInfo(member.filename, date_time=member.date_time)
            copy.compress_type = member.compress_type
            with new.open(copy, "w", force_zip64=True) as out:
                if name in changes:
                    buffer = io.BytesIO()
                    np.lib.format.write_array(buffer, changes[name], allow_pickle=False)
                    out.write(buffer.getvalue())
                else:
                    with old.open(member) as original:
                        shutil.copyfileobj(original, out, 1 << 20)


def _scrub_size_history(path: Path, customer_id: str) -> bool:
    """Delete ``customer_id``'s purchase history and latent size from a saved size model; whether
    either was there."""
    try:
        state = json.loads(path.read_text("utf-8"))
        history = state["history"]
    except (OSError, ValueError, KeyError, TypeError):  # not a size model Vestis wrote
        return False
    latent = state.get("latent") or {}
    sizes = latent.get("customers") if isinstance(latent, dict) else None
    holders = [table for table in (history, sizes) if isinstance(table, dict) and customer_id in table]
    if not holders:
        return False
    for table in holders:
        del table[customer_id]
    data = json.dumps(state).encode("utf-8")
    _replace_keeping_mode(path, lambda file: file.write(data))
    return True


def _replace_keeping_mode(path: Path, write: Callable[[BinaryIO], object]) -> None:
    with replacing(path, mode=stat.S_IMODE(path.stat().st_mode)) as temporary, temporary.open("wb") as file:
        write(file)
