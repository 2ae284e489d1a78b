"""Merchant Center feeds: field mapping, local images, idempotence and bad input reported by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.unit.test_import_support import counts, messages, run, write_file, write_image
from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.catalog.images import product_image_file
from vestis.data.importing import ImportFailed
from vestis.data.merchant_feed import import_merchant_feed

GOOD_FEED = """
    id\ttitle\tprice\tavailability\tgender\tsize\timage_link\titem_group_id
    sku-1\tLinen shirt\t19.99 EUR\tin stock\twomen\tS,M,L\tphotos/sku-1.jpg\tshirts
    sku-2\tWool coat\t120,50\tout of stock\tmen\t\thttps://example.com/coat.jpg\t
"""


def _feed(tmp_path: Path, text: str = GOOD_FEED, name: str = "feed.tsv") -> Path:
    write_image(tmp_path / "photos" / "sku-1.jpg")
    return write_file(tmp_path, name, text)


def test_feed_fields_map_onto_products(engine: Engine, tmp_path: Path) -> None:
    images = tmp_path / "images"
    report = run(engine, import_merchant_feed, _feed(tmp_path), images_dir=images)

    assert (report.rows_read, report.rows_written, report.errors) == (2, 2, [])
    with session_factory(engine)() as session:
        shirt, coat = store.get_product(session, "sku-1"), store.get_product(session, "sku-2")
        assert shirt is not None and coat is not None
        assert (shirt.price, shirt.currency, shirt.availability) == (19.99, "EUR", "in_stock")
        assert (shirt.gender, shirt.size, shirt.attributes) == (
            "female",
            ["S", "M", "L"],
            {"item_group_id": "shirts"},
        )
        assert product_image_file(images, shirt.image_path) is not None
        assert (coat.price, coat.availability, coat.gender) == (120.5, "out_of_stock", "male")
        assert coat.image_link == "https://example.com/coat.jpg" and coat.image_path is None


def test_reimporting_a_feed_changes_no_counts(engine: Engine, tmp_path: Path) -> None:
    feed = _feed(tmp_path)
    run(engine, import_merchant_feed, feed, images_dir=tmp_path / "images")
    first = counts(engine)
    run(engine, import_merchant_feed, feed, images_dir=tmp_path / "images")
    assert counts(engine) == first and first["products"] == 2


def test_missing_required_column_fails_and_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_merchant_feed, _feed(tmp_path), images_dir=tmp_path / "images")
    before = counts(engine)
    feed = write_file(tmp_path, "no-title.csv", "id,price\nsku-3,5\n")

    with pytest.raises(ImportFailed, match=r"no-title\.csv: missing required column\(s\): title"):
        run(engine, import_merchant_feed, feed, images_dir=tmp_path / "images")
    assert counts(engine) == before


def test_bad_rows_are_reported_by_file_line_and_field(engine: Engine, tmp_path: Path) -> None:
    write_file(tmp_path, "photos/not-an-image.jpg", "plain text, not a JPEG")
    feed = write_file(
        tmp_path,
        "feed.csv",
        """
        id,title,price,image_link
        sku-1,Linen shirt,19.99,
        sku-1,Linen shirt again,18.00,
        sku-2,Scarf,cheap,
        sku-3,Hat,5.00,photos/not-an-image.jpg
        sku-4,Belt,-3,
        """,
    )
    report = run(engine, import_merchant_feed, feed, images_dir=tmp_path / "images")

    errors = messages(report)
    assert report.rows_written == 1 and report.rows_rejected == 4
    assert errors[0].startswith(f"{feed}:3: duplicate id 'sku-1' (first seen on line 2)")
    assert errors[1].startswith(f"{feed}:4: price: expected a number")
    assert errors[2].startswith(f"{feed}:5: image_link: ") and "not a supported image" in errors[2]
    assert errors[3] == f"{feed}:6: price: must not be negative"
    with session_factory(engine)() as session:
        kept = store.get_product(session, "sku-1")
        assert kept is not None and kept.title == "Linen shirt"


def test_strict_mode_aborts_and_keeps_earlier_rows(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_merchant_feed, _feed(tmp_path), images_dir=tmp_path / "images")
    before = counts(engine)
    feed = write_file(tmp_path, "bad.csv", "id,title,price\nsku-9,Sock,2.00\nsku-10,,3.00\n")

    with pytest.raises(ImportFailed, match=r"bad\.csv:3: title: .*strict mode"):
        run(engine, import_merchant_feed, feed, images_dir=tmp_path / "images", strict=True)
    assert counts(engine) == before
