"""Tombstones of erased customers, so that models trained before an erasure never answer for them.

A model trained before a customer was erased may still hold their id and what they did
(until the next ``vestis train``; a version restored from a backup or activated again may
hold it for longer). :class:`ErasedCustomers` is the list the recommendation service checks
before it answers for a customer: an erased one is answered as an anonymous shopper.

The list lives beside the models it filters, as ``<models dir>/erased-customers.json``
(mode 0600, replaced atomically), so it travels with them when they are copied or
restored. It holds no ids: only keyed pseudonyms (:mod:`vestis.privacy.pseudonyms`) under a
random key kept in the same file, and when each erasure happened. A running server sees
an erasure made by another process (``vestis customers delete``) on its next request: the
file is re-read whenever it changes.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from vestis.errors import VestisError
from vestis.files import atomic_write
from vestis.privacy import pseudonyms
from vestis.privacy.files import PRIVATE_FILE

ERASED_FILE = "erased-customers.json"
FORMAT = 1

logger = logging.getLogger(__name__)

__all__ = ["ERASED_FILE", "ErasedCustomers", "TombstoneError"]


class TombstoneError(VestisError, RuntimeError):
    """The tombstone file exists but cannot be read or written; the message names it."""


@dataclass(frozen=True)
class _Tombstones:
    """One reading of the file: its key and the pseudonyms with their erasure times."""

    key: bytes = b""
    erased: dict[str, str] = field(default_factory=dict)
    unreadable: bool = False


class ErasedCustomers:
    """The customers erased from this installation, by pseudonym; ``customer_id in erased`` asks.

    Reading never raises: a tombstone file that exists but cannot be read makes every
    customer count as erased (logged), since serving personal answers to an erased customer
    is the worse failure. Recording an erasure raises :class:`TombstoneError` instead.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._state = _Tombstones()

    @classmethod
    def of(cls, models_dir: Path) -> Self:
        """The tombstones of the models under ``models_dir``."""
        return cls(Path(models_dir) / ERASED_FILE)

    # ----------------------------------------------------------------- public API
    def __contains__(self, customer_id: object) -> bool:
        state = self._current()
        if state.unreadable:
            return True
        return bool(state.erased) and pseudonyms.tag(state.key, str(customer_id)) in state.erased

    def add(self, customer_id: str, *, at: datetime | None = None) -> bool:
        """Record that ``customer_id`` was erased (at ``at``, default now); ``False`` when it already was.

        Concurrent writers (the server and the CLI) are serialised by a lock file beside the
        tombstones, so neither loses the other's entry.
        """
        when = (at or datetime.now(UTC)).isoformat()
        with self._exclusive():
            state = self._read(strict=True)
            key = state.key or pseudonyms.new_key()
            name = pseudonyms.tag(key, customer_id)
            if name in state.erased:
                return False
            erased = {**state.erased, name: when}
            document = {"format": FORMAT, "key": key.hex(), "erased": dict(sorted(erased.items()))}
            data = (json.dumps(document, indent=1) + "\n").encode("ascii")
            atomic_write(self.path, data, mode=PRIVATE_FILE)
        return True

    # ---------------------------------------------------------------- helpers
    def _current(self) -> _Tombstones:
        """The tombstones as the file holds them now, re-read only when the file changed."""
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return _Tombstones()
        signature = (status.st_mtime_ns, status.st_size, status.st_ino)
        with self._lock:
            if signature != self._signature:
                self._state, self._signature = self._read(strict=False), signature
            return self._state

    def _read(self, *, strict: bool) -> _Tombstones:
        try:
            document: Any = json.loads(self.path.read_text("ascii"))
            if document.get("format") != FORMAT:
                raise ValueError(f"format {document.get('format')!r}, expected {FORMAT}")
            return _Tombstones(bytes.fromhex(document["key"]), dict(document["erased"]))
        except FileNotFoundError:
            return _Tombstones()
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            message = f"{self.path}: the erased-customer tombstones cannot be read ({error})"
            if strict:
                raise TombstoneError(message) from error
            logger.error("%s; answering every customer as an anonymous shopper until it is mended", message)
            return _Tombstones(unreadable=True)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the lock file beside the tombstones (creating the folder and the lock file if needed)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(f".{self.path.name}.lock")
        handle = os.open(lock, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)
