"""Content-based recommendations from text and attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.unit.recommend.contract import RecommenderContract, synthetic_shop
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.content import ContentRecommender, encoded_text
from vestis.recommend.interactions import Interactions
from vestis.text.encoders import TfidfEncoder


class TestContentContract(RecommenderContract):
    def make(self) -> ContentRecommender:
        return ContentRecommender()


def _with_new_arrivals() -> tuple[Interactions, ItemCatalog]:
    interactions, items = synthetic_shop()
    arrivals = pd.DataFrame(
        [
            {
                "id": "new-red",
                "title": "red summer dress",
                "color": "red",
                "product_type": "dress",
                "description": "A red summer dress linen floral piece.",
            },
            {
                "id": "new-blue",
                "title": "blue winter coat",
                "color": "blue",
                "product_type": "coat",
                "description": "A blue winter coat wool checked piece.",
            },
        ]
    )
    catalog = ItemCatalog.from_frame(pd.concat([items.frame.reset_index(), arrivals], ignore_index=True))
    return interactions, catalog


def test_cold_start_items_are_scored_by_their_content() -> None:
    interactions, catalog = _with_new_arrivals()
    model = ContentRecommender().fit(interactions, catalog)
    assert "new-red" in model.items_ and model.popularity_[model.items_.row("new-red")] == 0
    red = {r.item_id for r in model.recommend(["red-user-00"], k=8)[0]}
    blue = {r.item_id for r in model.recommend(["blue-user-00"], k=8)[0]}
    assert "new-red" in red and "new-red" not in blue
    assert "new-blue" in blue and "new-blue" not in red
    (similar,) = model.similar_items(["new-blue"], k=3)
    assert all(r.item_id.startswith("blue") for r in similar)


def test_reasons_name_the_history_item_and_shared_attributes() -> None:
    interactions, catalog = _with_new_arrivals()
    model = ContentRecommender().fit(interactions, catalog)
    titles = catalog.titles()
    (recommendations,) = model.recommend(["red-user-03"], k=3)
    history = set(model.history("red-user-03"))
    for recommendation in recommendations:
        assert recommendation.reason.code == "similar_description"
        assert recommendation.reason.anchor in history
        assert recommendation.reason.text(titles).startswith("Similar to red")
    (similar,) = model.similar_items(["red-01"], k=2)
    assert similar[0].reason.text(titles) == "Same colour and type as red dress 1"


def test_bad_parameters_are_named() -> None:
    interactions, catalog = synthetic_shop()
    with pytest.raises(ValueError, match="encoder"):
        ContentRecommender(encoder="bag-of-words").fit(interactions, catalog)
    with pytest.raises(ValueError, match="attribute_weight"):
        ContentRecommender(attribute_weight=2.0).fit(interactions, catalog)


def test_tfidf_vectors_have_unit_length_and_match_similar_texts() -> None:
    texts = ["red floral summer dress", "blue wool winter coat", "red flowery dress for summer", "   "]
    vectors = TfidfEncoder(dimensions=2).fit(texts).encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape[0] == 4
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, rtol=1e-5)
    assert not vectors[3].any()
    full = TfidfEncoder().fit(texts).encode(texts[:3])
    assert full[0] @ full[2] > full[0] @ full[1]


def test_refitting_on_the_same_catalog_encodes_its_text_once() -> None:
    interactions, items = synthetic_shop()
    encoded_text.cache_clear()
    first = ContentRecommender().fit(interactions, items)
    fewer = interactions.take(np.arange(len(interactions) // 2))
    second = ContentRecommender().fit(fewer, items)
    assert encoded_text.cache_info().misses == 1 and encoded_text.cache_info().hits == 1
    assert np.array_equal(first.item_vectors_, second.item_vectors_)
