"""Myntra styles CSV: Merchant Center fields, audiences, attributes the guide reads, photos, bad rows by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.unit.test_import_support import messages, run, write_file, write_image
from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.data.importing import ImportFailed
from vestis.data.myntra import import_myntra
from vestis.guide.vocabulary import GuideProduct

HEADER = "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName"
STYLES = f"""{HEADER}
15970,Men,Apparel,Topwear,Shirts,Navy Blue,Fall,2011,Casual,Turtle Check Men Navy Blue Shirt
39386,Women,Apparel,Bottomwear,Jeans,Blue,Summer,2012.0,Casual,Peter England Women Blue Jeans
21379,Boys,Apparel,Topwear,Tshirts,Red,Summer,2012,Sports,Gini and Jony Boys Red T-shirt
53759,Girls,Apparel,Dress,Dresses,Pink,Spring,2016,Casual,Nauti Nati Girls Pink Dress
1855,Unisex,Accessories,Bags,Backpacks,Black,Fall,2011,Casual,Wildcraft Unisex Black Backpack
2222,women,Footwear,Shoes,Heels,Gold,Winter,2015,Party,Catwalk Women Gold Heels
3333,Pets,Apparel,Topwear,Tshirts,White,Summer,2012,Casual,Some Pet Tee
4444,Men,Apparel,Topwear,Shirts,White,Summer,2012,Formal,
5555,Men,Personal Care,Fragrance,Perfume and Body Mist,,,,,Davidoff Men Cool Water
"""


def _styles(tmp_path: Path, text: str = STYLES) -> Path:
    write_image(tmp_path / "images" / "15970.jpg")
    return write_file(tmp_path, "styles.csv", text)


def test_each_gender_spelling_becomes_gender_and_age_group(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_myntra, _styles(tmp_path), images_dir=tmp_path / "stored")
    expected = {
        "15970": ("male", "adult"),
        "39386": ("female", "adult"),
        "21379": ("male", "kids"),
        "53759": ("female", "kids"),
        "1855": ("unisex", "adult"),
        "2222": ("female", "adult"),  # case-insensitive
    }
    with session_factory(engine)() as session:
        for product_id, audience in expected.items():
            product = store.get_product(session, product_id)
            assert product is not None, product_id
            assert (product.gender, product.age_group) == audience, product_id


def test_fields_and_the_attributes_the_guide_reads_are_kept(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_myntra, _styles(tmp_path), images_dir=tmp_path / "stored")
    with session_factory(engine)() as session:
        shirt = store.get_product(session, "15970")
        jeans = store.get_product(session, "39386")
        perfume = store.get_product(session, "5555")
        assert shirt is not None and jeans is not None and perfume is not None
        assert (shirt.title, shirt.product_type, shirt.color, shirt.price) == (
            "Turtle Check Men Navy Blue Shirt",
            "Topwear",
            "Navy Blue",
            None,
        )
        assert shirt.google_product_category == "Apparel & Accessories > Clothing"
        assert shirt.attributes == {
            "subcategory": "Shirts",
            "occasion": "Casual",
            "season": "Fall",
            "year": "2011",
            "master_category": "Apparel",
        }
        assert jeans.attributes["year"] == "2012"  # a float-typed export's "2012.0"
        assert (perfume.color, perfume.google_product_category) == (None, "Health & Beauty > Personal Care")
        assert "season" not in perfume.attributes
        guide = GuideProduct.from_product(shirt)
        assert (guide.kind, guide.occasion, guide.season, guide.age_group) == (
            "Shirts",
            "casual",
            "fall",
            "adult",
        )


def test_a_photo_beside_the_csv_is_stored_and_a_missing_one_is_no_error(
    engine: Engine, tmp_path: Path
) -> None:
    report = run(engine, import_myntra, _styles(tmp_path), images_dir=tmp_path / "stored")
    with session_factory(engine)() as session:
        with_photo = store.get_product(session, "15970")
        without = store.get_product(session, "39386")
        assert with_photo is not None and without is not None
        assert with_photo.image_link == "images/15970.jpg" and with_photo.image_path
        assert (tmp_path / "stored" / with_photo.image_path).is_file()
        assert (without.image_link, without.image_path) == (None, None)
    assert not any("image" in message for message in messages(report))


def test_bad_rows_are_reported_by_line_with_the_field_named(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "1855.jpg").write_bytes(b"not a photo")
    report = run(engine, import_myntra, _styles(tmp_path), images_dir=tmp_path / "stored")
    path = tmp_path / "styles.csv"
    assert (report.rows_read, report.rows_written) == (9, 6)
    found = messages(report)
    assert any(m.startswith(f"{path}:6: image_link") for m in found), found
    assert any(m.startswith(f"{path}:8: gender") and "'Pets'" in m for m in found), found
    assert any(m.startswith(f"{path}:9: title") for m in found), found


def test_strict_import_stops_at_the_first_bad_row_and_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="gender"):
        run(engine, import_myntra, _styles(tmp_path), images_dir=tmp_path / "stored", strict=True)
    with session_factory(engine)() as session:
        assert store.get_product(session, "15970") is None


def test_a_file_without_the_myntra_columns_is_refused_before_any_row(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="productdisplayname"):
        run(
            engine,
            import_myntra,
            write_file(tmp_path, "styles.csv", "id,gender,articleType\n1,Men,Shirts\n"),
            images_dir=tmp_path / "stored",
        )
