"""Prices as shoppers read them, in the shop's own currency: the one place currencies are named.

Products carry Merchant Center's ``price`` as an amount and an ISO 4217 code. The web pages,
the guide's replies and its price phrases all write them through :func:`money` and
:func:`symbol`, so a shop in yen or yuan reads the same sign everywhere (both are ``¥``, as
their shops print them). Currencies without a common sign are written as their code.

Examples
--------
>>> money(19.9, "EUR"), money(249, "SEK"), money(None, "EUR")
('€19.90', '249.00 SEK', '')
>>> symbol("jpy"), symbol("CNY"), symbol("SEK")
('¥', '¥', 'SEK ')
"""

from __future__ import annotations

__all__ = ["SYMBOLS", "money", "symbol"]

SYMBOLS: dict[str, str] = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "INR": "₹",
    "KRW": "₩",
}
"""ISO 4217 code → the sign written before an amount."""


def symbol(currency: str | None) -> str:
    """What goes before an amount: the currency's sign, else its code and a space, else nothing."""
    code = (currency or "").strip().upper()
    return SYMBOLS.get(code, f"{code} " if code else "")


def money(amount: float | None, currency: str | None) -> str:
    """``€19.99``, ``¥1,250.00``, ``249.00 SEK`` (a code goes after the amount), or empty when unknown."""
    if amount is None:
        return ""
    code = (currency or "").strip().upper()
    if code in SYMBOLS:
        return f"{SYMBOLS[code]}{amount:,.2f}"
    return f"{amount:,.2f} {code}" if code else f"{amount:,.2f}"
