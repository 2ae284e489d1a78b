"""The H&M Personalized Fashion Recommendations data set (Kaggle CSV layout) into the catalog.

The layout is one folder holding ``articles.csv`` (required), ``customers.csv`` and
``transactions_train.csv`` (both optional) and, when present, product photos under
``images/<first three digits>/<10-digit article id>.jpg``. Articles become Merchant
Center products, customers become consent-aware customers and transactions become
purchase events; every row goes through the shared record schemas and import loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from vestis.catalog import store
from vestis.catalog.images import file_inside, stage_images
from vestis.data.importing import ImportFailed, ImportReport, RowRejected, run_import
from vestis.data.schemas import CustomerRecord, EventRecord, ProductRecord, audience
from vestis.data.tables import Row, open_table
from vestis.vision.io import ImageError

ARTICLES = "articles.csv"
CUSTOMERS = "customers.csv"
TRANSACTIONS = "transactions_train.csv"
BRAND = "H&M"

GOOGLE_CATEGORIES = {
    "Garment Upper body": "Apparel & Accessories > Clothing",
    "Garment Lower body": "Apparel & Accessories > Clothing",
    "Garment Full body": "Apparel & Accessories > Clothing",
    "Underwear": "Apparel & Accessories > Clothing > Underwear & Socks",
    "Socks & Tights": "Apparel & Accessories > Clothing > Underwear & Socks",
    "Nightwear": "Apparel & Accessories > Clothing > Sleepwear & Loungewear",
    "Underwear/nightwear": "Apparel & Accessories > Clothing > Sleepwear & Loungewear",
    "Swimwear": "Apparel & Accessories > Clothing > Swimwear",
    "Shoes": "Apparel & Accessories > Shoes",
    "Accessories": "Apparel & Accessories > Clothing Accessories",
    "Bags": "Apparel & Accessories > Handbags, Wallets & Cases",
}
"""``product_group_name`` → Google product category; other groups (Cosmetic, Items, …) get none."""


def import_hm(
    session: Session,
    directory: Path,
    *,
    images_dir: Path,
    strict: bool = False,
    progress: bool = True,
    assume_consent: bool = False,
) -> ImportReport:
    """Import an H&M Kaggle folder: articles, then customers and transactions when present.

    Articles map onto Merchant Center fields (``prod_name`` → title, ``detail_desc`` →
    description, ``product_type_name`` → product_type, ``colour_group_name`` → color,
    ``graphical_appearance_name`` → pattern, gender and age group from the index), with
    brand "H&M" and every other column kept in ``attributes``; a photo found under
    ``images/`` is validated and staged, and stored under ``images_dir`` when the caller's
    transaction commits (a photo path leading out of ``images/``, by ``..`` in the id or a
    symbolic link, makes a bad row). customers.csv carries no consent flag, so age and
    postal code are stored only when ``assume_consent`` is true (the caller vouches for
    consent). Transactions become purchase events dated at midnight UTC with their price;
    ``sales_channel_id`` has no catalog field and is dropped. H&M dates are days, so several
    units of one article bought by one customer on one day collapse into one event: the
    report's ``rows_ignored`` counts them.
    """
    if not (directory / ARTICLES).is_file():
        raise ImportFailed(
            f"{directory}: not an H&M data set folder: {ARTICLES} is missing "
            f"({CUSTOMERS} and {TRANSACTIONS} are optional)"
        )
    report = ImportReport(source=str(directory))
    report.merge(_import_articles(session, directory, images_dir, strict=strict, progress=progress))
    if (directory / CUSTOMERS).is_file():
        report.merge(
            _import_customers(
                session,
                directory / CUSTOMERS,
                assume_consent=assume_consent,
                strict=strict,
                progress=progress,
            )
        )
    if (directory / TRANSACTIONS).is_file():
        report.merge(
            _import_transactions(session, directory / TRANSACTIONS, strict=strict, progress=progress)
        )
    return report


def article_id(raw: str) -> str:
    """The 10-digit article id H&M uses in file names (``108775015`` → ``0108775015``)."""
    text = raw.strip()
    return text.zfill(10) if text.isdigit() else text


def image_file(directory: Path, product_id: str) -> Path:
    """Where the Kaggle layout keeps an article's photo: ``images/010/0108775015.jpg``."""
    return directory / "images" / product_id[:3] / f"{product_id}.jpg"


def _import_articles(
    session: Session, directory: Path, images_dir: Path, *, strict: bool, progress: bool
) -> ImportReport:
    stage = stage_images(session, images_dir)

    def with_image(record: BaseModel) -> dict[str, Any]:
        product = record.model_dump()
        photo = file_inside(image_file(directory, product["id"]), directory / "images")
        if photo is None:
            raise RowRejected("image", "the article's photo path leads out of the data set's images/ folder")
        if photo.is_file():
            try:
                product["image_path"] = stage.add(product["id"], photo)
            except ImageError as error:
                raise RowRejected("image", str(error)) from None
        return product

    path = directory / ARTICLES
    with open_table(path, required=("article_id", "prod_name"), progress=progress) as (_h, rows):
        return run_import(
            session,
            source=str(path),
            rows=((line, _product(row)) for line, row in rows),
            schema=ProductRecord,
            write=lambda s, chunk: store.upsert_products(s, rows=chunk),
            strict=strict,
            chunk_size=2_000,
            key=lambda record: record.id,  # type: ignore[attr-defined]
            transform=with_image,
        )


def _import_customers(
    session: Session, path: Path, *, assume_consent: bool, strict: bool, progress: bool
) -> ImportReport:
    with open_table(path, required=("customer_id",), progress=progress) as (_h, rows):
        return run_import(
            session,
            source=str(path),
            rows=((line, _customer(row, assume_consent)) for line, row in rows),
            schema=CustomerRecord,
            write=lambda s, chunk: store.upsert_customers(s, rows=chunk),
            strict=strict,
            key=lambda record: record.id,  # type: ignore[attr-defined]
        )


def _import_transactions(session: Session, path: Path, *, strict: bool, progress: bool) -> ImportReport:
    required = ("t_dat", "customer_id", "article_id")
    with open_table(path, required=required, progress=progress) as (_h, rows):
        return run_import(
            session,
            source=str(path),
            rows=_purchases(rows),
            schema=EventRecord,
            write=lambda s, chunk: store.add_events(s, rows=chunk),
            strict=strict,
            chunk_size=10_000,
        )


_PRODUCT_COLUMNS = {
    "article_id": "id",
    "prod_name": "title",
    "detail_desc": "description",
    "product_type_name": "product_type",
    "colour_group_name": "color",
    "graphical_appearance_name": "pattern",
}
_GROUP_AUDIENCE = {
    "Ladieswear": ("female", "adult"),
    "Divided": ("female", "adult"),
    "Menswear": ("male", "adult"),
    "Baby/Children": ("unisex", "kids"),
}
_PERSONAL_COLUMNS = ("age", "postal_code")


def _product(row: Row) -> dict[str, Any]:
    """Merchant Center fields of one articles.csv row; unmapped columns go to ``attributes``.

    The unnamed leading index column some exports carry (header ``""``) is dropped.
    """
    gender, age_group = _audience(row)
    product: dict[str, Any] = {field: row.get(column, "") for column, field in _PRODUCT_COLUMNS.items()}
    product["id"] = article_id(product["id"])
    product.update(
        brand=BRAND,
        google_product_category=GOOGLE_CATEGORIES.get(row.get("product_group_name", "").strip()),
        gender=gender,
        age_group=age_group,
        attributes={
            column: value.strip()
            for column, value in row.items()
            if column and column not in _PRODUCT_COLUMNS and value.strip()
        },
    )
    return product


def _audience(row: Row) -> tuple[str | None, str | None]:
    """Gender and age group from the index group, or for Sport from the section's first word
    (``Ladies``, ``Mens``, ``Kids`` …, read as any importer reads a gender)."""
    group = row.get("index_group_name", "").strip()
    index = row.get("index_name", "").strip()
    section = row.get("section_name", "").strip()
    if index.startswith(("Baby", "Children")):
        return _GROUP_AUDIENCE["Baby/Children"]
    if group in _GROUP_AUDIENCE:
        return _GROUP_AUDIENCE[group]
    return audience(section.split(" ", 1)[0]) or (None, None)


def _customer(row: Row, assume_consent: bool) -> dict[str, Any]:
    """Customer fields of one customers.csv row; age and postal code only with consent."""
    attributes = {
        column: value.strip()
        for column, value in row.items()
        if column not in ("customer_id", "age")
        and value.strip()
        and (assume_consent or column not in _PERSONAL_COLUMNS)
    }
    return {
        "id": row["customer_id"],
        "consent_profile": assume_consent,
        "age": row.get("age") if assume_consent else None,
        "attributes": attributes,
    }


def _purchases(rows: Iterator[tuple[int, Row]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Purchase events of transactions_train.csv rows (``t_dat`` is a date, taken as UTC)."""
    for line, row in rows:
        yield (
            line,
            {
                "user_id": row["customer_id"],
                "item_id": article_id(row["article_id"]),
                "timestamp": row["t_dat"],
                "event_type": "purchase",
                "price": row.get("price"),
            },
        )
