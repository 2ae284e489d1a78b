"""Noticing, cheaply, that ``vestis train`` or ``vestis guide build`` activated a new version.

Every service that serves registry artifacts (the recommenders, the shopping guide) holds a
:class:`PointerWatch` over the names it serves and asks it, on each request, whether their
``ACTIVE`` pointers moved. The pointers are read at most every ``interval`` seconds (a few
small files), so a long-running server picks up new versions within seconds and without a
restart, and ``POST /models/reload`` only makes it happen at once. This is the one reload
path: the services differ only in what they load, not in how they notice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping

from vestis.models.registry import ModelLoadError, ModelRegistry

INTERVAL_SECONDS = 5.0
"""How often, at most, a service re-reads the ``ACTIVE`` pointers of what it serves."""

Pointers = Mapping[str, str | None]
"""Model name → the version its ``ACTIVE`` pointer names (``None``: none, or unreadable)."""


class PointerWatch:
    """The ``ACTIVE`` pointers of the names ``names()`` lists, compared with those last marked as served.

    Examples
    --------
    >>> watch = PointerWatch(registry, lambda: ["guide"])  # doctest: +SKIP
    >>> moved = watch.moved()  # None until a pointer changes, then the new pointers  # doctest: +SKIP
    >>> if moved is not None:  # doctest: +SKIP
    ...     load_what(moved)
    ...     watch.mark(moved)
    """

    def __init__(
        self,
        registry: ModelRegistry,
        names: Callable[[], Iterable[str]],
        *,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self.registry = registry
        self.names = names
        self.interval = interval
        self._lock = threading.Lock()
        self._marked: dict[str, str | None] | None = None
        self._read_at = float("-inf")

    def read(self) -> dict[str, str | None]:
        """The pointers now on disk (what a reload about to start should :meth:`mark`)."""
        return {name: _pointer(self.registry, name) for name in sorted(self.names())}

    def moved(self) -> dict[str, str | None] | None:
        """The pointers on disk when they differ from the marked ones, else None.

        Disk is read at most once per ``interval`` (other calls answer None at once), so this
        can sit on every request. A change stays reported until it is marked, so a reload
        that fails is tried again at the next interval.
        """
        if time.monotonic() - self._read_at < self.interval:
            return None
        with self._lock:
            if time.monotonic() - self._read_at < self.interval:
                return None
            self._read_at = time.monotonic()
            pointers = self.read()
            return pointers if pointers != self._marked else None

    def mark(self, pointers: Pointers) -> None:
        """Record ``pointers`` as the ones being served (read them before loading, mark after)."""
        with self._lock:
            self._marked = dict(pointers)
            self._read_at = time.monotonic()


def _pointer(registry: ModelRegistry, name: str) -> str | None:
    """``name``'s pointer, or None when it cannot be read (the service's reload reports why)."""
    try:
        return registry.pointer(name)
    except ModelLoadError:
        return None
