"""The demo catalog: products drawn from the vocabulary and written as a Merchant Center feed.

Products come in item groups (one design in up to three colours), each with a brand,
style cluster, material, fit, pattern and shape options that the image renderer reads,
so that what a title says, what the image shows and how shoppers react all agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from vestis.data.demo.vocabulary import (
    BRANDS,
    CATEGORIES,
    COLOUR_NAMES,
    COLOUR_RGB,
    COMPLEMENTS,
    SIZED_ACCESSORIES,
    STYLE_COLOURS,
    STYLES,
    Category,
    Subtype,
)

FEED_COLUMNS = (
    "id", "item_group_id", "title", "description", "brand", "product_type", "google_product_category",
    "color", "pattern", "material", "gender", "age_group", "size", "size_system", "price", "availability",
    "image_link", "link", "subcategory", "style", "fit", "season", "launch_date",
)  # fmt: skip
SHOP_URL = "https://shop.example.com/products/"


@dataclass(frozen=True)
class DemoProduct:
    """One product of the demo shop with the latent traits the simulation and renderer use."""

    id: str
    group_id: str
    brand: str
    category: str
    subtype: str
    shape: str
    options: Mapping[str, str]
    gender: str
    style: str
    colour: str
    pattern: str
    accent: str
    material: str
    fit: str
    sizes: tuple[str, ...]
    size_system: str
    price: float
    in_stock: bool
    popularity: float
    launch_day: int
    season: str
    season_strength: float

    @property
    def product_type(self) -> str:
        """The Merchant Center ``product_type`` (the category's name)."""
        return _CATEGORY[self.category].product_type

    @property
    def title(self) -> str:
        """A shop title such as "Aster slim-fit striped cotton shirt in navy"."""
        material = "" if set(self.material.split()) & set(self.subtype.split()) else self.material
        words = [self.brand, self.fit, _PATTERN_WORD.get(self.pattern, ""), material, self.subtype]
        return " ".join(w for w in words if w) + f" in {self.colour}"

    @property
    def description(self) -> str:
        """Two or three sentences of shop copy built from the product's traits."""
        article = "An" if self.style[0] in "aeiou" else "A"
        cut = f"{self.fit} " if self.fit else ""
        pattern = "" if self.pattern == "solid" else f" with a {self.pattern} pattern"
        details = _DETAILS.get(self.shape, "")
        pairing = " and ".join(_CATEGORY[c].product_type.lower() for c in COMPLEMENTS[self.category][:2])
        season = {"winter": " Made for the colder months.", "summer": " Light enough for summer days."}
        return (
            f"{article} {self.style} {cut}{self.subtype} by {self.brand} in {self.colour}{pattern}, "
            f"made from {self.material}.{details}{season.get(self.season, '')} "
            f"Style it with {pairing}."
        )


def make_catalog(rng: np.random.Generator, count: int, *, days: int, start: date) -> list[DemoProduct]:
    """``count`` products spread over every category by its share, in a fixed order.

    Each item group picks a subtype, brand, gender, style, material and fit once and
    comes in one to three colours; ``launch_day`` (days after ``start``) is 0 for most
    products and later for the new arrivals of the year.
    """
    products: list[DemoProduct] = []
    group = 0
    for category, quota in zip(CATEGORIES, _quotas(count), strict=True):
        made = 0
        while made < quota:
            group += 1
            variants = min(quota - made, int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2])))
            products.extend(_item_group(rng, category, group, len(products), variants, days))
            made += variants
    return products


def feed_row(product: DemoProduct, *, start: date) -> dict[str, str]:
    """The product as a row of ``products.tsv`` (Google Merchant Center column names)."""
    return {
        "id": product.id,
        "item_group_id": product.group_id,
        "title": product.title,
        "description": product.description,
        "brand": product.brand,
        "product_type": product.product_type,
        "google_product_category": _CATEGORY[product.category].google_product_category,
        "color": product.colour,
        "pattern": product.pattern,
        "material": product.material,
        "gender": product.gender,
        "age_group": "adult",
        "size": ",".join(product.sizes),
        "size_system": product.size_system,
        "price": f"{product.price:.2f} EUR",
        "availability": "in_stock" if product.in_stock else "out_of_stock",
        "image_link": f"images/{product.id}.png",
        "link": f"{SHOP_URL}{product.id}",
        "subcategory": product.subtype,
        "style": product.style,
        "fit": product.fit,
        "season": product.season,
        "launch_date": (start + timedelta(days=product.launch_day)).isoformat(),
    }


def accent_colour(colour: str) -> str:
    """A contrasting colour for stripes, checks and prints on a ``colour`` ground."""
    red, green, blue = COLOUR_RGB[colour]
    return "white" if 0.3 * red + 0.59 * green + 0.11 * blue < 150 else "navy"


_CATEGORY = {c.key: c for c in CATEGORIES}
_PATTERN_WORD = {"striped": "striped", "checked": "checked", "floral": "floral", "polka dot": "polka-dot",
                 "graphic print": "graphic-print"}  # fmt: skip
_DETAILS = {
    "shirt": " Cut with a classic collar and a buttoned front.",
    "jeans": " Five-pocket styling with contrast stitching.",
    "outerwear": " Long sleeves and practical pockets.",
    "sneakers": " Cushioned rubber sole and lace-up front.",
    "boots": " Stacked heel and a clean ankle shaft.",
    "heels": " A slim heel for evenings out.",
}


def _quotas(count: int) -> list[int]:
    """Products per category by share (largest remainder), at least one each when possible."""
    shares = np.array([c.share for c in CATEGORIES], dtype=float)
    exact = shares / shares.sum() * count
    quotas = np.floor(exact).astype(int)
    for index in np.argsort(-(exact - quotas), kind="stable")[: count - int(quotas.sum())]:
        quotas[index] += 1
    while count >= len(CATEGORIES) and (quotas == 0).any():
        quotas[int(np.argmax(quotas))] -= 1
        quotas[int(np.argmin(quotas))] += 1
    return [int(q) for q in quotas]


def _item_group(
    rng: np.random.Generator, category: Category, group: int, offset: int, variants: int, days: int
) -> list[DemoProduct]:
    subtype = category.subtypes[_pick(rng, [1.0] * len(category.subtypes))]
    brand = BRANDS[_pick(rng, [b.share for b in BRANDS])]
    gender = _choose(rng, subtype.genders)
    style = _choose(
        rng, {s: brand.styles.get(s, 0.2) * (1.0 if s in subtype.styles else 0.15) for s in STYLES}
    )
    pattern = _choose(rng, subtype.patterns)
    material = subtype.materials[_pick(rng, [1.0] * len(subtype.materials))]
    fit = subtype.fits[_pick(rng, [1.0] * len(subtype.fits))] if subtype.fits else ""
    options = {name: values[_pick(rng, [1.0] * len(values))] for name, values in subtype.options.items()}
    sizes = SIZED_ACCESSORIES.get(subtype.name, (category.sizes,))[0]
    price = _shop_price(subtype.base_price * brand.price_factor * float(rng.lognormal(0.0, 0.12)))
    launch = 0 if rng.random() < 0.8 else int(rng.integers(0, max(1, int(days * 0.85))))
    products = []
    for colour in _colours(rng, subtype, style, variants):
        products.append(
            DemoProduct(
                id=f"vs-{offset + len(products) + 1:05d}",
                group_id=f"vsg-{group:04d}",
                brand=brand.name,
                category=category.key,
                subtype=subtype.name,
                shape=subtype.shape,
                options=options,
                gender=gender,
                style=style,
                colour=colour,
                pattern=pattern,
                accent=accent_colour(colour),
                material=material,
                fit=fit,
                sizes=sizes,
                size_system=category.size_system,
                price=price,
                in_stock=bool(rng.random() > 0.03),
                popularity=float(rng.lognormal(0.0, 0.5)),
                launch_day=launch,
                season=subtype.season,
                season_strength=subtype.season_strength,
            )
        )
    return products


def _colours(rng: np.random.Generator, subtype: Subtype, style: str, count: int) -> list[str]:
    """``count`` distinct colours, favouring the style's palette, within the subtype's range."""
    allowed = subtype.colours or COLOUR_NAMES
    weights = np.array([STYLE_COLOURS[style].get(c, 0.2) for c in allowed], dtype=float)
    chosen = rng.choice(len(allowed), size=min(count, len(allowed)), replace=False, p=weights / weights.sum())
    return [allowed[int(i)] for i in chosen]


def _shop_price(amount: float) -> float:
    """A shop price ending in .95 (e.g. 49.95)."""
    return max(9, round(amount)) - 0.05


def _choose(rng: np.random.Generator, weights: Mapping[str, float]) -> str:
    names = list(weights)
    return names[_pick(rng, [weights[n] for n in names])]


def _pick(rng: np.random.Generator, weights: Sequence[float]) -> int:
    p = np.asarray(weights, dtype=float)
    return int(rng.choice(len(p), p=p / p.sum()))
