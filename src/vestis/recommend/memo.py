"""Remembering what a recommender computes from the catalog alone, across fits.

Text encodings and photo features depend on the catalog, not on the events, so a refit on
new events (the hybrid's two fits, a tuning run's trials, tomorrow's retrain in the same
process) should not compute them again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import ParamSpec, TypeVar

__all__ = ["catalog_cache", "forget_catalogs"]

P = ParamSpec("P")
R = TypeVar("R")
_CACHES: list[Callable[[], None]] = []


def catalog_cache(function: Callable[P, R]) -> Callable[P, R]:
    """Remember ``function``'s results for its last two argument sets (two catalogs).

    Calls are serialised, so two threads asking for the same catalog at once compute it once:
    the second waits and reads the first's result. Results are shared, so callers must treat
    them as read-only. ``cache_clear`` and ``cache_info`` are :func:`functools.lru_cache`'s.
    """
    cached = lru_cache(maxsize=2)(function)
    lock = threading.Lock()

    @wraps(function)
    def remembered(*args: P.args, **kwargs: P.kwargs) -> R:
        with lock:
            return cached(*args, **kwargs)

    remembered.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    remembered.cache_info = cached.cache_info  # type: ignore[attr-defined]
    _CACHES.append(cached.cache_clear)
    return remembered


def forget_catalogs() -> None:
    """Empty every catalog cache, so the next fit computes from scratch (fair fit timings)."""
    for clear in _CACHES:
        clear()
