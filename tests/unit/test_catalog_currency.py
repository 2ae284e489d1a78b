"""Prices in the shop's currency: one sign per currency on every page and in every guide reply."""

from __future__ import annotations

import pytest

from vestis.catalog.currency import money, symbol
from vestis.guide.query import Query, price_phrase
from vestis.web.pages import templates


@pytest.mark.parametrize(
    ("price", "currency", "text"),
    [
        (19.9, "EUR", "€19.90"),
        (1250, "usd", "$1,250.00"),
        (1250, "JPY", "¥1,250.00"),
        (99, "CNY", "¥99.00"),
        (499, "INR", "₹499.00"),
        (249, "SEK", "249.00 SEK"),
        (5, None, "5.00"),
        (None, "EUR", ""),
    ],
)
def test_money(price: float | None, currency: str | None, text: str) -> None:
    assert money(price, currency) == text


@pytest.mark.parametrize("currency", ["JPY", "CNY"])
def test_yen_and_yuan_read_the_same_on_pages_and_in_the_guide(currency: str) -> None:
    page = templates.env.filters["money"](80, currency)
    reply = Query(price_max=80.0).describe(currency)
    assert page == "¥80.00" and reply == "under ¥80"
    assert price_phrase(20, 40, symbol(currency)) == "¥20–¥40"


def test_a_currency_without_a_sign_is_written_as_its_code() -> None:
    assert symbol("sek") == "SEK " and symbol(None) == "" and symbol("") == ""
    assert Query(price_max=300.0).describe("SEK") == "under SEK 300"
