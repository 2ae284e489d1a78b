"""What size advice learns from, read from the catalog: sized products, size charts, purchases and profiles.

A *purchase* here is one bought size together with what came of it: kept, or returned (with the
return's ``fit_feedback`` when the shopper gave one). Returns are matched to the earliest open
purchase of the same shopper, item and size before them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine

from vestis.catalog import readers
from vestis.catalog.db import session_factory
from vestis.catalog.models import MEASUREMENTS, Customer

__all__ = [
    "Chart",
    "Purchase",
    "SizeData",
    "SizedProduct",
    "chart_key",
    "load_size_data",
    "profile_measurements",
]

_PROFILE_COLUMNS = {"chest": "chest_cm", "waist": "waist_cm", "hips": "hips_cm", "height": "height_cm"}


@dataclass(frozen=True)
class SizedProduct:
    """The parts of a product that size advice needs."""

    brand: str
    product_type: str
    sizes: tuple[str, ...]
    gender: str


@dataclass(frozen=True)
class Chart:
    """One brand's size chart for one product type: cm ranges per measurement, sizes smallest first."""

    sizes: tuple[str, ...]
    measurements: tuple[str, ...]
    lower: np.ndarray
    upper: np.ndarray

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, str, float, float]]) -> Chart:
        """A chart from ``(size, measurement, min_cm, max_cm)`` rows; sizes are ordered by their ranges.

        Only measurements that every size has are kept, so each size has a range for each of them.
        """
        ranges: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
        for size, measurement, low, high in rows:
            ranges[size][measurement] = (low, high)
        measurements = tuple(sorted(set.intersection(*(set(r) for r in ranges.values()))))
        sizes = tuple(sorted(ranges, key=lambda s: sum(ranges[s][m][0] for m in measurements)))
        lower = np.array([[ranges[s][m][0] for s in sizes] for m in measurements], dtype=float)
        upper = np.array([[ranges[s][m][1] for s in sizes] for m in measurements], dtype=float)
        return cls(sizes, measurements, lower, upper)

    def fitting_index(self, bodies: Mapping[str, np.ndarray]) -> np.ndarray:
        """Index of the smallest size whose range holds every charted measurement, per body (clamped).

        ``bodies`` maps each measurement to an array of values (cm), one per body.
        """
        index: np.ndarray | None = None
        for i, measurement in enumerate(self.measurements):
            position = np.searchsorted(self.lower[i], bodies[measurement], side="right") - 1
            position = np.clip(position, 0, len(self.sizes) - 1)
            index = position if index is None else np.maximum(index, position)
        assert index is not None, "a chart has at least one measurement"
        return index

    def to_json(self) -> dict[str, object]:
        """The chart as plain lists."""
        return {"sizes": list(self.sizes), "measurements": list(self.measurements),
                "lower": self.lower.tolist(), "upper": self.upper.tolist()}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Chart:
        """The inverse of :meth:`to_json`."""
        lower, upper = np.array(data["lower"], dtype=float), np.array(data["upper"], dtype=float)
        return cls(tuple(data["sizes"]), tuple(data["measurements"]), lower, upper)

    def as_table(self) -> dict[str, dict[str, tuple[float, float]]]:
        """``size → measurement → (min_cm, max_cm)``, for showing the chart."""
        return {
            size: {
                m: (float(self.lower[i, j]), float(self.upper[i, j])) for i, m in enumerate(self.measurements)
            }
            for j, size in enumerate(self.sizes)
        }


@dataclass(frozen=True)
class Purchase:
    """One bought size and its outcome: kept, or returned on ``returned_at`` (with fit feedback if given)."""

    user_id: str
    item_id: str
    timestamp: datetime
    size: str
    returned_at: datetime | None = None
    feedback: str | None = None

    @property
    def kept(self) -> bool:
        """Whether no return followed the purchase."""
        return self.returned_at is None


@dataclass
class SizeData:
    """Everything size advice learns from: sized products, charts, purchases and consented profiles."""

    products: dict[str, SizedProduct]
    charts: dict[tuple[str, str], Chart]
    purchases: list[Purchase]
    profiles: dict[str, dict[str, float]] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)

    def before(self, cutoffs: Mapping[str, datetime]) -> SizeData:
        """The data as it was known just before each shopper's cutoff.

        A shopper's purchases at or after their cutoff are dropped, and returns made at or after it
        are not yet known (the purchase is then dropped too: its outcome was still open).
        """
        kept: list[Purchase] = []
        for purchase in self.purchases:
            cutoff = cutoffs.get(purchase.user_id)
            settled = cutoff is None or (
                purchase.timestamp < cutoff
                and (purchase.returned_at is None or purchase.returned_at < cutoff)
            )
            if settled:
                kept.append(purchase)
        return replace(self, purchases=kept)


def chart_key(brand: str, product_type: str) -> tuple[str, str]:
    """How charts are keyed: case-insensitive brand and product type."""
    return brand.strip().lower(), product_type.strip().lower()


def load_size_data(engine: Engine) -> SizeData:
    """Read sized products, size charts, purchases with their returns, and consented profiles."""
    with session_factory(engine)() as session:
        products = {
            p.id: SizedProduct(
                p.brand or "", p.product_type or "", tuple(p.size or ()), (p.gender or "").lower()
            )
            for p in readers.products(session)
        }
        chart_rows: dict[tuple[str, str], list[tuple[str, str, float, float]]] = defaultdict(list)
        for row in readers.size_charts(session):
            chart_rows[chart_key(row.brand, row.product_type)].append(
                (row.size, row.measurement, row.min_cm, row.max_cm)
            )
        events = readers.purchases_and_returns(session)
        customers = readers.consenting_customers(session)
        profiles = {c.id: profile_measurements(c) for c in customers}
        genders = {c.id: (c.gender or "").lower() for c in customers if c.gender}
    charts = {key: chart for key, rows in chart_rows.items() if (chart := Chart.from_rows(rows)).measurements}
    return SizeData(
        products, charts, _pair_returns(events), {k: v for k, v in profiles.items() if v}, genders
    )


def profile_measurements(customer: Customer) -> dict[str, float]:
    """A consented customer's body measurements (cm) by chart measurement name; empty without consent.

    Columns ``chest_cm``, ``waist_cm``, ``hips_cm``, ``height_cm`` and free attributes named
    ``<measurement>_cm`` (e.g. ``foot_length_cm``) are read.
    """
    if not customer.consent_profile:
        return {}
    found: dict[str, float] = {}
    for measurement in MEASUREMENTS:
        column = _PROFILE_COLUMNS.get(measurement)
        value = getattr(customer, column) if column else (customer.attributes or {}).get(f"{measurement}_cm")
        try:
            number = float(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            number = None
        if number is not None and number > 0:
            found[measurement] = number
    return found


def _pair_returns(events: Sequence[tuple[str, str, datetime, str, str | None, str | None]]) -> list[Purchase]:
    """Purchases with a size, each matched with the first later return of the same user, item and size."""
    purchases: list[Purchase] = []
    open_purchases: dict[tuple[str, str], list[int]] = defaultdict(list)
    for user, item, timestamp, kind, size, feedback in events:
        if kind == "purchase" and size:
            open_purchases[(user, item)].append(len(purchases))
            purchases.append(Purchase(user, item, timestamp, size, feedback=feedback))
        elif kind == "return":
            waiting = open_purchases[(user, item)]
            match = next((i for i in waiting if not size or purchases[i].size == size), None)
            if match is not None:
                waiting.remove(match)
                purchases[match] = replace(purchases[match], returned_at=timestamp, feedback=feedback)
    return purchases
