"""Garment kinds: spellings, ``>`` paths, outranking words, and the demo catalog mapped as before."""

from __future__ import annotations

import pytest

from vestis.catalog.taxonomy import KINDS, ROLES, GarmentKind, garment_kind, outfit_role, tryon_category
from vestis.data.demo.vocabulary import CATEGORIES, Category
from vestis.tryon.garment import SLEEVED, SUPPORTED, normalise_category

OLD_ANSWERS = {
    "Tops": ("top", "upper"),
    "Shirts": ("top", "shirt"),
    "T-shirts": ("top", "t-shirt"),
    "Knitwear": ("top", "sweater"),
    "Outerwear": ("outerwear", "jacket"),
    "Dresses": ("dress", "dress"),
    "Skirts": ("bottom", "lower"),
    "Trousers": ("bottom", "lower"),
    "Jeans": ("bottom", "lower"),
    "Shorts": ("bottom", "lower"),
    "Shoes": ("shoes", None),
    "Accessories": ("accessory", None),
}
"""(role, try-on category) that ``role_of`` and ``PRODUCT_TYPE_CATEGORIES`` gave before this table."""


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: c.product_type)
def test_the_demo_catalog_maps_exactly_as_before(category: Category) -> None:
    expected = OLD_ANSWERS[category.product_type]
    assert (outfit_role(category.product_type), tryon_category(category.product_type)) == expected
    assert outfit_role(category.product_type, category.google_product_category) == expected[0]
    assert outfit_role(None, category.google_product_category) == expected[0]


@pytest.mark.parametrize(("product_type", "expected"), sorted(OLD_ANSWERS.items()))
def test_the_old_tables_answers_are_kept(product_type: str, expected: tuple[str | None, str | None]) -> None:
    assert (outfit_role(product_type.lower()), tryon_category(product_type.lower())) == expected


@pytest.mark.parametrize(
    ("spellings", "kind"),
    [
        (("Tshirts", "T-Shirts", "t shirt", "Tee", "tees", "Tee shirt", "Men's T-shirt"), "t-shirt"),
        (("Sweater", "Jumpers", "Knitwear", "Pullover"), "sweater"),
        (("Hoodie", "Hoodies", "Hooded sweatshirt"), "hoodie"),
        (("Trousers", "Pants", "Track Pants", "Chinos", "Capris", "Salwar"), "trousers"),
        (("Leggings", "Jeggings", "Leggings/Tights"), "leggings"),
        (("Sneakers", "Trainers", "Sports Shoes"), "sneakers"),
        (("Flip Flops", "Flip-flop", "flipflops"), "flip-flops"),
        (("Jewellery", "Jewelry", "Earrings", "Necklace and Chains"), "jewellery"),
        (("Hat/beanie", "Cap/peaked", "Caps"), "hat"),
        (("Watch", "Watches"), "watch"),
        (("Scarf", "Scarves", "Stoles", "Dupatta"), "scarf"),
        (("Kurtis", "Vest top", "Blouse", "Tunics"), "top"),
        (("Jumpsuit/Playsuit", "Rompers", "Dungarees"), "jumpsuit"),
        (("Waistcoat", "Gilet", "Tailored Waistcoat"), "waistcoat"),
        (("Pyjama bottom", "Night gown", "Dressing gown", "Lounge Pants"), "nightwear"),
        (("Bikini top", "Swimwear bottom", "Swim shorts", "Swim trunks"), "swimwear"),
        (("Innerwear Vests", "Underwear Tights", "Briefs", "Bra", "Sports bra"), "underwear"),
    ],
)
def test_every_spelling_of_a_kind_names_it(spellings: tuple[str, ...], kind: str) -> None:
    assert {garment_kind(s).name for s in spellings} == {kind}


def test_paths_are_read_from_their_last_segment_and_the_later_word_decides() -> None:
    assert garment_kind("Women > Knitwear").name == "sweater"
    assert garment_kind("Apparel & Accessories > Clothing > Outerwear > Coats & Jackets").name == "jacket"
    assert outfit_role(None, "Apparel & Accessories > Clothing > Pants") == "bottom"
    assert garment_kind("Shirt dress").name == "dress"
    assert garment_kind("Dress shirt").name == "shirt"
    assert garment_kind("Polo shirts").name == "polo"  # a phrase beats its words
    assert garment_kind("Garden furniture") is None
    assert garment_kind("Garden furniture", "Home & Garden > Lawn & Garden") is None
    assert garment_kind(None) is None and garment_kind("") is None


def test_roles_and_categories_say_what_outfits_and_try_on_can_use() -> None:
    assert [outfit_role(t) for t in ("Socks", "Briefs", "Swimsuit", "Nightdress")] == [None] * 4
    assert [tryon_category(t) for t in ("Casual Shoes", "Handbags", "Jumpsuit", "Sarees")] == [None] * 4
    assert tryon_category("Shirts") in SLEEVED and tryon_category("Tops") not in SLEEVED


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_has_a_known_role_and_a_category_the_pipeline_renders(kind: GarmentKind) -> None:
    assert kind.role is None or kind.role in ROLES
    assert kind.tryon is None or normalise_category(kind.tryon) in SUPPORTED
    assert all(garment_kind(name) is kind for name in kind.names)
