"""Interaction logs as arrays, and the one place where external ids become matrix rows.

Every recommender learns from an :class:`Interactions` log (Amazon Personalize style:
user, item, timestamp, event type, optional value) turned into a user × item
confidence matrix by :meth:`Interactions.matrix`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

EVENT_WEIGHTS: Mapping[str, float] = {"view": 1.0, "add_to_cart": 3.0, "purchase": 6.0, "return": -6.0}
"""Confidence each event type adds to a (user, item) pair; a return cancels its purchase."""


@dataclass(frozen=True)
class IdMap:
    """A bijection between external ids (strings) and matrix rows ``0..n-1``."""

    ids: np.ndarray
    _index: dict[str, int] = field(repr=False, compare=False, default_factory=dict)
    _lookup: pd.Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lookup", pd.Index(np.asarray(self.ids, dtype=str), dtype=object))

    @classmethod
    def of(cls, ids: Iterable[Any]) -> IdMap:
        """A map over the distinct ``ids``, sorted so that the same data always gives the same rows."""
        unique = np.unique(np.asarray(ids if isinstance(ids, np.ndarray) else list(ids)).astype(str))
        return cls(unique, {value: row for row, value in enumerate(unique.tolist())})

    @classmethod
    def from_array(cls, ids: np.ndarray) -> IdMap:
        """Rebuild a saved map, keeping its row order."""
        ids = ids.astype(str)
        return cls(ids, {value: row for row, value in enumerate(ids.tolist())})

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, external_id: object) -> bool:
        return str(external_id) in self._index

    def row(self, external_id: Any) -> int | None:
        """The row of ``external_id``, or ``None`` when it was not seen in training."""
        return self._index.get(str(external_id))

    def rows(self, external_ids: Iterable[Any]) -> np.ndarray:
        """Rows of many ids at once; unknown ids map to -1."""
        keys = np.asarray(
            external_ids
            if isinstance(external_ids, Sequence | np.ndarray | pd.Series)
            else list(external_ids)
        )
        if not len(keys):
            return np.zeros(0, dtype=np.int64)
        return self._lookup.get_indexer(pd.Index(keys.astype(str), dtype=object)).astype(np.int64)

    def id(self, row: int) -> str:
        """The external id at ``row``."""
        return str(self.ids[row])


@dataclass(frozen=True)
class Interactions:
    """An event log as parallel arrays, sorted by (timestamp, item id, user id)."""

    user_ids: np.ndarray
    item_ids: np.ndarray
    timestamps: np.ndarray
    event_types: np.ndarray
    values: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Interactions:
        """From columns ``user_id, item_id, timestamp`` plus optional ``event_type`` (default view) and ``value``.

        Timestamps may be datetimes or epoch seconds; unknown event types raise ``ValueError``.
        """
        missing = [c for c in ("user_id", "item_id", "timestamp") if c not in frame.columns]
        if missing:
            raise ValueError(f"interactions need columns user_id, item_id, timestamp; missing {missing}")
        timestamps = frame["timestamp"]
        if pd.api.types.is_datetime64_any_dtype(timestamps):
            epoch = pd.Timestamp(0, tz="UTC")
            seconds = ((pd.to_datetime(timestamps, utc=True) - epoch) // pd.Timedelta(seconds=1)).to_numpy()
        else:
            seconds = pd.to_numeric(timestamps).to_numpy(dtype=np.int64)
        types = (
            frame["event_type"].astype(str).to_numpy()
            if "event_type" in frame.columns
            else np.full(len(frame), "view")
        )
        unknown = sorted(set(np.unique(types)) - set(EVENT_WEIGHTS))
        if unknown:
            raise ValueError(f"unknown event types {unknown}; expected {sorted(EVENT_WEIGHTS)}")
        values = (
            pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
            if "value" in frame.columns
            else np.full(len(frame), np.nan)
        )
        log = cls(
            frame["user_id"].astype(str).to_numpy(),
            frame["item_id"].astype(str).to_numpy(),
            seconds.astype(np.int64),
            types.astype(str),
            values,
        )
        return log.take(np.lexsort((log.user_ids, log.item_ids, log.timestamps)))

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> Interactions:
        """From dicts with the same keys as :meth:`from_frame`'s columns."""
        columns = ["user_id", "item_id", "timestamp", "event_type", "value"]
        return cls.from_frame(pd.DataFrame.from_records(records, columns=columns).dropna(axis=1, how="all"))

    def __len__(self) -> int:
        return len(self.user_ids)

    def take(self, index: np.ndarray) -> Interactions:
        """The events at ``index`` (a boolean mask or positions), in that order."""
        return Interactions(
            self.user_ids[index],
            self.item_ids[index],
            self.timestamps[index],
            self.event_types[index],
            self.values[index],
        )

    def users(self) -> IdMap:
        """Every user in the log."""
        return IdMap.of(self.user_ids)

    def items(self) -> IdMap:
        """Every item in the log."""
        return IdMap.of(self.item_ids)

    def weights(self, event_weights: Mapping[str, float] = EVENT_WEIGHTS) -> np.ndarray:
        """Confidence of each event from its type."""
        weights = pd.Series(self.event_types, dtype=object).map(dict(event_weights))
        return weights.fillna(0.0).to_numpy(dtype=float)

    def staleness_days(self) -> float:
        """Median, over users, of the days from a user's last event to the newest event in the log.

        How far from "now" (the newest event) the typical user's own cut-off lies: small in a
        shop's recent log, years in a rating data set gathered over decades, where each user's
        next event (what leave-last-out holds out) happened long before the newest one.
        """
        if not len(self):
            return 0.0
        last = pd.Series(self.timestamps).groupby(self.user_ids).max().to_numpy()
        return float(np.median(self.timestamps.max() - last) / 86_400.0)

    def matrix(
        self,
        users: IdMap,
        items: IdMap,
        *,
        event_weights: Mapping[str, float] = EVENT_WEIGHTS,
        half_life_days: float | None = None,
        now: int | None = None,
    ) -> sparse.csr_matrix:
        """The users × items confidence matrix: summed event weights, negatives clipped to zero.

        Events of users or items outside the maps are dropped; with ``half_life_days`` older
        events count less (weight halves every ``half_life_days`` before ``now``).
        """
        rows, cols = users.rows(self.user_ids), items.rows(self.item_ids)
        weights = self.weights(event_weights)
        if half_life_days is not None and len(self):
            reference = self.timestamps.max() if now is None else now
            age_days = (reference - self.timestamps) / 86_400.0
            weights = weights * np.power(0.5, np.clip(age_days, 0, None) / half_life_days)
        keep = (rows >= 0) & (cols >= 0)
        shape = (len(users), len(items))
        summed = sparse.coo_matrix((weights[keep], (rows[keep], cols[keep])), shape=shape).tocsr()
        summed.sum_duplicates()
        summed.data = np.clip(summed.data, 0.0, None)
        summed.eliminate_zeros()
        return summed.astype(np.float32)
