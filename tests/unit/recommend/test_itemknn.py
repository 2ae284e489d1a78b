"""Item-item nearest neighbours over implicit's cosine, BM25 and TF-IDF similarities."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.unit.recommend.contract import RecommenderContract
from vestis.recommend.base import Recommender
from vestis.recommend.interactions import Interactions
from vestis.recommend.itemknn import ItemKNNRecommender


class TestCosineContract(RecommenderContract):
    def make(self) -> ItemKNNRecommender:
        return ItemKNNRecommender(similarity="cosine")


class TestBM25Contract(RecommenderContract):
    def make(self) -> ItemKNNRecommender:
        return ItemKNNRecommender(similarity="bm25", neighbours=20)


class TestTFIDFContract(RecommenderContract):
    def make(self) -> ItemKNNRecommender:
        return ItemKNNRecommender(similarity="tfidf", neighbours=20)


def purchases_versus_views() -> Interactions:
    """Shopper "me" bought "anchor"; its co-buyers bought "bought" and only viewed "viewed".

    Four other shoppers did the opposite, so both candidates carry the same total weight
    (four purchases, four views): only who bought them tells them apart.
    """
    rows = [("me", "anchor", 0, "purchase")]
    for n in range(4):
        rows += [(f"cobuyer-{n}", "anchor", 1, "purchase"), (f"cobuyer-{n}", "bought", 2, "purchase")]
        rows += [(f"cobuyer-{n}", "viewed", 3, "view")]
        rows += [(f"other-{n}", "bought", 4, "view"), (f"other-{n}", "viewed", 5, "purchase")]
        rows += [(f"other-{n}", f"filler-{n}", 6, "view")]
    return _log(rows)


def returns_cancel_purchases() -> Interactions:
    """Six shoppers bought "anchor", "kept" and "returned"; four of them sent "returned" back."""
    rows = [("me", "anchor", 0, "purchase")]
    for n in range(6):
        rows += [
            (f"buyer-{n}", item, 1 + t, "purchase") for t, item in enumerate(("anchor", "kept", "returned"))
        ]
        if n < 4:
            rows.append((f"buyer-{n}", "returned", 9, "return"))
        rows.append((f"buyer-{n}", f"filler-{n}", 10, "view"))
    return _log(rows)


def ranking(model: Recommender, user: str) -> list[str]:
    """Every item for ``user``, best first."""
    return [r.item_id for r in model.recommend([user], k=len(model.items_))[0]]


@pytest.mark.parametrize("similarity", ItemKNNRecommender.SIMILARITIES)
def test_an_item_bought_by_neighbours_outranks_one_they_only_viewed(similarity: str) -> None:
    model = ItemKNNRecommender(similarity=similarity).fit(purchases_versus_views())
    order = ranking(model, "me")
    assert order.index("bought") < order.index("viewed")
    assert model.recommend(["me"], k=1)[0][0].reason.text() == "Because you bought anchor"


@pytest.mark.parametrize("similarity", ItemKNNRecommender.SIMILARITIES)
def test_returns_lower_an_items_score(similarity: str) -> None:
    model = ItemKNNRecommender(similarity=similarity).fit(returns_cancel_purchases())
    scores = {r.item_id: r.score for r in model.recommend(["me"], k=len(model.items_))[0]}
    assert scores["kept"] > scores["returned"]


def test_neighbours_caps_each_items_similarity_list() -> None:
    model = ItemKNNRecommender(neighbours=2).fit(purchases_versus_views())
    assert model.similarity_.getnnz(axis=1).max() <= 2


def test_similar_items_explain_themselves() -> None:
    model = ItemKNNRecommender().fit(purchases_versus_views())
    (similar,) = model.similar_items(["anchor"], k=1)
    assert similar[0].item_id == "bought"
    assert similar[0].reason.text({"anchor": "Linen shirt"}) == "Often bought with Linen shirt"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"similarity": "jaccard"}, "similarity must be one of cosine, bm25, tfidf; got 'jaccard'"),
        ({"neighbours": 0}, "neighbours must be a positive integer; got 0"),
        ({"bm25_b": 1.5}, r"bm25_b must lie in \[0, 1\]; got 1.5"),
        ({"bm25_k1": -1.0}, "bm25_k1 must be non-negative; got -1.0"),
        ({"num_threads": -2}, "num_threads must be a non-negative integer"),
    ],
)
def test_bad_parameters_are_named(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ItemKNNRecommender(**params).fit(purchases_versus_views())  # type: ignore[arg-type]


def _log(rows: list[tuple[str, str, int, str]]) -> Interactions:
    return Interactions.from_frame(
        pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp", "event_type"])
    )
