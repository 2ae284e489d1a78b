"""Vector helpers: unit rows, and BLAS kept to one thread around a request's products."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from vestis.vectors import one_blas_thread, unit_rows


def test_unit_rows_keep_zero_rows_and_scale_the_rest() -> None:
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32))
    assert rows.dtype == np.float32 and np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]])


def test_blas_runs_on_one_thread_inside_the_block_only() -> None:
    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    before = blas_threads()
    with one_blas_thread():
        assert blas_threads() == {1}
        assert np.allclose(np.ones((64, 64)) @ np.ones(64), 64.0)
    assert blas_threads() == before
