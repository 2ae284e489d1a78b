"""Query understanding: a table of requests → structured constraints, on the demo catalog's vocabulary."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.guide_search import demo_catalog

from vestis.guide.query import MAX_QUERY_CHARS, Query, parse_query
from vestis.guide.vocabulary import GuideProduct, Vocabulary


@pytest.fixture(scope="module")
def vocabulary(tmp_path_factory: pytest.TempPathFactory) -> Vocabulary:
    return Vocabulary.from_engine(demo_catalog(tmp_path_factory.mktemp("guide-query")))


TYPES = "product_types"
JACKETS = ("bomber jacket", "denim jacket", "rain jacket", "puffer jacket")
BAGS = ("crossbody bag", "tote bag")

# (request, the fields it must parse to; every other field must stay empty)
TABLE: list[tuple[str, dict[str, Any]]] = [
    ("a red summer dress for a wedding under 80 euros, size M",
     {TYPES: ("Dresses",), "colors": ("red",), "seasons": ("summer",), "occasions": ("wedding",),
      "price_max": 80.0, "size": "M"}),
    ("navy trainers for men", {TYPES: ("sneakers",), "colors": ("navy",), "gender": "male"}),
    ("black pants, not leather", {TYPES: ("Trousers",), "colors": ("black",), "exclude_materials": ("leather",)}),
    ("between 20 and 40 euros tee", {TYPES: ("t-shirt",), "price_min": 20.0, "price_max": 40.0}),
    ("cheap striped shirt in a 38", {TYPES: ("Shirts",), "patterns": ("striped",), "price_max": "cheap", "size": "38"}),
    ("XL hoodie", {TYPES: ("sweatshirt",), "size": "XL"}),
    ("women's floral frock below €50", {TYPES: ("Dresses",), "patterns": ("floral",), "gender": "female", "price_max": 50.0}),
    ("jeans not black", {TYPES: ("Jeans",), "exclude_colors": ("black",)}),
    ("crimson heels", {TYPES: ("heels",), "colors": ("red",)}),
    ("something for the office", {"occasions": ("office",)}),
    ("beach holiday", {"occasions": ("beach",)}),
    ("warm winter coat", {TYPES: ("wool coat", "trench coat", "parka"), "seasons": ("winter",)}),
    ("wool sweater", {TYPES: ("sweater",), "materials": ("merino wool", "wool", "wool blend")}),
    ("leather belt", {TYPES: ("belt",), "materials": ("leather",)}),
    ("vegan leather bag", {TYPES: BAGS, "materials": ("vegan leather",)}),
    ("plaid shirt", {TYPES: ("Shirts",), "patterns": ("checked",)}),
    ("polka dots", {"patterns": ("polka dot",)}),
    ("dresses from 50 to 100 eur", {TYPES: ("Dresses",), "price_min": 50.0, "price_max": 100.0}),
    ("shoes over 100 euros", {TYPES: ("Shoes",), "price_min": 100.0}),
    ("a bag around 60 euros", {TYPES: BAGS, "price_min": 48.0, "price_max": 72.0}),
    ("sneakers size 42", {TYPES: ("sneakers",), "size": "42"}),
    ("skinny jeans in a 30", {TYPES: ("skinny jeans",), "size": "30"}),
    ("size small t-shirt", {TYPES: ("t-shirt",), "size": "S"}),
    ("tee in M", {TYPES: ("t-shirt",), "size": "M"}),
    ("luxury coat", {TYPES: ("wool coat", "trench coat", "parka"), "price_min": "premium"}),
    ("not too expensive shirt", {TYPES: ("Shirts",), "price_max": "cheap"}),
    ("gray jumper", {TYPES: ("sweater",), "colors": ("grey",)}),
    ("cream blouse", {TYPES: ("blouse",), "colors": ("beige",)}),
    ("maroon skirt", {TYPES: ("Skirts",), "colors": ("burgundy",)}),
    ("light blue jeans", {TYPES: ("Jeans",), "colors": ("light blue",)}),
    ("sky blue shirt", {TYPES: ("Shirts",), "colors": ("light blue",)}),
    ("khaki chinos", {TYPES: ("chinos",), "colors": ("olive",)}),
    ("shorts", {TYPES: ("shorts",)}),
    ("denim jacket", {TYPES: ("denim jacket",)}),
    ("jacket", {TYPES: JACKETS}),
    ("a hat", {TYPES: ("bucket hat", "cap", "beanie")}),
    ("trousers without stripes", {TYPES: ("Trousers",), "exclude_patterns": ("striped",)}),
    ("no heels", {"exclude_product_types": ("heels",)}),
    ("shirt or blouse in white or pink", {TYPES: ("Shirts", "blouse"), "colors": ("white", "pink")}),
    ("date night dress", {TYPES: ("Dresses",), "occasions": ("party",)}),
    ("rain jacket for hiking", {TYPES: ("rain jacket",), "occasions": ("outdoor",)}),
    ("cashmere scarf", {TYPES: ("scarf",), "materials": ("cashmere",)}),
    ("$30 t-shirt", {TYPES: ("t-shirt",), "price_max": 30.0}),
    ("unisex cap", {TYPES: ("cap",), "gender": "unisex"}),
    ("a present for him", {"gender": "male", "text": "present"}),
    ("红色连衣裙 200元以下", {TYPES: ("Dresses",), "colors": ("red",), "price_max": 200.0}),
    ("男士运动鞋", {TYPES: ("sneakers",), "gender": "male"}),
    ("白色衬衫", {TYPES: ("Shirts",), "colors": ("white",)}),
    ("黑色牛仔裤 300元以内", {TYPES: ("Jeans",), "colors": ("black",), "price_max": 300.0}),
    ("女士凉鞋", {TYPES: ("sandals",), "gender": "female"}),
    ("蓝色 T恤", {TYPES: ("t-shirt",), "colors": ("blue",)}),
    ("夏天的连衣裙", {TYPES: ("Dresses",), "seasons": ("summer",)}),
    ("100到200元的外套", {TYPES: ("Outerwear",), "price_min": 100.0, "price_max": 200.0}),
    ("", {}),
    ("🙂🙂🙂", {}),
    ("'; DROP TABLE products; --", {"text": "drop table products"}),
]  # fmt: skip


@pytest.mark.parametrize(("request_text", "expected"), TABLE, ids=[t or "empty" for t, _ in TABLE])
def test_parse_table(request_text: str, expected: dict[str, Any], vocabulary: Vocabulary) -> None:
    landmarks = {"cheap": vocabulary.cheap_below, "premium": vocabulary.premium_above}
    wanted = {key: landmarks.get(value, value) if isinstance(value, str) and key.startswith("price") else value
              for key, value in expected.items()}  # fmt: skip
    parsed = parse_query(request_text, vocabulary)
    got = {key: value for key, value in vars(parsed).items() if value not in (None, (), "") and key != "raw"}
    assert got == wanted
    assert parsed.raw == request_text.strip()


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


def test_synonyms_map_only_onto_values_the_catalog_has() -> None:
    products = [
        GuideProduct("p1", "Blue cotton dress", product_type="Dresses", color="blue", material="cotton"),
        GuideProduct("p2", "Red sneakers", product_type="Shoes", subcategory="sneakers", color="red"),
    ]
    vocabulary = Vocabulary.from_products(products)
    assert parse_query("navy frock", vocabulary).colors == ("blue",)  # no navy here: the fallback
    assert parse_query("crimson trainers", vocabulary).product_types == ("sneakers",)
    assert parse_query("crimson trainers", vocabulary).colors == ("red",)
    assert parse_query("green trousers", vocabulary).colors == ()  # neither green nor trousers exist
    values = {
        "product_type": {"Dresses", "Shoes", "sneakers"},
        "color": {"blue", "red"},
        "material": {"cotton"},
    }
    for term in vocabulary.terms.values():
        if term.field in values:
            assert set(term.values) <= values[term.field], term


KIDS_CATALOG = [
    GuideProduct("m1", "Men Black Tshirt", product_type="Topwear", subcategory="Tshirts", color="black",
                 gender="male", age_group="adult", occasion="sports"),
    GuideProduct("b1", "Boys Red Tshirt", product_type="Topwear", subcategory="Tshirts", color="red",
                 gender="male", age_group="kids", occasion="casual"),
    GuideProduct("g1", "Girls Pink Dress", product_type="Dress", subcategory="Dresses", color="pink",
                 gender="female", age_group="kids", occasion="casual"),
    GuideProduct("w1", "Women Blue Sweaters", product_type="Topwear", subcategory="Sweaters", color="blue",
                 gender="female", occasion="formal", season="winter"),
]  # fmt: skip


def test_who_a_product_is_for_is_parsed_where_the_catalog_has_childrens_products() -> None:
    vocabulary = Vocabulary.from_products(KIDS_CATALOG)
    boys = parse_query("t-shirts for boys", vocabulary)
    assert (boys.product_types, boys.gender, boys.age_group) == (("Tshirts",), "male", "kids")
    assert boys.describe() == "Tshirts for boys"
    kids = parse_query("children's dress", vocabulary)
    assert (kids.gender, kids.age_group) == (None, "kids")
    men = parse_query("tee for men", vocabulary)
    assert (men.product_types, men.gender, men.age_group) == (("Tshirts",), "male", "adult")
    assert [p.id for p in KIDS_CATALOG if boys.admits(p)] == ["b1"]
    assert [p.id for p in KIDS_CATALOG if men.admits(p)] == ["m1"]
    assert [p.id for p in KIDS_CATALOG if parse_query("for women", vocabulary).admits(p)] == [
        "w1"
    ]  # none = adult
    grown_ups = Vocabulary.from_products([p for p in KIDS_CATALOG if p.age_group != "kids"])
    assert parse_query("shirt for men", grown_ups).age_group is None  # no children's products: gender only


def test_occasions_and_seasons_prefer_the_catalogs_own_occasion_and_kind_names() -> None:
    vocabulary = Vocabulary.from_products(KIDS_CATALOG)
    assert parse_query("sports tee", vocabulary).occasions == ("gym",)
    assert vocabulary.preferences["gym"].score(KIDS_CATALOG[0]) == 1.0
    assert vocabulary.preferences["office"].score(KIDS_CATALOG[3]) == 1.0
    assert vocabulary.preferences["winter"].kinds == frozenset({"sweaters"})  # "sweater" in the table
    assert vocabulary.preferences["casual"].score(KIDS_CATALOG[0]) == 0.0  # a stated occasion decides
    unstated = GuideProduct("s2", "Navy Sweaters", subcategory="Sweaters", season="winter")
    assert (
        vocabulary.preferences["office"].score(unstated)
        == 0.0
        < vocabulary.preferences["winter"].score(unstated)
    )


def test_admits_checks_every_hard_constraint() -> None:
    dress = GuideProduct("d1", "Red dress", product_type="Dresses", subcategory="wrap dress", color="red",
                         gender="female", sizes=("S", "M"), price=59.0, material="satin", pattern="solid")  # fmt: skip
    assert Query(product_types=("wrap dress",), colors=("red",), size="m", price_max=60).admits(dress)
    assert Query(gender="female").admits(dress) and not Query(gender="male").admits(dress)
    assert Query(gender="male").admits(GuideProduct("u1", "Cap", gender="unisex"))
    for broken in (Query(colors=("blue",)), Query(size="XL"), Query(price_max=58.99), Query(price_min=60),
                   Query(exclude_ids=("d1",)), Query(exclude_colors=("red",)), Query(materials=("linen",)),
                   Query(exclude_product_types=("Dresses",)), Query(patterns=("floral",))):  # fmt: skip
        assert not broken.admits(dress), broken
        assert broken.violations(dress)


def test_long_and_odd_input_never_raises(vocabulary: Vocabulary) -> None:
    long = parse_query("red dress " * 2000, vocabulary)
    assert long.colors == ("red",) and len(long.raw) <= MAX_QUERY_CHARS
    for odd in (
        "\x00\x01",
        "💃" * 50,
        "SELECT * FROM products WHERE 1=1",
        "size",
        "under euros",
        "€€€",
        "1e309 euros",
    ):
        parse_query(odd, vocabulary)


def test_describe_reads_back_the_request(vocabulary: Vocabulary) -> None:
    parsed = parse_query("red dress for women under 80 euros size M, not floral", vocabulary)
    assert parsed.describe() == "red Dresses for women under €80 in size M not floral"
