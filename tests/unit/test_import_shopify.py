"""Shopify product CSV exports: variants grouped per handle and colour, stock, images, bad rows by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.unit.test_import_support import messages, run, write_file, write_image
from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.data.importing import ImportFailed
from vestis.data.shopify import import_shopify

HEADER = (
    "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,"
    "Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Inventory Tracker,"
    "Variant Inventory Qty,Variant Inventory Policy,Variant Price,Variant Compare At Price,Image Src,"
    "Image Position,Variant Image,Google Shopping / Gender,Google Shopping / Age Group,Status"
)
EXPORT = f"""{HEADER}
linen-shirt,Linen Shirt,"<p>Breezy <b>linen</b> &amp; cotton.</p>",Acme,Apparel & Accessories > Clothing > Shirts & Tops,Shirts,"summer, linen",TRUE,Color,White,Size,S,,,LS-W-S,shopify,3,deny,39.00,49.00,https://cdn.example.com/shirt-front.jpg,1,https://cdn.example.com/shirt-white.jpg,Female,Adult,active
linen-shirt,,,,,,,,,White,,M,,,LS-W-M,shopify,0,deny,39.00,49.00,https://cdn.example.com/shirt-back.jpg,2,,,,
linen-shirt,,,,,,,,,Blue,,S,,,LS-B-S,shopify,0,deny,35.00,,,,https://cdn.example.com/shirt-blue.jpg,,,
linen-shirt,,,,,,,,,Blue,,L,,,LS-B-L,shopify,0,deny,35.00,,,,,,,
wool-scarf,Wool Scarf,Warm.,Acme,,Scarves,,TRUE,Title,Default Title,,,,,WS-1,,,,"19,50",,photos/scarf.jpg,1,,Unisex,,draft
"""


def _export(tmp_path: Path, text: str = EXPORT) -> Path:
    write_image(tmp_path / "photos" / "scarf.jpg")
    return write_file(tmp_path, "products_export.csv", text)


def test_each_colour_of_a_handle_is_a_product_with_its_sizes_price_and_images(
    engine: Engine, tmp_path: Path
) -> None:
    report = run(engine, import_shopify, _export(tmp_path), images_dir=tmp_path / "images", currency="EUR")
    assert (report.rows_read, report.rows_written, report.errors) == (3, 3, [])
    with session_factory(engine)() as session:
        white = store.get_product(session, "linen-shirt-white")
        blue = store.get_product(session, "linen-shirt-blue")
        assert white is not None and blue is not None
        assert (white.title, white.brand, white.product_type, white.color) == (
            "Linen Shirt",
            "Acme",
            "Shirts",
            "White",
        )
        assert white.description == "Breezy linen & cotton."
        assert (white.size, white.price, white.currency, white.gender, white.age_group) == (
            ["S", "M"],
            39.0,
            "EUR",
            "female",
            "Adult",
        )
        assert white.availability == "in_stock"  # S has three in stock
        assert white.image_link == "https://cdn.example.com/shirt-white.jpg"
        assert white.additional_image_link == [
            "https://cdn.example.com/shirt-front.jpg",
            "https://cdn.example.com/shirt-back.jpg",
        ]
        assert white.attributes["item_group_id"] == "linen-shirt"
        assert white.attributes["compare_at_price"] == "49.00"
        assert white.attributes["tags"] == "summer, linen"
        assert (blue.size, blue.price, blue.availability) == (["S", "L"], 35.0, "out_of_stock")
        assert blue.image_link == "https://cdn.example.com/shirt-blue.jpg"
        assert "compare_at_price" not in blue.attributes


def test_a_product_without_options_is_one_product_and_a_draft_is_not_on_sale(
    engine: Engine, tmp_path: Path
) -> None:
    run(engine, import_shopify, _export(tmp_path), images_dir=tmp_path / "images")
    with session_factory(engine)() as session:
        scarf = store.get_product(session, "wool-scarf")
        assert scarf is not None
        assert (scarf.price, scarf.currency, scarf.size, scarf.color) == (19.5, None, [], None)
        assert (scarf.availability, scarf.attributes["status"]) == ("out_of_stock", "draft")
        assert scarf.image_path  # a local image inside the export's folder is stored
        assert "title" not in scarf.attributes


def test_bad_products_are_reported_by_the_line_their_handle_starts_on(engine: Engine, tmp_path: Path) -> None:
    text = f"""{HEADER}
tee,Tee,,,,,,,Size,S,,,,,T-S,,,,abc,,,,,,,active
tee,,,,,,,,,M,,,,,T-M,,,,12.00,,,,,,,
orphan,,,,,,,,,M,,,,,O-M,,,,12.00,,,,,,,
ok,Fine Tee,,,,,,,,,,,,,OK-1,,,,9.00,,,,,Male,,active
"""
    report = run(
        engine, import_shopify, write_file(tmp_path, "export.csv", text), images_dir=tmp_path / "images"
    )
    assert report.rows_written == 1
    assert any(message.startswith(f"{tmp_path / 'export.csv'}:2: price") for message in messages(report)), (
        messages(report)
    )
    assert any(":4: title" in message for message in messages(report)), messages(report)


def test_strict_import_of_a_bad_export_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    text = f"{HEADER}\nbad,,,,,,,,,,,,,,B-1,,,,1.00,,,,,,,\n"
    with pytest.raises(ImportFailed, match="title"):
        run(
            engine,
            import_shopify,
            write_file(tmp_path, "export.csv", text),
            images_dir=tmp_path / "i",
            strict=True,
        )


def test_an_export_without_a_handle_column_is_refused_before_any_row(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="handle"):
        run(
            engine,
            import_shopify,
            write_file(tmp_path, "export.csv", "Title,Price\nA,1\n"),
            images_dir=tmp_path / "i",
        )
