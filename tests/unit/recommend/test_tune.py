"""Random-search tuning on a validation split carved from training data only."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from vestis.recommend import model_class
from vestis.recommend.base import Recommender
from vestis.recommend.evaluate import leave_last_out
from vestis.recommend.interactions import Interactions
from vestis.recommend.tune import GRIDS, tune


def clustered_log(seed: int = 0) -> Interactions:
    """60 shoppers in three taste clusters of 15 items, eight views each in random order."""
    rng = np.random.default_rng(seed)
    rows = [
        (f"u{cluster}-{user:02d}", f"i{cluster}-{item:02d}", 1000 * user + t)
        for cluster in range(3)
        for user in range(20)
        for t, item in enumerate(rng.choice(15, size=8, replace=False))
    ]
    return Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))


@pytest.fixture
def fitted_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Interactions]]:
    """Every interaction log any model is fitted on while the test runs."""
    seen: list[Interactions] = []
    original = Recommender.fit

    def spy(self: Recommender, interactions: Interactions, items: object = None) -> Recommender:
        seen.append(interactions)
        return original(self, interactions, items)  # type: ignore[arg-type]

    monkeypatch.setattr(Recommender, "fit", spy)
    yield seen


def _pairs(log: Interactions) -> set[tuple[str, str]]:
    return set(zip(log.user_ids.tolist(), log.item_ids.tolist(), strict=True))


@pytest.mark.parametrize("model_name", ["popular", "itemknn", "als"])
def test_the_result_is_at_least_as_good_as_the_defaults(model_name: str) -> None:
    train = leave_last_out(clustered_log()).train
    result = tune(model_name, train, trials=4, progress=False)
    defaults = model_class(model_name)().get_params()
    first_params, first_score = result.trials[0]
    assert first_params == {name: defaults[name] for name in GRIDS[model_name]}
    assert len(result.trials) == 4
    assert result.best_score == max(score for _, score in result.trials) >= first_score
    assert result.best_params in [params for params, _ in result.trials]


def test_a_better_setting_beats_poor_defaults() -> None:
    train = leave_last_out(clustered_log()).train
    result = tune("itemknn", train, grid={"neighbours": [1, 100]}, trials=2, progress=False)
    assert result.trials[0][0] == {"neighbours": 100}
    scores = dict((params["neighbours"], score) for params, score in result.trials)
    assert scores[100] > scores[1] and result.best_params == {"neighbours": 100}


def test_tuning_only_ever_fits_on_training_data(fitted_logs: list[Interactions]) -> None:
    split = leave_last_out(clustered_log())
    train, test = split.train, _pairs(split.test)
    tune("itemknn", train, trials=3, progress=False)
    validation = _pairs(leave_last_out(train).test)
    assert len(fitted_logs) == 3
    for log in fitted_logs:
        pairs = _pairs(log)
        assert pairs <= _pairs(train)
        assert not pairs & test
        assert not pairs & validation


def test_same_seed_same_trials() -> None:
    train = clustered_log()
    first, second = (tune("itemknn", train, trials=3, seed=4, progress=False) for _ in range(2))
    assert first.trials == second.trials
    assert tune("itemknn", train, trials=3, seed=5, progress=False).trials[1:] != first.trials[1:]


def test_a_small_grid_is_searched_exhaustively() -> None:
    result = tune("popular", clustered_log(), grid={"half_life_days": [None, 7.0]}, trials=10, progress=False)
    tried = [params["half_life_days"] for params, _ in result.trials]
    assert tried[0] == 14.0 and sorted(tried[1:], key=str) == [7.0, None]


def test_the_defaults_come_first_and_are_never_drawn_again() -> None:
    grid = {"half_life_days": [3.0, 7.0, 14.0, 30.0, 90.0]}  # 14.0 is the default
    for seed in range(5):
        result = tune("popular", clustered_log(), grid=grid, trials=3, seed=seed, progress=False)
        tried = [params["half_life_days"] for params, _ in result.trials]
        assert tried[0] == 14.0 and len(set(tried)) == 3


def test_every_default_grid_names_real_parameters() -> None:
    assert {"popular", "itemknn", "als", "bpr"} <= set(GRIDS)
    for name, grid in GRIDS.items():
        assert set(grid) <= set(model_class(name)().get_params()), name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model_name": "content"}, "no grid for model 'content'"),
        ({"grid": {"wings": [1, 2]}}, r"itemknn has no parameters \['wings'\]"),
        ({"grid": {"neighbours": []}}, r"grid lists no values for \['neighbours'\]"),
        ({"trials": 0}, "trials must be a positive integer; got 0"),
        ({"metric": "auc@10"}, "metric must look like 'ndcg@10'"),
        ({"metric": "ndcg"}, "metric must look like 'ndcg@10'"),
        ({"validation": "random"}, "validation must be one of"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"model_name": "itemknn", "progress": False, **kwargs}
    with pytest.raises(ValueError, match=message):
        tune(interactions=clustered_log(), **arguments)  # type: ignore[arg-type]
