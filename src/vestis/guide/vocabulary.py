"""The catalog's own words: product types, colours, patterns, materials and genders, with synonyms.

Shoppers say "trainers", "crimson" or "连衣裙"; the catalog says ``sneakers``, ``red`` and
``Dresses``. :class:`Vocabulary` maps every phrase a shopper may use onto values that
**exist in this catalog** (a synonym whose targets are all absent is dropped, and a
fallback chain such as navy → blue picks the first target the catalog has), so a parsed
query can always be checked against real product attributes. Occasions and seasons map
onto soft preferences (styles, subcategories, materials, the ``season`` attribute).

:class:`GuideProduct` is the slice of a product the guide reads, loaded once per index.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import Engine, Row

from vestis.catalog import readers
from vestis.catalog.models import Product
from vestis.text.tokens import words

__all__ = [
    "FIELDS",
    "CatalogState",
    "KIDS",
    "PRODUCT_COLUMNS",
    "GuideProduct",
    "Preference",
    "Term",
    "Vocabulary",
    "load_products",
]

FIELDS = ("product_type", "color", "pattern", "material", "gender", "audience", "occasion", "season")
"""What a recognised phrase can name (an ``audience`` term names a gender, or none, and an age group)."""

KIDS = ("kids", "toddler", "infant", "newborn")
"""Merchant Center age groups a request for children's products admits; ``adult`` is the other one."""


PRODUCT_COLUMNS = ("id", "title", "description", "brand", "product_type", "attributes", "color", "pattern",
                   "material", "gender", "age_group", "size", "price", "currency", "availability")  # fmt: skip
"""The catalog columns :meth:`GuideProduct.from_product` reads."""


@dataclass(frozen=True)
class GuideProduct:
    """What the guide needs of a product: searchable text, hard-constraint facets, soft facets."""

    id: str
    title: str
    description: str = ""
    brand: str = ""
    product_type: str = ""
    subcategory: str = ""
    color: str = ""
    pattern: str = ""
    material: str = ""
    gender: str = ""
    age_group: str = ""
    sizes: tuple[str, ...] = ()
    price: float | None = None
    currency: str = ""
    style: str = ""
    season: str = ""
    fit: str = ""
    occasion: str = ""
    availability: str = "in_stock"

    @classmethod
    def from_product(cls, product: Product | Row[Any]) -> GuideProduct:
        """From a catalog row; ``subcategory``, ``style``, ``season``, ``fit`` and ``occasion`` live in attributes."""
        extra = product.attributes or {}
        return cls(
            id=product.id,
            title=product.title or "",
            description=product.description or "",
            brand=product.brand or "",
            product_type=product.product_type or "",
            subcategory=str(extra.get("subcategory") or ""),
            color=(product.color or "").lower(),
            pattern=(product.pattern or "").lower(),
            material=(product.material or "").lower(),
            gender=(product.gender or "").lower(),
            age_group=(product.age_group or "").lower(),
            sizes=tuple(str(s) for s in product.size or ()),
            price=product.price,
            currency=product.currency or "",
            style=str(extra.get("style") or "").lower(),
            season=str(extra.get("season") or "").lower(),
            fit=str(extra.get("fit") or "").lower(),
            occasion=str(extra.get("occasion") or "").lower(),
            availability=product.availability or "in_stock",
        )

    def text(self) -> str:
        """One text for lexical indexing: title, description and every attribute."""
        return " . ".join(part for part in (self.title, self.description, self._facets()) if part)

    def semantic_text(self) -> str:
        """What the sentence encoder embeds: the title, then the attribute words it does not say already.

        Shorter than :meth:`text` (no description, no repeats), since embedding time grows with
        the words: 1.9× the speed of embedding :meth:`text`, which a 100k-product build needs
        to stay under 5 minutes on 2 cores. Measured on the demo catalog (docs/benchmarks.md):
        semantic nDCG@10 0.884 → 0.885, hybrid 0.891 → 0.886; on Myntra, hybrid 0.916 → 0.917.
        The description still counts lexically.
        """
        said = set(words(self.title.replace("-", " ")))
        extra = [w for w in dict.fromkeys(words(self._facets().replace("-", " "))) if w not in said]
        return " . ".join(part for part in (self.title, " ".join(extra)) if part)

    def content_hash(self) -> str:
        """A digest of everything that is indexed, so a refresh re-embeds only changed products."""
        state = {item.name: getattr(self, item.name) for item in fields(self)}  # asdict without deep copies
        return hashlib.sha1(json.dumps(state, sort_keys=True).encode("utf-8")).hexdigest()

    @property
    def kind(self) -> str:
        """The most specific category name: the subcategory when the catalog has one."""
        return self.subcategory or self.product_type

    def _facets(self) -> str:
        """The attributes as words: type, subcategory, colour, pattern, material, audience, style, fit, season, brand."""
        audience = {"female": "women", "male": "men", "unisex": "unisex"}.get(self.gender, self.gender)
        facets = (self.product_type, self.subcategory, self.color, self.pattern, self.material, audience,
                  self.style, self.fit, f"{self.season} season" if self.season else "", self.brand)  # fmt: skip
        return " ".join(f for f in facets if f)


@dataclass(frozen=True)
class CatalogState:
    """A cheap fingerprint of the products: the count and the newest ``updated_at``.

    Every ORM or SQLAlchemy write sets ``updated_at`` (``Product.updated_at`` has ``onupdate``), and
    removing a product changes the count, so an unchanged fingerprint means unchanged products.
    """

    products: int
    updated_at: str | None

    @classmethod
    def of(cls, engine: Engine) -> CatalogState:
        """The fingerprint of the catalog behind ``engine`` now."""
        count, newest = readers.catalog_fingerprint(engine)
        return cls(count, newest.isoformat() if newest is not None else None)


def load_products(engine: Engine) -> list[GuideProduct]:
    """Every catalog product as a :class:`GuideProduct`, ordered by id."""
    return [GuideProduct.from_product(row) for row in readers.product_fields(engine, names=PRODUCT_COLUMNS)]


@dataclass(frozen=True)
class Term:
    """A phrase's meaning: a field and the catalog values (or occasion/season name) it stands for."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Preference:
    """Soft preferences an occasion or season implies; products matching more rank higher."""

    styles: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    materials: frozenset[str] = frozenset()
    seasons: frozenset[str] = frozenset()
    occasions: frozenset[str] = frozenset()

    def score(self, product: GuideProduct) -> float:
        """How well the product suits this preference, in [0, 1].

        A product whose catalog entry states its occasion is judged by that alone (it is what the
        merchant says the product is for); otherwise by the share of the other facets it matches.
        """
        if self.occasions and product.occasion:
            return float(product.occasion in self.occasions)
        checks = [
            (self.styles, product.style),
            (self.kinds, product.subcategory.lower()),
            (self.materials, product.material),
            (self.seasons, product.season),
        ]
        used = [(wanted, value) for wanted, value in checks if wanted]
        return sum(value in wanted for wanted, value in used) / len(used) if used else 0.0


@dataclass(frozen=True)
class Vocabulary:
    """Phrase → :class:`Term` for one catalog, plus its facet values and price landmarks."""

    terms: Mapping[str, Term]
    product_types: tuple[str, ...] = ()
    subcategories: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    preferences: Mapping[str, Preference] = field(default_factory=dict)
    price_range: tuple[float, float] = (0.0, 0.0)
    cheap_below: float = 0.0
    premium_above: float = 0.0
    currency: str = "EUR"

    @classmethod
    def from_engine(cls, engine: Engine) -> Vocabulary:
        """The vocabulary of the catalog behind ``engine``."""
        return cls.from_products(load_products(engine))

    @classmethod
    def from_products(cls, products: Iterable[GuideProduct]) -> Vocabulary:
        """The vocabulary of ``products``: their own facet values, synonyms onto them, price quartiles."""
        products = list(products)

        def distinct(values: Iterable[str]) -> tuple[str, ...]:
            return tuple(sorted({v for v in values if v}))

        types = distinct(p.product_type for p in products)
        kinds = distinct(p.subcategory for p in products)
        colors = distinct(p.color for p in products)
        patterns = distinct(p.pattern for p in products)
        materials = distinct(p.material for p in products)
        genders = distinct(p.gender for p in products)
        age_groups = distinct(p.age_group for p in products)
        sizes = distinct(s for p in products for s in p.sizes)
        prices = np.array([p.price for p in products if p.price is not None], dtype=float)
        currencies = [p.currency for p in products if p.currency]
        terms = _build_terms(types, kinds, colors, patterns, materials, genders, age_groups)
        preferences = _build_preferences(products)
        for name in preferences:
            field_name = "season" if name in SEASONS else "occasion"
            for phrase in (OCCASIONS | SEASONS)[name]["phrases"]:
                terms.setdefault(phrase, Term(field_name, (name,)))
        return cls(
            terms=terms,
            product_types=types,
            subcategories=kinds,
            colors=colors,
            patterns=patterns,
            materials=materials,
            genders=genders,
            age_groups=age_groups,
            sizes=sizes,
            preferences=preferences,
            price_range=(float(prices.min()), float(prices.max())) if prices.size else (0.0, 0.0),
            cheap_below=float(np.percentile(prices, 25)) if prices.size else 0.0,
            premium_above=float(np.percentile(prices, 75)) if prices.size else 0.0,
            currency=max(set(currencies), key=currencies.count) if currencies else "EUR",
        )

    def lookup(self, phrase: str) -> Term | None:
        """The term a lower-case phrase names, or ``None``."""
        return self.terms.get(phrase)

    @cached_property
    def longest_phrase(self) -> int:
        """Word count of the longest known phrase (how far the parser looks ahead)."""
        return max((len(p.split()) for p in self.terms), default=1)

    @cached_property
    def chinese_phrases(self) -> frozenset[str]:
        """Known phrases written in Chinese characters (segmentation needs them; Chinese has no spaces)."""
        return frozenset(p for p in self.terms if _CJK.search(p))


# Synonyms: phrase → catalog values tried in order; for categories every present target is kept,
# for colours the first present one (a fallback chain), so "navy" stays navy where the catalog has it.
CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "trainers": ("sneakers", "sports shoes"), "trainer": ("sneakers", "sports shoes"),
    "running shoes": ("sneakers", "sports shoes"),
    "kicks": ("sneakers",), "sport shoes": ("sneakers", "sports shoes"),
    "gym shoes": ("sneakers", "sports shoes"),
    "sneakers": ("casual shoes", "sports shoes"), "sneaker": ("casual shoes", "sports shoes"),
    "pants": ("Trousers",), "slacks": ("Trousers",), "trouser": ("Trousers",),
    "t-shirt": ("t-shirt",), "tee": ("t-shirt",), "tees": ("t-shirt",), "tshirt": ("t-shirt",), "t shirt": ("t-shirt",),
    "frock": ("Dresses",), "gown": ("Dresses",), "sundress": ("Dresses",),
    "jumper": ("sweater",), "pullover": ("sweater",), "knitwear": ("sweater", "knit dress"),
    "hoodie": ("sweatshirt",), "sweat": ("sweatshirt",), "vest": ("tank top",), "tank": ("tank top",),
    "coat": ("wool coat", "trench coat", "parka"), "jacket": ("bomber jacket", "denim jacket",
    "rain jacket", "puffer jacket"), "raincoat": ("rain jacket",), "mac": ("trench coat",),
    "bag": ("crossbody bag", "tote bag"), "handbag": ("crossbody bag", "tote bag"),
    "purse": ("crossbody bag",), "hat": ("bucket hat", "cap", "beanie"), "bonnet": ("beanie",),
    "pumps": ("heels",), "stilettos": ("heels",), "high heels": ("heels",), "flip flops": ("sandals",),
    "denims": ("Jeans",), "sweatpants": ("joggers",), "tracksuit bottoms": ("joggers",),
    "chino": ("chinos",), "footwear": ("Shoes",), "tops": ("Tops",),
    "outerwear": ("Outerwear",), "accessory": ("Accessories",),
    # Chinese: categories.
    "连衣裙": ("Dresses",), "裙子": ("Dresses", "Skirts"), "半身裙": ("Skirts",), "短裙": ("mini skirt",),
    "衬衫": ("Shirts",), "t恤": ("t-shirt",), "上衣": ("Tops",), "毛衣": ("sweater",), "卫衣": ("sweatshirt",),
    "裤子": ("Trousers",), "长裤": ("Trousers",), "牛仔裤": ("Jeans",), "短裤": ("shorts", "denim shorts"),
    "外套": ("Outerwear",), "夹克": ("bomber jacket", "denim jacket", "rain jacket", "puffer jacket"),
    "大衣": ("wool coat", "trench coat"), "风衣": ("trench coat",), "羽绒服": ("puffer jacket", "parka"),
    "鞋": ("Shoes",), "鞋子": ("Shoes",), "运动鞋": ("sneakers",), "高跟鞋": ("heels",), "凉鞋": ("sandals",),
    "包": ("crossbody bag", "tote bag"), "帽子": ("bucket hat", "cap", "beanie"), "围巾": ("scarf",),
    "腰带": ("belt",), "皮带": ("belt",), "配饰": ("Accessories",),
}  # fmt: skip

COLOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "navy": ("navy", "blue"), "navy blue": ("navy", "blue"), "dark blue": ("navy", "blue"),
    "midnight blue": ("navy", "blue"), "crimson": ("red",), "scarlet": ("red",), "cherry": ("red",),
    "maroon": ("burgundy", "red"), "wine": ("burgundy", "red"), "oxblood": ("burgundy", "red"),
    "dark red": ("burgundy", "red"), "gray": ("grey",), "charcoal": ("grey", "black"),
    "silver": ("grey",), "cream": ("beige", "white"), "ivory": ("white", "beige"),
    "off-white": ("white",), "off white": ("white",), "tan": ("beige", "brown"), "camel": ("beige", "brown"),
    "nude": ("beige",), "sand": ("beige",), "khaki": ("olive", "beige"), "sky blue": ("light blue", "blue"),
    "baby blue": ("light blue", "blue"), "pale blue": ("light blue", "blue"), "royal blue": ("blue",),
    "cobalt": ("blue",), "denim blue": ("blue",), "teal": ("green", "blue"), "mint": ("green",),
    "emerald": ("green",), "forest green": ("green", "olive"), "dark green": ("olive", "green"),
    "lime": ("green",), "rose": ("pink",), "blush": ("pink",), "fuchsia": ("pink",), "magenta": ("pink",),
    "mustard": ("yellow",), "lemon": ("yellow",), "gold": ("yellow",), "coral": ("orange", "pink"),
    "rust": ("orange", "brown"), "chocolate": ("brown",), "cognac": ("brown",), "jet black": ("black",),
    # Chinese: colours.
    "红色": ("red",), "红": ("red",), "蓝色": ("blue",), "蓝": ("blue",), "深蓝": ("navy", "blue"),
    "深蓝色": ("navy", "blue"), "藏青": ("navy", "blue"), "藏青色": ("navy", "blue"), "海军蓝": ("navy", "blue"),
    "浅蓝": ("light blue", "blue"), "浅蓝色": ("light blue", "blue"), "天蓝色": ("light blue", "blue"),
    "黑色": ("black",), "黑": ("black",), "白色": ("white",), "白": ("white",), "灰色": ("grey",),
    "灰": ("grey",), "绿色": ("green",), "绿": ("green",), "橄榄绿": ("olive", "green"), "黄色": ("yellow",),
    "黄": ("yellow",), "粉色": ("pink",), "粉红色": ("pink",), "粉红": ("pink",), "棕色": ("brown",),
    "咖啡色": ("brown",), "米色": ("beige",), "卡其色": ("olive", "beige"), "橙色": ("orange",),
    "酒红": ("burgundy", "red"), "酒红色": ("burgundy", "red"),
}  # fmt: skip

PATTERN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "plain": ("solid",), "block colour": ("solid",), "stripes": ("striped",), "stripe": ("striped",),
    "stripy": ("striped",), "pinstripe": ("striped",), "breton": ("striped",), "plaid": ("checked",),
    "tartan": ("checked",), "check": ("checked",), "checks": ("checked",), "gingham": ("checked",),
    "checkered": ("checked",), "flowers": ("floral",), "flowery": ("floral",), "flower": ("floral",),
    "printed": ("graphic print",), "print": ("graphic print",), "graphic": ("graphic print",),
    "logo": ("graphic print",), "polka dots": ("polka dot",), "polka-dot": ("polka dot",),
    "dots": ("polka dot",), "dotted": ("polka dot",), "spotted": ("polka dot",),
    "条纹": ("striped",), "格子": ("checked",), "碎花": ("floral",), "印花": ("graphic print",),
    "波点": ("polka dot",), "纯色": ("solid",),
}  # fmt: skip

MATERIAL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "woollen": ("wool",), "woolen": ("wool",), "merino": ("merino wool",), "fleece": ("cotton fleece",),
    "faux leather": ("vegan leather",), "pleather": ("vegan leather",), "cord": ("corduroy",),
    "jean": ("denim",), "棉": ("cotton",), "纯棉": ("cotton",), "亚麻": ("linen",), "羊毛": ("wool",),
    "真丝": ("silk",), "丝绸": ("silk",), "皮": ("leather",), "真皮": ("leather",), "牛仔": ("denim",),
    "羊绒": ("cashmere",),
}  # fmt: skip

GENDER_PHRASES: dict[str, str] = {
    "for men": "male", "men": "male", "mens": "male", "men's": "male", "man": "male", "male": "male",
    "gents": "male", "gentlemen": "male", "guys": "male", "boyfriend": "male", "him": "male",
    "for women": "female", "women": "female", "womens": "female", "women's": "female", "woman": "female",
    "female": "female", "ladies": "female", "lady": "female", "her": "female", "girlfriend": "female",
    "unisex": "unisex", "男": "male", "男士": "male", "男款": "male", "男装": "male", "女": "female",
    "女士": "female", "女款": "female", "女装": "female",
}  # fmt: skip

AUDIENCE_PHRASES: dict[str, tuple[str, str]] = {
    "kids": ("", "kids"), "kid": ("", "kids"), "kid's": ("", "kids"), "kids'": ("", "kids"),
    "children": ("", "kids"), "child": ("", "kids"), "children's": ("", "kids"), "childrens": ("", "kids"),
    "toddler": ("", "kids"), "toddlers": ("", "kids"), "junior": ("", "kids"), "juniors": ("", "kids"),
    "boys": ("male", "kids"), "boy": ("male", "kids"), "boy's": ("male", "kids"), "boys'": ("male", "kids"),
    "son": ("male", "kids"), "girls": ("female", "kids"), "girl": ("female", "kids"),
    "girl's": ("female", "kids"), "girls'": ("female", "kids"), "daughter": ("female", "kids"),
    "for men": ("male", "adult"), "men": ("male", "adult"), "mens": ("male", "adult"),
    "men's": ("male", "adult"), "man": ("male", "adult"), "gents": ("male", "adult"),
    "gentlemen": ("male", "adult"), "dad": ("male", "adult"), "father": ("male", "adult"),
    "husband": ("male", "adult"), "for women": ("female", "adult"), "women": ("female", "adult"),
    "womens": ("female", "adult"), "women's": ("female", "adult"), "woman": ("female", "adult"),
    "ladies": ("female", "adult"), "lady": ("female", "adult"), "mum": ("female", "adult"),
    "mom": ("female", "adult"), "mother": ("female", "adult"), "wife": ("female", "adult"),
    "儿童": ("", "kids"), "童装": ("", "kids"), "男童": ("male", "kids"), "女童": ("female", "kids"),
}  # fmt: skip
"""Phrases naming who a product is for: (gender or "", Merchant Center age group).

Used where the catalog has children's products (an ``age_group`` among :data:`KIDS`):
then "boys" means boys' products, not men's, and "men" means men's, not boys'."""

OCCASIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "wedding": {"phrases": ("wedding", "wedding guest", "ceremony", "婚礼"),
                "styles": ("romantic", "classic"), "kinds": ("wrap dress", "midi dress", "maxi dress",
                "heels", "blouse", "pleated skirt", "tailored trousers", "crossbody bag"),
                "materials": ("satin", "chiffon", "silk", "crepe"),
                "occasions": ("wedding", "party", "festive", "ethnic")},
    "office": {"phrases": ("office", "work", "business", "meeting", "interview", "formal", "smart",
               "上班", "通勤"),
               "styles": ("classic", "minimal"), "kinds": ("oxford shirt", "blouse", "tailored trousers",
               "chinos", "pencil skirt", "loafers", "trench coat", "wool coat", "shirt"),
               "materials": ("oxford cotton", "cotton twill", "wool", "crepe", "poplin cotton"),
               "occasions": ("formal", "smart casual", "office", "work", "business")},
    "beach": {"phrases": ("beach", "holiday", "vacation", "seaside", "pool", "resort", "海边", "度假"),
              "styles": ("romantic", "bold"), "kinds": ("sandals", "shorts", "denim shorts", "tank top",
              "linen shirt", "bucket hat", "maxi dress", "short-sleeve shirt", "tote bag"),
              "materials": ("linen", "cotton", "chiffon"), "seasons": ("summer",),
              "occasions": ("beach", "holiday", "vacation", "travel")},
    "gym": {"phrases": ("gym", "workout", "training", "sport", "sports", "running", "jogging",
            "athletic", "健身", "运动"),
            "styles": ("sporty",), "kinds": ("sneakers", "joggers", "sweatshirt", "tank top", "cap",
            "t-shirt"), "materials": ("jersey", "mesh", "cotton fleece", "recycled nylon", "polyester"),
            "occasions": ("sports", "sport", "sportswear", "gym", "athletic", "active")},
    "party": {"phrases": ("party", "evening", "night out", "date", "date night", "cocktail", "club",
              "elegant", "dressy", "chic", "glamorous",
              "派对", "约会"),
              "styles": ("bold", "romantic"), "kinds": ("heels", "mini dress", "wrap dress", "mini skirt",
              "crossbody bag", "blouse"), "materials": ("satin", "silk", "chiffon", "crepe"),
              "occasions": ("party", "evening", "cocktail")},
    "casual": {"phrases": ("casual", "everyday", "weekend", "relaxed", "comfy", "comfortable",
               "休闲", "日常"),
               "styles": ("minimal", "sporty"), "kinds": ("t-shirt", "sweatshirt", "straight jeans",
               "sneakers", "wide-leg jeans", "denim jacket", "cap", "tote bag"),
               "materials": ("cotton", "jersey", "denim", "organic cotton"),
               "occasions": ("casual", "everyday")},
    "outdoor": {"phrases": ("hiking", "outdoor", "outdoors", "rain", "rainy", "walk", "户外", "下雨"),
                "styles": ("sporty",), "kinds": ("rain jacket", "parka", "puffer jacket", "sneakers",
                "cargo trousers", "beanie"), "materials": ("waterproof nylon", "cotton ripstop",
                "recycled nylon", "nylon"), "occasions": ("outdoor", "travel", "sports")},
    "ethnic": {"phrases": ("ethnic", "traditional", "festive", "festival", "indian wear"),
               "kinds": ("kurtas", "kurtis", "kurta sets", "sarees", "lehenga choli", "salwar", "churidar",
               "dupatta", "nehru jackets", "salwar and dupatta", "patiala"),
               "occasions": ("ethnic", "festive", "traditional")},
}  # fmt: skip

SEASONS: dict[str, dict[str, tuple[str, ...]]] = {
    "summer": {"phrases": ("summer", "summery", "hot weather", "warm weather", "heatwave", "夏天", "夏季",
               "夏"),
               "seasons": ("summer",), "kinds": ("shorts", "denim shorts", "sandals", "tank top",
               "linen shirt", "maxi dress", "midi dress", "mini dress", "short-sleeve shirt", "t-shirt"),
               "materials": ("linen", "cotton", "chiffon", "organic cotton", "viscose")},
    "winter": {"phrases": ("winter", "wintry", "cold", "cold weather", "warm", "cosy", "cozy", "snow",
               "冬天", "冬季", "冬"),
               "seasons": ("winter",), "kinds": ("sweater", "wool coat", "parka", "puffer jacket",
               "beanie", "scarf", "knit dress"),
               "materials": ("wool", "cashmere", "merino wool", "wool blend", "corduroy", "cotton fleece")},
    "spring": {"phrases": ("spring", "springtime", "春天", "春季"),
               "seasons": ("all",), "kinds": ("trench coat", "denim jacket", "bomber jacket", "blouse",
               "midi skirt", "chinos"), "materials": ("cotton", "denim", "cotton gabardine")},
    "autumn": {"phrases": ("autumn", "fall", "秋天", "秋季"),
               "seasons": ("all",), "kinds": ("trench coat", "rain jacket", "flannel shirt", "sweatshirt",
               "denim jacket", "loafers"), "materials": ("corduroy", "brushed cotton", "wool blend", "suede")},
}  # fmt: skip


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _build_terms(
    types: tuple[str, ...],
    kinds: tuple[str, ...],
    colors: tuple[str, ...],
    patterns: tuple[str, ...],
    materials: tuple[str, ...],
    genders: tuple[str, ...],
    age_groups: tuple[str, ...] = (),
) -> dict[str, Term]:
    """Catalog values first (with plural/singular forms), then synonyms onto present values.

    Synonym targets meet catalog categories by name, else by a spelling-blind key (``t-shirt`` finds
    ``Tshirts``).
    """
    terms: dict[str, Term] = {}
    exact = {v.lower(): v for v in (*types, *kinds)}
    spelled: dict[str, str] = {}
    for value in (*types, *kinds):
        spelled.setdefault(_category_key(value), value)

    def category(name: str) -> str | None:
        return exact.get(name.lower()) or spelled.get(_category_key(name))

    def add(phrase: str, field_name: str, values: Iterable[str]) -> None:
        kept = tuple(dict.fromkeys(values))
        if kept:
            terms.setdefault(phrase.lower(), Term(field_name, kept))

    for value in (*types, *kinds):
        for form in _forms(value.lower()):
            add(form, "product_type", [value])
    for value in colors:
        add(value, "color", [value])
    for value in patterns:
        add(value, "pattern", [value])
    for value in materials:  # a one-word material names its family: "wool" → wool, merino wool, wool blend
        add(
            value,
            "material",
            [m for m in materials if _word_in(value, m) and not _imitation(m)]
            if " " not in value
            else [value],
        )
    for phrase, targets in CATEGORY_SYNONYMS.items():
        for form in _forms(phrase):
            add(
                form,
                "product_type",
                [c for t in targets if (c := category(t)) is not None],
            )
    for phrase, targets in COLOR_SYNONYMS.items():
        add(phrase, "color", [t for t in targets if t in colors][:1])
    for phrase, targets in PATTERN_SYNONYMS.items():
        add(phrase, "pattern", [t for t in targets if t in patterns])
    for phrase, targets in MATERIAL_SYNONYMS.items():
        add(phrase, "material", [m for t in targets for m in materials if _word_in(t, m)])
    for word in sorted({w for m in materials for w in m.split()}):  # families of words inside materials
        add(word, "material", [m for m in materials if _word_in(word, m) and not _imitation(m)])
    for kind in kinds:  # head nouns: "jacket" → every kind of jacket (unless a synonym said otherwise)
        head = kind.lower().split()[-1]
        if " " in kind:
            for form in _forms(head):
                add(form, "product_type", [k for k in kinds if k.lower().split()[-1] == head])
    if any(age in KIDS for age in age_groups):  # who a product is for matters only beside children's products
        for phrase, (gender, age) in AUDIENCE_PHRASES.items():
            terms.setdefault(phrase, Term("audience", (gender if gender in genders else "", age)))
    for phrase, gender in GENDER_PHRASES.items():
        add(phrase, "gender", [gender] if gender in genders else [])
    return terms


def _build_preferences(products: list[GuideProduct]) -> dict[str, Preference]:
    """Occasion and season preferences restricted to values the catalog has; empty ones dropped.

    A kind the tables name meets the catalog's kinds by name, else by spelling (``sweater`` → ``sweaters``).
    """
    present = {
        "styles": {p.style for p in products},
        "kinds": {p.subcategory.lower() for p in products},
        "materials": {p.material for p in products},
        "seasons": {p.season for p in products},
        "occasions": {p.occasion for p in products},
    }
    spelled: dict[str, str] = {}
    for kind in sorted(present["kinds"]):
        spelled.setdefault(_category_key(kind), kind)
    preferences = {}
    for name, table in (OCCASIONS | SEASONS).items():
        facets = {key: frozenset(v for v in table.get(key, ()) if v in present[key]) for key in present}
        facets["kinds"] = frozenset(
            kind
            for v in table.get("kinds", ())
            if (kind := v if v in present["kinds"] else spelled.get(_category_key(v)))
        )
        if any(facets.values()):
            preferences[name] = Preference(**facets)
    return preferences


def _forms(phrase: str) -> list[str]:
    """A phrase with its English singular/plural variants and spacing/hyphen variants."""
    forms = {phrase, phrase.replace("-", " "), phrase.replace("-", "")}
    for form in list(forms):
        if form in _PLURAL_ONLY:
            continue
        if form.endswith("sses") or form.endswith("shes"):
            forms.add(form[:-2])
        elif form.endswith("ies"):
            forms.add(form[:-3] + "y")
        elif form.endswith("s") and not form.endswith("ss") and len(form) > 3:
            forms.add(form[:-1])
        elif re.search(r"(ss|sh|ch|x)$", form):
            forms.add(form + "es")
        elif re.search(r"[a-z]$", form):
            forms.add(form + "s")
    return sorted(forms)


_PLURAL_ONLY = frozenset({"shorts", "denim shorts"})
"""Plurals whose singular means something else ("short")."""


def _category_key(name: str) -> str:
    """A category name without case, spaces, hyphens or a plural ending: ``T-Shirts`` → ``tshirt``."""
    key = re.sub(r"[\s\-]+", "", name.lower())
    if key.endswith(("sses", "shes", "ches")):
        return key[:-2]
    return key[:-1] if key.endswith("s") and not key.endswith("ss") else key


def _word_in(word: str, phrase: str) -> bool:
    return word in phrase.split()


def _imitation(material: str) -> bool:
    """Vegan or faux leather is not what a shopper asking for "leather" means."""
    return any(word in material.split() for word in ("vegan", "faux", "imitation"))
