"""A learned blend of every other recommender: candidates from each, one ranker over them all.

Serving works in two stages. Each component model (item-item, matrix factorisation,
content, visual, popularity — whichever are installed) proposes its best unseen items for
a shopper; a classifier (:class:`~vestis.recommend.ranker.Ranker`) then orders the union
using each component's score and rank plus item and shopper features (popularity, age,
price against the shopper's usual price, colour and type match with the history).

The ranker is trained honestly, on the training log only: each chosen shopper's last
item(s) are held out of it, the components are fitted on the rest, and the ranker learns
to put the held-out item above the other candidates. The components are then refitted on
the whole training log for serving. Because the content and visual components score
catalog items that nobody has touched yet, a new product can be recommended and shows up
among the items similar to its look-alikes; a shopper with no history gets popular items
(per segment) or, with :meth:`HybridRecommender.recommend_for_session`, the neighbours of
what they just looked at.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy import sparse

from vestis.recommend import MODELS, model_class
from vestis.recommend.base import Reason, Recommendation, Recommender, top_k
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions
from vestis.recommend.ranker import COMPONENT_FEATURES, ItemSignals, PairFeatures, Ranker, component_features

__all__ = ["HybridRecommender"]

DEFAULT_COMPONENTS = ("ease", "itemknn", "als", "content", "visual", "popular")
COMPONENT_DEFAULTS: Mapping[str, Mapping[str, Any]] = {"ease": {"min_users": 5}}
"""Component hyper-parameters unless ``component_params`` says otherwise. EASE over items five or
more shoppers touched inverts a matrix 19× smaller on MovieLens latest-small (3,650 of 9,724
movies) at the same validation NDCG@10 (0.0443 against 0.0442 over every item, on a
leave-last-out split of the training part); the hybrid fits it twice, and its other components
still propose the rarer items."""
MIN_HELD_ITEMS = 5
"""Distinct held-out items needed to train the ranker. When the validation shoppers' last items
are a handful of products (everyone bought the same new bestseller), a ranker would learn those
products' looks rather than what makes a good suggestion, so the components' ranks are fused."""
SEEN_NEGATIVES = 5
"""Items a validation shopper already engaged with, added to their candidates as negatives."""


class HybridRecommender(Recommender):
    """Union of the components' top items, ordered by a ranker trained on held-out last items.

    Parameters
    ----------
    components : sequence of str
        Registered model names to blend; names whose module is not installed are skipped.
    candidates_per_model : int
        How many unseen items each component proposes per shopper.
    ranker : {"logistic", "gbdt"}
        Logistic regression on standardised features, or histogram gradient boosting.
    validation_fraction : float
        Share of shoppers (with more than ``holdout`` items) whose last items train the ranker.
    holdout : int
        How many of each chosen shopper's most recent distinct items are held out.
    similar_weight : float
        Weight of behaviour (co-occurrence, factors) against look (content, visual) in
        :meth:`similar_items`; items nobody interacted with use look alone.
    component_params : mapping, optional
        Hyper-parameters per component name, e.g. ``{"als": {"factors": 64}}`` (JSON-ready),
        over :data:`COMPONENT_DEFAULTS`.
    segments : mapping, optional
        User id → segment name, handed to the ``popular`` component for cold starts.
    random_state : int
        Seed for choosing validation shoppers and for the ranker.
    event_weights : mapping, optional
        Confidence per event type, shared with every component.

    Examples
    --------
    >>> from tests.unit.recommend.contract import synthetic_shop
    >>> interactions, items = synthetic_shop()
    >>> model = HybridRecommender(components=("popular", "itemknn")).fit(interactions, items)
    >>> len(model.recommend(["red-user-00"], k=3)[0])
    3
    """

    name = "hybrid"
    uses_catalog: ClassVar[bool] = True

    def __init__(
        self,
        *,
        components: Sequence[str] = DEFAULT_COMPONENTS,
        candidates_per_model: int = 50,
        ranker: str = "logistic",
        validation_fraction: float = 1.0,
        holdout: int = 1,
        similar_weight: float = 0.5,
        component_params: Mapping[str, Mapping[str, Any]] | None = None,
        segments: Mapping[str, str] | None = None,
        random_state: int = 0,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.components = tuple(components)
        self.candidates_per_model = candidates_per_model
        self.ranker = ranker
        self.validation_fraction = validation_fraction
        self.holdout = holdout
        self.similar_weight = similar_weight
        self.component_params = {name: dict(p) for name, p in (component_params or {}).items()}
        self.segments = dict(segments or {})
        self.random_state = random_state

    # ----------------------------------------------------------------- public API
    def recommend_for_session(
        self, item_ids: Sequence[str], k: int = 12, *, exclude: Sequence[str] = ()
    ) -> list[Recommendation]:
        """Suggestions for a shopper without history from the items viewed in this session.

        Later items count more. Each suggestion names the session item it is closest to
        (``Reason("session", anchor=...)``). With no known session item, popular items.
        """
        self._check_fitted()
        k = self._check_k(k)
        rows = self.items_.rows(item_ids)
        known = rows[rows >= 0]
        if not len(known):
            return self._cold_start("", k)
        weights = np.linspace(1.0, 2.0, len(known))[:, None].astype(np.float32)
        per_anchor = self._score_items(known) * weights
        scores = per_anchor.sum(axis=0)
        banned = np.concatenate([known, self.items_.rows(exclude)])
        scores[banned[banned >= 0]] = -np.inf
        top, best = top_k(scores[None, :], k)
        results = []
        for item, score in zip(top[0], best[0], strict=True):
            if np.isfinite(score):
                anchor = self.items_.id(int(known[np.argmax(per_anchor[:, item])]))
                results.append(
                    Recommendation(self.items_.id(int(item)), float(score), Reason("session", anchor))
                )
        return results

    def validation_split(self, interactions: Interactions) -> tuple[Interactions, pd.DataFrame]:
        """The log without the validation slice, and the slice's (user_id, item_id) pairs.

        Chosen shoppers (a ``validation_fraction`` share, by ``random_state``, of those with
        more than ``holdout`` distinct items) lose every event on their ``holdout`` most
        recently touched items; the ranker learns to find those items again.
        """
        frame = pd.DataFrame(
            {"user_id": interactions.user_ids, "item_id": interactions.item_ids, "t": interactions.timestamps}
        )
        last = frame.groupby(["user_id", "item_id"], sort=True)["t"].max().reset_index()
        last = last.sort_values(["user_id", "t", "item_id"], ascending=[True, False, False], kind="stable")
        last["recency"] = last.groupby("user_id").cumcount()
        counts = last.groupby("user_id").size()
        eligible = np.asarray(sorted(counts.index[counts > self.holdout]), dtype=str)
        size = math.ceil(self.validation_fraction * len(eligible))
        chosen = np.random.default_rng(self.random_state).choice(eligible, size=size, replace=False)
        held = last[last["user_id"].isin(set(chosen.tolist())) & (last["recency"] < self.holdout)]
        held = held[["user_id", "item_id"]].reset_index(drop=True)
        pairs = pd.MultiIndex.from_frame(held)
        removed = pd.MultiIndex.from_arrays([interactions.user_ids, interactions.item_ids]).isin(pairs)
        return interactions.take(~removed), held

    def save(self, directory: Path) -> Path:
        """The hybrid's own arrays, plus each component saved by itself under ``components/<name>``."""
        super().save(directory)
        for name, component in self.components_.items():
            component.save(directory / "components" / name)
        return directory

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Read a hybrid written by :meth:`save`, components included."""
        model = super().load(directory)
        model.components_ = {
            name: model_class(name).load(directory / "components" / name) for name in model.component_names_
        }
        model.stage_ = _Stage.of(model.components_, model, model.user_items_)
        return model

    def get_params(self) -> dict[str, Any]:
        """Hyper-parameters for the JSON header; the segment map is saved by the popular component."""
        return {**super().get_params(), "components": list(self.components), "segments": None}

    # --------------------------------------------------------- subclass hooks
    def _check_params(self) -> None:
        super()._check_params()
        unknown = [c for c in self.components if c not in MODELS or c == self.name]
        if unknown or not self.components:
            raise ValueError(f"hybrid: components must be registered models other than hybrid; got {unknown}")
        if not isinstance(self.candidates_per_model, int | np.integer) or self.candidates_per_model <= 0:
            raise ValueError(
                f"hybrid: candidates_per_model must be a positive integer; got {self.candidates_per_model!r}"
            )
        if self.ranker not in Ranker.KINDS:
            raise ValueError(f"hybrid: ranker must be one of {', '.join(Ranker.KINDS)}; got {self.ranker!r}")
        if not 0 < self.validation_fraction <= 1:
            raise ValueError(
                f"hybrid: validation_fraction must lie in (0, 1]; got {self.validation_fraction!r}"
            )
        if not isinstance(self.holdout, int | np.integer) or self.holdout <= 0:
            raise ValueError(f"hybrid: holdout must be a positive integer; got {self.holdout!r}")
        if not 0 <= self.similar_weight <= 1:
            raise ValueError(f"hybrid: similar_weight must lie in [0, 1]; got {self.similar_weight!r}")

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        self.component_names_ = np.array(_installed(self.components), dtype=str)
        rest, held = self.validation_split(interactions)
        self.ranker_ = Ranker(self.ranker, random_state=self.random_state)
        # The serving components (fitted on the whole training log) do not depend on the ranker,
        # so they are fitted on a second thread while the ranker is trained: much of either
        # stage holds one core only (sparse products, sorting, pandas).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hybrid-serving") as pool:
            serving = pool.submit(self._fit_components, interactions, items, catalog_first=True)
            if held["item_id"].nunique() >= MIN_HELD_ITEMS and len(rest):
                # 1. Fit the components on the log without the validation slice.
                rest_matrix = rest.matrix(self.users_, self.items_, event_weights=self.event_weights)
                self.signals_ = ItemSignals.learn(rest, items, self.items_, rest_matrix)
                stage = _Stage.of(self._fit_components(rest, items), self, rest_matrix)
                # 2. Label each validation shopper's candidates (positive: a held-out item); fit the ranker.
                features, labels, groups = self._labelled_candidates(stage, held)
                if len(np.unique(labels)) == 2:
                    self.ranker_.fit(features, labels, groups)
            self.components_ = serving.result()
        self.signals_ = ItemSignals.learn(interactions, items, self.items_, self.user_items_)
        self.stage_ = _Stage.of(self.components_, self, self.user_items_)

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        pairs = self.stage_.candidates(user_rows, self.candidates_per_model, seen=None)
        decision = self._decide(pairs.features)
        popularity = self.popularity_ / max(float(self.popularity_.max()), 1.0)
        scores = np.tile(popularity.astype(np.float64), (len(user_rows), 1))
        floor = float(decision.min()) if len(decision) else 0.0
        scores += floor - 2.0  # items no component proposed rank below every candidate
        scores[pairs.batch, pairs.items] = decision
        return scores

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        return self.stage_.similarity(item_rows, self.similar_weight, self.popularity_)[0]

    def _user_reasons(self, user_row: int, item_rows: np.ndarray) -> list[Reason]:
        pairs = self.stage_.candidates(np.array([user_row]), self.candidates_per_model, seen=None)
        contributions = (
            self.ranker_.contributions(pairs.features, len(self.stage_.names))
            if self.ranker_.arrays
            else None
        )
        if contributions is None:
            contributions = np.where(self._personal(), -self._log_ranks(pairs.features), -np.inf)
        best = dict(zip(pairs.items.tolist(), np.argmax(contributions, axis=1).tolist(), strict=True))
        reasons = [Reason("popular")] * len(item_rows)
        for position, item in enumerate(item_rows.tolist()):
            if item in best:
                reasons[position] = self.stage_.reason_for_user(best[item], user_row, item)
        return reasons

    def _item_reasons(self, anchor_row: int, item_rows: np.ndarray) -> list[Reason]:
        _, parts = self.stage_.similarity(np.array([anchor_row]), self.similar_weight, self.popularity_)
        reasons = []
        for item in item_rows.tolist():
            component = int(np.argmax(parts[:, 0, item])) if len(parts) else -1
            reasons.append(self.stage_.reason_for_item(component, anchor_row, item))
        return reasons

    def _cold_start(self, user_id: str, k: int) -> list[Recommendation]:
        popular = self.components_.get("popular")
        if popular is None:
            return super()._cold_start(user_id, k)
        return popular.recommend([user_id], k)[0]

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "component_names": self.component_names_,
            "ranker_kind": np.array([self.ranker_.kind if self.ranker_.arrays else "fusion"]),
            **{f"ranker_{key}": value for key, value in self.ranker_.arrays.items()},
            **{f"signals_{key}": value for key, value in self.signals_.arrays().items()},
        }

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.component_names_ = arrays["component_names"].astype(str)
        kind = str(arrays["ranker_kind"][0])
        ranker = {
            key[7:]: value
            for key, value in arrays.items()
            if key.startswith("ranker_") and key != "ranker_kind"
        }
        self.ranker_ = Ranker.from_arrays(self.ranker if kind == "fusion" else kind, ranker)
        self.signals_ = ItemSignals.from_arrays(
            {k[8:]: v for k, v in arrays.items() if k.startswith("signals_")}
        )

    # ---------------------------------------------------------------- helpers
    def _fit_components(
        self, interactions: Interactions, items: ItemCatalog | None, *, catalog_first: bool = False
    ) -> dict[str, Recommender]:
        """Every installed component, freshly fitted on ``interactions``, in the components' order.

        ``catalog_first`` fits the components that read the catalog (content, visual) first, so
        that this thread encodes the catalog while the other fits the behaviour components, and
        the other then finds the encoding remembered instead of waiting for it.
        """
        names = self.component_names_.tolist()
        if catalog_first:
            names.sort(key=lambda name: not model_class(name).uses_catalog)
        fitted = {}
        for name in names:
            params: dict[str, Any] = {
                "event_weights": self.event_weights,
                **COMPONENT_DEFAULTS.get(name, {}),
                **self.component_params.get(name, {}),
            }
            if name == "popular" and self.segments:
                params.setdefault("segments", self.segments)
            fitted[name] = model_class(name)(**params).fit(interactions, items)
        return {name: fitted[name] for name in self.component_names_.tolist()}

    def _labelled_candidates(
        self, stage: _Stage, held: pd.DataFrame
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features, 0/1 labels and user rows of validation shoppers' candidates (shoppers with a hit only)."""
        users = self.users_.rows(held["user_id"])
        positives = set(zip(users.tolist(), self.items_.rows(held["item_id"]).tolist(), strict=True))
        rng = np.random.default_rng(self.random_state)
        blocks, labels, groups = [], [], []
        user_rows = np.unique(users)
        for start in range(0, len(user_rows), 256):
            pairs = stage.candidates(user_rows[start : start + 256], self.candidates_per_model, seen=rng)
            hit = np.fromiter(
                (
                    (u, i) in positives
                    for u, i in zip(pairs.users.tolist(), pairs.items.tolist(), strict=True)
                ),
                dtype=bool,
                count=len(pairs.users),
            )
            with_hit = np.isin(pairs.users, np.unique(pairs.users[hit]))
            blocks.append(pairs.features[with_hit])
            labels.append(hit[with_hit].astype(np.int64))
            groups.append(pairs.users[with_hit])
        return np.concatenate(blocks), np.concatenate(labels), np.concatenate(groups)

    def _decide(self, features: np.ndarray) -> np.ndarray:
        """The ranker's decision; without a trained ranker, reciprocal-rank fusion of the components.

        The fusion leaves popularity out when a personalised component exists: it would
        otherwise pull every shopper towards the same bestsellers.
        """
        if self.ranker_.arrays:
            return self.ranker_.decision(features)
        return np.exp(-self._log_ranks(features)[:, self._personal()]).sum(axis=1)

    def _log_ranks(self, features: np.ndarray) -> np.ndarray:
        """Each component's log(1 + rank) column of the pair features."""
        width = len(COMPONENT_FEATURES) * len(self.stage_.names)
        return features[:, 1 : width : len(COMPONENT_FEATURES)]

    def _personal(self) -> np.ndarray:
        """Mask of the components that personalise (all of them if only popularity is there)."""
        personal = np.array([name != "popular" for name in self.stage_.names])
        return personal if personal.any() else ~personal


@dataclass(frozen=True)
class _Pairs:
    """Candidate (user, item) pairs of a batch: ``batch`` indexes the batch, ``users``/``items`` are rows."""

    batch: np.ndarray
    users: np.ndarray
    items: np.ndarray
    features: np.ndarray


@dataclass(frozen=True)
class _Stage:
    """Fitted components, seen through the hybrid's user and item rows, plus the pair features."""

    names: list[str]
    models: list[Recommender]
    user_maps: list[np.ndarray]
    item_maps: list[np.ndarray]
    features: PairFeatures

    @classmethod
    def of(
        cls, components: Mapping[str, Recommender], hybrid: HybridRecommender, user_items: sparse.spmatrix
    ) -> _Stage:
        """Map each component's rows onto the hybrid's (-1 where the component lacks the id)."""
        models = list(components.values())
        return cls(
            names=list(components),
            models=models,
            user_maps=[m.users_.rows(hybrid.users_.ids) for m in models],
            item_maps=[m.items_.rows(hybrid.items_.ids) for m in models],
            features=PairFeatures(sparse.csr_matrix(user_items), hybrid.signals_),
        )

    def candidates(
        self, user_rows: np.ndarray, per_model: int, *, seen: np.random.Generator | None
    ) -> _Pairs:
        """Each component's top unseen items per user, plus seen items, with their features.

        ``seen=None`` adds every item the user engaged with (serving, so ``exclude_seen=False``
        can rank them); a generator adds a few of them at random (training negatives).
        """
        history = self.features.user_items[user_rows]
        touched = history.toarray() > 0
        proposed = np.zeros(history.shape, dtype=np.int64)
        all_scores = self._user_scores(user_rows)
        for scores in all_scores:
            unseen = np.where(touched, -np.inf, scores)
            top, best = top_k(unseen, per_model)
            batch = np.repeat(np.arange(len(user_rows)), top.shape[1])
            finite = np.isfinite(best.ravel())
            proposed[batch[finite], top.ravel()[finite]] += 1
        wanted = proposed > 0
        if seen is None:
            wanted[history.nonzero()] = True
        else:
            for position in range(len(user_rows)):
                engaged = history.indices[history.indptr[position] : history.indptr[position + 1]]
                size = min(SEEN_NEGATIVES, len(engaged))
                wanted[position, seen.choice(engaged, size=size, replace=False)] = True
        batch, items = np.nonzero(wanted)
        users = user_rows[batch]
        per_component = [component_features(scores, batch, items) for scores in all_scores]
        features = self.features.matrix(users, items, per_component, proposed[batch, items])
        return _Pairs(batch, users, items, features)

    def similarity(
        self, item_rows: np.ndarray, behaviour_weight: float, popularity: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Blended similarity (anchors × items) and each component's weighted part of it.

        Behaviour components (co-occurrence, factors) and look components (``uses_catalog``:
        content, visual) are averaged within their group after scaling each row to a maximum
        of 1, and the groups mixed by ``behaviour_weight``. A pair that no behaviour component
        knows (the anchor or the item has no interactions) uses look alone, so a new product
        competes on its looks rather than counting as dissimilar. Popularity only breaks
        ties, or stands in when no component computes similarities.
        """
        n_items = len(popularity)
        parts = np.zeros((len(self.models), len(item_rows), n_items), dtype=np.float32)
        known = np.zeros((len(self.models), len(item_rows), n_items), dtype=bool)
        for index, (model, item_map) in enumerate(zip(self.models, self.item_maps, strict=True)):
            if model.name == "popular":
                continue
            present = item_map >= 0
            if not model.uses_catalog:
                present &= model.popularity_[np.maximum(item_map, 0)] > 0
            anchors = item_map[item_rows]
            try:
                rows = np.asarray(model._score_items(np.maximum(anchors, 0)), dtype=np.float32)
            except NotImplementedError:
                continue
            mapped = np.nan_to_num(rows[:, np.maximum(item_map, 0)], neginf=0.0, posinf=0.0)
            known[index] = present[item_rows][:, None] & present[None, :]
            scale = np.abs(np.where(known[index], mapped, 0.0)).max(axis=1, keepdims=True)
            parts[index] = np.where(known[index], mapped / np.where(scale > 0, scale, 1.0), 0.0)
        look = np.array([m.uses_catalog for m in self.models])[:, None, None]
        weights = np.zeros(known.shape, dtype=np.float32)
        for group, share in ((look, 1.0 - behaviour_weight), (~look, behaviour_weight)):
            members = known & group
            weights += np.where(members, share / np.maximum(members.sum(axis=0), 1), 0.0)
        total = weights.sum(axis=0)  # pairs only one group knows take that group at full weight
        parts *= weights / np.where(total > 0, total, 1.0)
        tie_break = 1e-4 * popularity / max(float(popularity.max()), 1.0)
        return parts.sum(axis=0) + tie_break[None, :], parts

    def reason_for_user(self, component: int, user_row: int, item_row: int) -> Reason:
        """The reason component ``component`` gives for suggesting ``item_row`` to ``user_row``."""
        model_user = self.user_maps[component][user_row]
        model_item = self.item_maps[component][item_row]
        if model_user < 0 or model_item < 0:
            return Reason("popular")
        return self.models[component]._user_reasons(int(model_user), np.array([model_item]))[0]

    def reason_for_item(self, component: int, anchor_row: int, item_row: int) -> Reason:
        """The reason component ``component`` gives for ``item_row`` being like ``anchor_row``."""
        if component < 0:
            return Reason("popular")
        model = self.models[component]
        anchor, item = self.item_maps[component][anchor_row], self.item_maps[component][item_row]
        if anchor < 0 or item < 0:
            return Reason("popular")
        return model._item_reasons(int(anchor), np.array([item]))[0]

    def _user_scores(self, user_rows: np.ndarray) -> list[np.ndarray]:
        """Each component's scores for the users over the hybrid's items (-inf where it cannot score)."""
        result = []
        for model, user_map, item_map in zip(self.models, self.user_maps, self.item_maps, strict=True):
            scores = np.full((len(user_rows), len(item_map)), -np.inf, dtype=np.float32)
            rows = user_map[user_rows]
            known = rows >= 0
            if known.any():
                raw = np.asarray(model._score_users(rows[known]), dtype=np.float32)
                columns = np.flatnonzero(item_map >= 0)
                scores[np.ix_(np.flatnonzero(known), columns)] = raw[:, item_map[columns]]
            result.append(scores)
        return result


def _installed(names: Sequence[str]) -> list[str]:
    """The component names whose model class can be imported (others are still being built)."""
    available = []
    for name in names:
        try:
            model_class(name)
        except (ImportError, AttributeError):
            continue
        available.append(name)
    if not available:
        raise ValueError(f"hybrid: none of the components {list(names)} is installed")
    return available
