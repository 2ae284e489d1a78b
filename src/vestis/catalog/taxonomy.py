"""Garment kinds: the one table that says what a product type is, its outfit role and its try-on category.

A shop's ``product_type`` is free text: the demo's "Tops", Myntra's articleType ("Tshirts",
"Casual Shoes", "Kurtas"), H&M's product_type_name ("Vest top", "Hat/beanie"), a path such as
"Women > Knitwear" or Google's "Apparel & Accessories > Clothing > Pants". :data:`KINDS` lists the
garment kinds with the words that name them; :func:`garment_kind` reads a type as one of them, and
the outfit builder (roles) and try-on (categories) both ask it, so the two never disagree.

Each kind gives

* its outfit **role** (``top``, ``bottom``, ``dress``, ``outerwear``, ``shoes``, ``accessory``), or
  ``None`` for what is never part of a styled outfit (underwear, socks, swimwear, nightwear);
* its **try-on category**, a name :mod:`vestis.tryon.garment` knows (``shirt`` rather than ``upper``
  also says the garment has sleeves), or ``None`` where the pipeline cannot dress it (shoes, bags,
  jumpsuits, sarees).

Words are compared as :func:`vestis.text.tokens.words`, hyphens read as spaces and each word
folded by :func:`vestis.text.tokens.stem`, so "T-Shirts", "t shirt" and "T-shirt" are one name and
a name's regular plural needs no entry; irregular ones (``watches``, ``scarves``, ``kurtis``) are
listed. Where English differs, British and American names are both listed; ``jumper`` is read the
British way (a sweater), ``pants`` the American way (trousers, as Google's taxonomy does), and the
ambiguous ``vest`` alone names nothing ("Vest top" is a top, "Innerwear Vests" underwear).

Examples
--------
>>> garment_kind("Tshirts").name, outfit_role("Women > Knitwear"), tryon_category("Casual Shoes")
('t-shirt', 'top', None)
>>> outfit_role("Bikini top"), outfit_role("Garden furniture")
(None, None)
>>> outfit_role(None, "Apparel & Accessories > Clothing > Pants")
'bottom'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vestis.text.tokens import stem, words

__all__ = ["KINDS", "ROLES", "GarmentKind", "garment_kind", "outfit_role", "tryon_category"]

ROLES = ("top", "bottom", "dress", "outerwear", "shoes", "accessory")
"""The outfit roles a kind may have (see :data:`vestis.guide.outfits.TEMPLATES`)."""


@dataclass(frozen=True)
class GarmentKind:
    """One kind of garment: its name, outfit role, try-on category and the words that name it.

    ``outranks`` marks kinds whose words decide a type that also names a garment: a "Bikini top"
    is swimwear, a "Pyjama bottom" nightwear, "Underwear Tights" underwear.
    """

    name: str
    role: str | None
    tryon: str | None
    names: tuple[str, ...]
    outranks: bool = False


KINDS: tuple[GarmentKind, ...] = (
    GarmentKind("t-shirt", "top", "t-shirt", ("t-shirt", "tshirt", "tee", "tee shirt")),
    GarmentKind("shirt", "top", "shirt", ("shirt", "overshirt")),
    GarmentKind("polo", "top", "polo", ("polo", "polo shirt", "polo t-shirt")),
    GarmentKind("top", "top", "upper", ("top", "topwear", "blouse", "tunic", "tank", "camisole", "cami",
                                        "bodysuit", "kurti", "kurtis")),
    GarmentKind("kurta", "top", "upper", ("kurta",)),
    GarmentKind("sweater", "top", "sweater", ("sweater", "jumper", "pullover", "knitwear", "knit")),
    GarmentKind("cardigan", "top", "cardigan", ("cardigan", "shrug")),
    GarmentKind("sweatshirt", "top", "sweatshirt", ("sweatshirt",)),
    GarmentKind("hoodie", "top", "hoodie", ("hoodie", "hoody", "hooded sweatshirt", "hooded jacket")),
    GarmentKind("jacket", "outerwear", "jacket", ("jacket", "outerwear", "anorak", "windcheater",
                                                  "windbreaker", "bomber")),
    GarmentKind("coat", "outerwear", "coat", ("coat", "overcoat", "parka", "trench", "raincoat")),
    GarmentKind("blazer", "outerwear", "blazer", ("blazer", "suit jacket", "sport coat", "sports jacket")),
    GarmentKind("waistcoat", "outerwear", "upper", ("waistcoat", "gilet", "body warmer", "bodywarmer")),
    GarmentKind("dress", "dress", "dress", ("dress", "gown", "sundress", "frock")),
    GarmentKind("jumpsuit", "dress", None, ("jumpsuit", "playsuit", "romper", "dungarees", "overall",
                                            "boiler suit", "all-body")),
    GarmentKind("saree", "dress", None, ("saree", "sari")),
    GarmentKind("outfit set", "dress", None, ("suit", "tracksuit", "co-ord set", "coord set", "kurta set",
                                              "lehenga", "salwar and dupatta")),
    GarmentKind("skirt", "bottom", "lower", ("skirt", "skort")),
    GarmentKind("trousers", "bottom", "lower", ("trousers", "pants", "slacks", "chinos", "joggers",
                                                "cargos", "capri", "capris", "culottes", "palazzo",
                                                "churidar", "salwar", "patiala")),
    GarmentKind("jeans", "bottom", "lower", ("jeans", "denims")),
    GarmentKind("shorts", "bottom", "lower", ("shorts", "bermudas", "hot pants")),
    GarmentKind("leggings", "bottom", "lower", ("leggings", "jeggings", "tights", "treggings")),
    GarmentKind("bottom", "bottom", "lower", ("bottom", "bottomwear")),
    GarmentKind("sneakers", "shoes", None, ("sneaker", "trainer", "sports shoe", "running shoe", "plimsoll")),
    GarmentKind("boots", "shoes", None, ("boot", "bootie", "booties", "wellington", "wellies")),
    GarmentKind("sandals", "shoes", None, ("sandal", "espadrille")),
    GarmentKind("heels", "shoes", None, ("heel", "pump", "wedge", "stiletto", "court shoe",
                                         "heeled sandal")),
    GarmentKind("flats", "shoes", None, ("flats", "flat shoe", "ballerina", "mule", "moccasin")),
    GarmentKind("formal shoes", "shoes", None, ("formal shoe", "loafer", "oxford", "brogue", "derby")),
    GarmentKind("flip-flops", "shoes", None, ("flip-flop", "flipflop", "slider", "slide")),
    GarmentKind("shoes", "shoes", None, ("shoe", "footwear")),
    GarmentKind("slippers", "shoes", None, ("slipper",)),
    GarmentKind("bag", "accessory", None, ("bag", "handbag", "backpack", "rucksack", "clutch", "clutches",
                                           "tote", "purse", "satchel", "pouch", "pouches")),
    GarmentKind("belt", "accessory", None, ("belt", "braces", "suspenders")),
    GarmentKind("hat", "accessory", None, ("hat", "cap", "beanie", "beret", "headwear", "fedora")),
    GarmentKind("hair accessory", "accessory", None, ("hairband", "headband", "hair band", "alice band",
                                                      "hair clip", "hair tie", "hair ties", "hair string",
                                                      "scrunchie")),
    GarmentKind("watch", "accessory", None, ("watch", "watches")),
    GarmentKind("jewellery", "accessory", None, ("jewellery", "jewelry", "necklace", "earring", "bracelet",
                                                 "bangle", "ring", "pendant", "brooch", "anklet",
                                                 "cufflink")),
    GarmentKind("sunglasses", "accessory", None, ("sunglasses", "eyeglasses", "glasses", "spectacles",
                                                  "eyewear")),
    GarmentKind("scarf", "accessory", None, ("scarf", "scarves", "stole", "muffler", "shawl", "dupatta",
                                             "snood")),
    GarmentKind("tie", "accessory", None, ("tie", "ties", "necktie")),
    GarmentKind("gloves", "accessory", None, ("glove", "mitten")),
    GarmentKind("accessory", "accessory", None, ("accessory",)),
    GarmentKind("wallet", "accessory", None, ("wallet", "card holder")),
    GarmentKind("socks", None, None, ("sock", "stocking", "hosiery")),
    GarmentKind("underwear", None, None, ("underwear", "innerwear", "lingerie", "bra", "brief", "boxer",
                                          "trunk", "knickers", "panties", "thong", "shapewear", "long john",
                                          "underdress"), outranks=True),
    GarmentKind("swimwear", None, None, ("swimwear", "swimsuit", "swimming costume", "bikini", "tankini",
                                         "swim", "swim trunks", "sarong"), outranks=True),
    GarmentKind("nightwear", None, None, ("nightwear", "sleepwear", "loungewear", "lounge", "pyjamas",
                                          "pajamas", "nightdress", "nightgown", "night gown", "nightie",
                                          "nighty", "night suit", "baby doll", "robe", "bathrobe",
                                          "dressing gown", "sleep bag", "sleeping bag", "sleeping sack"),
                outranks=True),
)  # fmt: skip
"""Every garment kind the catalog recognises, with its role, try-on category and names."""


def garment_kind(product_type: str | None, google_product_category: str | None = None) -> GarmentKind | None:
    """The kind a product type names, else the kind its Google category names, else ``None``.

    In each text the whole of it is tried first, then its last ``>``-separated segment, then its
    phrases, longest first, then its words, the later before the earlier ("Shirt dress" is a dress,
    "Dress shirt" a shirt), except that an outranking kind's words decide (see :class:`GarmentKind`).

    >>> garment_kind("Men > Track Pants").name, garment_kind("Swimwear bottom").name
    ('trousers', 'swimwear')
    """
    for text in (product_type, google_product_category):
        if text and (kind := _kind_in(text)) is not None:
            return kind
    return None


def outfit_role(product_type: str | None, google_product_category: str | None = None) -> str | None:
    """The outfit role of a product type (``"top"``, ``"bottom"``, ``"dress"`` …), or ``None``.

    >>> outfit_role("Jeans"), outfit_role("Women > Knitwear"), outfit_role("Innerwear Vests")
    ('bottom', 'top', None)
    """
    kind = garment_kind(product_type, google_product_category)
    return kind.role if kind else None


def tryon_category(product_type: str | None, google_product_category: str | None = None) -> str | None:
    """The try-on category of a product type, or ``None`` when try-on cannot dress it or it is unknown.

    >>> tryon_category("Outerwear"), tryon_category("Polo shirts"), tryon_category("Jumpsuit/Playsuit")
    ('jacket', 'polo', None)
    """
    kind = garment_kind(product_type, google_product_category)
    return kind.tryon if kind else None


def _key(text: str) -> str:
    """The comparable form of a name or phrase: its words, hyphens as spaces, plurals folded."""
    return " ".join(stem(word) for word in words(text.replace("-", " ")))


def _index(kinds: tuple[GarmentKind, ...]) -> dict[str, GarmentKind]:
    """Each name's key → its kind; a name given to two kinds is a mistake in the table."""
    index: dict[str, GarmentKind] = {}
    for kind in kinds:
        for name in kind.names:
            key = _key(name)
            if index.setdefault(key, kind) is not kind:
                raise ValueError(f"{name!r} names both {index[key].name!r} and {kind.name!r}")
    return index


_INDEX = _index(KINDS)


@lru_cache(maxsize=4096)
def _kind_in(text: str) -> GarmentKind | None:
    """The kind one text names (see :func:`garment_kind` for the order)."""
    found = [kind for phrase in _phrases(text) if (kind := _INDEX.get(phrase)) is not None]
    return next((kind for kind in found if kind.outranks), found[0] if found else None)


def _phrases(text: str) -> list[str]:
    """The keys to look up in order: whole, last segment, then runs of words, longest and latest first."""
    tokens = _key(text).split()
    runs = [
        " ".join(tokens[start : start + length])
        for length in range(len(tokens), 0, -1)
        for start in range(len(tokens) - length, -1, -1)
    ]
    return [*runs[:1], _key(text.rsplit(">", 1)[-1]), *runs[1:]]
