"""Google Merchant Center product feeds (TSV or CSV) into the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pydantic import BaseModel
from sqlalchemy.orm import Session

from vestis.catalog import store
from vestis.catalog.images import store_product_image
from vestis.data.importing import ImportReport, RowRejected, run_import
from vestis.data.schemas import ProductRecord
from vestis.data.tables import open_table
from vestis.vision.io import ImageError

REQUIRED_COLUMNS = ("id", "title", "price")


def import_merchant_feed(
    session: Session,
    path: Path,
    *,
    images_dir: Path,
    strict: bool = False,
    chunk_size: int = 2_000,
    progress: bool = True,
) -> ImportReport:
    """Upsert every valid product of a Merchant Center feed; bad rows are reported by line.

    Columns outside Merchant Center's product fields (``item_group_id``, ``sale_price``,
    …) are kept in ``attributes``. A local ``image_link`` (relative to the feed, or
    ``file://``) is validated and stored under ``images_dir``; web links stay links.
    """

    def with_image(record: BaseModel) -> dict[str, Any]:
        product = record.model_dump()
        local = local_file(product["image_link"], path.parent)
        if local is not None:
            try:
                product["image_path"] = store_product_image(images_dir, product["id"], local)
            except ImageError as error:
                raise RowRejected("image_link", str(error)) from None
        return product

    with open_table(path, required=REQUIRED_COLUMNS, lower_header=True, progress=progress) as (
        _header,
        rows,
    ):
        return run_import(
            session,
            source=str(path),
            rows=rows,
            schema=ProductRecord,
            write=lambda s, chunk: store.upsert_products(s, rows=chunk),
            strict=strict,
            chunk_size=chunk_size,
            key=lambda record: record.id,  # type: ignore[attr-defined]
            transform=with_image,
        )


def local_file(link: str | None, base: Path) -> Path | None:
    """The local file an image link points to (relative path or ``file://``), if any."""
    if not link:
        return None
    parsed = urlparse(link)
    if parsed.scheme in ("http", "https", "ftp", "gs", "s3"):
        return None
    path = Path(unquote(parsed.path)) if parsed.scheme == "file" else Path(link)
    return path if path.is_absolute() else base / path
