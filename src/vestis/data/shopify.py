"""Shopify product CSV exports (Admin → Products → Export) into the catalog.

Shopify writes one row per variant: a product's first row carries its title, description,
vendor and type, the rows after it (same ``Handle``) only their option values, price, stock
and images. Vestis keeps one product per handle and colour, as Merchant Center items of one
``item_group_id`` do: a colour is what a shopper sees and tries on, while sizes are a list on
the product. So a handle whose variants come in several colours becomes one product per
colour (id ``<handle>-<colour>``, each with its own variant image when there is one); a handle
without a colour option stays one product (id ``<handle>``).

Column to field: ``Title`` → ``title``; ``Body (HTML)`` → ``description`` (tags stripped);
``Vendor`` → ``brand``; ``Type`` → ``product_type``; ``Product Category`` (or ``Google
Shopping / Google Product Category``) → ``google_product_category``; ``Google Shopping /
Gender`` and ``/ Age Group`` → ``gender`` and ``age_group``; the ``Color``/``Colour`` option →
``color``; the ``Size`` option → ``size``; the lowest ``Variant Price`` → ``price`` (the shop's
currency is not in the file: pass it); ``Image Src`` by ``Image Position`` → ``image_link`` and
``additional_image_link``. A product is ``in_stock`` when a variant has stock, is not tracked, or
may be sold out of stock (``Variant Inventory Policy`` ``continue``); a draft or archived
product (``Status``) is imported ``out_of_stock``, with its status kept. ``Tags``, other
options, the handle and a compare-at price above the price go into ``attributes``. A bad
product is reported by the line its first row starts on, with the field named.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from vestis.data.importing import ImportReport
from vestis.data.merchant_feed import upsert_product_rows
from vestis.data.tables import Row, open_table

__all__ = ["REQUIRED_COLUMNS", "import_shopify", "shopify_products"]

REQUIRED_COLUMNS = ("handle", "title")
_COLOUR_OPTIONS = ("color", "colour")
_SIZE_OPTIONS = ("size",)
_OPTIONS = 3
"""Shopify products have at most three options (``Option1 Name`` … ``Option3 Name``)."""
_HIDDEN = ("draft", "archived")
_TAG = re.compile(r"<[^>]+>")


def import_shopify(
    session: Session,
    path: Path,
    *,
    images_dir: Path,
    currency: str | None = None,
    strict: bool = False,
    chunk_size: int = 2_000,
    progress: bool = True,
) -> ImportReport:
    """Upsert every product of a Shopify product CSV export; bad products are reported by line.

    ``currency`` (an ISO 4217 code, e.g. ``EUR``) is the shop's: Shopify's export leaves it out.
    Images are links (Shopify's CDN) or, as in a Merchant Center feed, files inside the export's
    folder, staged and stored under ``images_dir`` when the caller's transaction commits.
    """
    with open_table(path, required=REQUIRED_COLUMNS, lower_header=True, progress=progress) as (_header, rows):
        return upsert_product_rows(
            session,
            path,
            shopify_products(rows, currency=currency),
            images_dir=images_dir,
            strict=strict,
            chunk_size=chunk_size,
        )


def shopify_products(
    rows: Iterable[tuple[int, Row]], *, currency: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Merchant Center product rows from a Shopify export's ``(line, row)`` pairs (lower-cased
    column names), one per handle and colour, each numbered by the line its handle starts on."""
    handle, line, group = None, 0, []
    for number, row in rows:
        current = (row.get("handle") or "").strip()
        if group and current != handle:
            yield from _products(line, group, currency)
            group = []
        if not group:
            handle, line = current, number
        group.append(row)
    if group:
        yield from _products(line, group, currency)


# ------------------------------------------------------------------------------ helpers
def _products(line: int, rows: list[Row], currency: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """The product rows of one handle's export rows (its first row holds the product's fields)."""
    first = rows[0]
    handle = (first.get("handle") or "").strip()
    names = [(first.get(f"option{i} name") or "").strip().lower() for i in range(1, _OPTIONS + 1)]
    variants = [row for row in rows if any(_get(row, f"option{i} value") for i in range(1, _OPTIONS + 1))]
    variants = variants or [row for row in rows if _get(row, "variant price") or _get(row, "variant sku")]
    colour_at = next((i for i, name in enumerate(names, 1) if name in _COLOUR_OPTIONS), None)
    size_at = next((i for i, name in enumerate(names, 1) if name in _SIZE_OPTIONS), None)
    images = [row["image src"].strip() for row in sorted(rows, key=_image_position) if _get(row, "image src")]
    base = _base_fields(first, handle, names, colour_at, size_at, currency)
    colours = _unique(_get(row, f"option{colour_at} value") for row in variants) if colour_at else []
    if len(colours) <= 1:
        yield line, _with_variants(base, handle, variants, colours[0] if colours else None, size_at, images)
        return
    for colour in colours:
        mine = [row for row in variants if _get(row, f"option{colour_at} value") == colour]
        own = _unique(_get(row, "variant image") for row in mine)
        record = _with_variants(base, f"{handle}-{_slug(colour)}", mine, colour, size_at, own + images)
        yield line, record


def _base_fields(
    first: Row,
    handle: str,
    names: list[str],
    colour_at: int | None,
    size_at: int | None,
    currency: str | None,
) -> dict[str, Any]:
    """The fields every product of a handle shares, from its first row."""
    status = _get(first, "status").lower()
    extra = {
        "item_group_id": handle,
        **({"tags": _get(first, "tags")} if _get(first, "tags") else {}),
        **({"status": status} if status else {}),
        **{
            name: _get(first, f"option{i} value")
            for i, name in enumerate(names, 1)
            if name and i not in (colour_at, size_at) and name != "title"
        },
    }
    return {
        "title": _get(first, "title"),
        "description": _plain_text(_get(first, "body (html)")),
        "brand": _get(first, "vendor"),
        "product_type": _get(first, "type"),
        "google_product_category": _get(first, "product category")
        or _get(first, "google shopping / google product category"),
        "gender": _get(first, "google shopping / gender"),
        "age_group": _get(first, "google shopping / age group"),
        "currency": currency or "",
        "attributes": extra,
    }


def _with_variants(
    base: dict[str, Any],
    product_id: str,
    variants: list[Row],
    colour: str | None,
    size_at: int | None,
    images: list[str],
) -> dict[str, Any]:
    """A product row: ``base`` with the id, colour, sizes, price, stock and images of ``variants``."""
    prices = [_get(row, "variant price") for row in variants if _get(row, "variant price")]
    unreadable = [value for value in prices if _amount(value) == float("inf")]
    # An unreadable variant price is passed on, so the schema rejects the product naming ``price``.
    price = unreadable[0] if unreadable else min(prices, key=_amount, default="")
    compares = [
        _get(row, "variant compare at price") for row in variants if _get(row, "variant compare at price")
    ]
    compare = max(compares, key=_amount, default="")
    attributes = dict(base["attributes"])
    if compare and price and _amount(compare) > _amount(price):
        attributes["compare_at_price"] = compare
    images = _unique(images)
    return {
        **base,
        "id": product_id,
        "color": colour or "",
        "size": _unique(_get(row, f"option{size_at} value") for row in variants) if size_at else [],
        "price": price,
        "availability": "out_of_stock"
        if attributes.get("status") in _HIDDEN or not any(map(_sellable, variants))
        else "in_stock",
        "image_link": images[0] if images else "",
        "additional_image_link": images[1:],
        "attributes": attributes,
    }


def _sellable(variant: Row) -> bool:
    """Whether a variant can be bought: stock on hand, no stock tracking, or sold when out of stock."""
    if (
        not _get(variant, "variant inventory tracker")
        or _get(variant, "variant inventory policy") == "continue"
    ):
        return True
    quantity = _get(variant, "variant inventory qty")
    return not quantity or _amount(quantity) > 0


def _get(row: Row, column: str) -> str:
    return (row.get(column) or "").strip()


def _amount(value: str) -> float:
    """A price or quantity as a number (unreadable ones sort last and fail the schema's check)."""
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return float("inf")


def _image_position(row: Row) -> float:
    position = _get(row, "image position")
    return float(position) if position.isdigit() else float("inf")


def _unique(values: Iterable[str]) -> list[str]:
    """Non-empty values in first-seen order, without repeats."""
    return list(dict.fromkeys(value for value in values if value))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "colour"


def _plain_text(body: str) -> str:
    """Shopify's HTML description as plain text: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", body))).strip()
