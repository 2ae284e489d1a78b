"""Every product photo of a top, bottoms or dress in ../shared/data, with the class its catalog gives.

Shared by the product-mask benchmark (refusal counts) and tests/integration/test_product_photos.py.
The catalogs say what each product is, not what its photo shows: Myntra's photos are mostly of a
model wearing the garment, H&M's sometimes show several garments of a set, or a detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
H_AND_M_GROUPS = {"Garment Upper body": "upper", "Garment Lower body": "lower", "Garment Full body": "dress"}
"""H&M product groups (articles.csv, product_group_name) and the try-on class of each."""
MYNTRA_SUBCATEGORIES = {"Topwear": "upper", "Bottomwear": "lower", "Dress": "dress"}
"""Myntra sub-categories (styles_merged.csv / styles.csv, subCategory) and the try-on class of each."""


@dataclass(frozen=True)
class ProductPhoto:
    """One photo: where it is, its collection (the data folder) and the class its catalog gives."""

    path: Path
    collection: str
    category: str | None
    """``upper``, ``lower`` or ``dress``; ``None`` where no catalog says (the try-on examples)."""


def product_photos(data: Path = DATA) -> list[ProductPhoto]:
    """Every photo of a top, bottoms or dress in ``data``'s catalogs and the try-on example garments.

    H&M (hm-articles-images, hm-sample) by product group, Myntra (fashion-product-images and its
    high-resolution sample) by sub-category; collections whose files are absent are left out.
    """
    photos: list[ProductPhoto] = []
    articles = data / "hm-articles-images" / "articles.csv"
    if articles.is_file():
        table = pd.read_csv(articles, dtype={"article_id": str}, usecols=["article_id", "product_group_name"])
        photos += _h_and_m(table, data / "hm-articles-images" / "images", nested=True)
    sample = data / "hm-sample" / "articles_sample.parquet"
    if sample.is_file():
        table = pd.read_parquet(sample, columns=["article_id", "product_group_name"])
        table["article_id"] = table["article_id"].astype(str).str.zfill(10)
        photos += _h_and_m(table, data / "hm-sample" / "images", nested=False)
    for folder, styles in (
        ("fashion-product-images", "styles_merged.csv"),
        ("fashion-product-images-hires", "styles.csv"),
    ):
        if (data / folder / styles).is_file():
            photos += _myntra(data / folder, styles)
    photos += [
        ProductPhoto(path, path.parent.parent.name, None)
        for path in sorted(data.glob("tryon-examples*/garment/*"))
        if path.suffix.lower() in (".jpg", ".jpeg", ".png")
    ]
    return photos


def _h_and_m(table: pd.DataFrame, images: Path, *, nested: bool) -> list[ProductPhoto]:
    rows = table[table["product_group_name"].isin(H_AND_M_GROUPS)].sort_values("article_id")
    found = []
    for article, group in zip(rows["article_id"], rows["product_group_name"], strict=True):
        path = images / article[:3] / f"{article}.jpg" if nested else images / f"{article}.jpg"
        if path.is_file():
            found.append(ProductPhoto(path, images.parent.name, H_AND_M_GROUPS[group]))
    return found


def _myntra(folder: Path, styles: str) -> list[ProductPhoto]:
    table = pd.read_csv(folder / styles, usecols=["id", "subCategory"], on_bad_lines="skip")
    rows = table[table["subCategory"].isin(MYNTRA_SUBCATEGORIES)].sort_values("id")
    found = []
    for product, subcategory in zip(rows["id"], rows["subCategory"], strict=True):
        path = folder / "images" / f"{product}.jpg"
        if path.is_file():
            found.append(ProductPhoto(path, folder.name, MYNTRA_SUBCATEGORIES[subcategory]))
    return found
