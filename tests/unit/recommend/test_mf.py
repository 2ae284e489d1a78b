"""ALS and BPR matrix factorisation through implicit's CPU models."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.recommend.contract import RecommenderContract, synthetic_shop
from tests.unit.recommend.test_itemknn import purchases_versus_views, ranking, returns_cancel_purchases
from vestis.recommend.mf import ALSRecommender, BPRRecommender


class TestALSContract(RecommenderContract):
    def make(self) -> ALSRecommender:
        return ALSRecommender(num_threads=1)


class TestBPRContract(RecommenderContract):
    def make(self) -> BPRRecommender:
        # 280 events are too few for the default step size (tuned on MovieLens) to converge in 100 passes.
        return BPRRecommender(learning_rate=0.05, num_threads=1)


def test_factors_are_float32_and_scores_are_their_dot_products() -> None:
    interactions, _ = synthetic_shop()
    model = ALSRecommender(factors=8, iterations=5).fit(interactions)
    assert model.user_factors_.dtype == model.item_factors_.dtype == np.float32
    assert model.item_factors_.shape == (len(model.items_), 8)
    rows = np.array([0, 3])
    np.testing.assert_allclose(
        model._score_users(rows), model.user_factors_[rows] @ model.item_factors_.T, rtol=1e-6
    )
    np.testing.assert_allclose(np.diag(model._score_items(rows)[:, rows]), 1.0, rtol=1e-5)


def test_bpr_learns_an_item_bias_column() -> None:
    interactions, _ = synthetic_shop()
    model = BPRRecommender(factors=8, iterations=5, num_threads=1).fit(interactions)
    assert model.item_factors_.shape == (len(model.items_), 9)
    np.testing.assert_allclose(model.user_factors_[:, -1], 1.0)


def test_als_weighs_purchases_above_views() -> None:
    model = ALSRecommender(factors=4, num_threads=1).fit(purchases_versus_views())
    order = ranking(model, "me")
    assert order.index("bought") < order.index("viewed")


@pytest.mark.parametrize(
    "model", [ALSRecommender(factors=4, num_threads=1), BPRRecommender(factors=4, num_threads=1)], ids=str
)
def test_returns_lower_an_items_rank(model: ALSRecommender | BPRRecommender) -> None:
    order = ranking(model.fit(returns_cancel_purchases()), "me")
    assert order.index("kept") < order.index("returned")


def test_single_threaded_bpr_is_reproducible() -> None:
    interactions, _ = synthetic_shop()
    first, second = (BPRRecommender(factors=8, num_threads=1).fit(interactions) for _ in range(2))
    np.testing.assert_array_equal(first.item_factors_, second.item_factors_)


def test_progress_bars_stay_silent_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    interactions, _ = synthetic_shop()
    ALSRecommender(factors=4, iterations=2).fit(interactions)
    BPRRecommender(factors=4, iterations=2).fit(interactions)
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (ALSRecommender(factors=0), "als: factors must be a positive integer; got 0"),
        (ALSRecommender(iterations=2.5), "als: iterations must be a positive integer; got 2.5"),
        (ALSRecommender(alpha=0), "als: alpha must be positive; got 0"),
        (ALSRecommender(regularization=-1), "als: regularization must be non-negative; got -1"),
        (BPRRecommender(learning_rate=-0.1), "bpr: learning_rate must be positive; got -0.1"),
        (BPRRecommender(num_threads=-1), "bpr: num_threads must be a non-negative integer"),
    ],
    ids=str,
)
def test_bad_parameters_are_named(model: ALSRecommender | BPRRecommender, message: str) -> None:
    interactions, _ = synthetic_shop()
    with pytest.raises(ValueError, match=message):
        model.fit(interactions)
