"""Generate the demo shop as public-format files and load it through the regular importers.

``generate_demo`` writes a Merchant Center feed with rendered images, customers, brand
size charts and a year of Personalize-style events; ``load_demo`` imports them exactly
as a retailer's files would be imported. Files are written under temporary names and
renamed, and a manifest is written last, so an interrupted run never looks complete.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from rich.progress import Progress
from sqlalchemy.orm import Session

from vestis.data.demo.behaviour import EVENT_COLUMNS, PURCHASE, RETURN, event_row, simulate
from vestis.data.demo.images import render_product_image
from vestis.data.demo.products import FEED_COLUMNS, feed_row, make_catalog
from vestis.data.demo.shoppers import CUSTOMER_COLUMNS, TRUTH_COLUMNS, make_shoppers
from vestis.data.demo.sizing import brand_charts
from vestis.data.events import import_events
from vestis.data.importing import ImportReport
from vestis.data.merchant_feed import import_merchant_feed
from vestis.data.profiles import import_customers, import_size_charts
from vestis.files import atomic_write, replacing
from vestis.progress import progress_bar

END_DATE = date(2026, 11, 1)
"""Events stop at midnight (UTC) starting this day: the simulated year ends on 31 October 2026."""

PRODUCTS_FILE = "products.tsv"
CUSTOMERS_FILE = "customers.csv"
SIZE_CHARTS_FILE = "size_charts.csv"
EVENTS_FILE = "events.csv"
TRUTH_FILE = "shopper_truth.csv"
IMAGES_DIR = "images"
MANIFEST_FILE = "demo.json"
_TABLES = (PRODUCTS_FILE, CUSTOMERS_FILE, SIZE_CHARTS_FILE, EVENTS_FILE, TRUTH_FILE)


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo` wrote: counts and where the files are."""

    out_dir: Path
    seed: int
    days: int
    products: int
    customers: int
    size_chart_rows: int
    events: int
    sessions: int
    purchases: int
    returns: int

    @property
    def products_path(self) -> Path:
        """The Merchant Center feed (TSV)."""
        return self.out_dir / PRODUCTS_FILE

    @property
    def customers_path(self) -> Path:
        """Customers with consent flags and body measurements (CSV)."""
        return self.out_dir / CUSTOMERS_FILE

    @property
    def size_charts_path(self) -> Path:
        """Brand size charts (CSV)."""
        return self.out_dir / SIZE_CHARTS_FILE

    @property
    def events_path(self) -> Path:
        """Interaction events in Amazon Personalize layout (CSV)."""
        return self.out_dir / EVENTS_FILE

    @property
    def truth_path(self) -> Path:
        """The shoppers' planted tastes, for evaluating what models learn (not imported)."""
        return self.out_dir / TRUTH_FILE

    @property
    def images_dir(self) -> Path:
        """Rendered product images, ``<id>.png``."""
        return self.out_dir / IMAGES_DIR


def generate_demo(
    out_dir: Path,
    *,
    products: int = 360,
    customers: int = 2000,
    seed: int = 7,
    days: int = 365,
    progress: bool = True,
) -> DemoSummary:
    """Write a complete, deterministic demo shop into ``out_dir``.

    The same arguments always give byte-identical files: every random draw comes from
    generators seeded with ``seed`` in a fixed order, and dates are anchored to
    :data:`END_DATE` rather than today.
    """
    # 1. Check inputs and forget any earlier complete state.
    if products < 1 or customers < 1 or days < 1:
        raise ValueError(
            f"products, customers and days must be positive; got {products}, {customers}, {days}"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST_FILE).unlink(missing_ok=True)
    start = END_DATE - timedelta(days=days)

    # 2. Draw the catalog and the shoppers from separate streams.
    catalog = make_catalog(np.random.default_rng([seed, 1]), products, days=days, start=start)
    shoppers = make_shoppers(np.random.default_rng([seed, 2]), customers)

    with _progress(progress) as track:
        # 3. Render one image per product (and drop images of products that no longer exist).
        images = out_dir / IMAGES_DIR
        images.mkdir(exist_ok=True)
        wanted = {f"{p.id}.png" for p in catalog}
        for stale in sorted(images.glob("*.png")):
            if stale.name not in wanted:
                stale.unlink()
        for product in track(catalog, "rendering product images"):
            with replacing(images / f"{product.id}.png") as temporary:
                render_product_image(product, seed=seed).save(temporary, "PNG")

        # 4. Simulate the year of sessions.
        advance = track.counter("simulating shoppers", customers)
        simulation = simulate(np.random.default_rng([seed, 3]), catalog, shoppers, days=days, end=END_DATE,
                              advance=advance)  # fmt: skip

    # 5. Write the tables, then the manifest.
    chart_rows = [row for chart in brand_charts().values() for row in chart.rows()]
    _write_table(
        out_dir / PRODUCTS_FILE, FEED_COLUMNS, (feed_row(p, start=start) for p in catalog), delimiter="\t"
    )
    _write_table(
        out_dir / CUSTOMERS_FILE, CUSTOMER_COLUMNS, (shoppers.customer_row(i) for i in range(customers))
    )
    _write_table(out_dir / TRUTH_FILE, TRUTH_COLUMNS, (shoppers.truth_row(i) for i in range(customers)))
    _write_table(out_dir / SIZE_CHARTS_FILE, tuple(chart_rows[0]), chart_rows)
    _write_table(
        out_dir / EVENTS_FILE, EVENT_COLUMNS, (event_row(e, catalog, shoppers) for e in simulation.events)
    )
    summary = DemoSummary(
        out_dir=out_dir,
        seed=seed,
        days=days,
        products=len(catalog),
        customers=customers,
        size_chart_rows=len(chart_rows),
        events=len(simulation.events),
        sessions=simulation.sessions,
        purchases=simulation.count(PURCHASE),
        returns=simulation.count(RETURN),
    )
    _write_manifest(out_dir, summary)
    return summary


def load_demo(
    session: Session, out_dir: Path, *, images_dir: Path, progress: bool = True
) -> dict[str, ImportReport]:
    """Import a generated demo through the regular importers, in the caller's transaction.

    Returns one report per file, keyed ``products``, ``size_charts``, ``customers`` and
    ``events``. Raises ``FileNotFoundError`` when ``out_dir`` holds no complete demo.
    """
    if not demo_is_generated(out_dir):
        raise FileNotFoundError(
            f"{out_dir}: no complete demo shop here; run `vestis demo-data --out {out_dir}` first"
        )
    return {
        "products": import_merchant_feed(
            session, out_dir / PRODUCTS_FILE, images_dir=images_dir, progress=progress
        ),
        "size_charts": import_size_charts(session, out_dir / SIZE_CHARTS_FILE, progress=progress),
        "customers": import_customers(session, out_dir / CUSTOMERS_FILE, progress=progress),
        "events": import_events(session, out_dir / EVENTS_FILE, progress=progress),
    }


def demo_is_generated(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds a complete demo: a manifest, its tables at the recorded sizes, every image."""
    try:
        manifest = json.loads((out_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        sizes: dict[str, int] = manifest["files"]
        if any((out_dir / name).stat().st_size != size for name, size in sizes.items()):
            return False
        with (out_dir / PRODUCTS_FILE).open(encoding="utf-8", newline="") as handle:
            ids = [row["id"] for row in csv.DictReader(handle, delimiter="\t")]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return len(ids) == manifest.get("products") and all(
        (out_dir / IMAGES_DIR / f"{i}.png").is_file() for i in ids
    )


class _Tracker:
    """Progress reporting that is a no-op when disabled."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar

    def __call__(self, items: Sequence[object], label: str) -> Iterable:  # type: ignore[type-arg]
        return self.bar.track(items, total=len(items), description=label)

    def counter(self, label: str, total: int) -> Callable[[int], None]:
        task = self.bar.add_task(label, total=total)
        return lambda done: self.bar.update(task, completed=done)


@contextmanager
def _progress(enabled: bool) -> Iterator[_Tracker]:
    with progress_bar(disable=not enabled, transient=True) as bar:
        yield _Tracker(bar)


def _write_table(
    path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]], *, delimiter: str = ","
) -> None:
    with replacing(path) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([row[c] for c in columns] for row in rows)


def _write_manifest(out_dir: Path, summary: DemoSummary) -> None:
    manifest = {
        "format": 1,
        "seed": summary.seed,
        "days": summary.days,
        "end_date": END_DATE.isoformat(),
        "products": summary.products,
        "customers": summary.customers,
        "events": summary.events,
        "files": {name: (out_dir / name).stat().st_size for name in _TABLES},
    }
    atomic_write(out_dir / MANIFEST_FILE, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
