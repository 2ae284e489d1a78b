"""A retailer's own catalog as it comes: gender spellings, no prices, parquet, facet columns as attributes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from tests.unit.test_api_support import shop_client
from tests.unit.test_import_support import messages, run, write_file
from vestis.api.routes.guide import card
from vestis.catalog import store
from vestis.catalog.db import session_factory, transaction
from vestis.catalog.models import Product
from vestis.data.importing import ImportFailed
from vestis.data.merchant_feed import import_merchant_feed
from vestis.data.schemas import ProductRecord
from vestis.guide.query import Query
from vestis.guide.search import ProductSearch
from vestis.guide.vocabulary import GuideProduct
from vestis.text.encoders import TfidfEncoder

SPELLING_FAMILIES = {
    "men": (("men", "Man", "MENS", "men's", "Men\u2019s", " Gents "), ("male", "adult")),
    "male": (("male", "M", "Male"), ("male", None)),
    "women": (("women", "Woman", "womens", "women's", "Ladies", "LADIES"), ("female", "adult")),
    "female": (("female", "F"), ("female", None)),
    "unisex": (("unisex", "All", "both"), ("unisex", None)),
    "boys": (("boys", "Boy"), ("male", "kids")),
    "girls": (("Girls", "girl"), ("female", "kids")),
    "kids": (("kids", "Children", "child"), ("unisex", "kids")),
    "baby": (("baby", "Babies", "infant"), ("unisex", "infant")),
    "newborn": (("newborn", "Newborns"), ("unisex", "newborn")),
    "toddler": (("toddler",), ("unisex", "toddler")),
    "baby girl": (("Baby Girl", "baby girls"), ("female", "infant")),
    "boys and girls": (("Boys & Girls", "boys and girls"), ("unisex", "kids")),
}


def _product(**fields: object) -> ProductRecord:
    return ProductRecord.model_validate({"id": "sku-1", "title": "Tee", **fields})


def _stored(engine: Engine, product_id: str) -> Product:
    with session_factory(engine)() as session:
        product = store.get_product(session, product_id)
        assert product is not None, product_id
        session.expunge(product)
        return product


@pytest.mark.parametrize("family", SPELLING_FAMILIES)
def test_each_gender_spelling_becomes_gender_and_age_group(family: str) -> None:
    spellings, expected = SPELLING_FAMILIES[family]
    for spelling in spellings:
        record = _product(gender=spelling)
        assert (record.gender, record.age_group) == expected, spelling


def test_a_stated_age_group_wins_over_the_one_a_gender_implies() -> None:
    assert (_product(gender="Girls", age_group="toddler").age_group, _product(gender="men").age_group) == (
        "toddler",
        "adult",
    )
    assert _product(gender="Boys", age_group=" ").age_group == "kids"


def test_an_unknown_gender_rejects_the_row_listing_what_is_accepted(engine: Engine, tmp_path: Path) -> None:
    feed = write_file(tmp_path, "feed.csv", "id,title,gender\nsku-1,Tee,Girls\nsku-2,Collar,Pets\n")
    report = run(engine, import_merchant_feed, feed, images_dir=tmp_path / "images")
    assert report.rows_written == 1
    [error] = messages(report)
    assert error.startswith(f"{feed}:3: gender: unknown gender 'Pets'; expected male, female or unisex")
    assert all(word in error for word in ("men", "ladies", "boys", "girls", "kids", "baby", "newborn"))


def test_prices_are_optional_but_a_bad_one_rejects_its_row(engine: Engine, tmp_path: Path) -> None:
    images = tmp_path / "images"
    no_column = write_file(tmp_path, "no-price.csv", "id,title\nsku-1,Kurta\n")
    assert run(engine, import_merchant_feed, no_column, images_dir=images).errors == []
    feed = write_file(
        tmp_path, "prices.csv", "id,title,price\nsku-2,Scarf,\nsku-3,Hat,cheap\nsku-4,Belt,5 EUR\n"
    )
    report = run(engine, import_merchant_feed, feed, images_dir=images)

    assert [error.split(": expected")[0] for error in messages(report)] == [f"{feed}:3: price"]
    assert [(_stored(engine, i).price, _stored(engine, i).currency) for i in ("sku-1", "sku-2", "sku-4")] == [
        (None, None),
        (None, None),
        (5.0, "EUR"),
    ]


def test_unknown_columns_become_attributes_under_the_names_the_guide_reads(
    engine: Engine, tmp_path: Path
) -> None:
    feed = write_file(
        tmp_path,
        "styles.csv",
        """
        ID,Title,Gender,Usage,articleType,subCategory,Season,Style,Fit,Fabric Care,Year,Image Link
        15970,Navy Shirt,Men,Formal,Shirts,Topwear,Fall,classic,slim,Hand wash,2012,https://example.com/1.jpg
        15971,Kurta,Women,Ethnic,,Topwear,,,,,,
        """,
    )
    assert run(engine, import_merchant_feed, feed, images_dir=tmp_path / "images").errors == []

    shirt, kurta = _stored(engine, "15970"), _stored(engine, "15971")
    assert (shirt.title, shirt.gender, shirt.age_group, shirt.image_link) == (
        "Navy Shirt",
        "male",
        "adult",
        "https://example.com/1.jpg",
    )
    assert shirt.attributes == {
        "occasion": "Formal",
        "subcategory": "Shirts",
        "sub_category": "Topwear",
        "season": "Fall",
        "style": "classic",
        "fit": "slim",
        "fabric_care": "Hand wash",
        "year": "2012",
    }
    assert kurta.attributes == {"occasion": "Ethnic", "subcategory": "Topwear"}
    guide = GuideProduct.from_product(shirt)
    assert (guide.occasion, guide.subcategory, guide.season, guide.style, guide.fit) == (
        "formal",
        "Shirts",
        "fall",
        "classic",
        "slim",
    )


def test_a_column_never_overwrites_a_core_field_or_a_named_attribute(engine: Engine, tmp_path: Path) -> None:
    images = tmp_path / "images"
    twice = write_file(tmp_path, "twice.csv", "id,title,Title\nsku-1,Shirt,Ignored\n")
    with pytest.raises(ImportFailed, match=r"columns 'title' and 'Title' both read as 'title'"):
        run(engine, import_merchant_feed, twice, images_dir=images)

    feed = write_file(tmp_path, "feed.csv", "id,title,occasion,usage\nsku-1,Shirt,wedding,Formal\n")
    run(engine, import_merchant_feed, feed, images_dir=images)
    assert _stored(engine, "sku-1").attributes == {"occasion": "wedding", "usage": "Formal"}


def test_a_parquet_catalog_is_read_batch_by_batch_with_bad_rows_named_by_row(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.parquet"
    pd.DataFrame(
        {
            "id": ["p1", "p2", "p3"],
            "productDisplayName": ["Red Tee", "Blue Jeans", "Odd Hat"],
            "title": ["Red Tee", "Blue Jeans", "Odd Hat"],
            "price": [19.99, None, 5.0],
            "gender": ["Boys", "women", "Aliens"],
            "usage": ["Sports", None, "Casual"],
            "year": [2012.0, None, 2016.0],
            "size": [["S", "M"], [], ["L"]],
        }
    ).to_parquet(path)
    report = run(engine, import_merchant_feed, path, images_dir=tmp_path / "images")

    assert (report.rows_read, report.rows_written) == (3, 2)
    assert messages(report)[0].startswith(f"{path}:3: gender: unknown gender 'Aliens'")
    tee, jeans = _stored(engine, "p1"), _stored(engine, "p2")
    assert (tee.price, tee.gender, tee.age_group, tee.size) == (19.99, "male", "kids", ["S", "M"])
    assert tee.attributes == {"product_display_name": "Red Tee", "occasion": "Sports", "year": "2012"}
    assert (jeans.price, jeans.gender, jeans.attributes) == (
        None,
        "female",
        {"product_display_name": "Blue Jeans"},
    )

    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really parquet")
    with pytest.raises(ImportFailed, match=r"broken\.parquet: not a readable parquet file"):
        run(engine, import_merchant_feed, tmp_path / "broken.parquet", images_dir=tmp_path / "images")
    pd.DataFrame({"id": ["p9"]}).to_parquet(tmp_path / "untitled.parquet")
    with pytest.raises(ImportFailed, match=r"untitled\.parquet: missing required column\(s\): title"):
        run(engine, import_merchant_feed, tmp_path / "untitled.parquet", images_dir=tmp_path / "images")


def test_products_without_a_price_are_shown_searched_and_carded_without_one(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=0)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    feed = write_file(
        tmp_path, "feed.csv", "id,title,product_type,gender\nk1,Cotton kurta shirt,Shirts,Men\n"
    )
    with transaction(engine) as session:
        import_merchant_feed(session, feed, images_dir=tmp_path / "images", progress=False)

    assert 'href="/shop/k1"' in client.get("/", headers={"accept": "text/html"}).text
    assert 'href="/shop/k1"' not in client.get("/", params={"max_price": "60"}).text
    page = client.get("/shop/k1", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Cotton kurta shirt" in page.text

    product = _stored(engine, "k1")
    assert card(product).price is None
    assert not Query(price_max=60.0).admits(GuideProduct.from_product(product))
    search = ProductSearch.build(engine, encoder=TfidfEncoder(min_df=1))
    assert [hit.product_id for hit in search.search("kurta shirt", mode="lexical")] == ["k1"]
    assert search.search("kurta shirt under 60", mode="lexical") == []
