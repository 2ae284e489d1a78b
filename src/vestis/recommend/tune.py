"""Hyper-parameter search: a small random search scored on a validation split of the training data.

:func:`tune` carves its own validation split out of the interactions it is given — each
user's last item is held out, the model learns from the rest — so the caller must pass
*training* data only. Tuning must never see the test split that final numbers are reported
on; otherwise the reported score is tuned to the test set and overstates what shoppers get.

Each model's search space is data: :data:`GRIDS` maps a model name to a grid (parameter →
candidate values). Models added later register theirs with ``GRIDS["name"] = {...}``.

Examples
--------
>>> import pandas as pd
>>> from vestis.recommend import Interactions
>>> train = Interactions.from_frame(pd.DataFrame({"user_id": list("aabbcc"), "timestamp": range(6),
...     "item_id": ["shirt", "tie", "tie", "shirt", "shirt", "tie"]}))
>>> result = tune("itemknn", train, grid={"neighbours": [5, 20]}, trials=2, progress=False)
>>> sorted(result.best_params)
['neighbours']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import ParameterGrid, ParameterSampler

from vestis.progress import track
from vestis.recommend import make_model, model_class
from vestis.recommend.base import Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.evaluate import leave_last_out
from vestis.recommend.interactions import Interactions
from vestis.recommend.metrics import map_at_k, ndcg_at_k, precision_at_k, recall_at_k

__all__ = ["GRIDS", "METRICS", "TuneResult", "tune"]

Grid = Mapping[str, Sequence[Any]]

GRIDS: dict[str, Grid] = {
    "popular": {"half_life_days": [None, 1.0, 3.0, 7.0, 14.0, 30.0, 90.0, 365.0]},
    "itemknn": {
        "similarity": ["cosine", "bm25", "tfidf"],
        "neighbours": [10, 20, 50, 100, 200, 400],
        "bm25_k1": [0.5, 1.2, 2.0],
        "bm25_b": [0.25, 0.5, 0.75, 1.0],
    },
    "als": {
        "factors": [32, 64, 128],
        "regularization": [0.01, 0.05, 0.1, 0.5, 1.0, 5.0],
        "alpha": [0.5, 1.0, 2.0, 5.0, 10.0, 20.0],
        "iterations": [10, 15, 30],
    },
    "ease": {
        "l2": [10.0, 50.0, 100.0, 200.0, 500.0, 1000.0],
        "min_users": [1, 2, 3, 5],
        "recent_half_life": [None, 2.0, 5.0, 10.0, 20.0, 50.0],
    },
    "bpr": {
        "factors": [32, 64, 128],
        "learning_rate": [0.01, 0.025, 0.05, 0.1],
        "regularization": [0.001, 0.01, 0.05, 0.1],
        "iterations": [50, 100, 200],
    },
}
"""Default search space per model name: parameter → candidate values."""

METRICS: dict[str, Callable[[np.ndarray, Sequence[Sequence[int]], int], float]] = {
    "ndcg": ndcg_at_k,
    "recall": recall_at_k,
    "hr": recall_at_k,
    "precision": precision_at_k,
    "map": map_at_k,
}
"""Metric names :func:`tune` accepts before ``@k`` (``hr`` is recall with one held-out item)."""

VALIDATIONS = ("leave-last-out",)


@dataclass(frozen=True)
class TuneResult:
    """The best parameters found, their validation score, and every trial in the order run."""

    best_params: dict[str, Any]
    best_score: float
    trials: list[tuple[dict[str, Any], float]]


def tune(
    model_name: str,
    interactions: Interactions,
    items: ItemCatalog | None = None,
    *,
    grid: Grid | None = None,
    trials: int = 12,
    metric: str = "ndcg@10",
    validation: str = "leave-last-out",
    seed: int = 0,
    progress: bool = True,
) -> TuneResult:
    """Random search over ``grid`` for the model registered as ``model_name``.

    Parameters
    ----------
    model_name : str
        A name from :data:`vestis.recommend.MODELS`.
    interactions : Interactions
        The *training* interactions. A validation split is carved from these with
        :func:`vestis.recommend.evaluate.leave_last_out` (each user's last item by timestamp,
        then item id, is held out); never pass the test split.
    items : ItemCatalog, optional
        Passed to ``fit`` for models that use the catalog.
    grid : mapping, optional
        Parameter → candidate values; defaults to ``GRIDS[model_name]``.
    trials : int
        How many parameter sets to score. The first is always the model's defaults (so the
        result is never worse than the defaults on validation); the rest are drawn at random
        without repetition. A grid smaller than ``trials`` is searched exhaustively.
    metric : str
        ``"<name>@<k>"`` with a name from :data:`METRICS`, e.g. ``"ndcg@10"`` or ``"hr@10"``.
    validation : str
        How to split: only ``"leave-last-out"`` for now.
    seed : int
        Seed for drawing parameter sets.
    progress : bool
        Show a progress bar over the trials.

    Returns
    -------
    TuneResult
        ``best_params`` hold a value for every grid parameter; ``make_model(model_name,
        **best_params)`` builds the winner.
    """
    # 1. Check inputs
    grid = dict(GRIDS.get(model_name, {}) if grid is None else grid)
    if not grid:
        raise ValueError(f"tune: no grid for model {model_name!r}; pass grid= or register one in GRIDS")
    defaults = model_class(model_name)().get_params()
    unknown = sorted(set(grid) - set(defaults))
    if unknown:
        raise ValueError(f"tune: {model_name} has no parameters {unknown}; it takes {sorted(defaults)}")
    empty = sorted(name for name, values in grid.items() if not len(values))
    if empty:
        raise ValueError(f"tune: grid lists no values for {empty}")
    if not isinstance(trials, int) or trials <= 0:
        raise ValueError(f"tune: trials must be a positive integer; got {trials!r}")
    if validation not in VALIDATIONS:
        raise ValueError(f"tune: validation must be one of {VALIDATIONS}; got {validation!r}")
    score, k = _parse_metric(metric)

    # 2. Carve the validation split out of the training data
    split = leave_last_out(interactions)
    fit_part = split.train
    held_out = dict(zip(split.test.user_ids.tolist(), split.test.item_ids.tolist(), strict=True))
    if not held_out:
        raise ValueError("tune: nothing to validate on: no user has a last item that others also touched")

    # 3. Score the defaults, then random parameter sets
    candidates = _draw(grid, {name: defaults[name] for name in grid}, trials, seed)
    results: list[tuple[dict[str, Any], float]] = []
    for params in track(candidates, description=f"tuning {model_name}", disable=not progress):
        model = make_model(model_name, **params).fit(fit_part, items)
        results.append((params, _validate(model, held_out, score, k)))

    # 4. Pick the best (the earliest on ties, so the defaults win a draw)
    best_params, best_score = max(results, key=lambda trial: trial[1])
    return TuneResult(dict(best_params), best_score, results)


# --------------------------------------------------------------------------- helpers
def _parse_metric(metric: str) -> tuple[Callable[[np.ndarray, Sequence[Sequence[int]], int], float], int]:
    name, _, cutoff = metric.lower().partition("@")
    if name not in METRICS or not cutoff.isdigit() or int(cutoff) <= 0:
        raise ValueError(
            f"tune: metric must look like 'ndcg@10' with a name from {sorted(METRICS)}; got {metric!r}"
        )
    return METRICS[name], int(cutoff)


def _validate(
    model: Recommender,
    held_out: Mapping[str, str],
    score: Callable[[np.ndarray, Sequence[Sequence[int]], int], float],
    k: int,
) -> float:
    """The metric of ``model``'s top ``k`` against each user's held-out item."""
    top, _ = model.recommend_rows(model.users_.rows(list(held_out)), k)
    return score(top, [[model.items_.rows([item])[0]] for item in held_out.values()], k)


def _draw(grid: Grid, defaults: dict[str, Any], trials: int, seed: int) -> list[dict[str, Any]]:
    """The defaults, then up to ``trials - 1`` distinct random grid points other than them.

    scikit-learn's sampler draws grid points without repetition, reproducibly by ``seed``;
    drawing ``trials`` of them leaves room to drop the defaults when they are among them.
    """
    points = ParameterSampler(grid, n_iter=min(trials, len(ParameterGrid(grid))), random_state=seed)
    return [defaults, *(point for point in points if point != defaults)][:trials]
