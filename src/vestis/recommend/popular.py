"""Time-decayed popularity, overall or within a shopper segment (gender, age band)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from vestis.recommend.base import Reason, Recommendation, Recommender, top_k
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions

STALE_HALF_LIVES = 4.0
"""Half-lives between the median user's last event and the newest event beyond which popularity
is counted without decay (at 4, that user's own recent events would weigh a sixteenth)."""

logger = logging.getLogger(__name__)


class PopularRecommender(Recommender):
    """Recommends what many shoppers recently engaged with; the baseline every model must beat.

    ``half_life_days`` makes an event's weight halve every so many days before the newest
    event (``None``: no decay). Decay from the newest event describes what the typical user saw
    only when their own last event lies near it: where the median user's last event is more than
    :data:`STALE_HALF_LIVES` half-lives older (a rating data set spanning years, evaluated by
    leaving each user's last item out), the model is fitted without decay and says so in the
    log; ``decayed_`` tells which way it was fitted. ``segments`` (user id → segment name, e.g. ``"women 25-34"``)
    ranks by popularity within the user's segment, falling back to overall popularity; it
    covers shoppers without events too, who get their segment's favourites (cold start).
    """

    name = "popular"
    time_scales = ("half_life_days",)

    def __init__(
        self,
        *,
        half_life_days: float | None = 14.0,
        segments: Mapping[str, str] | None = None,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.half_life_days = half_life_days
        self.segments = dict(segments or {})

    def _check_params(self) -> None:
        super()._check_params()
        if self.half_life_days is not None and self.half_life_days <= 0:
            raise ValueError(f"popular: half_life_days must be positive or None; got {self.half_life_days}")

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        half_life = self.half_life_days
        if half_life is not None:
            stale = interactions.staleness_days()
            if stale > STALE_HALF_LIVES * half_life:
                logger.warning(
                    "popular: the median user's last event is %.0f days before the newest event, more "
                    "than %g half-lives of %g days: fitted without time decay",
                    stale,
                    STALE_HALF_LIVES,
                    half_life,
                )
                half_life = None
        self.decayed_ = half_life is not None
        decayed = interactions.matrix(
            self.users_, self.items_, event_weights=self.event_weights, half_life_days=half_life
        )
        self.scores_ = np.asarray(decayed.sum(axis=0), dtype=np.float32).ravel()
        self.popularity_ = self.scores_
        names = sorted(set(self.segments.values()))
        self.segment_names_ = np.array(names, dtype=str)
        position = {name: i for i, name in enumerate(names)}
        self.user_segment_ = np.full(len(self.users_), -1, dtype=np.int64)
        for user, segment in self.segments.items():
            row = self.users_.row(user)
            if row is not None:
                self.user_segment_[row] = position[segment]
        self.segment_scores_ = np.zeros((len(names), len(self.items_)), dtype=np.float32)
        for index in range(len(names)):
            members = np.flatnonzero(self.user_segment_ == index)
            self.segment_scores_[index] = np.asarray(decayed[members].sum(axis=0)).ravel()

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        segment = self.user_segment_[user_rows]
        scores = np.tile(self.scores_, (len(user_rows), 1))
        has_segment = segment >= 0
        # Segment popularity first; overall popularity (scaled below any segment score) breaks ties.
        scores[has_segment] = self.segment_scores_[segment[has_segment]] + 1e-6 * scores[has_segment]
        return scores

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        return np.tile(self.scores_, (len(item_rows), 1))

    def _cold_start(self, user_id: str, k: int) -> list[Recommendation]:
        segment = self.segments.get(user_id)
        if segment is None or segment not in self.segment_names_:
            return super()._cold_start(user_id, k)
        index = int(np.searchsorted(self.segment_names_, segment))
        top, best = top_k(self.segment_scores_[index][None, :] + 1e-6 * self.scores_[None, :], k)
        reason = Reason("popular_in_segment", detail=f"with {segment}")
        return [
            Recommendation(self.items_.id(int(i)), float(s), reason)
            for i, s in zip(top[0], best[0], strict=True)
        ]

    def get_params(self) -> dict[str, object]:
        """Hyper-parameters for the JSON header; the segment map is saved with the arrays."""
        return {**super().get_params(), "segments": None}

    def _user_reasons(self, user_row: int, item_rows: np.ndarray) -> list[Reason]:
        segment = self.user_segment_[user_row]
        if segment >= 0:
            return [Reason("popular_in_segment", detail=f"with {self.segment_names_[segment]}")] * len(
                item_rows
            )
        return [Reason("popular")] * len(item_rows)

    def _item_reasons(self, anchor_row: int, item_rows: np.ndarray) -> list[Reason]:
        return [Reason("popular")] * len(item_rows)

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "scores": self.scores_,
            "segment_names": self.segment_names_,
            "user_segment": self.user_segment_,
            "segment_scores": self.segment_scores_,
            "segment_users": np.array(list(self.segments), dtype=str),
            "segment_labels": np.array(list(self.segments.values()), dtype=str),
            "decayed": np.array(self.decayed_),
        }

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.scores_ = arrays["scores"]
        # Models saved before the staleness rule were fitted with decay whenever it was set.
        self.decayed_ = bool(arrays["decayed"]) if "decayed" in arrays else self.half_life_days is not None
        self.segment_names_ = arrays["segment_names"].astype(str)
        self.user_segment_ = arrays["user_segment"]
        self.segment_scores_ = arrays["segment_scores"]
        users, labels = arrays["segment_users"].tolist(), arrays["segment_labels"].tolist()
        self.segments = dict(zip(users, labels, strict=True))
