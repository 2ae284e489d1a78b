"""The catalog cache: remembered across fits, computed once when threads ask at the same time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from vestis.recommend.memo import catalog_cache


def test_threads_asking_for_the_same_catalog_compute_it_once() -> None:
    calls: list[str] = []
    started = threading.Event()

    @catalog_cache
    def encode(catalog: str) -> str:
        calls.append(catalog)
        started.set()
        time.sleep(0.2)
        return catalog.upper()

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(encode, "shop")
        started.wait()
        second = pool.submit(encode, "shop")
        assert (first.result(), second.result()) == ("SHOP", "SHOP")
    assert calls == ["shop"]


def test_the_last_two_catalogs_are_remembered() -> None:
    calls: list[int] = []

    @catalog_cache
    def square(catalog: int) -> int:
        calls.append(catalog)
        return catalog * catalog

    assert [square(n) for n in (1, 2, 1, 3, 1)] == [1, 4, 1, 9, 1]
    assert calls == [1, 2, 3]  # 3 pushed out 2, the one used longest ago
    assert square(2) == 4 and calls == [1, 2, 3, 2]
    square.cache_clear()  # type: ignore[attr-defined]
    assert square(2) == 4 and calls == [1, 2, 3, 2, 2]
