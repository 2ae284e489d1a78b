"""Row schemas: the spellings feeds use in practice are normalised, the rest rejected by field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from vestis.data.schemas import CustomerRecord, EventRecord, ProductRecord, SizeChartRecord


def _event(**fields: object) -> EventRecord:
    return EventRecord.model_validate({"user_id": "u", "item_id": "i", "event_type": "view", **fields})


@pytest.mark.parametrize(
    "stamp",
    ["1700000000", 1700000000, "2023-11-14T22:13:20Z", "2023-11-15T00:13:20+02:00", "2023-11-14 22:13:20"],
)
def test_timestamps_all_mean_the_same_utc_moment(stamp: object) -> None:
    assert _event(timestamp=stamp).timestamp == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("AddToCart", "add_to_cart"),
        ("Add to cart", "add_to_cart"),
        ("detail_view", "view"),
        ("Refund", "return"),
    ],
)
def test_event_type_aliases(raw: str, normal: str) -> None:
    assert _event(timestamp=0, event_type=raw).event_type == normal


def test_unknown_event_type_names_the_allowed_ones() -> None:
    with pytest.raises(ValidationError, match="unknown event type 'like'; expected one of view"):
        _event(timestamp=0, event_type="like")


def test_merchant_center_price_and_extra_columns() -> None:
    product = ProductRecord.model_validate(
        {"id": "a", "title": "T", "price": "19,99 EUR", "size": "S|M, L", "item_group_id": "g", "gtin": ""}
    )
    assert (product.price, product.currency, product.size) == (19.99, "EUR", ["S", "M", "L"])
    assert product.attributes == {"item_group_id": "g"}


@pytest.mark.parametrize("price", ["free", "-3", "12 euros"])
def test_bad_prices_are_rejected(price: str) -> None:
    with pytest.raises(ValidationError, match="price"):
        ProductRecord.model_validate({"id": "a", "title": "T", "price": price})


def test_blank_consent_means_no() -> None:
    customer = CustomerRecord.model_validate({"id": "c", "consent_profile": " ", "consent_photos": ""})
    assert (customer.consent_profile, customer.consent_photos) == (False, False)


def test_size_chart_range_must_be_ordered() -> None:
    row = {
        "brand": "B",
        "product_type": "Shirts",
        "size": "M",
        "measurement": "chest",
        "min_cm": 99,
        "max_cm": 90,
    }
    with pytest.raises(ValidationError, match="greater than max_cm"):
        SizeChartRecord.model_validate(row)
