"""Vector helpers shared by the text and image encoders and the recommenders (numpy only)."""

from __future__ import annotations

import numpy as np

__all__ = ["unit_rows"]


def unit_rows(block: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a row of zeros stays zeros), so dot products are cosines.

    >>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    norms = np.linalg.norm(block, axis=1, keepdims=True)
    return np.divide(block, norms, out=np.zeros_like(block), where=norms > 0)
