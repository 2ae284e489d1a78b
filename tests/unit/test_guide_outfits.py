"""Complete the look on a tiny hand-built catalog: roles, colour rules, gender, reasons, persistence."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import transaction
from vestis.guide.outfits import OutfitBuilder, colour_harmony

T0 = datetime(2026, 3, 1, tzinfo=UTC)
PRODUCTS = [
    # id, product_type, colour, gender, style
    ("top-white", "Tops", "white", "female", "classic"),
    ("top-pink", "Tops", "pink", "female", "bold"),
    ("top-men", "Shirts", "black", "male", "classic"),
    ("jeans-navy", "Jeans", "navy", "female", "classic"),
    ("skirt-orange", "Skirts", "orange", "female", "bold"),
    ("jeans-grey", "Jeans", "grey", "female", "bold"),
    ("trousers-men", "Trousers", "grey", "male", "classic"),
    ("shoes-black", "Shoes", "black", "female", "classic"),
    ("shoes-men", "Shoes", "brown", "male", "classic"),
    ("sneakers-unisex", "Shoes", "white", "unisex", "bold"),
    ("bag-beige", "Accessories", "beige", "female", "classic"),
    ("dress-red", "Dresses", "red", "female", "bold"),
    ("coat-navy", "Outerwear", "navy", "female", "classic"),
    ("coat-men", "Outerwear", "grey", "male", "classic"),
    ("chair", "Garden furniture", "green", "female", "classic"),
]
GENDERS = [(pid, gender) for pid, _, _, gender, _ in PRODUCTS]


@pytest.fixture
def products_only(engine: Engine) -> Engine:
    """The products above, and no events: a new shop."""
    rows = [
        {"id": pid, "title": pid, "brand": "Aster", "product_type": kind, "color": colour, "gender": gender,
         "pattern": "solid", "price": 40.0, "size": ["S", "M"], "attributes": {"style": style}}
        for pid, kind, colour, gender, style in PRODUCTS
    ]  # fmt: skip
    with transaction(engine) as session:
        store.upsert_products(session, rows=rows)
    return engine


@pytest.fixture
def catalog(products_only: Engine) -> Engine:
    """The products and a few shoppers' purchases."""
    bought = {  # shopper -> items bought together
        "u1": ["top-white", "jeans-navy", "bag-beige"],
        "u2": ["top-white", "jeans-navy"],
        "u3": ["top-white", "jeans-navy", "shoes-black"],
        "u4": ["top-white", "jeans-navy"],
        "u5": ["skirt-orange"],
        "u6": ["skirt-orange", "shoes-black"],
        "u7": ["jeans-grey"],
        "u8": ["top-men", "trousers-men", "shoes-men"],
        "u9": ["shoes-men"],
    }
    events = [
        {"user_id": user, "item_id": item, "timestamp": T0 + timedelta(minutes=i), "event_type": "purchase",
         "session_id": f"s-{user}"}
        for user, items in bought.items()
        for i, item in enumerate(items)
    ]  # fmt: skip
    with transaction(products_only) as session:
        store.add_events(session, rows=events)
    return products_only


@pytest.fixture
def builder(catalog: Engine) -> OutfitBuilder:
    return OutfitBuilder().fit(catalog)


def test_colour_rules() -> None:
    assert colour_harmony("navy", "white")[0] > 0 and "goes with" in colour_harmony("navy", "white")[1]
    assert colour_harmony("Navy Blue", "orange")[0] > 0  # the neutral word inside a longer name counts
    assert colour_harmony("blue", "orange") == (0.7, "blue and orange are complementary")
    assert colour_harmony("green", "olive")[0] > 0  # analogous
    score, phrase = colour_harmony("pink", "orange")
    assert score < 0 and "clashes" in phrase
    assert colour_harmony("mauve-ish", "red") == (0.0, "")


def test_outfits_fill_distinct_roles_around_the_anchor(builder: OutfitBuilder) -> None:
    outfits = builder.complete_the_look("top-white", k=3)
    assert outfits
    for outfit in outfits:
        assert outfit.anchor_id == "top-white" and "top-white" not in outfit.items
        assert outfit.roles["top"] == "top-white"
        assert len(outfit.roles) == len(outfit.items) + 1  # one item per role
        assert set(outfit.roles.values()) == {"top-white", *outfit.items}
        assert outfit.reason
    assert outfits[0].roles["bottom"] == "jeans-navy"  # bought with the top by four shoppers
    assert "4 shoppers bought this with the jeans" in outfits[0].reason


def test_outfits_keep_one_gender_and_skip_role_less_items(builder: OutfitBuilder) -> None:
    women = {item for o in builder.complete_the_look("top-white", k=3) for item in o.items}
    assert not women & {"top-men", "trousers-men", "shoes-men", "coat-men", "chair"}
    men = builder.complete_the_look("top-men", k=3)
    assert men and all(
        set(o.items) <= {"trousers-men", "shoes-men", "sneakers-unisex", "coat-men"} for o in men
    )
    for_him = builder.complete_the_look("sneakers-unisex", k=3, user_id="u9")  # u9 bought men's shoes
    assert for_him and all(set(o.items) <= {"top-men", "trousers-men", "coat-men"} for o in for_him)
    for outfit in builder.complete_the_look("sneakers-unisex", k=3):
        genders = {dict(GENDERS)[item] for item in outfit.items} - {"unisex"}
        assert len(genders) == 1  # never men's and women's pieces together
    for outfit in builder.complete_the_look("shoes-men", k=3):  # no men's dress: only separates
        assert {"top", "bottom"} <= set(outfit.roles) and "dress" not in outfit.roles
    assert builder.complete_the_look("chair") == []
    assert builder.complete_the_look("no-such-product") == []


def test_colour_harmony_decides_without_purchases(builder: OutfitBuilder) -> None:
    best = builder.complete_the_look("top-pink", k=1)[0]
    assert best.roles["bottom"] != "skirt-orange"  # more bought than the grey jeans, but it clashes with pink
    assert "pink goes with" in best.reason.lower()


def test_a_shop_without_purchases_gets_outfits_from_roles_colours_and_style(products_only: Engine) -> None:
    outfits = OutfitBuilder().fit(products_only).complete_the_look("top-pink", k=3)
    assert outfits and all(o.roles["top"] == "top-pink" and len(o.roles) >= 2 for o in outfits)
    assert "skirt-orange" not in outfits[0].items  # it clashes with pink
    assert not any("bought" in o.reason for o in outfits)


def test_outfits_are_diverse_and_skip_what_the_shopper_owns(builder: OutfitBuilder) -> None:
    outfits = builder.complete_the_look("top-white", k=3)
    assert len({o.items for o in outfits}) == len(outfits) > 1
    mine = builder.complete_the_look("top-white", k=3, user_id="u1")
    assert not {item for o in mine for item in o.items} & {"jeans-navy", "bag-beige"}


def test_save_and_load_give_the_same_outfits(builder: OutfitBuilder, tmp_path: Path) -> None:
    loaded = OutfitBuilder.load(builder.save(tmp_path / "outfits"))
    assert loaded.complete_the_look("top-white", k=3, user_id="u5") == builder.complete_the_look(
        "top-white", k=3, user_id="u5"
    )
    assert not any(p.suffix == ".pkl" for p in (tmp_path / "outfits").iterdir())


def test_unfitted_and_bad_parameters_are_refused(catalog: Engine) -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        OutfitBuilder().complete_the_look("top-white")
    with pytest.raises(ValueError, match="beam_width"):
        OutfitBuilder(beam_width=0).fit(catalog)


def test_docstring_examples_run() -> None:
    import vestis.guide.outfits

    failures, attempted = doctest.testmod(vestis.guide.outfits)
    assert attempted > 0 and failures == 0
