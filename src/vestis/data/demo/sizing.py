"""Size charts of the demo brands and the rule that maps a body onto a size.

Every size system has a nominal standard: size ``i`` fits a body measurement in
``[start + i·step, start + (i+1)·step)``. A brand's chart is that standard shifted by its
``fit_bias`` (in size steps), so a brand that runs small (negative bias) fits bodies one
size smaller than its labels say. Shoppers pick from the standard; the brand chart
decides what actually fits, and that gap is what the return data shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from vestis.data.demo.vocabulary import (
    BELT_SIZES,
    BRANDS,
    CATEGORIES,
    LETTER_SIZES,
    SHOE_SIZES,
    SIZED_ACCESSORIES,
    WAIST_SIZES,
    Brand,
)

# (sizes, measurement) -> (start_cm, step_cm) of the nominal standard.
_STANDARD: dict[tuple[tuple[str, ...], str], tuple[float, float]] = {
    (LETTER_SIZES, "chest"): (78.0, 7.0),
    (LETTER_SIZES, "waist"): (60.0, 7.0),
    (LETTER_SIZES, "hips"): (84.0, 7.0),
    (WAIST_SIZES, "waist"): (63.5, 5.08),
    (SHOE_SIZES, "foot_length"): (22.17, 2 / 3),
    (BELT_SIZES, "waist"): (66.0, 14.0),
}


@dataclass(frozen=True)
class SizeChart:
    """One brand's chart for one product type: the lower bound (cm) of every size per measurement."""

    brand: str
    product_type: str
    sizes: tuple[str, ...]
    lower: Mapping[str, tuple[float, ...]]
    upper: Mapping[str, tuple[float, ...]]

    def fitting_index(self, body: Mapping[str, float]) -> int:
        """Index of the smallest size that fits every charted measurement of ``body``.

        A measurement below the first size or above the last one is clamped to the ends.
        """
        index = 0
        for measurement, lows in self.lower.items():
            position = int(np.searchsorted(lows, body[measurement], side="right")) - 1
            index = max(index, min(max(position, 0), len(self.sizes) - 1))
        return index

    def rows(self) -> Iterator[dict[str, str]]:
        """The chart as ``size_charts.csv`` rows."""
        for i, size in enumerate(self.sizes):
            for measurement, lows in self.lower.items():
                yield {
                    "brand": self.brand,
                    "product_type": self.product_type,
                    "size": size,
                    "measurement": measurement,
                    "min_cm": f"{lows[i]:.1f}",
                    "max_cm": f"{self.upper[measurement][i]:.1f}",
                }


def build_chart(
    brand: str, product_type: str, sizes: tuple[str, ...], measurements: tuple[str, ...], bias: float
) -> SizeChart:
    """The chart of ``sizes`` over ``measurements``, shifted by ``bias`` size steps (rounded to 1 mm)."""
    lower: dict[str, tuple[float, ...]] = {}
    upper: dict[str, tuple[float, ...]] = {}
    for measurement in measurements:
        start, step = _STANDARD[(sizes, measurement)]
        edges = [round(start + (i + bias) * step, 1) for i in range(len(sizes) + 1)]
        lower[measurement] = tuple(edges[:-1])
        upper[measurement] = tuple(edges[1:])
    return SizeChart(brand, product_type, sizes, lower, upper)


def sized_lines() -> Iterator[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Every ``(product_type, sizes, measurements)`` that has a size chart."""
    for category in CATEGORIES:
        if category.measurements:
            yield category.product_type, category.sizes, category.measurements
    accessories = next(c for c in CATEGORIES if c.key == "accessories")
    for sizes, measurements in SIZED_ACCESSORIES.values():
        yield accessories.product_type, sizes, measurements


def brand_charts(brands: tuple[Brand, ...] = BRANDS) -> dict[tuple[str, str], SizeChart]:
    """Each brand's chart per product type, keyed by ``(brand, product_type)``."""
    return {
        (brand.name, product_type): build_chart(brand.name, product_type, sizes, measurements, brand.fit_bias)
        for brand in brands
        for product_type, sizes, measurements in sized_lines()
    }


def standard_charts() -> dict[str, SizeChart]:
    """The nominal (unbiased) chart per product type: what a shopper believes is their size."""
    return {
        product_type: build_chart("standard", product_type, sizes, measurements, 0.0)
        for product_type, sizes, measurements in sized_lines()
    }
