"""Image features on real product photos (H&M sample): computed without errors, plausible masks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vestis.vision.colour import PALETTE_NAMES
from vestis.vision.features import feature_matrix, image_features


def test_features_of_thirty_real_photos(shared_data: Path) -> None:
    photos = sorted((shared_data / "hm-sample" / "images").glob("*.jpg"))[:30]
    assert len(photos) == 30
    matrix, readable, names = feature_matrix(photos, progress=False)
    assert readable.all() and np.isfinite(matrix).all()
    assert set(names) <= set(PALETTE_NAMES)
    fractions = [image_features(photo).mask_fraction for photo in photos]
    # Studio shots: the garment fills a sizeable share of the frame, never all of it.
    assert 0.05 < np.median(fractions) < 0.8
    assert sum(0.02 < f < 0.95 for f in fractions) >= 27
