"""Tops that always have sleeves, tried on with their catalog's product type, keep their sleeves.

A third of H&M's photos of shirts, sweaters, hoodies, cardigans, jackets, blazers and coats lay
the garment out with its arms hanging against the body: one wide silhouette in which the
silhouette alone shows no sleeve. Given the product type as category (as the web page and
``POST /tryon`` pass a catalog product's), the analyser must find both sleeves in most of them and
at least one in every one: a shirt rendered sleeveless is the wrong garment.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from vestis.tryon import TryOnError
from vestis.tryon.garment import GarmentAnalyser

pytestmark = pytest.mark.slow

SLEEVED_TYPES = (
    "Sweater",
    "Shirt",
    "Jacket",
    "Hoodie",
    "Cardigan",
    "Blazer",
    "Coat",
    "T-shirt",
    "Polo shirt",
)
BOTH_SLEEVES = 0.85
"""Least share of those tops with both sleeves found (measured: 183 of 209; one sleeve in the rest,
where the other hangs away from the body or is folded across it)."""


def test_sleeved_tops_keep_their_sleeves(shared_data: Path) -> None:
    folder = shared_data / "hm-articles-images"
    if not (folder / "articles.csv").is_file():
        pytest.skip(f"{folder} is absent")
    articles = pd.read_csv(folder / "articles.csv", dtype={"article_id": str})
    tops = articles[
        articles["product_type_name"].isin(SLEEVED_TYPES)
        & (articles["product_group_name"] == "Garment Upper body")
    ]
    analyser = GarmentAnalyser(cache_size=0)
    found: dict[str, int] = {}
    for article, kind in zip(tops["article_id"], tops["product_type_name"], strict=True):
        path = folder / "images" / article[:3] / f"{article}.jpg"
        if not path.is_file():
            continue
        try:
            keypoints = analyser.analyse(np.asarray(Image.open(path).convert("RGB")), kind).keypoints
        except TryOnError:  # a multi-pack or a close-up: test_product_photos.py checks the refusals
            continue
        found[article] = sum(f"{side}_sleeve" in keypoints for side in ("left", "right"))
    assert len(found) >= 100, f"only {len(found)} sleeved tops analysed"
    assert not [article for article, count in found.items() if count == 0]
    assert sum(count == 2 for count in found.values()) >= BOTH_SLEEVES * len(found)
