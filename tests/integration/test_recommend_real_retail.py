"""Recommenders on real retail logs: RentTheRunway/ModCloth fit feedback and Amazon Fashion reviews.

The 100-row fit samples have one record per shopper, so leave-last-out has nobody to test and
says so. Slices of Amazon 5-core and of the RentTheRunway parquet, read as ``vestis evaluate
--data`` reads them, are scored: item-item beats popularity on Amazon, ALS beats chance on
RentTheRunway's sparse rentals.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vestis.recommend.datasets import load_dataset
from vestis.recommend.evaluate import evaluate_models


@pytest.mark.parametrize("name", ["renttherunway_final_data_mini.jsonl", "modcloth_final_data_mini.jsonl"])
def test_the_fit_samples_load_and_leave_last_out_says_nobody_is_left_to_test(
    shared_data: Path, name: str
) -> None:
    dataset = load_dataset(f"fit-feedback:{shared_data / 'fit-samples' / name}")
    assert len(dataset.interactions) == 100
    with pytest.raises(ValueError, match="leaves no test users"):
        evaluate_models(dataset, ["popular", "itemknn"], progress=False)


def test_a_slice_of_amazon_fashion_reviews_ranks_personally(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "amazon-fashion-5core" / "AMAZON_FASHION_5.json").read_text().splitlines()
    path = tmp_path / "amazon-slice.json"
    path.write_text("\n".join(lines[:2000]) + "\n")
    result = evaluate_models(load_dataset(f"amazon:{path}"), ["popular", "itemknn"], progress=False)
    assert result.models["itemknn"]["n_users"] > 300
    assert result.models["itemknn"]["ndcg@10"] > 1.5 * result.models["popular"]["ndcg@10"]


def test_a_slice_of_renttherunway_rentals_ranks_above_chance(shared_data: Path, tmp_path: Path) -> None:
    frame = pd.read_parquet(shared_data / "fit-renttherunway" / "rtr_cleandata.parquet")
    counts = frame["user_id"].value_counts()
    path = tmp_path / "rtr-slice.parquet"
    frame[frame["user_id"].isin(counts.index[counts >= 3][:3000])].to_parquet(path)
    result = evaluate_models(load_dataset(f"fit-feedback:{path}"), ["als"], progress=False)
    scores = result.models["als"]
    assert scores["n_users"] > 2500
    assert scores["recall@10"] > 2 * 10 / scores["n_items"]  # twice what a random list finds
