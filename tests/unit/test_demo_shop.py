"""The demo shop generator: determinism, complete files, valid images, and a clean import."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import transaction
from vestis.catalog.models import Customer, Event, Product, SizeChart
from vestis.data.demo import DemoSummary, demo_is_generated, generate_demo, load_demo

SMALL = {"products": 60, "customers": 150, "days": 60, "seed": 3}
CATEGORIES = {"Tops", "Shirts", "Dresses", "Skirts", "Trousers", "Jeans", "Outerwear", "Shoes", "Accessories"}


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """The small shop, generated once for the module, as :func:`generate_demo` reports it."""
    return generate_demo(tmp_path_factory.mktemp("demo"), **SMALL, progress=False)


@pytest.fixture(scope="module")
def shop(summary: DemoSummary) -> Path:
    return summary.out_dir


def test_same_arguments_give_byte_identical_files(shop: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_demo(again, **SMALL, progress=False)
    assert _digests(again) == _digests(shop)
    other = tmp_path / "other"
    generate_demo(other, **{**SMALL, "seed": 4}, progress=False)
    assert _digests(other)["events.csv"] != _digests(shop)["events.csv"]


def test_summary_and_files_agree(summary: DemoSummary) -> None:
    assert summary.products == 60 and summary.customers == 150
    feed = read_rows(summary.products_path, "\t")
    events = read_rows(summary.events_path)
    assert len(feed) == 60 and len(read_rows(summary.customers_path)) == 150
    assert len(events) == summary.events > 1000
    assert {r["product_type"] for r in feed} == CATEGORIES
    assert sum(r["EVENT_TYPE"] == "purchase" for r in events) == summary.purchases > 0
    timestamps = [int(r["TIMESTAMP"]) for r in events]
    assert timestamps == sorted(timestamps)
    assert max(timestamps) < 1_793_491_200  # 2026-11-01T00:00Z, the fixed end of the simulated period
    assert min(timestamps) >= 1_793_491_200 - 60 * 86_400


def test_feed_rows_are_merchant_center_products(shop: Path) -> None:
    feed = read_rows(shop / "products.tsv", "\t")
    for row in feed:
        assert row["price"].endswith(" EUR") and float(row["price"].split()[0]) > 0
        assert row["image_link"] == f"images/{row['id']}.png"
        assert row["gender"] in ("female", "male", "unisex")
        assert row["title"].startswith(row["brand"]) and row["title"].endswith(f" in {row['color']}")
        assert row["size"] and row["availability"] in ("in_stock", "out_of_stock")
    sizes = {r["product_type"]: r["size"].split(",") for r in feed}
    assert sizes["Jeans"] == ["26", "28", "30", "32", "34", "36", "38"]
    assert sizes["Shoes"][0] == "36" and sizes["Shoes"][-1] == "46"
    assert sizes["Tops"] == ["XS", "S", "M", "L", "XL", "XXL"]


def test_every_product_has_a_photo_on_white(shop: Path) -> None:
    for row in read_rows(shop / "products.tsv", "\t"):
        with Image.open(shop / row["image_link"]) as image:
            assert image.format == "PNG" and image.size == (512, 640) and image.mode == "RGB"
            pixels = np.asarray(image)
        corners = [pixels[:12, :12], pixels[:12, -12:], pixels[-12:, :12], pixels[-12:, -12:]]
        assert all((c == 255).all() for c in corners), row["id"]
        covered = (pixels.min(axis=2) < 245).mean()
        assert 0.05 < covered < 0.75, (row["id"], covered)
        h, w = pixels.shape[:2]
        centre = pixels[h // 2 - 60 : h // 2 + 60, w // 2 - 60 : w // 2 + 60]
        assert (centre.min(axis=2) < 250).mean() > 0.2, row["id"]


def test_garment_colour_shows_in_the_image(shop: Path) -> None:
    feed = {r["id"]: r for r in read_rows(shop / "products.tsv", "\t")}
    red = [i for i, r in feed.items() if r["color"] == "red" and r["pattern"] == "solid"]
    navy = [i for i, r in feed.items() if r["color"] == "navy" and r["pattern"] == "solid"]
    for product_id in red[:3]:
        r, g, b = _mean_product_colour(shop / "images" / f"{product_id}.png")
        assert r > g + 60 and r > b + 60
    for product_id in navy[:3]:
        r, g, b = _mean_product_colour(shop / "images" / f"{product_id}.png")
        assert b > r and max(r, g, b) < 140


def test_size_charts_encode_brand_fit_bias(shop: Path) -> None:
    charts = {
        (r["brand"], r["product_type"], r["size"], r["measurement"]): float(r["min_cm"])
        for r in read_rows(shop / "size_charts.csv")
    }
    neutral = charts[("Aster", "Tops", "M", "chest")]
    assert charts[("Maison Lune", "Tops", "M", "chest")] < neutral - 3  # runs small
    assert charts[("Norrland", "Tops", "M", "chest")] > neutral + 3  # runs large
    assert {m for (_, _, _, m) in charts} == {"chest", "waist", "hips", "foot_length"}


def test_customers_have_profiles_and_about_sixty_percent_consent(tmp_path: Path) -> None:
    generate_demo(tmp_path, products=20, customers=1000, days=7, progress=False)
    customers = read_rows(tmp_path / "customers.csv")
    consent = np.mean([c["consent_profile"] == "true" for c in customers])
    assert 0.55 < consent < 0.65
    assert all(c["consent_photos"] == "false" for c in customers if c["consent_profile"] == "false")
    heights = np.array([float(c["height_cm"]) for c in customers])
    assert 160 < heights.mean() < 175 and all(float(c["chest_cm"]) > 0 for c in customers)


def test_load_demo_imports_everything_without_errors(shop: Path, engine: Engine, tmp_path: Path) -> None:
    with transaction(engine) as session:
        reports = load_demo(session, shop, images_dir=tmp_path / "images", progress=False)
    assert {name: r.errors for name, r in reports.items()} == dict.fromkeys(reports, [])
    with transaction(engine) as session:
        assert store.count_rows(session, Product) == 60
        assert store.count_rows(session, Customer) == 150
        assert store.count_rows(session, Event) == len(read_rows(shop / "events.csv"))
        assert store.count_rows(session, SizeChart) == len(read_rows(shop / "size_charts.csv"))
        product = store.get_product(session, "vs-00001")
        assert product is not None and product.image_path and product.currency == "EUR"
        assert (tmp_path / "images" / product.image_path).is_file()
        assert product.attributes["item_group_id"].startswith("vsg-")
        with_profile = session.query(Customer).filter(Customer.chest_cm.is_not(None)).count()
        consenting = sum(r["consent_profile"] == "true" for r in read_rows(shop / "customers.csv"))
        assert with_profile == consenting


def test_incomplete_output_is_not_taken_for_a_demo(tmp_path: Path) -> None:
    assert not demo_is_generated(tmp_path)
    generate_demo(tmp_path, products=12, customers=10, days=5, progress=False)
    assert demo_is_generated(tmp_path)
    manifest = json.loads((tmp_path / "demo.json").read_text())
    assert manifest["products"] == 12 and "events.csv" in manifest["files"]
    with (tmp_path / "events.csv").open("a") as handle:
        handle.write("truncated")
    assert not demo_is_generated(tmp_path)
    generate_demo(tmp_path, products=12, customers=10, days=5, progress=False)
    (tmp_path / "images" / "vs-00003.png").unlink()
    assert not demo_is_generated(tmp_path)
    with pytest.raises(FileNotFoundError):
        load_demo(None, tmp_path, images_dir=tmp_path / "x")  # type: ignore[arg-type]
    assert not list(tmp_path.glob(".*.tmp"))


def _mean_product_colour(path: Path) -> tuple[float, float, float]:
    with Image.open(path) as image:
        pixels = np.asarray(image).reshape(-1, 3).astype(float)
    inside = pixels[pixels.min(axis=1) < 235]
    r, g, b = inside.mean(axis=0)
    return float(r), float(g), float(b)


def _digests(out: Path) -> dict[str, str]:
    files = sorted(p for p in out.rglob("*") if p.is_file())
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def read_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))
