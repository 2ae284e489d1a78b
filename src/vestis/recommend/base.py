"""The one protocol every recommender follows, and the machinery they share.

Subclasses implement ``_fit`` and ``_score_users`` (and ``_score_items`` for
``similar_items``); this base maps external ids to rows, excludes what a user has seen,
falls back to popularity for users it has never seen, picks the top k, attaches a
:class:`Reason` to every result and saves/loads the learned state as ``.npz`` arrays
(``allow_pickle=False``) plus a JSON header.
"""

from __future__ import annotations

import inspect
import json
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
from scipy import sparse

from vestis.errors import Unavailable
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import EVENT_WEIGHTS, IdMap, Interactions

FORMAT_VERSION = 1
SCORE_BATCH = 512


class NotFittedError(Unavailable):
    """A model was used before ``fit`` (or ``load``)."""


@dataclass(frozen=True)
class Reason:
    """Why an item was suggested, as data; :meth:`text` renders it for a shopper.

    ``code`` is one of ``popular``, ``popular_in_segment``, ``because_you``,
    ``bought_together``, ``similar_taste``, ``same_look``, ``similar_description``,
    ``session``; ``anchor`` is the item it refers to, ``detail`` a word or phrase.
    """

    code: str
    anchor: str | None = None
    detail: str | None = None

    def text(self, titles: Mapping[str, str] | None = None) -> str:
        """A sentence a shopper can read, naming the anchor item by its title when known."""
        anchor = (titles or {}).get(self.anchor or "", self.anchor or "")
        templates = {
            "popular": "Popular right now",
            "popular_in_segment": f"Popular {self.detail}" if self.detail else "Popular right now",
            "because_you": f"Because you {self.detail or 'viewed'} {anchor}",
            "bought_together": f"Often bought with {anchor}",
            "similar_taste": "Shoppers with your taste liked this",
            "same_look": f"{(self.detail or 'Same look').capitalize()} as {anchor}",
            "similar_description": f"Similar to {anchor}",
            "session": f"Goes with {anchor}, which you just looked at",
        }
        return templates.get(self.code, self.detail or "Recommended for you")

    def as_dict(self) -> dict[str, str | None]:
        """A JSON-ready form."""
        return {"code": self.code, "anchor": self.anchor, "detail": self.detail}


@dataclass(frozen=True)
class Recommendation:
    """One suggested item with its score (higher is better, comparable within one list) and reason."""

    item_id: str
    score: float
    reason: Reason


class Recommender(ABC):
    """Base of every model: ``fit`` / ``recommend`` / ``similar_items`` / ``save`` / ``load``.

    Constructors take keyword-only hyper-parameters and only store them; learned state
    ends in ``_``. ``event_weights`` sets how much each event type counts.
    """

    name: ClassVar[str]
    uses_catalog: ClassVar[bool] = False
    """Whether the model scores catalog items that have no interactions (content, visual)."""
    needs_events: ClassVar[bool] = True
    """Whether the model learns from events; one that does not (content, visual) fits a catalog
    that has none yet, so a new shop gets similar items before its first sale."""
    time_scales: ClassVar[tuple[str, ...]] = ()
    """Hyper-parameters measured in days of event time (a half-life), which only make sense
    against the data's time span (:func:`~vestis.recommend.timescales.check_time_scales`)."""

    def __init__(self, *, event_weights: Mapping[str, float] | None = None) -> None:
        self.event_weights = dict(event_weights or EVENT_WEIGHTS)

    # ----------------------------------------------------------------- public API
    def fit(self, interactions: Interactions, items: ItemCatalog | None = None) -> Self:
        """Learn from ``interactions`` (and the item catalog, for models that use it)."""
        self._check_params()
        if len(interactions) == 0 and self.needs_events:
            raise ValueError(f"{self.name}: cannot fit on an empty interaction log")
        universe = interactions.item_ids
        if self.uses_catalog and items is not None:
            universe = np.concatenate([universe, items.ids])
        if len(universe) == 0:
            raise ValueError(f"{self.name}: cannot fit without events or catalog items")
        self.users_ = interactions.users()
        self.items_ = IdMap.of(universe)
        self.user_items_ = interactions.matrix(self.users_, self.items_, event_weights=self.event_weights)
        self.popularity_ = np.asarray((self.user_items_ > 0).sum(axis=0), dtype=np.float32).ravel()
        self._fit(interactions, items)
        return self

    def recommend(
        self, user_ids: Sequence[str], k: int = 12, *, exclude_seen: bool = True
    ) -> list[list[Recommendation]]:
        """The top ``k`` items for each user, best first; unseen users get popular items."""
        self._check_fitted()
        k = self._check_k(k)
        rows = self.users_.rows(user_ids)
        known = np.flatnonzero(rows >= 0)
        results = [
            [] if row >= 0 else self._cold_start(str(u), k) for u, row in zip(user_ids, rows, strict=True)
        ]
        if len(known):
            top, scores = self.recommend_rows(rows[known], k, exclude_seen=exclude_seen)
            for position, user_row, items, values in zip(known, rows[known], top, scores, strict=True):
                valid = np.isfinite(values)
                reasons = self._user_reasons(int(user_row), items[valid])
                results[position] = [
                    Recommendation(self.items_.id(int(i)), float(s), r)
                    for i, s, r in zip(items[valid], values[valid], reasons, strict=True)
                ]
        return results

    def recommend_rows(
        self, user_rows: np.ndarray, k: int, *, exclude_seen: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` item rows and scores for known user rows (what evaluation calls); -inf pads."""
        self._check_fitted()
        k = min(k, len(self.items_))
        top = np.empty((len(user_rows), k), dtype=np.int64)
        best = np.empty((len(user_rows), k), dtype=np.float32)
        for start in range(0, len(user_rows), SCORE_BATCH):
            batch = np.asarray(user_rows[start : start + SCORE_BATCH])
            scores = np.asarray(self._score_users(batch), dtype=np.float32)
            if exclude_seen:
                seen = self.user_items_[batch]
                scores[seen.nonzero()] = -np.inf
            top[start : start + len(batch)], best[start : start + len(batch)] = top_k(scores, k)
        return top, best

    def similar_items(self, item_ids: Sequence[str], k: int = 12) -> list[list[Recommendation]]:
        """The ``k`` items most similar to each item; an unknown item gets an empty list."""
        self._check_fitted()
        k = self._check_k(k)
        rows = self.items_.rows(item_ids)
        results: list[list[Recommendation]] = [[] for _ in item_ids]
        known = np.flatnonzero(rows >= 0)
        if not len(known):
            return results
        scores = np.asarray(self._score_items(rows[known]), dtype=np.float32)
        scores[np.arange(len(known)), rows[known]] = -np.inf
        top, best = top_k(scores, min(k, len(self.items_)))
        for position, anchor, items, values in zip(known, rows[known], top, best, strict=True):
            valid = np.isfinite(values)
            reasons = self._item_reasons(int(anchor), items[valid])
            results[position] = [
                Recommendation(self.items_.id(int(i)), float(s), r)
                for i, s, r in zip(items[valid], values[valid], reasons, strict=True)
            ]
        return results

    def save(self, directory: Path) -> Path:
        """Write the model to ``directory`` (``model.json`` + ``state.npz``); returns the folder."""
        self._check_fitted()
        directory.mkdir(parents=True, exist_ok=True)
        header = {"format": FORMAT_VERSION, "model": self.name, "params": self.get_params()}
        matrix = self.user_items_.tocsr()
        arrays = {
            "users": self.users_.ids,
            "items": self.items_.ids,
            "ui_data": matrix.data,
            "ui_indices": matrix.indices,
            "ui_indptr": matrix.indptr,
            "ui_shape": np.asarray(matrix.shape),
            "popularity": self.popularity_,
            **{f"m_{key}": value for key, value in self._state().items()},
        }
        np.savez_compressed(directory / "state.npz", **arrays)
        (directory / "model.json").write_text(json.dumps(header, indent=2, sort_keys=True))
        return directory

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Read a model written by :meth:`save`."""
        header = json.loads((directory / "model.json").read_text())
        if header.get("model") != cls.name:
            raise ValueError(f"{directory} holds a {header.get('model')!r} model, not {cls.name!r}")
        accepted = set(inspect.signature(cls.__init__).parameters)
        dropped = sorted(set(header["params"]) - accepted)
        if dropped:
            warnings.warn(
                f"{directory}: ignoring parameters this version of {cls.name} no longer has: {dropped}",
                stacklevel=2,
            )
        model = cls(**{key: value for key, value in header["params"].items() if key in accepted})
        with np.load(directory / "state.npz", allow_pickle=False) as arrays:
            model.users_ = IdMap.from_array(arrays["users"])
            model.items_ = IdMap.from_array(arrays["items"])
            shape = tuple(int(n) for n in arrays["ui_shape"])
            model.user_items_ = sparse.csr_matrix(
                (arrays["ui_data"], arrays["ui_indices"], arrays["ui_indptr"]), shape=shape
            )
            model.popularity_ = arrays["popularity"]
            model._set_state({key[2:]: arrays[key] for key in arrays.files if key.startswith("m_")})
        return model

    def get_params(self) -> dict[str, Any]:
        """The constructor's keyword arguments as currently set (scikit-learn style)."""
        names = [
            p.name
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        return {name: getattr(self, name) for name in names}

    def history(self, user_id: str) -> list[str]:
        """Items the user interacted with in training, strongest first."""
        self._check_fitted()
        row = self.users_.row(user_id)
        if row is None:
            return []
        history = self.user_items_[row]
        order = np.argsort(-history.data, kind="stable")
        return [self.items_.id(int(i)) for i in history.indices[order]]

    # --------------------------------------------------------- subclass hooks
    @abstractmethod
    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        """Learn the model's own state; ``users_``, ``items_``, ``user_items_`` are set."""

    @abstractmethod
    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        """Scores (len(user_rows) × n_items), higher is better."""

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        """Similarities (len(item_rows) × n_items) for ``similar_items``."""
        raise NotImplementedError(f"{self.name} does not compute item similarities")

    def _user_reasons(self, user_row: int, item_rows: np.ndarray) -> list[Reason]:
        """Why each item was recommended to the user; default: the history item it resembles most."""
        return self._because(user_row, item_rows)

    def _item_reasons(self, anchor_row: int, item_rows: np.ndarray) -> list[Reason]:
        return [Reason("bought_together", anchor=self.items_.id(anchor_row))] * len(item_rows)

    def _state(self) -> dict[str, np.ndarray]:
        """The model's learned arrays, for :meth:`save`."""
        return {}

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:  # noqa: B027 - optional hook
        """Restore what :meth:`_state` returned."""

    def _check_params(self) -> None:
        """Raise ``ValueError`` naming a bad hyper-parameter."""
        unknown = sorted(set(self.event_weights) - set(EVENT_WEIGHTS))
        if unknown:
            raise ValueError(f"{self.name}: unknown event types in event_weights: {unknown}")

    # ---------------------------------------------------------------- helpers
    def _because(self, user_row: int, item_rows: np.ndarray) -> list[Reason]:
        """For each item, the user's history item most similar to it (by ``_score_items``)."""
        history = self.user_items_[user_row]
        if history.nnz == 0 or len(item_rows) == 0:
            return [Reason("popular")] * len(item_rows)
        try:
            similarity = np.asarray(self._score_items(history.indices), dtype=np.float32)[:, item_rows]
        except NotImplementedError:
            return [Reason("similar_taste")] * len(item_rows)
        anchors = history.indices[np.argmax(similarity, axis=0)]
        strength = dict(zip(history.indices.tolist(), history.data.tolist(), strict=True))
        return [
            Reason("because_you", anchor=self.items_.id(int(a)), detail=self._verb(strength[int(a)]))
            for a in anchors
        ]

    def _verb(self, confidence: float) -> str:
        if confidence >= self.event_weights.get("purchase", np.inf):
            return "bought"
        if confidence >= self.event_weights.get("add_to_cart", np.inf):
            return "saved"
        return "viewed"

    def _cold_start(self, user_id: str, k: int) -> list[Recommendation]:
        """Suggestions for a user unseen in training: the most popular items."""
        top, best = top_k(self.popularity_[None, :], min(k, len(self.items_)))
        return [
            Recommendation(self.items_.id(int(i)), float(s), Reason("popular"))
            for i, s in zip(top[0], best[0], strict=True)
        ]

    def _check_fitted(self) -> None:
        if not hasattr(self, "items_"):
            raise NotFittedError(f"this {self.name} model is not fitted yet: call fit() or load() first")

    def _check_k(self, k: int) -> int:
        if not isinstance(k, int | np.integer) or k <= 0:
            raise ValueError(f"k must be a positive integer; got {k!r}")
        return int(min(k, len(self.items_)))


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of the ``k`` largest scores per row, best first (stable ties)."""
    k = min(k, scores.shape[1])
    if k == 0:
        return np.empty((scores.shape[0], 0), dtype=np.int64), np.empty((scores.shape[0], 0), np.float32)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -values), axis=1)
    top = np.take_along_axis(part, order, axis=1)
    return top, np.take_along_axis(scores, top, axis=1)
