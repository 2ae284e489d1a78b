"""Splits and the evaluation loop on logs small enough to check by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.unit.recommend.contract import synthetic_shop
from vestis.recommend import ItemCatalog, make_model
from vestis.recommend.datasets import Dataset, load_dataset
from vestis.recommend.evaluate import EvaluationResult, evaluate_models, leave_last_out, temporal_split
from vestis.recommend.interactions import Interactions

DAY = 86_400


def log(rows: list[tuple[str, str, int, str]]) -> Interactions:
    return Interactions.from_frame(
        pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp", "event_type"])
    )


def test_leave_last_out_breaks_timestamp_ties_by_item_id() -> None:
    interactions = log(
        [
            ("u1", "b", 100, "view"),
            ("u1", "c", 200, "view"),
            ("u1", "a", 200, "view"),
            ("u2", "a", 50, "view"),
            ("u2", "c", 60, "view"),
            ("u3", "b", 70, "view"),  # one interaction: stays in training only
            ("u4", "c", 10, "view"),
            ("u4", "a", 300, "view"),
        ]
    )
    split = leave_last_out(interactions)
    assert split.relevant() == {"u1": {"c"}, "u2": {"c"}, "u4": {"a"}}
    assert sorted(zip(split.train.user_ids, split.train.item_ids, strict=True)) == [
        ("u1", "a"),
        ("u1", "b"),
        ("u2", "a"),
        ("u3", "b"),
        ("u4", "c"),
    ]
    assert split.dropped == {"unseen_items": 0}


def test_leave_last_out_removes_every_event_of_the_held_out_item_and_drops_unseen_items() -> None:
    interactions = log(
        [
            ("u1", "a", 10, "view"),
            ("u1", "x", 20, "view"),
            ("u1", "x", 30, "purchase"),
            ("u2", "a", 10, "view"),
            ("u2", "new", 40, "view"),  # nobody else has "new": dropped from the test
            ("u3", "z", 10, "view"),
            ("u3", "z", 20, "purchase"),  # one distinct item: training only
            ("u4", "x", 5, "view"),
            ("u4", "a", 50, "view"),
        ]
    )
    split = leave_last_out(interactions)
    assert split.relevant() == {"u1": {"x"}, "u4": {"a"}}
    assert ("u1", "x") not in set(zip(split.train.user_ids, split.train.item_ids, strict=True))
    assert list(split.train.user_ids).count("u3") == 2
    assert split.dropped == {"unseen_items": 1}


START = 1_700_000_000


def window_log() -> Interactions:
    """Purchases around a cut at START + 3 days, with one case of each kind the temporal split drops."""
    return log(
        [
            ("u1", "a", START, "purchase"),
            ("u1", "b", START + 3 * DAY - 1, "view"),  # last second before the cut: training
            ("u2", "a", START + DAY, "purchase"),
            ("u3", "c", START + DAY, "view"),
            ("u1", "a", START + 3 * DAY, "purchase"),  # repeat of a training item: dropped
            ("u1", "c", START + 3 * DAY + 10, "purchase"),
            ("u2", "b", START + 4 * DAY, "view"),  # not a purchase: ignored while the window has some
            ("u2", "c", START + 4 * DAY + 5, "purchase"),
            ("u9", "a", START + 4 * DAY, "purchase"),  # cold user: dropped
            ("u2", "new", START + 4 * DAY, "purchase"),  # unseen item: dropped
            ("u2", "b", START + 5 * DAY, "purchase"),  # first second after the window: ignored
        ]
    )


def test_temporal_split_window_boundaries() -> None:
    interactions = window_log()
    start = START
    split = temporal_split(interactions, cut=start + 3 * DAY, window_days=2)
    assert split.cut == start + 3 * DAY
    assert int(split.train.timestamps.max()) == start + 3 * DAY - 1
    assert split.relevant() == {"u1": {"c"}, "u2": {"c"}}
    assert split.dropped == {"cold_users": 1, "unseen_items": 1, "repeat_items": 1}


def test_temporal_split_defaults_to_the_last_window_and_any_positive_event() -> None:
    interactions = log(
        [("u1", "a", 0, "view"), ("u2", "b", DAY, "view"), ("u1", "b", 10 * DAY, "add_to_cart")]
    )
    split = temporal_split(interactions, window_days=7)
    assert split.cut == 3 * DAY + 1
    assert split.relevant() == {"u1": {"b"}}


def test_temporal_split_rejects_bad_arguments() -> None:
    interactions = log([("u1", "a", 0, "view"), ("u1", "b", DAY, "view")])
    with pytest.raises(ValueError, match="window_days"):
        temporal_split(interactions, window_days=0)
    with pytest.raises(ValueError, match="cut"):
        temporal_split(interactions, cut=10 * DAY)


@pytest.fixture
def shop() -> Dataset:
    interactions, items = synthetic_shop()
    # Everyone's last event is the bestseller, so leave-last-out would hold it out of training entirely.
    return Dataset("synthetic", interactions.take(interactions.item_ids != "hit-00"), items)


def test_evaluate_models_json_shape(shop: Dataset, tmp_path: Path) -> None:
    result = evaluate_models(shop, ["popular"], k=5, ks=(1, 3), progress=False)
    data = json.loads(result.to_json())
    assert list(data) == ["dataset", "protocol", "k", "models"]
    assert data["dataset"] == "synthetic" and data["protocol"] == "leave-last-out" and data["k"] == 5
    scores = data["models"]["popular"]
    for key in ("ndcg@5", "recall@5", "map@5", "coverage@5", "precision@5", "popularity_bias@5", "ndcg@1"):
        assert 0.0 <= scores[key] <= 1.0
    assert scores["fit_seconds"] >= 0 and scores["users_per_second"] > 0
    assert scores["n_users"] == 40 and scores["n_items"] == 25
    assert result.ks == (1, 3, 5)
    assert len(result.curve("popular", "recall")) == 3
    again = EvaluationResult.load_json(result.save_json(tmp_path / "out" / "scores.json"))
    assert again.to_dict() == data and again.ks == (1, 3, 5)


def test_evaluate_models_scores_match_a_hand_worked_example() -> None:
    """Training after the split: u1 {q}, u2 {r}, u3 {p, r}, u4 {p}; popularity p = r = 2 > q = 1.

    Held out: u1 p, u2 p, u3 q, u4 q. Popularity's top 2 without seen items: u1 [p, r],
    u2 [p, q], u3 [q], u4 [r, q] — three hits at rank 1 and one at rank 2.
    """
    interactions = log(
        [
            ("u1", "q", 1, "view"),
            ("u1", "p", 10, "view"),
            ("u2", "r", 1, "view"),
            ("u2", "p", 10, "view"),
            ("u3", "p", 1, "view"),
            ("u3", "r", 2, "view"),
            ("u3", "q", 3, "view"),
            ("u4", "p", 1, "view"),
            ("u4", "q", 5, "view"),
        ]
    )
    items = ItemCatalog.from_frame(pd.DataFrame({"id": ["p", "q", "r", "s"]}))
    result = evaluate_models(
        Dataset("hand", interactions, items),
        ["popular"],
        k=2,
        ks=(1,),
        params={"popular": {"half_life_days": None}},
        progress=False,
    )
    scores = result.models["popular"]
    assert scores["recall@1"] == pytest.approx(0.75)
    assert scores["recall@2"] == pytest.approx(1.0)
    assert scores["ndcg@2"] == pytest.approx((3 + 1 / np.log2(3)) / 4)
    assert scores["coverage@2"] == pytest.approx(3 / 4)  # "s" is in the catalog but never recommended


def test_evaluate_models_accepts_instances_and_checks_arguments(shop: Dataset) -> None:
    model = make_model("popular", half_life_days=None)
    result = evaluate_models(
        Dataset("window", window_log(), shop.items),
        [model],
        protocol="temporal",
        window_days=2,
        progress=False,
    )
    assert result.protocol == "temporal" and result.models["popular"]["n_users"] == 2
    with pytest.raises(ValueError, match="protocol"):
        evaluate_models(shop, ["popular"], protocol="random", progress=False)
    with pytest.raises(ValueError, match="listed twice"):
        evaluate_models(shop, ["popular", "popular"], progress=False)
    with pytest.raises(ValueError, match="params"):
        evaluate_models(shop, ["popular"], params={"als": {}}, progress=False)
    with pytest.raises(ValueError, match="k must"):
        evaluate_models(shop, ["popular"], k=0, progress=False)
    with pytest.raises(ValueError, match="unknown model"):
        evaluate_models(shop, ["nope"], progress=False)


@pytest.mark.slow
def test_movielens_latest_small_with_popular(shared_data: Path) -> None:
    dataset = load_dataset(f"movielens:{shared_data / 'movielens-latest-small'}")
    result = evaluate_models(
        dataset, ["popular"], params={"popular": {"half_life_days": None}}, progress=False
    )
    scores = result.models["popular"]
    assert result.split["train_users"] == 610
    assert scores["n_users"] + result.split["dropped_unseen_items"] == 610
    # Popularity is a weak but real baseline: far better than a random pick (10 / 9,742 ≈ 0.001).
    assert 0.01 < scores["recall@10"] < 0.2
    assert scores["popularity_bias@10"] > 0.95
    assert np.isclose(scores["recall@10"], scores["precision@10"] * 10)
