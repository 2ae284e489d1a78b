"""Offline evaluation: split a log into train and test, fit models, score their top-k lists.

Two protocols. ``leave-last-out`` holds out each user's most recent item (the common
MovieLens yardstick); ``temporal`` trains on everything before a cut and tests on what
users bought in the window after it (how the H&M competition scored MAP@12). Each model
ranks every item it knows from training except the user's own training items, so the
numbers are full-ranking metrics, not sampled-candidate ones.

>>> result = evaluate_models(load_dataset("movielens:data/ml-latest-small"), ["popular", "als"])
>>> result.save_json(Path("scores.json"))
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vestis.progress import progress_bar
from vestis.recommend import make_model
from vestis.recommend.base import Recommender
from vestis.recommend.datasets import Dataset, load_dataset
from vestis.recommend.interactions import EVENT_WEIGHTS, IdMap, Interactions
from vestis.recommend.memo import forget_catalogs
from vestis.recommend.metrics import popularity_percentiles, ranking_metrics
from vestis.recommend.timescales import check_time_scales

PROTOCOLS = ("leave-last-out", "temporal")
DEFAULT_KS = (1, 5, 10, 20)
DAY = 86_400

__all__ = [
    "DEFAULT_KS",
    "PROTOCOLS",
    "EvaluationResult",
    "Split",
    "evaluate_models",
    "leave_last_out",
    "make_split",
    "temporal_split",
]


@dataclass(frozen=True)
class Split:
    """A training log, the held-out test events (one row per user and item) and what was dropped.

    ``dropped`` counts test candidates left out, by reason: ``unseen_items`` (the item never
    occurs in training), ``cold_users`` (the user has no training events), ``repeat_items``
    (the user already had the item in training, so no model that hides seen items could hit it).
    ``cut`` is the first second of the test window for the temporal protocol.
    """

    protocol: str
    train: Interactions
    test: Interactions
    dropped: Mapping[str, int] = field(default_factory=dict)
    cut: int | None = None

    def relevant(self) -> dict[str, set[str]]:
        """User id → the item ids held out for that user."""
        relevant: dict[str, set[str]] = {}
        for user, item in zip(self.test.user_ids.tolist(), self.test.item_ids.tolist(), strict=True):
            relevant.setdefault(user, set()).add(item)
        return relevant

    def summary(self) -> dict[str, int]:
        """Sizes for a report: training events, users and items, test users and items, drops."""
        return {
            "train_interactions": len(self.train),
            "train_users": len(np.unique(self.train.user_ids)),
            "train_items": len(np.unique(self.train.item_ids)),
            "test_users": len(np.unique(self.test.user_ids)),
            "test_interactions": len(self.test),
            **{f"dropped_{reason}": int(count) for reason, count in self.dropped.items()},
        }


@dataclass
class EvaluationResult:
    """Scores of several models on one split; ``models[name]`` maps ``"metric@k"`` and timings to numbers.

    Every metric is kept at each cut-off in ``ks`` (for curves); ``k`` is the headline one.
    ``split`` holds the split's sizes and ``source`` the data set spec it came from, when known.
    """

    dataset: str
    protocol: str
    k: int
    ks: tuple[int, ...]
    models: dict[str, dict[str, float]]
    split: dict[str, int] = field(default_factory=dict)
    source: str | None = None

    def curve(self, model: str, metric: str) -> list[float]:
        """``metric`` of ``model`` at each cut-off in :attr:`ks`."""
        scores = self.models[model]
        return [scores[f"{metric}@{k}"] for k in self.ks]

    def to_dict(self) -> dict[str, Any]:
        """``{"dataset", "protocol", "k", "models": {name: {"ndcg@10": …, "fit_seconds": …}}}``."""
        return {"dataset": self.dataset, "protocol": self.protocol, "k": self.k, "models": self.models}

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)

    def save_json(self, path: Path) -> Path:
        """Write :meth:`to_json` to ``path`` (folders created); returns the path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json() + "\n")
        return path

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvaluationResult:
        """Rebuild a result from :meth:`to_dict`; cut-offs come from the metric names."""
        missing = [key for key in ("dataset", "protocol", "k", "models") if key not in data]
        if missing:
            raise ValueError(
                f"an evaluation result needs keys dataset, protocol, k, models; missing {missing}"
            )
        models = {name: dict(scores) for name, scores in data["models"].items()}
        ks = sorted({int(key.split("@")[1]) for scores in models.values() for key in scores if "@" in key})
        first = next(iter(models.values()), {})
        split = {key[2:]: int(value) for key, value in first.items() if key.startswith("n_")}
        return cls(data["dataset"], data["protocol"], int(data["k"]), tuple(ks), models, split)

    @classmethod
    def load_json(cls, path: Path) -> EvaluationResult:
        """Read a file written by :meth:`save_json`."""
        return cls.from_dict(json.loads(path.read_text()))


def evaluate_models(
    dataset: Dataset | str,
    models: Sequence[str | Recommender],
    *,
    protocol: str = "leave-last-out",
    k: int = 10,
    ks: Sequence[int] = DEFAULT_KS,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    split: Split | None = None,
    window_days: int = 7,
    progress: bool = True,
) -> EvaluationResult:
    """Fit each model on the training part of ``dataset`` and score its top-k lists on the test part.

    ``models`` are registered names (built with ``params[name]`` as keyword arguments) or
    unfitted :class:`Recommender` instances, which are fitted here. ``split`` reuses a
    prepared :class:`Split` instead of splitting by ``protocol`` (``window_days`` sizes the
    temporal test window). Each model's entry holds every metric at ``k`` and each of ``ks``,
    ``fit_seconds`` (from a cold start: catalog encodings an earlier model made are forgotten),
    ``recommend_seconds``, ``users_per_second`` (ranking throughput) and the split sizes
    ``n_users`` (test users), ``n_items`` (catalog size), ``n_train``. A time-decay setting
    that cannot fit the training events' time span is logged as a warning.
    """
    # 1. Check inputs and build the models, so a typo fails before any training.
    source = dataset if isinstance(dataset, str) else None
    if isinstance(dataset, str):
        dataset = load_dataset(dataset)
    cutoffs = _check_cutoffs(k, ks)
    named = _build_models(models, params or {})
    if split is None:
        split = make_split(dataset.interactions, protocol, window_days=window_days)
    if not len(split.test):
        raise ValueError(f"the {split.protocol} split of {dataset.name} leaves no test users to evaluate")
    check_time_scales(split.train, named)

    # 2. The item universe (catalog plus training items), its popularity and the relevant sets.
    universe = IdMap.of(np.concatenate([dataset.items.ids, split.train.item_ids]))
    popularity = _distinct_users_per_item(split.train, universe)
    percentiles = popularity_percentiles(popularity)
    relevant_by_user = split.relevant()
    test_users = sorted(relevant_by_user)
    relevant = [set(universe.rows(sorted(relevant_by_user[u])).tolist()) for u in test_users]
    sizes = {"n_users": len(test_users), "n_items": len(universe), "n_train": len(split.train)}

    # 3. Fit, rank and score each model.
    scores: dict[str, dict[str, float]] = {}
    with progress_bar(disable=not progress) as bar:
        task = bar.add_task(f"evaluate {dataset.name}", total=len(named))
        for name, model in named.items():
            bar.update(task, description=f"evaluate {dataset.name}: fitting {name}")
            forget_catalogs()  # each fit time includes encoding the catalog, not an earlier model's
            started = time.perf_counter()
            model.fit(split.train, dataset.items)
            fit_seconds = time.perf_counter() - started
            bar.update(task, description=f"evaluate {dataset.name}: ranking with {name}")
            started = time.perf_counter()
            top = _rank(model, test_users, universe, max(cutoffs))
            recommend_seconds = time.perf_counter() - started
            metrics = ranking_metrics(top, relevant, cutoffs, n_items=len(universe), percentiles=percentiles)
            headline = {key: value for key, value in metrics.items() if key.endswith(f"@{k}")}
            scores[name] = {
                **headline,
                "fit_seconds": fit_seconds,
                "recommend_seconds": recommend_seconds,
                "users_per_second": len(test_users) / max(recommend_seconds, 1e-9),
                **sizes,
                **{key: value for key, value in metrics.items() if key not in headline},
            }
            bar.advance(task)
    return EvaluationResult(
        dataset=dataset.name,
        protocol=split.protocol,
        k=k,
        ks=tuple(cutoffs),
        models=scores,
        split=split.summary() | {"catalog_items": len(universe)},
        source=source,
    )


def make_split(interactions: Interactions, protocol: str, *, window_days: int = 7) -> Split:
    """The split ``protocol`` (one of :data:`PROTOCOLS`) makes of ``interactions``."""
    if protocol == "leave-last-out":
        return leave_last_out(interactions)
    if protocol == "temporal":
        return temporal_split(interactions, window_days=window_days)
    raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}; got {protocol!r}")


def leave_last_out(interactions: Interactions) -> Split:
    """Hold out each user's last item: the item of their latest event by (timestamp, item id).

    Every event counts as a positive. All of the user's events with that item leave the
    training log (so the model cannot have seen it); the test keeps one row per user. A user
    whose events all concern one item stays in training only. Test items that no remaining
    training event mentions are dropped and counted as ``unseen_items``.
    """
    if not len(interactions):
        raise ValueError("interactions: cannot split an empty interaction log")
    # The log is sorted by (timestamp, item id, user id): a user's last row is their last event.
    frame = pd.DataFrame({"user": interactions.user_ids, "item": interactions.item_ids})
    last = frame.groupby("user", sort=False).tail(1)
    pairs = pd.MultiIndex.from_frame(last[["user", "item"]])
    held = pd.MultiIndex.from_frame(frame[["user", "item"]]).isin(pairs)
    remaining = pd.Series(~held).groupby(frame["user"].to_numpy()).sum()
    single = set(remaining.index[remaining.to_numpy() == 0])
    held &= ~frame["user"].isin(single).to_numpy()
    last = last[~last["user"].isin(single)]
    train = interactions.take(np.flatnonzero(~held))
    test = interactions.take(last.index.to_numpy())
    known = np.isin(test.item_ids, train.item_ids)
    return Split(
        "leave-last-out", train, test.take(np.flatnonzero(known)), {"unseen_items": int((~known).sum())}
    )


def temporal_split(
    interactions: Interactions,
    cut: int | datetime | str | None = None,
    *,
    window_days: int = 7,
    test_events: Sequence[str] | None = None,
) -> Split:
    """Train on events before ``cut``; test on positives in ``[cut, cut + window_days)``.

    ``cut`` is epoch seconds, a datetime or an ISO date; by default the window is the last
    ``window_days`` of the log (it ends with the newest event). ``test_events`` are the event
    types that count as test positives: by default purchases when the window has any (as in
    the H&M competition), otherwise every event type with a positive weight. Test users are
    the users active in the window; a (user, item) pair counts once. Cold users, items unseen
    in training and items the user already had in training are dropped and counted.
    """
    if not isinstance(window_days, int | float) or window_days <= 0:
        raise ValueError(f"window_days must be a positive number of days; got {window_days!r}")
    if not len(interactions):
        raise ValueError("interactions: cannot split an empty interaction log")
    window = int(round(window_days * DAY))
    start = int(interactions.timestamps.max()) - window + 1 if cut is None else _epoch_seconds(cut)
    before = interactions.timestamps < start
    inside = (interactions.timestamps >= start) & (interactions.timestamps < start + window)
    if not before.any() or not inside.any():
        raise ValueError(
            f"cut {pd.Timestamp(start, unit='s', tz='UTC')} leaves "
            f"{int(before.sum())} training and {int(inside.sum())} test events; both must be non-empty"
        )
    train = interactions.take(np.flatnonzero(before))
    window_log = interactions.take(np.flatnonzero(inside))
    if test_events is None:
        has_purchase = bool((window_log.event_types == "purchase").any())
        test_events = ("purchase",) if has_purchase else [t for t, w in EVENT_WEIGHTS.items() if w > 0]
    unknown = sorted(set(test_events) - set(EVENT_WEIGHTS))
    if unknown:
        raise ValueError(
            f"test_events: unknown event types {unknown}; expected some of {sorted(EVENT_WEIGHTS)}"
        )
    candidates = pd.DataFrame(
        {
            "user": window_log.user_ids,
            "item": window_log.item_ids,
            "keep": np.isin(window_log.event_types, test_events),
        }
    )
    candidates = candidates[candidates["keep"]].drop_duplicates(["user", "item"])
    cold = ~candidates["user"].isin(set(train.user_ids.tolist())).to_numpy()
    unseen = ~cold & ~candidates["item"].isin(set(train.item_ids.tolist())).to_numpy()
    seen_pairs = pd.MultiIndex.from_arrays([train.user_ids, train.item_ids])
    repeat = ~cold & ~unseen & pd.MultiIndex.from_frame(candidates[["user", "item"]]).isin(seen_pairs)
    keep = candidates.index.to_numpy()[~(cold | unseen | repeat)]
    dropped = {
        "cold_users": int(cold.sum()),
        "unseen_items": int(unseen.sum()),
        "repeat_items": int(repeat.sum()),
    }
    return Split("temporal", train, window_log.take(keep), dropped, cut=start)


# --------------------------------------------------------------------------- helpers
def _build_models(
    models: Sequence[str | Recommender], params: Mapping[str, Mapping[str, Any]]
) -> dict[str, Recommender]:
    """Name → unfitted model; names must be distinct and ``params`` must name listed models."""
    if isinstance(models, str) or not len(models):
        raise ValueError(
            f"models must be a non-empty sequence of names or Recommender objects; got {models!r}"
        )
    built: dict[str, Recommender] = {}
    for entry in models:
        if isinstance(entry, str):
            model = make_model(entry, **params.get(entry, {}))
        elif isinstance(entry, Recommender):
            model = entry
        else:
            raise ValueError(f"models: expected a model name or a Recommender; got {type(entry).__name__}")
        name = entry if isinstance(entry, str) else model.name
        if name in built:
            raise ValueError(f"models: {name!r} is listed twice")
        built[name] = model
    extra = sorted(set(params) - set(built))
    if extra:
        raise ValueError(f"params names models that are not evaluated: {extra}")
    return built


def _rank(model: Recommender, users: Sequence[str], universe: IdMap, k: int) -> np.ndarray:
    """Each user's top ``k`` as universe rows (-1 for empty slots or users the model does not know)."""
    top = np.full((len(users), k), -1, dtype=np.int64)
    rows = model.users_.rows(users)
    known = np.flatnonzero(rows >= 0)
    if len(known):
        items, scores = model.recommend_rows(rows[known], k, exclude_seen=True)
        mapped = np.where(np.isfinite(scores), universe.rows(model.items_.ids)[items], -1)
        top[known, : mapped.shape[1]] = mapped
    return top


def _distinct_users_per_item(train: Interactions, universe: IdMap) -> np.ndarray:
    """How many distinct training users touched each universe item."""
    pairs = pd.DataFrame({"user": train.user_ids, "item": universe.rows(train.item_ids)}).drop_duplicates()
    return np.bincount(pairs["item"].to_numpy(), minlength=len(universe)).astype(float)


def _check_cutoffs(k: int, ks: Sequence[int]) -> list[int]:
    for name, value in [("k", k), *(("ks", v) for v in ks)]:
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{name} must hold positive integers; got {value!r}")
    return sorted({int(k), *(int(v) for v in ks)})


def _epoch_seconds(cut: int | datetime | str) -> int:
    if isinstance(cut, int | np.integer):
        return int(cut)
    try:
        stamp = pd.Timestamp(cut)
    except (TypeError, ValueError) as error:
        raise ValueError(f"cut must be epoch seconds, a datetime or an ISO date; got {cut!r}") from error
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return int(stamp.timestamp())
