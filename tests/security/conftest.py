"""Fixtures for the security tests: U²-Net-p maps each distinct photo once per session."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np
import pytest

from vestis.vision import u2net


@pytest.fixture(scope="session", autouse=True)
def saliency_once_per_photo() -> Iterator[None]:
    """:func:`vestis.vision.u2net.saliency` remembered by the photo's pixels for the session.

    The shops these tests build (``tests/unit/test_api_support.py``) give every product one of
    three one-colour photos, and each hybrid or visual model they train maps every photo again
    (U²-Net-p was most of the time of a trained shop). The network's map of the same pixels is
    the same, so it is computed once and a copy handed out; what these tests check is what a shop
    keeps, erases and refuses, while tests/unit/test_vision_product_mask.py tests the map itself.
    """
    compute = u2net.saliency
    maps: dict[tuple[tuple[int, ...], str, bytes], np.ndarray] = {}

    def remembered(rgb: np.ndarray) -> np.ndarray:
        pixels = np.ascontiguousarray(rgb)
        key = (pixels.shape, pixels.dtype.str, hashlib.sha256(pixels.tobytes()).digest())
        if key not in maps:
            maps[key] = compute(pixels)
        return maps[key].copy()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(u2net, "saliency", remembered)
        yield
