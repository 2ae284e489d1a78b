"""Garment kinds on real retailers' product types: Myntra's articleType and H&M's product_type_name.

Measured when the table was written (skipped when ../shared is absent): 92.5 % of Myntra's apparel
and footwear products get an outfit role and 85.7 % of its apparel a try-on category; 99.3 % of
H&M's garments a role and 98.2 % a try-on category; its underwear, socks, swimwear and nightwear none.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from vestis.catalog.taxonomy import outfit_role, tryon_category

NEVER_IN_OUTFITS = {"Underwear", "Socks & Tights", "Swimwear", "Nightwear"}


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _share(types: list[str], answer: Callable[[str], str | None]) -> float:
    return sum(answer(t) is not None for t in types) / len(types)


def test_myntra_apparel_and_footwear_get_roles_and_try_on_categories(shared_data: Path) -> None:
    rows = _rows(shared_data / "fashion-product-images" / "styles_merged.csv")
    worn = [r["articleType"] for r in rows if r["masterCategory"] in ("Apparel", "Footwear")]
    apparel = [r["articleType"] for r in rows if r["masterCategory"] == "Apparel"]
    assert len(worn) > 30_000
    assert _share(worn, outfit_role) > 0.90
    assert _share(apparel, tryon_category) > 0.83


def test_hm_garments_get_roles_and_underwear_never_does(shared_data: Path) -> None:
    rows = _rows(shared_data / "hm-articles-images" / "articles.csv")
    garments = [r["product_type_name"] for r in rows if r["product_group_name"].startswith("Garment")]
    assert len(garments) > 5_000
    assert _share(garments, outfit_role) > 0.97
    assert _share(garments, tryon_category) > 0.95
    hidden = {r["product_type_name"] for r in rows if r["product_group_name"] in NEVER_IN_OUTFITS}
    assert hidden and {outfit_role(t) for t in hidden} == {None}
