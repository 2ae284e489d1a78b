"""Google Merchant Center product feeds (CSV, TSV or parquet) into the catalog, as retailers write them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pydantic import BaseModel
from sqlalchemy.orm import Session

from vestis.catalog import store
from vestis.catalog.images import file_inside, stage_images
from vestis.data.importing import ImportReport, RowRejected, run_import
from vestis.data.schemas import ProductRecord
from vestis.data.tables import open_table
from vestis.vision.io import ImageError

REQUIRED_COLUMNS = ("id", "title")
"""A catalog may have no prices (Myntra's has none): without a ``price`` column products have none."""


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

    Column names are read in snake case (``Image Link``, ``imageLink`` → ``image_link``).
    Columns outside Merchant Center's product fields (``item_group_id``, ``usage``, …) are
    kept in ``attributes``, those the guide reads under its names (``usage`` → ``occasion``,
    see :data:`~vestis.data.schemas.ATTRIBUTE_ALIASES`). Gender spellings such as ``Boys``
    give the age group too (:func:`~vestis.data.schemas.audience`). A CSV, TSV or parquet file
    is read (:func:`~vestis.data.tables.open_table`). A local ``image_link`` (relative to the
    feed, or ``file://``) must stay inside the feed's folder; it is validated and staged, and
    stored under ``images_dir`` only when the caller's transaction commits. Web links stay links.
    """
    with open_table(path, required=REQUIRED_COLUMNS, snake_header=True, progress=progress) as (
        _header,
        rows,
    ):
        return upsert_product_rows(
            session, path, rows, images_dir=images_dir, strict=strict, chunk_size=chunk_size
        )


def upsert_product_rows(
    session: Session,
    path: Path,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    images_dir: Path,
    strict: bool,
    chunk_size: int,
) -> ImportReport:
    """Validate product ``rows`` (Merchant Center fields) read from the file ``path`` and upsert
    the good ones by id, their local images staged (:func:`image_staging`); the report names
    every bad row by line. The last step of every product importer."""
    return run_import(
        session,
        source=str(path),
        rows=rows,
        schema=ProductRecord,
        write=lambda s, chunk: store.upsert_products(s, rows=chunk),
        strict=strict,
        chunk_size=chunk_size,
        key=lambda record: record.id,  # type: ignore[attr-defined]
        transform=image_staging(session, images_dir, path.parent),
    )


def image_staging(session: Session, images_dir: Path, base: Path) -> Callable[[BaseModel], dict[str, Any]]:
    """The ``transform`` a product importer hands :func:`~vestis.data.importing.run_import`: a
    record's local ``image_link`` (see :func:`local_file`, inside ``base``) validated and staged
    for ``images_dir`` (stored when the caller's transaction commits); a bad image rejects the row."""
    stage = stage_images(session, images_dir)

    def with_image(record: BaseModel) -> dict[str, Any]:
        product = record.model_dump()
        local = local_file(product["image_link"], base)
        if local is not None:
            try:
                product["image_path"] = stage.add(product["id"], local)
            except ImageError as error:
                raise RowRejected("image_link", str(error)) from None
        return product

    return with_image


def local_file(link: str | None, base: Path) -> Path | None:
    """The local file an image link points to (relative path or ``file://``), if any.

    The file must stay inside ``base``, the feed's folder: any other path (``../x.jpg``,
    ``/tmp/x.jpg``, a symbolic link out of the folder) raises :class:`RowRejected` for
    ``image_link``, with one message whether or not a file exists there.
    """
    if not link:
        return None
    parsed = urlparse(link)
    if parsed.scheme in ("http", "https", "ftp", "gs", "s3"):
        return None
    path = Path(unquote(parsed.path)) if parsed.scheme == "file" else Path(link)
    inside = file_inside(base / path, base)
    if inside is None:
        raise RowRejected(
            "image_link",
            f"{link!r} is outside the feed's folder; use a web link (http or https) "
            "or a path inside the folder that holds the feed",
        )
    return inside
