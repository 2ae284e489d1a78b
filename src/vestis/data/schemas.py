"""Validated row schemas shared by every importer and by the HTTP API.

Each record normalises the spellings feeds use in practice (``"19.99 EUR"`` prices,
``"in stock"``, ``"Boys"`` for a gender, epoch or ISO timestamps) and rejects what cannot
be repaired, with an error that names the field. The spellings live here once, so every
importer reads them alike.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FiniteFloat,
    field_validator,
    model_validator,
)

from vestis.catalog.models import EVENT_TYPES, FIT_FEEDBACK, MEASUREMENTS

EARLIEST_EVENT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_EVENT = datetime(2100, 1, 1, tzinfo=UTC)
"""Event times lie in ``[EARLIEST_EVENT, LATEST_EVENT)``: the Unix epoch up to the end of 2099.

A shop's events cannot be older or in the far future, and a bound keeps absurd values
(``1e20``, ``inf``) from overflowing dates, databases and the recency weights models learn with.
"""

_MILLISECONDS_FROM = 1e12
"""Out-of-range epoch values from here on read as milliseconds (since 2001) and the error says so."""
_PRICE = re.compile(r"^\s*(?P<amount>-?\d+(?:[.,]\d+)?)\s*(?P<currency>[A-Za-z]{3})?\s*$")
GENDERS = ("male", "female", "unisex")
"""Merchant Center's genders."""

AGE_GROUPS = ("newborn", "infant", "toddler", "kids", "adult")
"""Merchant Center's age groups, youngest first."""

AUDIENCE_WORDS: dict[str, tuple[str | None, str | None]] = {
    **dict.fromkeys(("male", "m"), ("male", None)),
    **dict.fromkeys(("men", "man", "mens", "gents", "gent"), ("male", "adult")),
    **dict.fromkeys(("female", "f"), ("female", None)),
    **dict.fromkeys(("women", "woman", "womens", "ladies", "lady"), ("female", "adult")),
    **dict.fromkeys(("unisex", "all", "both"), ("unisex", None)),
    **dict.fromkeys(("boys", "boy"), ("male", "kids")),
    **dict.fromkeys(("girls", "girl"), ("female", "kids")),
    **dict.fromkeys(("kids", "kid", "children", "child"), (None, "kids")),
    **dict.fromkeys(("toddler", "toddlers"), (None, "toddler")),
    **dict.fromkeys(("baby", "babies", "infant", "infants"), (None, "infant")),
    **dict.fromkeys(("newborn", "newborns"), (None, "newborn")),
    **dict.fromkeys(("adult", "adults"), (None, "adult")),
}
"""The words a ``gender`` cell may use (any case; ``men's`` reads as ``men``) → the gender and
the age group each implies, ``None`` where the word says nothing of it. See :func:`audience`."""

ATTRIBUTE_ALIASES = {
    "usage": "occasion",
    "article_type": "subcategory",
    "articletype": "subcategory",
    "sub_category": "subcategory",
}
"""Attribute names retailers use → the name the shopping guide and the outfit builder read.

Earlier entries win: an attribute already under its guide name keeps it, and a later alias of
a name taken stays under its own name (Myntra's ``articleType`` is the subcategory, its
coarser ``subCategory`` stays ``sub_category``)."""

_EVENT_ALIASES = {
    "addtocart": "add_to_cart",
    "cart": "add_to_cart",
    "click": "view",
    "detailview": "view",
    "order": "purchase",
    "buy": "purchase",
    "refund": "return",
    "returned": "return",
}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _split_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,|]", value) if part.strip()]
    return value


Optional = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptionalFloat = Annotated[FiniteFloat | None, BeforeValidator(_blank_to_none)]
StrList = Annotated[list[str], BeforeValidator(_split_list)]


def _blank_to_false(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    return value


Flag = Annotated[bool, BeforeValidator(_blank_to_false)]


def audience(spelling: str) -> tuple[str, str | None] | None:
    """The ``(gender, age group)`` a ``gender`` cell names, or ``None`` when a word of it is unknown.

    Case and surrounding spaces do not matter and words combine: ``Boys`` → (male, kids),
    ``Baby Girl`` → (female, infant), ``Men & Women`` → (unisex, adult), ``men's`` → (male,
    adult), ``F`` → (female, None). The gender is the one the words state (``unisex`` when they
    state none, or both), the age group the youngest they state.
    """
    split = re.split(r"[\s/&,+_-]+|\band\b", spelling.lower().replace("\u2019", "'"))
    words = [word.removesuffix("'s").rstrip("'") for word in split if word]
    if not words or any(word not in AUDIENCE_WORDS for word in words):
        return None
    meanings = [AUDIENCE_WORDS[word] for word in words]
    genders = {gender for gender, _age in meanings if gender in ("male", "female")}
    ages = [age for _gender, age in meanings if age]
    return (
        genders.pop() if len(genders) == 1 else "unisex",
        min(ages, key=AGE_GROUPS.index) if ages else None,
    )


class Record(BaseModel):
    """Base of the row schemas: strips strings and ignores unknown columns."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class AttributedRecord(Record):
    """A record that keeps the columns it does not know in ``attributes`` instead of dropping them."""

    attributes: dict[str, Any] = {}

    @model_validator(mode="before")
    @classmethod
    def _keep_extra_columns(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        extra = {k: v for k, v in data.items() if k not in cls.model_fields and v not in ("", None)}
        if not extra:
            return data
        known = {k: v for k, v in data.items() if k in cls.model_fields}
        return {**known, "attributes": {**extra, **(known.get("attributes") or {})}}


class ProductRecord(AttributedRecord):
    """A product in Google Merchant Center terms."""

    id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    brand: Optional = None
    product_type: Optional = None
    google_product_category: Optional = None
    color: Optional = None
    pattern: Optional = None
    material: Optional = None
    gender: Optional = None
    age_group: Optional = None
    size: StrList = []
    size_system: Optional = None
    price: OptionalFloat = None
    currency: Optional = None
    availability: str = "in_stock"
    image_link: Optional = None
    additional_image_link: StrList = []
    link: Optional = None
    image_path: Optional = None

    @model_validator(mode="before")
    @classmethod
    def _split_audience(cls, data: Any) -> Any:
        """Read ``Boys``, ``Baby Girl``, ``women's`` … as a gender plus the age group it implies
        (:func:`audience`); a stated ``age_group`` wins. Unknown spellings are left to ``_gender``."""
        if not isinstance(data, dict) or not isinstance(data.get("gender"), str):
            return data
        named = audience(data["gender"])
        if named is None:
            return data
        gender, implied = named
        stated = _blank_to_none(data.get("age_group"))
        return {**data, "gender": gender, "age_group": implied if stated is None else stated}

    @model_validator(mode="before")
    @classmethod
    def _split_price(cls, data: Any) -> Any:
        """Accept Merchant Center's ``"19.99 EUR"`` as a price plus its currency."""
        if isinstance(data, dict) and isinstance(data.get("price"), str) and data["price"].strip():
            match = _PRICE.match(data["price"])
            if not match:
                raise ValueError(
                    f"price: expected a number with an optional currency code, "
                    f"like '19.99 EUR'; got {data['price']!r}"
                )
            data = {**data, "price": float(match["amount"].replace(",", "."))}
            if match["currency"] and not data.get("currency"):
                data["currency"] = match["currency"].upper()
        return data

    @field_validator("price")
    @classmethod
    def _non_negative(cls, value: float | None) -> float | None:
        if value is not None and value < 0:
            raise ValueError("must not be negative")
        return value

    @field_validator("gender")
    @classmethod
    def _gender(cls, value: str | None) -> str | None:
        if value is not None and value not in GENDERS:
            raise ValueError(
                f"unknown gender {value!r}; expected male, female or unisex, or words such as "
                f"{', '.join(AUDIENCE_WORDS)} (any case; combined like 'baby girl')"
            )
        return value

    @field_validator("attributes")
    @classmethod
    def _guide_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Rename the attributes the guide reads under another name (:data:`ATTRIBUTE_ALIASES`)."""
        named = dict(value)
        for alias, name in ATTRIBUTE_ALIASES.items():
            if alias in named and name not in named:
                named[name] = named.pop(alias)
        return named

    @field_validator("availability")
    @classmethod
    def _availability(cls, value: str) -> str:
        normal = value.lower().replace(" ", "_") or "in_stock"
        if normal not in ("in_stock", "out_of_stock", "preorder", "backorder"):
            raise ValueError(f"expected in_stock, out_of_stock, preorder or backorder; got {value!r}")
        return normal


class EventRecord(Record):
    """One interaction event in Amazon Personalize style."""

    user_id: str = Field(min_length=1, max_length=128)
    item_id: str = Field(min_length=1, max_length=64)
    timestamp: datetime
    event_type: str
    size: Optional = None
    fit_feedback: Optional = None
    price: OptionalFloat = None
    session_id: Optional = None
    value: OptionalFloat = None

    @field_validator("timestamp", mode="before")
    @classmethod
    def _parse_timestamp(cls, value: Any) -> datetime:
        """Epoch seconds (Personalize's format) or ISO 8601 from 1970 to 2099; naive times are taken as UTC."""
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("is required")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _from_epoch(value, value)
        if isinstance(value, str) and _is_number(value):
            return _from_epoch(float(value), value)
        parsed = value if isinstance(value, datetime) else _from_iso(value)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if not EARLIEST_EVENT <= parsed < LATEST_EVENT:
            raise ValueError(_out_of_range(value))
        return parsed.astimezone(UTC)

    @field_validator("event_type", mode="before")
    @classmethod
    def _event_type(cls, value: Any) -> str:
        normal = re.sub(r"[\s\-]+", "_", str(value).strip().lower())
        normal = _EVENT_ALIASES.get(normal.replace("_", ""), normal)
        if normal not in EVENT_TYPES:
            raise ValueError(f"unknown event type {value!r}; expected one of {', '.join(EVENT_TYPES)}")
        return normal

    @field_validator("fit_feedback")
    @classmethod
    def _fit_feedback(cls, value: str | None) -> str | None:
        if value is None:
            return None
        normal = value.lower()
        normal = {"true_to_size": "fit", "too_small": "small", "too_large": "large"}.get(
            normal.replace(" ", "_"), normal
        )
        if normal not in FIT_FEEDBACK:
            raise ValueError(f"expected one of {', '.join(FIT_FEEDBACK)}; got {value!r}")
        return normal


class CustomerRecord(AttributedRecord):
    """A shopper; profile fields are only stored when ``consent_profile`` is true (blank means no)."""

    id: str = Field(min_length=1, max_length=128)
    consent_profile: Flag = False
    consent_photos: Flag = False
    gender: Optional = None
    age: Annotated[int | None, BeforeValidator(_blank_to_none)] = Field(None, ge=0, le=120)
    height_cm: OptionalFloat = Field(None, gt=0, lt=300)
    weight_kg: OptionalFloat = Field(None, gt=0, lt=500)
    chest_cm: OptionalFloat = Field(None, gt=0, lt=300)
    waist_cm: OptionalFloat = Field(None, gt=0, lt=300)
    hips_cm: OptionalFloat = Field(None, gt=0, lt=300)


class SizeChartRecord(Record):
    """The body-measurement range (cm) one size fits."""

    brand: str = Field(min_length=1)
    product_type: str = Field(min_length=1)
    size: str = Field(min_length=1, max_length=16)
    measurement: str
    min_cm: FiniteFloat = Field(gt=0)
    max_cm: FiniteFloat = Field(gt=0)

    @field_validator("measurement")
    @classmethod
    def _measurement(cls, value: str) -> str:
        if value not in MEASUREMENTS:
            raise ValueError(f"expected one of {', '.join(MEASUREMENTS)}; got {value!r}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> SizeChartRecord:
        if self.min_cm > self.max_cm:
            raise ValueError(f"min_cm ({self.min_cm}) is greater than max_cm ({self.max_cm})")
        return self


def _from_epoch(seconds: float, raw: Any) -> datetime:
    """The UTC time ``seconds`` after the epoch, refused (naming ``raw``) outside the accepted range or NaN."""
    if not EARLIEST_EVENT.timestamp() <= seconds < LATEST_EVENT.timestamp():
        raise ValueError(_out_of_range(raw))
    return datetime.fromtimestamp(seconds, tz=UTC)


def _from_iso(raw: Any) -> datetime:
    """An ISO 8601 date/time (``Z`` for UTC accepted), or an error that quotes ``raw``."""
    try:
        return datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected epoch seconds or an ISO 8601 date/time; got {_shown(raw)}") from None


def _out_of_range(raw: Any) -> str:
    """The error for a time outside the accepted range, with a hint when it reads as epoch milliseconds."""
    earliest, latest = EARLIEST_EVENT.timestamp(), LATEST_EVENT.timestamp()
    message = (
        f"must be between {EARLIEST_EVENT:%Y-%m-%d} and {LATEST_EVENT - timedelta(days=1):%Y-%m-%d} "
        f"(epoch seconds {earliest:.0f} to {latest - 1:.0f}); got {_shown(raw)}"
    )
    number = float(raw) if isinstance(raw, str) and _is_number(raw) else raw
    if isinstance(number, int | float) and _MILLISECONDS_FROM <= number < latest * 1000:
        message += " (epoch milliseconds? send seconds)"
    return message


def _shown(raw: Any, limit: int = 40) -> str:
    """``raw`` as an error quotes it: its repr, shortened; an integer too long to print is named as such."""
    try:
        text = repr(raw)
    except ValueError:
        return "an integer too long to print"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
