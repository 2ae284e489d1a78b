"""One tokeniser: a query and a product text give the same terms for the same words."""

from __future__ import annotations

import pytest

from vestis.text.tokens import stem, terms, words


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Men's jeans", ["men", "jean"]),
        ("Men’s Jeans", ["men", "jean"]),
        ("mens jeans", ["men", "jean"]),
        ("men jeans", ["men", "jean"]),
        ("KIDS' T-SHIRTS", ["kid", "t-shirt"]),
        ("dresses for women's parties", ["dress", "for", "women", "party"]),
        ("don't show red", ["don't", "show", "red"]),
        ("红色 dress", ["红", "色", "dress"]),
    ],
)
def test_a_query_and_a_product_text_share_their_terms(written: str, expected: list[str]) -> None:
    assert terms(written) == expected


def test_words_keep_what_the_query_parser_matches_against_the_vocabulary() -> None:
    assert words("Men’s T-Shirts under €20") == ["men's", "t-shirts", "under", "20"]
    assert words("红色连衣裙 size M") == ["红色连衣裙", "size", "m"]


def test_the_stem_folds_plurals_only() -> None:
    assert [stem(w) for w in ("dresses", "skirts", "bodies", "dress", "bus", "basis", "leggings")] == [
        "dress",
        "skirt",
        "body",
        "dress",
        "bus",
        "basis",
        "legging",
    ]
