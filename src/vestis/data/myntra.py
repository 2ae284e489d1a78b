"""The Myntra "Fashion Product Images" data set (Kaggle ``styles.csv`` layout) into the catalog.

One CSV row per product — ``id, gender, masterCategory, subCategory, articleType, baseColour,
season, year, usage, productDisplayName`` — and, beside the CSV, photos under
``images/<id>.jpg`` (the small edition ships photos for only part of the products).

Column to field: ``productDisplayName`` → ``title``; ``subCategory`` (Topwear, Shoes, …) →
``product_type`` and ``articleType`` (Tshirts, Casual Shoes, …), the more specific kind, →
the ``subcategory`` attribute, as the shopping guide reads a product's kind; ``baseColour`` →
``color``; ``gender`` → ``gender`` and ``age_group`` as every importer reads it
(:func:`vestis.data.schemas.audience`: Boys and Girls are kids), adults' where it names no age;
``masterCategory`` → ``google_product_category`` (and kept as ``master_category``);
``usage`` (Casual, Formal, Sports, Ethnic …) → the ``occasion`` attribute; ``season`` and
``year`` stay attributes under their names. The data set has no prices: products are imported
without one. A local photo is validated and staged like a Merchant Center feed's local image.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from vestis.data.importing import ImportReport
from vestis.data.merchant_feed import upsert_product_rows
from vestis.data.schemas import audience
from vestis.data.tables import Row, open_table, snake_case

__all__ = ["GOOGLE_CATEGORIES", "REQUIRED_COLUMNS", "import_myntra", "myntra_products"]

REQUIRED_COLUMNS = ("id", "gender", "articleType", "productDisplayName")

GOOGLE_CATEGORIES = {
    "Apparel": "Apparel & Accessories > Clothing",
    "Footwear": "Apparel & Accessories > Shoes",
    "Accessories": "Apparel & Accessories",
    "Personal Care": "Health & Beauty > Personal Care",
    "Sporting Goods": "Sporting Goods",
}
"""``masterCategory`` → Google product category; the rest (Free Items, Home) get none."""

_ATTRIBUTE_COLUMNS = ("articleType", "usage", "season", "year", "masterCategory")
"""Columns kept in ``attributes`` in snake case, which the product schema renames to what the guide
reads (``articleType`` → ``subcategory``, ``usage`` → ``occasion``)."""


def import_myntra(
    session: Session,
    path: Path,
    *,
    images_dir: Path,
    strict: bool = False,
    chunk_size: int = 2_000,
    progress: bool = True,
) -> ImportReport:
    """Upsert every product of a Myntra styles CSV; bad rows are reported by line, field named.

    Photos are looked up as ``images/<id>.jpg`` beside the CSV; one that exists is validated
    and staged, and stored under ``images_dir`` when the caller's transaction commits (a bad
    photo rejects its row). An unknown ``gender`` or a missing title rejects the row.
    """
    required = tuple(c.lower() for c in REQUIRED_COLUMNS)
    with open_table(path, required=required, lower_header=True, progress=progress) as (_header, rows):
        return upsert_product_rows(
            session,
            path,
            myntra_products(rows, path.parent),
            images_dir=images_dir,
            strict=strict,
            chunk_size=chunk_size,
        )


def myntra_products(rows: Iterable[tuple[int, Row]], folder: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Merchant Center product rows of a styles CSV's ``(line, row)`` pairs (lower-cased column names).

    ``image_link`` is the relative path ``images/<id>.jpg`` when that file exists in ``folder``.
    """
    for line, row in rows:
        yield line, _product(row, folder)


def _product(row: Row, folder: Path) -> dict[str, Any]:
    def get(column: str) -> str:
        return (row.get(column.lower()) or "").strip()

    product_id = get("id")
    said = get("gender")
    gender, age_group = audience(said) or (said, None)  # an unknown value fails validation
    photo = f"images/{product_id}.jpg"
    return {
        "id": product_id,
        "title": get("productDisplayName"),
        "product_type": get("subCategory"),
        "color": get("baseColour"),
        "gender": gender,
        "age_group": age_group or "adult",  # Myntra files children's products under Boys and Girls
        "google_product_category": GOOGLE_CATEGORIES.get(get("masterCategory")),
        "image_link": photo if product_id and (folder / photo).is_file() else None,
        "attributes": {snake_case(c): _year(get(c)) if c == "year" else get(c)
                       for c in _ATTRIBUTE_COLUMNS if get(c)},
    }  # fmt: skip


def _year(value: str) -> str:
    """``2012.0`` (a float-typed export) → ``2012``; anything else is kept as written."""
    return value.removesuffix(".0") if value.removesuffix(".0").isdigit() else value
