"""Vector helpers shared by the text and image encoders, the guide's search and the recommenders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread", "unit_rows"]


def unit_rows(block: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a row of zeros stays zeros), so dot products are cosines.

    >>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    norms = np.linalg.norm(block, axis=1, keepdims=True)
    return np.divide(block, norms, out=np.zeros_like(block), where=norms > 0)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """NumPy's BLAS on one thread inside the block, for the small products a request makes.

    After a product, BLAS threads keep spinning on the cores; a sentence encoder (PyTorch's
    OpenMP threads) running next then waits for them: a guide search that embedded the
    request after scoring 12k vectors took 105 ms instead of 9 ms on 2 cores. Entering and
    leaving costs about 20 µs.
    """
    with _controller().limit(limits=1, user_api="blas"):
        yield


@cache
def _controller() -> ThreadpoolController:
    """The loaded thread pools, inspected once (it takes tens of milliseconds)."""
    return ThreadpoolController()
