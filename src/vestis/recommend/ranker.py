"""Features of (shopper, candidate item) pairs, and the learned model that ranks candidates.

The hybrid recommender asks each component model for its best items, then ranks the
union with a classifier trained to tell the item a shopper turned to next from the other
candidates. This module holds everything about that second stage that does not depend on
which components exist:

* :func:`component_features` reads a normalised score and a rank for (shopper, item) pairs
  off one component's score rows (an item the component cannot score gets the worst of both);
* :class:`ItemSignals` keeps per-item facts (popularity, age, recency, price, colour and
  product-type tokens) as arrays, so they are saved with the model;
* :class:`PairFeatures` combines them with a shopper's history (activity, usual price,
  colour and type match, whether the shopper already engaged with the item);
* :class:`Ranker` fits a scikit-learn classifier and then keeps only arrays (logistic
  weights or the gradient-boosted trees' node tables), so scoring needs no pickles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import IdMap, Interactions

__all__ = [
    "COMPONENT_FEATURES",
    "GBDT_PARAMS",
    "PAIR_FEATURES",
    "ItemSignals",
    "PairFeatures",
    "Ranker",
    "component_features",
    "feature_names",
]

COMPONENT_FEATURES = ("score_z", "log_rank", "score")
"""Per component: its score standardised within the shopper's row, log(1 + rank), the raw score."""
ITEM_FEATURES = ("log_popularity", "log_recent_popularity", "log_age_days", "log_idle_days", "has_events")
PAIR_FEATURES = (
    *ITEM_FEATURES,
    "log_activity",
    "price_gap",
    "colour_match",
    "type_match",
    "log_confidence",
    "proposers",
)
"""Shared features, after the per-component ones."""
RECENT_DAYS = 30.0
DAY = 86_400.0
GBDT_PARAMS: dict[str, float | int | bool] = {
    "max_iter": 150,
    "learning_rate": 0.08,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": False,
}
"""The gradient-boosted ranker's settings (scikit-learn's HistGradientBoostingClassifier names)."""


def feature_names(components: tuple[str, ...] | list[str]) -> list[str]:
    """Column names of the feature matrix for these components, in order."""
    return [f"{c}_{f}" for c in components for f in COMPONENT_FEATURES] + list(PAIR_FEATURES)


def component_features(scores: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Standardised score, log(1 + rank) and raw score of the pairs ``(rows[i], columns[i])``.

    Each row of ``scores`` is one shopper's scores over every item. ``-inf`` marks items the
    component cannot score; they rank after every scored item and get the row's lowest
    standardised and raw score, so "missing" always reads as "worst". Tied scores share the
    better rank. ``rows`` must be sorted, as :func:`numpy.nonzero` gives them.
    """
    scores = np.asarray(scores, dtype=np.float32)
    finite = np.isfinite(scores)
    count = np.maximum(finite.sum(axis=1), 1)
    filled = np.where(finite, scores, np.float32(0.0))
    mean = (filled.sum(axis=1, dtype=np.float64) / count).astype(np.float32)
    filled -= mean[:, None]
    filled[~finite] = 0.0
    std = np.sqrt(np.square(filled).sum(axis=1, dtype=np.float64) / count).astype(np.float32)
    std[std <= 0] = 1.0
    lowest = np.where(finite, scores, np.float32(np.inf)).min(axis=1)
    lowest[~np.isfinite(lowest)] = 0.0
    pair_scores = scores[rows, columns]
    known = np.isfinite(pair_scores)
    raw = np.where(known, pair_scores, lowest[rows])
    z = (raw - mean[rows]) / std[rows]
    z[~finite.any(axis=1)[rows]] = 0.0
    ordered = np.sort(np.where(finite, -scores, np.float32(np.inf)), axis=1)
    rank = np.empty(len(rows), dtype=np.int64)
    bounds = np.searchsorted(rows, np.arange(len(scores) + 1))
    for row in np.flatnonzero(np.diff(bounds)):
        pairs = slice(bounds[row], bounds[row + 1])
        rank[pairs] = np.searchsorted(ordered[row], np.where(known[pairs], -pair_scores[pairs], np.inf))
    return np.column_stack([z, np.log1p(rank), raw]).astype(np.float32)


@dataclass(frozen=True)
class ItemSignals:
    """Facts about every item of the hybrid's item map, learned from one interaction log.

    ``stats`` holds :data:`ITEM_FEATURES` per item; ``log_price`` is NaN where unknown;
    ``colours`` and ``types`` are binary item × token matrices (colour and pattern words;
    product-type words), so "share of the shopper's history in this colour" is one product.
    """

    stats: np.ndarray
    log_price: np.ndarray
    colours: sparse.csr_matrix
    types: sparse.csr_matrix

    @classmethod
    def learn(
        cls,
        interactions: Interactions,
        items: ItemCatalog | None,
        item_map: IdMap,
        user_items: sparse.spmatrix,
    ) -> ItemSignals:
        """Popularity, age and recency from ``interactions``; price and tokens from ``items``."""
        n = len(item_map)
        rows = item_map.rows(interactions.item_ids)
        keep = rows >= 0
        rows, times = rows[keep], interactions.timestamps[keep]
        now = float(times.max()) if len(times) else 0.0
        first = np.full(n, np.inf)
        last = np.full(n, -np.inf)
        np.minimum.at(first, rows, times)
        np.maximum.at(last, rows, times)
        has = np.isfinite(first)
        recent = np.bincount(rows[times >= now - RECENT_DAYS * DAY], minlength=n)
        span = (now - float(times.min())) / DAY if len(times) else 0.0
        popularity = np.asarray((user_items > 0).sum(axis=0)).ravel()
        stats = np.column_stack(
            [
                np.log1p(popularity),
                np.log1p(recent),
                np.log1p(np.where(has, (now - first) / DAY, 0.0)),
                np.log1p(np.where(has, (now - last) / DAY, span)),
                has.astype(float),
            ]
        ).astype(np.float32)
        log_price = np.full(n, np.nan, dtype=np.float32)
        colours = types = sparse.csr_matrix((n, 0), dtype=np.float32)
        if items is not None and len(items):
            frame = items.frame.reindex(item_map.ids)
            price = np.asarray(frame["price"], dtype=np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                log_price = np.where(price > 0, np.log(price), np.nan).astype(np.float32)
            colours = _tokens(frame["color"].fillna("") + " " + frame["pattern"].fillna(""))
            types = _tokens(frame["product_type"].fillna(""))
        return cls(stats, log_price, colours, types)

    def arrays(self) -> dict[str, np.ndarray]:
        """The signals as plain arrays, for ``.npz``."""
        return {
            "stats": self.stats,
            "log_price": self.log_price,
            **_csr_arrays("colours", self.colours),
            **_csr_arrays("types", self.types),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> ItemSignals:
        """Rebuild what :meth:`arrays` wrote."""
        return cls(
            arrays["stats"],
            arrays["log_price"],
            _csr_from(arrays, "colours"),
            _csr_from(arrays, "types"),
        )


class PairFeatures:
    """Builds the ranker's feature matrix for (user row, item row) pairs.

    User-side facts come from ``user_items`` (the confidence matrix the components were
    fitted on): activity, the median log price of the history, and the share of the
    history in each colour and product-type token.
    """

    def __init__(self, user_items: sparse.csr_matrix, signals: ItemSignals) -> None:
        self.user_items = sparse.csr_matrix(user_items)
        self.signals = signals
        history = (self.user_items > 0).astype(np.float32)
        counts = np.asarray(history.sum(axis=1)).ravel()
        self.activity = np.log1p(counts).astype(np.float32)
        share = sparse.diags(1.0 / np.maximum(counts, 1.0)) @ history
        self.colour_profile = sparse.csr_matrix(share @ signals.colours)
        self.type_profile = sparse.csr_matrix(share @ signals.types)
        self.usual_price = self._usual_price(history)

    def matrix(
        self,
        user_rows: np.ndarray,
        item_rows: np.ndarray,
        per_component: list[np.ndarray],
        proposers: np.ndarray,
    ) -> np.ndarray:
        """Features of each pair: ``per_component`` holds one block of :data:`COMPONENT_FEATURES` per component."""
        signals = self.signals
        price_gap = signals.log_price[item_rows] - self.usual_price[user_rows]
        confidence = np.asarray(self.user_items[user_rows, item_rows]).ravel()
        shared = np.column_stack(
            [
                signals.stats[item_rows],
                self.activity[user_rows],
                np.nan_to_num(np.abs(price_gap), nan=0.0),
                _match(self.colour_profile, signals.colours, user_rows, item_rows),
                _match(self.type_profile, signals.types, user_rows, item_rows),
                np.log1p(confidence),
                proposers,
            ]
        )
        return np.column_stack([*per_component, shared]).astype(np.float32)

    def _usual_price(self, history: sparse.csr_matrix) -> np.ndarray:
        """Median log price of each user's history items (NaN where none has a price)."""
        usual = np.full(history.shape[0], np.nan, dtype=np.float32)
        prices = self.signals.log_price
        for user in range(history.shape[0]):
            known = prices[history.indices[history.indptr[user] : history.indptr[user + 1]]]
            known = known[np.isfinite(known)]
            if len(known):
                usual[user] = np.median(known)
        return usual


class Ranker:
    """A binary classifier over pair features whose decision value orders candidates.

    ``kind`` is ``"logistic"`` (standardised features, L2 logistic regression) or
    ``"gbdt"`` (histogram gradient boosting). After :meth:`fit` only arrays are kept;
    :meth:`decision` evaluates them directly (``x·w + b``, or the sum over trees).
    """

    KINDS: ClassVar[tuple[str, ...]] = ("logistic", "gbdt")

    def __init__(self, kind: str, *, random_state: int = 0) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"ranker must be one of {', '.join(self.KINDS)}; got {kind!r}")
        self.kind = kind
        self.random_state = random_state
        self.arrays: dict[str, np.ndarray] = {}

    def fit(self, features: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> Self:
        """Learn to score positives (label 1) above negatives of the same group (shopper).

        The logistic ranker learns from pairs (a positive against a negative of its own
        group, feature differences), so what is constant within a shopper cannot mislead it;
        the trees learn pointwise and may use shopper features in interactions.
        """
        if len(np.unique(labels)) < 2:
            raise ValueError("the ranker needs both positive and negative examples")
        if self.kind == "logistic":
            mean = features.mean(axis=0)
            scale = features.std(axis=0)
            scale = np.where(scale > 0, scale, 1.0)
            differences = _pair_differences((features - mean) / scale, labels, groups)
            model = LogisticRegression(
                C=1.0, max_iter=2000, fit_intercept=False, random_state=self.random_state
            )
            model.fit(
                np.concatenate([differences, -differences]),
                np.repeat([1, 0], len(differences)),
            )
            self.arrays = {
                "mean": mean.astype(np.float64),
                "scale": scale.astype(np.float64),
                "coef": model.coef_.ravel().astype(np.float64),
                "intercept": np.zeros(1),
            }
        else:
            model = HistGradientBoostingClassifier(**GBDT_PARAMS, random_state=self.random_state)
            model.fit(features, labels)
            self.arrays = _tree_arrays(model)
        return self

    def decision(self, features: np.ndarray) -> np.ndarray:
        """A score per row: higher means more likely to be the next item."""
        if not self.arrays:
            raise RuntimeError("the ranker is not fitted")
        if self.kind == "logistic":
            a = self.arrays
            return ((features - a["mean"]) / a["scale"]) @ a["coef"] + a["intercept"][0]
        return _tree_decision(self.arrays, np.asarray(features, dtype=np.float64))

    def contributions(self, features: np.ndarray, n_components: int) -> np.ndarray | None:
        """Each component's share of the logistic score (pairs × components); None for trees."""
        if self.kind != "logistic":
            return None
        a = self.arrays
        width = len(COMPONENT_FEATURES) * n_components
        parts = ((features[:, :width] - a["mean"][:width]) / a["scale"][:width]) * a["coef"][:width]
        return parts.reshape(len(features), n_components, len(COMPONENT_FEATURES)).sum(axis=2)

    @classmethod
    def from_arrays(cls, kind: str, arrays: Mapping[str, np.ndarray]) -> Ranker:
        """A fitted ranker from what :attr:`arrays` held."""
        ranker = cls(kind)
        ranker.arrays = dict(arrays)
        return ranker


# ------------------------------------------------------------------------------------ helpers
def _tokens(texts: object) -> sparse.csr_matrix:
    """Binary item × token matrix of the lower-cased words in each text."""
    words = [sorted({w for w in str(t).lower().split() if w}) for t in texts]  # type: ignore[attr-defined]
    vocabulary = {w: i for i, w in enumerate(sorted({w for ws in words for w in ws}))}
    rows = np.repeat(np.arange(len(words)), [len(ws) for ws in words])
    cols = np.fromiter((vocabulary[w] for ws in words for w in ws), dtype=np.int64)
    data = np.ones(len(cols), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(words), len(vocabulary)))


def _match(
    profile: sparse.csr_matrix, tokens: sparse.csr_matrix, users: np.ndarray, items: np.ndarray
) -> np.ndarray:
    """Mean, over the item's tokens, of the share of the user's history carrying that token."""
    if tokens.shape[1] == 0:
        return np.zeros(len(users), dtype=np.float32)
    item_tokens = tokens[items]
    overlap = np.asarray(profile[users].multiply(item_tokens).sum(axis=1)).ravel()
    count = np.asarray(item_tokens.sum(axis=1)).ravel()
    return (overlap / np.maximum(count, 1.0)).astype(np.float32)


def _pair_differences(features: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Positive minus negative features for every (positive, negative) pair within a group."""
    order = np.argsort(groups, kind="stable")
    features, labels, groups = features[order], labels[order], groups[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    blocks = []
    for start, stop in zip(starts, np.r_[starts[1:], len(groups)], strict=True):
        chunk, positive = features[start:stop], labels[start:stop] == 1
        if positive.any() and (~positive).any():
            blocks.append(
                (chunk[positive][:, None, :] - chunk[~positive][None, :, :]).reshape(-1, chunk.shape[1])
            )
    if not blocks:
        raise ValueError("the ranker needs a group with both a positive and a negative example")
    return np.concatenate(blocks)


def _csr_arrays(prefix: str, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
    return {
        f"{prefix}_data": matrix.data,
        f"{prefix}_indices": matrix.indices,
        f"{prefix}_indptr": matrix.indptr,
        f"{prefix}_shape": np.asarray(matrix.shape),
    }


def _csr_from(arrays: Mapping[str, np.ndarray], prefix: str) -> sparse.csr_matrix:
    shape = tuple(int(n) for n in arrays[f"{prefix}_shape"])
    return sparse.csr_matrix(
        (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]), shape=shape
    )


def _tree_arrays(model: HistGradientBoostingClassifier) -> dict[str, np.ndarray]:
    """The boosted trees as one node table (child indices made global) plus the baseline."""
    tables, roots, offset = [], [], 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        roots.append(offset)
        tables.append(
            {
                "feature": nodes["feature_idx"].astype(np.int64),
                "threshold": nodes["num_threshold"].astype(np.float64),
                "missing_left": nodes["missing_go_to_left"].astype(bool),
                "left": nodes["left"].astype(np.int64) + offset,
                "right": nodes["right"].astype(np.int64) + offset,
                "leaf": nodes["is_leaf"].astype(bool),
                "value": nodes["value"].astype(np.float64),
            }
        )
        offset += len(nodes)
    arrays = {key: np.concatenate([t[key] for t in tables]) for key in tables[0]}
    return {
        **arrays,
        "roots": np.asarray(roots, dtype=np.int64),
        "baseline": np.asarray(model._baseline_prediction, dtype=np.float64).ravel(),
    }


def _tree_decision(arrays: Mapping[str, np.ndarray], features: np.ndarray) -> np.ndarray:
    """Baseline plus every tree's leaf value for each row (the classifier's raw decision)."""
    total = np.full(len(features), float(arrays["baseline"][0]))
    rows = np.arange(len(features))
    for root in arrays["roots"]:
        node = np.full(len(features), root, dtype=np.int64)
        active = ~arrays["leaf"][node]
        while active.any():
            current = node[active]
            value = features[rows[active], arrays["feature"][current]]
            left = np.where(
                np.isnan(value), arrays["missing_left"][current], value <= arrays["threshold"][current]
            )
            node[active] = np.where(left, arrays["left"][current], arrays["right"][current])
            active = ~arrays["leaf"][node]
        total += arrays["value"][node]
    return total
