"""H&M Kaggle layout: articles, customers, transactions and images onto the catalog."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.unit.test_import_support import counts, messages, run, write_file, write_image
from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.catalog.images import product_image_file
from vestis.catalog.models import Customer, Event
from vestis.data.hm import article_id, image_file, import_hm
from vestis.data.importing import ImportFailed

ARTICLE_COLUMNS = (
    ",article_id,product_code,prod_name,product_type_name,product_group_name,graphical_appearance_name,"
    "colour_group_name,index_name,index_group_name,section_name,detail_desc"
)
ARTICLES = f"""
    {ARTICLE_COLUMNS}
    0,108775015,108775,Strap top,Vest top,Garment Upper body,Solid,Black,Ladieswear,Ladieswear,Womens Basics,Jersey top.
    1,110065001,110065,OP T-shirt,Bra,Underwear,Stripe,White,Menswear,Menswear,Men Underwear,
    2,111593001,111593,Baby socks,Socks,Socks & Tights,Solid,Blue,Baby Sizes 50-98,Baby/Children,Baby Boy,
    3,123456001,123456,Run shoe,Sneakers,Shoes,Solid,Grey,Sport,Sport,Men H&M Sport,Light shoe.
    4,123456002,123456,Lipstick,Lipstick,Cosmetic,Solid,Red,Divided,Divided,Divided Projects,
"""
CUSTOMERS = """
    customer_id,FN,Active,club_member_status,fashion_news_frequency,age,postal_code
    c1,1.0,1.0,ACTIVE,Regularly,49.0,abc123
    c2,,,PRE-CREATE,NONE,,def456
"""
TRANSACTIONS = """
    t_dat,customer_id,article_id,price,sales_channel_id
    2018-09-20,c1,108775015,0.0508,2
    2018-09-20,c1,108775015,0.0508,2
    2018-09-21,c2,110065001,0.0305,1
"""


def _hm(tmp_path: Path, *, transactions: str = TRANSACTIONS) -> Path:
    directory = tmp_path / "hm"
    write_file(directory, "articles.csv", ARTICLES)
    write_file(directory, "customers.csv", CUSTOMERS)
    write_file(directory, "transactions_train.csv", transactions)
    write_image(image_file(directory, "0108775015"))
    return directory


def test_article_ids_and_image_paths_follow_the_kaggle_layout(tmp_path: Path) -> None:
    assert article_id("108775015") == "0108775015" and article_id(" 0108775015 ") == "0108775015"
    assert image_file(tmp_path, "0108775015") == tmp_path / "images" / "010" / "0108775015.jpg"


def test_articles_map_onto_merchant_center_fields(engine: Engine, tmp_path: Path) -> None:
    images = tmp_path / "images"
    report = run(engine, import_hm, _hm(tmp_path), images_dir=images)

    assert (report.rows_read, report.rows_written, report.rows_ignored, report.errors) == (10, 9, 1, [])
    with session_factory(engine)() as session:
        top = store.get_product(session, "0108775015")
        assert top is not None
        assert (top.title, top.description, top.product_type, top.color, top.pattern, top.brand) == (
            "Strap top",
            "Jersey top.",
            "Vest top",
            "Black",
            "Solid",
            "H&M",
        )
        assert (top.google_product_category, top.gender, top.age_group) == (
            "Apparel & Accessories > Clothing",
            "female",
            "adult",
        )
        assert top.attributes["product_code"] == "108775" and "" not in top.attributes
        assert product_image_file(images, top.image_path) is not None
        audience = {
            pid: (p.gender, p.age_group, p.google_product_category)
            for pid in ("0110065001", "0111593001", "0123456001", "0123456002")
            if (p := store.get_product(session, pid)) is not None
        }
    assert audience == {
        "0110065001": ("male", "adult", "Apparel & Accessories > Clothing > Underwear & Socks"),
        "0111593001": ("unisex", "kids", "Apparel & Accessories > Clothing > Underwear & Socks"),
        "0123456001": ("male", "adult", "Apparel & Accessories > Shoes"),
        "0123456002": ("female", "adult", None),
    }


def test_customers_keep_personal_data_only_with_assumed_consent(engine: Engine, tmp_path: Path) -> None:
    directory = _hm(tmp_path)
    run(engine, import_hm, directory, images_dir=tmp_path / "images")
    with session_factory(engine)() as session:
        c1 = session.get(Customer, "c1")
        assert c1 is not None and (c1.consent_profile, c1.age) == (False, None)
        assert c1.attributes == {}  # without consent nothing beyond the id is kept

    run(engine, import_hm, directory, images_dir=tmp_path / "images", assume_consent=True)
    with session_factory(engine)() as session:
        c1 = session.get(Customer, "c1")
        assert c1 is not None and (c1.consent_profile, c1.age) == (True, 49)
        assert c1.attributes["postal_code"] == "abc123"
        assert c1.attributes["club_member_status"] == "ACTIVE"


def test_transactions_become_purchases_and_repeats_collapse(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, import_hm, _hm(tmp_path), images_dir=tmp_path / "images")

    assert report.rows_ignored == 1
    with session_factory(engine)() as session:
        events = session.scalars(select(Event).order_by(Event.timestamp)).all()
    assert [(e.user_id, e.item_id, e.event_type, e.price) for e in events] == [
        ("c1", "0108775015", "purchase", 0.0508),
        ("c2", "0110065001", "purchase", 0.0305),
    ]
    assert events[0].timestamp.replace(tzinfo=UTC) == datetime(2018, 9, 20, tzinfo=UTC)


def test_reimport_changes_no_counts(engine: Engine, tmp_path: Path) -> None:
    directory = _hm(tmp_path)
    run(engine, import_hm, directory, images_dir=tmp_path / "images")
    first = counts(engine)
    again = run(engine, import_hm, directory, images_dir=tmp_path / "images")
    assert counts(engine) == first and (first["products"], first["customers"], first["events"]) == (5, 2, 2)
    assert again.rows_ignored == 3


def test_only_articles_are_required(engine: Engine, tmp_path: Path) -> None:
    directory = tmp_path / "hm"
    write_file(directory, "articles.csv", ARTICLES)
    report = run(engine, import_hm, directory, images_dir=tmp_path / "images")
    assert report.rows_written == 5 and counts(engine)["products"] == 5

    with pytest.raises(ImportFailed, match=rf"{tmp_path / 'empty'}: not an H&M data set folder"):
        run(engine, import_hm, tmp_path / "empty", images_dir=tmp_path / "images")


def test_missing_article_column_fails_and_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_hm, _hm(tmp_path), images_dir=tmp_path / "images")
    before = counts(engine)
    directory = tmp_path / "broken"
    write_file(directory, "articles.csv", "article_id,product_type_name\n999999001,Hat\n")

    with pytest.raises(ImportFailed, match=r"articles\.csv: missing required column\(s\): prod_name"):
        run(engine, import_hm, directory, images_dir=tmp_path / "images")
    assert counts(engine) == before


def test_bad_rows_are_reported_by_file_line_and_field(engine: Engine, tmp_path: Path) -> None:
    directory = _hm(
        tmp_path, transactions="t_dat,customer_id,article_id,price\n20/09/2018,c1,108775015,0.05\n"
    )
    articles = write_file(
        directory,
        "articles.csv",
        f"{ARTICLE_COLUMNS}\n0,777000001,777000,,Hat,,,,,,,\n1,777000002,777,Cap,,,,,,,,\n",
    )
    write_file(directory, "images/077/0777000002.jpg", "not a photo")
    report = run(engine, import_hm, directory, images_dir=tmp_path / "images")

    errors = messages(report)
    assert errors[0] == f"{articles}:2: title: String should have at least 1 character"
    assert errors[1].startswith(f"{articles}:3: image: ") and "not a supported image" in errors[1]
    assert errors[2].startswith(
        f"{directory / 'transactions_train.csv'}:2: timestamp: expected epoch seconds"
    )
    assert counts(engine)["events"] == 0


def test_strict_mode_aborts_and_keeps_earlier_rows(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_hm, _hm(tmp_path), images_dir=tmp_path / "images")
    before = counts(engine)
    new_then_bad = "t_dat,customer_id,article_id\n2018-09-22,c9,108775015\n2018-13-01,c9,110065001\n"
    directory = _hm(tmp_path / "second", transactions=new_then_bad)

    with pytest.raises(ImportFailed, match=r"transactions_train\.csv:3: timestamp: .*strict mode"):
        run(engine, import_hm, directory, images_dir=tmp_path / "images", strict=True)
    assert counts(engine) == before
