"""The fixed vocabulary of the demo shop: colours, style clusters, brands, categories and sizes.

Everything the generator draws from lives here as data, so that titles, images, size
charts and shopper behaviour agree on one set of names and the catalog can be read
and extended in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vestis.vision.colour import PALETTE

STYLES = ("classic", "sporty", "romantic", "minimal", "bold")
GENDERS = ("female", "male", "unisex")
LETTER_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
WAIST_SIZES = ("26", "28", "30", "32", "34", "36", "38")
SHOE_SIZES = tuple(str(n) for n in range(36, 47))
BELT_SIZES = ("S", "M", "L")
ONE_SIZE = ("One size",)


@dataclass(frozen=True)
class Colour:
    """A named colour of the palette with the RGB used to paint product images."""

    name: str
    rgb: tuple[int, int, int]


COLOURS = tuple(
    Colour(name, PALETTE[name])
    for name in ("black", "white", "grey", "navy", "blue", "light blue", "red", "burgundy", "pink", "green",
                 "olive", "beige", "brown", "yellow", "orange")
)  # fmt: skip
"""The demo's colours: the palette's names and values (:data:`vestis.vision.colour.PALETTE`), light grey and purple aside."""
COLOUR_NAMES = tuple(c.name for c in COLOURS)
COLOUR_RGB = {c.name: c.rgb for c in COLOURS}

# How strongly each style cluster likes each colour (unlisted colours weigh 0.2).
STYLE_COLOURS: dict[str, dict[str, float]] = {
    "classic": {"navy": 3, "white": 2.5, "beige": 2, "brown": 1.5, "burgundy": 1.5, "light blue": 1.5,
                "black": 1.5, "grey": 1, "green": 0.5, "olive": 0.5},
    "sporty": {"black": 3, "grey": 2.5, "white": 2, "blue": 2, "red": 1.5, "navy": 1.5, "green": 1,
               "yellow": 0.8, "orange": 0.8},
    "romantic": {"pink": 3, "white": 2, "light blue": 2, "burgundy": 2, "beige": 1.5, "red": 1.2,
                 "yellow": 0.8, "green": 0.6},
    "minimal": {"black": 3, "white": 3, "grey": 2.5, "beige": 2, "navy": 1.5, "olive": 0.8, "brown": 0.6},
    "bold": {"red": 3, "yellow": 2.5, "orange": 2, "pink": 2, "green": 2, "blue": 2, "black": 1,
             "burgundy": 1},
}  # fmt: skip


@dataclass(frozen=True)
class Brand:
    """A fictional brand: price tier, how its sizes run and which styles it designs.

    ``fit_bias`` is in fractions of one size step: ``-0.5`` means its garments are half
    a size smaller than the nominal standard (the brand "runs small").
    """

    name: str
    tier: str
    price_factor: float
    fit_bias: float
    styles: dict[str, float]
    share: float


BRANDS = (
    Brand("Aster", "mid", 1.0, 0.0, {"classic": 3, "minimal": 2, "romantic": 1}, 1.2),
    Brand("Norrland", "premium", 1.7, 0.55, {"minimal": 3, "classic": 2, "sporty": 1}, 0.9),
    Brand("Maison Lune", "premium", 1.9, -0.6, {"romantic": 3, "classic": 1.5, "bold": 1}, 0.8),
    Brand("Kite & Co", "budget", 0.65, -0.4, {"sporty": 3, "bold": 2, "minimal": 1}, 1.1),
    Brand("Brava", "budget", 0.75, 0.4, {"bold": 3, "romantic": 2, "sporty": 1}, 1.0),
    Brand("Oakhaven", "mid", 1.15, 0.1, {"classic": 3, "sporty": 1.5, "minimal": 1}, 1.0),
)
BRAND_BY_NAME = {b.name: b for b in BRANDS}


@dataclass(frozen=True)
class Subtype:
    """One kind of product within a category (e.g. a midi dress) and its options.

    ``shape`` names the drawing the image renderer uses; ``options`` are shape variants
    picked per product (sleeve, neckline, hem …); ``season`` is ``"winter"``, ``"summer"``
    or ``"all"`` and ``season_strength`` how strongly demand swings with it.
    """

    name: str
    shape: str
    base_price: float
    genders: dict[str, float]
    styles: tuple[str, ...]
    materials: tuple[str, ...]
    patterns: dict[str, float] = field(default_factory=lambda: {"solid": 1.0})
    season: str = "all"
    season_strength: float = 0.0
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    colours: tuple[str, ...] = ()
    fits: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    """A top-level product type with its Merchant Center mapping and size system."""

    key: str
    product_type: str
    google_product_category: str
    share: float
    sizes: tuple[str, ...]
    size_system: str
    measurements: tuple[str, ...]
    subtypes: tuple[Subtype, ...]


_ALL = {"female": 1.0, "male": 1.0, "unisex": 0.5}
_WOMEN = {"female": 1.0}
_TOP_PATTERNS = {"solid": 5, "striped": 2, "graphic print": 1.2, "floral": 0.5}
_DRESS_PATTERNS = {"solid": 4, "floral": 2.5, "polka dot": 1.2, "striped": 1}
_SHIRT_PATTERNS = {"solid": 4, "striped": 2.5, "checked": 1.5}
_GARMENT_FITS = ("slim-fit", "regular-fit", "relaxed", "oversized")
_DENIM = ("blue", "light blue", "navy", "black", "grey")
_SHOE_COLOURS = ("black", "white", "brown", "beige", "grey", "navy", "burgundy", "red", "pink", "green")
_TOP_MATERIALS = ("cotton", "organic cotton", "jersey", "linen", "viscose")

CATEGORIES = (
    Category(
        "tops",
        "Tops",
        "Apparel & Accessories > Clothing > Shirts & Tops",
        60,
        LETTER_SIZES,
        "EU",
        ("chest",),
        (
            Subtype(
                "t-shirt",
                "top",
                19,
                _ALL,
                ("sporty", "minimal", "bold"),
                _TOP_MATERIALS,
                _TOP_PATTERNS,
                options={"sleeve": ("short",), "neck": ("crew", "v-neck")},
                fits=_GARMENT_FITS,
            ),
            Subtype(
                "long-sleeve top",
                "top",
                25,
                _ALL,
                ("minimal", "classic", "sporty"),
                _TOP_MATERIALS,
                _TOP_PATTERNS,
                options={"sleeve": ("long",), "neck": ("crew", "scoop")},
                fits=_GARMENT_FITS,
            ),
            Subtype(
                "tank top",
                "top",
                15,
                _ALL,
                ("sporty", "bold", "minimal"),
                ("cotton", "jersey"),
                _TOP_PATTERNS,
                "summer",
                0.9,
                {"sleeve": ("none",), "neck": ("scoop",)},
            ),
            Subtype(
                "sweater",
                "top",
                49,
                _ALL,
                ("classic", "minimal"),
                ("wool", "merino wool", "cashmere", "cotton"),
                {"solid": 5, "striped": 1.5},
                "winter",
                1.0,
                {"sleeve": ("long",), "neck": ("crew", "v-neck"), "rib": ("yes",)},
                fits=("regular-fit", "relaxed", "oversized"),
            ),
            Subtype(
                "sweatshirt",
                "top",
                39,
                _ALL,
                ("sporty", "bold"),
                ("cotton", "organic cotton"),
                {"solid": 4, "graphic print": 2},
                "winter",
                0.5,
                {"sleeve": ("long",), "neck": ("crew",), "rib": ("yes",)},
                fits=("regular-fit", "oversized"),
            ),
        ),
    ),
    Category(
        "shirts",
        "Shirts",
        "Apparel & Accessories > Clothing > Shirts & Tops",
        40,
        LETTER_SIZES,
        "EU",
        ("chest",),
        (
            Subtype(
                "shirt",
                "shirt",
                45,
                {"male": 1.0, "female": 0.6, "unisex": 0.3},
                ("classic", "minimal"),
                ("cotton", "organic cotton", "poplin cotton"),
                _SHIRT_PATTERNS,
                options={"sleeve": ("long",)},
                fits=("slim-fit", "regular-fit", "relaxed"),
            ),
            Subtype(
                "short-sleeve shirt",
                "shirt",
                39,
                {"male": 1.0, "female": 0.5, "unisex": 0.4},
                ("sporty", "bold", "classic"),
                ("cotton", "linen", "viscose"),
                {"solid": 3, "striped": 1.5, "floral": 1.2, "graphic print": 1},
                "summer",
                0.8,
                {"sleeve": ("short",)},
                fits=("regular-fit", "relaxed"),
            ),
            Subtype(
                "blouse",
                "shirt",
                42,
                _WOMEN,
                ("romantic", "classic"),
                ("viscose", "silk", "cotton"),
                {"solid": 4, "floral": 2, "polka dot": 1},
                options={"sleeve": ("long", "short")},
                fits=("regular-fit", "relaxed"),
            ),
            Subtype(
                "oxford shirt",
                "shirt",
                55,
                {"male": 1.0, "female": 0.5},
                ("classic",),
                ("oxford cotton",),
                {"solid": 3, "striped": 2},
                options={"sleeve": ("long",)},
                fits=("slim-fit", "regular-fit"),
            ),
            Subtype(
                "flannel shirt",
                "shirt",
                49,
                {"male": 1.0, "female": 0.6, "unisex": 0.5},
                ("classic", "sporty"),
                ("brushed cotton",),
                {"checked": 1.0},
                "winter",
                0.9,
                {"sleeve": ("long",)},
                fits=("regular-fit", "relaxed"),
            ),
            Subtype(
                "linen shirt",
                "shirt",
                59,
                {"male": 1.0, "female": 0.8},
                ("minimal", "classic"),
                ("linen",),
                {"solid": 1.0},
                "summer",
                1.0,
                {"sleeve": ("long",)},
                fits=("regular-fit", "relaxed"),
            ),
        ),
    ),
    Category(
        "dresses",
        "Dresses",
        "Apparel & Accessories > Clothing > Dresses",
        40,
        LETTER_SIZES,
        "EU",
        ("chest", "waist", "hips"),
        (
            Subtype(
                "mini dress",
                "dress",
                49,
                _WOMEN,
                ("bold", "romantic"),
                ("viscose", "cotton", "jersey"),
                _DRESS_PATTERNS,
                "summer",
                0.8,
                {"hem": ("mini",), "sleeve": ("none", "short"), "neck": ("scoop", "v-neck")},
            ),
            Subtype(
                "midi dress",
                "dress",
                69,
                _WOMEN,
                ("romantic", "classic", "minimal"),
                ("viscose", "cotton", "linen", "crepe"),
                _DRESS_PATTERNS,
                "summer",
                0.5,
                {"hem": ("midi",), "sleeve": ("none", "short", "long"), "neck": ("scoop", "v-neck")},
            ),
            Subtype(
                "maxi dress",
                "dress",
                79,
                _WOMEN,
                ("romantic", "bold"),
                ("viscose", "cotton", "chiffon"),
                _DRESS_PATTERNS,
                "summer",
                0.9,
                {"hem": ("maxi",), "sleeve": ("none", "short"), "neck": ("scoop", "v-neck")},
            ),
            Subtype(
                "wrap dress",
                "dress",
                75,
                _WOMEN,
                ("romantic", "classic"),
                ("jersey", "viscose"),
                {"solid": 3, "floral": 2, "polka dot": 1},
                "all",
                0.0,
                {"hem": ("midi", "mini"), "sleeve": ("short", "long"), "neck": ("v-neck",), "wrap": ("yes",)},
            ),
            Subtype(
                "knit dress",
                "dress",
                85,
                _WOMEN,
                ("minimal", "classic"),
                ("merino wool", "wool blend"),
                {"solid": 1.0},
                "winter",
                0.9,
                {"hem": ("midi",), "sleeve": ("long",), "neck": ("crew",)},
            ),
        ),
    ),
    Category(
        "skirts",
        "Skirts",
        "Apparel & Accessories > Clothing > Skirts",
        25,
        LETTER_SIZES,
        "EU",
        ("waist", "hips"),
        (
            Subtype(
                "mini skirt",
                "skirt",
                35,
                _WOMEN,
                ("bold", "sporty"),
                ("cotton", "denim", "corduroy"),
                {"solid": 3, "checked": 1.5},
                "summer",
                0.6,
                {"hem": ("mini",), "cut": ("a-line",)},
            ),
            Subtype(
                "midi skirt",
                "skirt",
                49,
                _WOMEN,
                ("romantic", "classic", "minimal"),
                ("viscose", "cotton", "satin"),
                {"solid": 3, "floral": 2, "polka dot": 1},
                options={"hem": ("midi",), "cut": ("a-line", "straight")},
            ),
            Subtype(
                "pleated skirt",
                "skirt",
                55,
                _WOMEN,
                ("romantic", "classic"),
                ("polyester", "satin"),
                {"solid": 1.0},
                options={"hem": ("midi", "maxi"), "cut": ("pleated",)},
            ),
            Subtype(
                "pencil skirt",
                "skirt",
                45,
                _WOMEN,
                ("classic", "minimal"),
                ("wool blend", "cotton"),
                {"solid": 3, "checked": 1},
                options={"hem": ("midi",), "cut": ("pencil",)},
            ),
        ),
    ),
    Category(
        "trousers",
        "Trousers",
        "Apparel & Accessories > Clothing > Pants",
        40,
        WAIST_SIZES,
        "US",
        ("waist",),
        (
            Subtype(
                "chinos",
                "trousers",
                49,
                {"male": 1.0, "female": 0.6},
                ("classic", "minimal"),
                ("cotton twill", "stretch cotton"),
                options={"leg": ("straight", "tapered")},
                fits=("slim-fit", "regular-fit"),
            ),
            Subtype(
                "tailored trousers",
                "trousers",
                69,
                {"male": 0.8, "female": 1.0},
                ("classic", "minimal"),
                ("wool blend", "crepe"),
                {"solid": 4, "checked": 1},
                options={"leg": ("straight", "tapered"), "crease": ("yes",)},
                fits=("slim-fit", "regular-fit"),
            ),
            Subtype(
                "wide-leg trousers",
                "trousers",
                59,
                {"female": 1.0, "unisex": 0.4},
                ("minimal", "romantic", "bold"),
                ("linen", "viscose", "crepe"),
                options={"leg": ("wide",)},
            ),
            Subtype(
                "joggers",
                "trousers",
                35,
                _ALL,
                ("sporty",),
                ("cotton fleece", "jersey"),
                options={"leg": ("cuffed",)},
                fits=("regular-fit", "relaxed"),
            ),
            Subtype(
                "cargo trousers",
                "trousers",
                55,
                {"male": 1.0, "female": 0.6, "unisex": 0.6},
                ("sporty", "bold"),
                ("cotton ripstop",),
                options={"leg": ("straight",), "cargo": ("yes",)},
                colours=("olive", "beige", "black", "grey", "brown", "navy"),
                fits=("regular-fit", "relaxed"),
            ),
            Subtype(
                "shorts",
                "trousers",
                29,
                _ALL,
                ("sporty", "classic", "bold"),
                ("cotton", "linen"),
                {"solid": 4, "checked": 1, "striped": 1},
                "summer",
                1.2,
                {"leg": ("shorts",)},
            ),
        ),
    ),
    Category(
        "jeans",
        "Jeans",
        "Apparel & Accessories > Clothing > Pants",
        35,
        WAIST_SIZES,
        "US",
        ("waist",),
        (
            Subtype(
                "slim jeans",
                "jeans",
                59,
                _ALL,
                ("minimal", "classic", "sporty"),
                ("stretch denim",),
                options={"leg": ("tapered",)},
                colours=_DENIM,
            ),
            Subtype(
                "straight jeans",
                "jeans",
                65,
                _ALL,
                ("classic", "minimal"),
                ("rigid denim", "denim"),
                options={"leg": ("straight",)},
                colours=_DENIM,
            ),
            Subtype(
                "wide-leg jeans",
                "jeans",
                69,
                {"female": 1.0, "unisex": 0.5},
                ("bold", "romantic"),
                ("denim",),
                options={"leg": ("wide",)},
                colours=_DENIM,
            ),
            Subtype(
                "skinny jeans",
                "jeans",
                55,
                {"female": 1.0, "male": 0.5},
                ("bold", "sporty"),
                ("stretch denim",),
                options={"leg": ("skinny",)},
                colours=_DENIM,
            ),
            Subtype(
                "denim shorts",
                "jeans",
                39,
                {"female": 1.0, "male": 0.7},
                ("sporty", "bold"),
                ("denim",),
                {"solid": 1.0},
                "summer",
                1.2,
                {"leg": ("shorts",)},
                colours=_DENIM,
            ),
        ),
    ),
    Category(
        "outerwear",
        "Outerwear",
        "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets",
        40,
        LETTER_SIZES,
        "EU",
        ("chest",),
        (
            Subtype(
                "parka",
                "outerwear",
                149,
                _ALL,
                ("sporty", "minimal"),
                ("recycled polyester", "cotton"),
                season="winter",
                season_strength=1.4,
                options={"length": ("long",), "closure": ("zip",), "hood": ("yes",)},
                colours=("olive", "black", "navy", "beige", "green", "grey", "burgundy"),
            ),
            Subtype(
                "wool coat",
                "outerwear",
                189,
                _ALL,
                ("classic", "minimal"),
                ("wool", "wool blend"),
                {"solid": 4, "checked": 1},
                "winter",
                1.4,
                {"length": ("long",), "closure": ("buttons",), "lapel": ("yes",)},
            ),
            Subtype(
                "trench coat",
                "outerwear",
                159,
                {"female": 1.0, "male": 0.7},
                ("classic", "romantic"),
                ("cotton gabardine",),
                season="all",
                season_strength=0.0,
                options={
                    "length": ("long",),
                    "closure": ("double buttons",),
                    "lapel": ("yes",),
                    "belt": ("yes",),
                },
                colours=("beige", "black", "navy", "olive", "brown"),
            ),
            Subtype(
                "puffer jacket",
                "outerwear",
                119,
                _ALL,
                ("sporty", "bold"),
                ("recycled nylon",),
                season="winter",
                season_strength=1.5,
                options={"length": ("short",), "closure": ("zip",), "quilted": ("yes",)},
            ),
            Subtype(
                "bomber jacket",
                "outerwear",
                89,
                _ALL,
                ("sporty", "bold"),
                ("nylon", "satin"),
                season="all",
                season_strength=0.0,
                options={"length": ("short",), "closure": ("zip",), "rib": ("yes",)},
            ),
            Subtype(
                "denim jacket",
                "outerwear",
                79,
                _ALL,
                ("classic", "sporty"),
                ("denim",),
                season="all",
                season_strength=0.0,
                options={"length": ("short",), "closure": ("buttons",)},
                colours=_DENIM,
            ),
            Subtype(
                "rain jacket",
                "outerwear",
                99,
                _ALL,
                ("sporty", "minimal"),
                ("waterproof nylon",),
                season="all",
                season_strength=0.0,
                options={"length": ("short",), "closure": ("zip",), "hood": ("yes",)},
            ),
        ),
    ),
    Category(
        "shoes",
        "Shoes",
        "Apparel & Accessories > Shoes",
        45,
        SHOE_SIZES,
        "EU",
        ("foot_length",),
        (
            Subtype(
                "sneakers",
                "sneakers",
                79,
                _ALL,
                ("sporty", "minimal", "bold"),
                ("leather", "canvas", "mesh"),
                colours=_SHOE_COLOURS + ("blue", "yellow", "orange"),
            ),
            Subtype(
                "ankle boots",
                "boots",
                129,
                {"female": 1.0, "male": 0.8},
                ("classic", "minimal", "bold"),
                ("leather", "suede"),
                season="winter",
                season_strength=1.1,
                colours=("black", "brown", "beige", "burgundy", "grey"),
            ),
            Subtype(
                "heels",
                "heels",
                89,
                _WOMEN,
                ("romantic", "classic", "bold"),
                ("leather", "suede", "satin"),
                colours=_SHOE_COLOURS,
            ),
            Subtype(
                "loafers",
                "loafers",
                99,
                {"male": 1.0, "female": 0.8},
                ("classic", "minimal"),
                ("leather", "suede"),
                colours=("black", "brown", "burgundy", "beige", "navy"),
            ),
            Subtype(
                "sandals",
                "sandals",
                49,
                {"female": 1.0, "male": 0.5, "unisex": 0.5},
                ("romantic", "minimal", "sporty"),
                ("leather", "rubber"),
                season="summer",
                season_strength=1.5,
                colours=("black", "brown", "beige", "white", "pink", "yellow"),
            ),
        ),
    ),
    Category(
        "accessories",
        "Accessories",
        "Apparel & Accessories > Clothing Accessories",
        35,
        ONE_SIZE,
        "EU",
        (),
        (
            Subtype(
                "tote bag",
                "tote",
                59,
                {"female": 1.0, "unisex": 0.6},
                ("minimal", "classic", "bold"),
                ("canvas", "leather"),
                {"solid": 4, "striped": 1, "graphic print": 1},
            ),
            Subtype(
                "crossbody bag",
                "crossbody",
                79,
                {"female": 1.0, "unisex": 0.3},
                ("classic", "romantic", "bold"),
                ("leather", "vegan leather"),
            ),
            Subtype("cap", "cap", 25, {"unisex": 1.0, "male": 0.5}, ("sporty", "bold"), ("cotton twill",)),
            Subtype(
                "beanie",
                "beanie",
                22,
                {"unisex": 1.0},
                ("sporty", "minimal"),
                ("wool", "merino wool"),
                {"solid": 4, "striped": 1},
                "winter",
                1.4,
            ),
            Subtype(
                "bucket hat",
                "bucket hat",
                29,
                {"unisex": 1.0, "female": 0.5},
                ("bold", "sporty"),
                ("cotton", "linen"),
                {"solid": 3, "checked": 1, "floral": 1},
                "summer",
                1.2,
            ),
            Subtype(
                "scarf",
                "scarf",
                35,
                {"unisex": 1.0, "female": 0.6},
                ("classic", "romantic", "minimal"),
                ("wool", "cashmere", "silk"),
                {"solid": 3, "checked": 2, "striped": 1},
                "winter",
                1.2,
            ),
            Subtype(
                "belt",
                "belt",
                39,
                {"male": 1.0, "female": 0.8},
                ("classic", "minimal"),
                ("leather",),
                colours=("black", "brown", "beige", "burgundy", "navy"),
            ),
        ),
    ),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}

# Sized accessories: the subtype's own sizes and chart measurement (the rest are one size).
SIZED_ACCESSORIES = {"belt": (BELT_SIZES, ("waist",))}

# Categories a shopper browses next to a mission category (outfits, finishing touches).
COMPLEMENTS: dict[str, tuple[str, ...]] = {
    "tops": ("jeans", "trousers", "skirts"),
    "shirts": ("trousers", "jeans", "outerwear"),
    "dresses": ("shoes", "accessories", "outerwear"),
    "skirts": ("tops", "shirts", "shoes"),
    "trousers": ("shirts", "tops", "shoes"),
    "jeans": ("tops", "shirts", "shoes"),
    "outerwear": ("accessories", "shoes", "tops"),
    "shoes": ("jeans", "dresses", "accessories"),
    "accessories": ("outerwear", "dresses", "tops"),
}
