"""Ranking metrics against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vestis.recommend.metrics import (
    coverage_at_k,
    map_at_k,
    ndcg_at_k,
    popularity_bias,
    popularity_percentiles,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
)

# User 0 hits at positions 1 and 3 (0-based) with 3 relevant items; user 1 hits at position 0 with 1.
TOP = np.array([[5, 1, 7, 2], [3, 4, 6, 0]])
RELEVANT = [{1, 2, 9}, {3}]


def test_ndcg_matches_hand_computation() -> None:
    user0 = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))
    assert ndcg_at_k(TOP, RELEVANT, 4) == pytest.approx((user0 + 1.0) / 2)


def test_recall_precision_and_map() -> None:
    assert recall_at_k(TOP, RELEVANT, 4) == pytest.approx((2 / 3 + 1) / 2)
    assert precision_at_k(TOP, RELEVANT, 4) == pytest.approx((2 / 4 + 1 / 4) / 2)
    # AP@4 of user 0: (1/2 + 2/4) / min(4, 3); of user 1: 1 / 1.
    assert map_at_k(TOP, RELEVANT, 4) == pytest.approx(((0.5 + 0.5) / 3 + 1.0) / 2)


def test_cut_off_ignores_later_positions() -> None:
    assert recall_at_k(TOP, RELEVANT, 1) == pytest.approx(0.5)
    assert map_at_k(TOP, RELEVANT, 2) == pytest.approx(((1 / 2) / 2 + 1.0) / 2)
    assert ndcg_at_k(TOP, RELEVANT, 1) == pytest.approx(0.5)


def test_users_without_relevant_items_are_skipped() -> None:
    relevant = [set(), {3}]
    assert recall_at_k(TOP, relevant, 4) == pytest.approx(1.0)
    assert ndcg_at_k(TOP, relevant, 4) == pytest.approx(1.0)
    assert map_at_k(TOP, [set(), set()], 4) == 0.0


def test_k_larger_than_the_list_counts_missing_slots_as_misses() -> None:
    top = np.array([[1, 2]])
    assert precision_at_k(top, [{1}], 10) == pytest.approx(0.1)
    assert recall_at_k(top, [{1, 2, 3}], 10) == pytest.approx(2 / 3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(top, [{1, 2, 3}], 10) == pytest.approx((1 + 1 / math.log2(3)) / ideal)
    assert map_at_k(top, [{1, 2, 3}], 10) == pytest.approx(2 / 3)


def test_empty_slots_never_hit() -> None:
    top = np.array([[-1, 4]])
    assert recall_at_k(top, [{4}], 2) == pytest.approx(1.0)
    assert precision_at_k(top, [{4}], 1) == 0.0


def test_coverage_and_popularity() -> None:
    assert coverage_at_k(TOP, 10, 2) == pytest.approx(4 / 10)
    assert coverage_at_k(np.array([[-1, 2]]), 4, 2) == pytest.approx(1 / 4)
    percentiles = popularity_percentiles(np.array([0.0, 5.0, 5.0, 9.0]))
    np.testing.assert_allclose(percentiles, [0.25, 0.625, 0.625, 1.0])
    assert popularity_bias(np.array([[3, 0], [1, -1]]), percentiles, 2) == pytest.approx(
        (1.0 + 0.25 + 0.625) / 3
    )


def test_ranking_metrics_names_carry_k() -> None:
    results = ranking_metrics(TOP, RELEVANT, [1, 4], n_items=10, percentiles=np.linspace(0.1, 1, 10))
    assert {"ndcg@1", "recall@4", "map@4", "precision@1", "coverage@4", "popularity_bias@4"} <= set(results)


@pytest.mark.parametrize("k", [0, -3, 2.5])
def test_bad_k_is_rejected(k: object) -> None:
    with pytest.raises(ValueError, match="k must be a positive integer"):
        ndcg_at_k(TOP, RELEVANT, k)  # type: ignore[arg-type]


def test_mismatched_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="one set per row"):
        recall_at_k(TOP, [{1}], 2)
    with pytest.raises(ValueError, match="2-D"):
        recall_at_k(np.array([1, 2]), [{1}], 2)
