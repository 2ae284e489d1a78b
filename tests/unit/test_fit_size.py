"""Size advice on a tiny hand-built catalog: charts, cross-brand mapping, runs small, measurements, no data."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import transaction
from vestis.fit import SizeAdvisor
from vestis.fit.data import Chart, load_size_data

T0 = datetime(2026, 3, 1, tzinfo=UTC)
SIZES = ["XS", "S", "M", "L", "XL"]


def _chart(brand: str, shift: int) -> list[dict[str, object]]:
    """Chest ranges of 7 cm from 78 cm; ``shift`` sizes down means the brand runs small."""
    return [
        {"brand": brand, "product_type": "Tops", "size": size, "measurement": "chest",
         "min_cm": 78.0 + 7 * (i - shift), "max_cm": 85.0 + 7 * (i - shift)}
        for i, size in enumerate(SIZES)
    ]  # fmt: skip


@pytest.fixture
def catalog(engine: Engine) -> Engine:
    products = [
        {"id": pid, "title": pid, "brand": brand, "product_type": kind, "gender": "female", "size": sizes,
         "price": 30.0}
        for pid, brand, kind, sizes in (
            ("even-top", "Even", "Tops", SIZES),
            ("even-top-2", "Even", "Tops", SIZES),
            ("small-top", "Tiny", "Tops", SIZES),
            ("small-top-2", "Tiny", "Tops", SIZES),
            ("scarf", "Even", "Accessories", ["One size"]),
            ("nochart-top", "Mystery", "Tops", SIZES),
        )
    ]  # fmt: skip
    events: list[dict[str, object]] = []

    def buy(user: str, item: str, size: str, day: int, returned: str | None = None) -> None:
        at = T0 + timedelta(days=day)
        events.append({"user_id": user, "item_id": item, "timestamp": at, "event_type": "purchase", "size": size,
                       "fit_feedback": None})  # fmt: skip
        if returned:
            events.append({"user_id": user, "item_id": item, "timestamp": at + timedelta(days=5),
                           "event_type": "return", "size": size, "fit_feedback": returned})  # fmt: skip

    for n in range(12):  # many shoppers learn that Tiny runs small
        buy(f"crowd-{n}", "even-top", "M", 0)
        buy(f"crowd-{n}", "small-top", "M", 1, returned="small")
        buy(f"crowd-{n}", "small-top-2", "L", 10)
    buy("kept-m", "even-top", "M", 2)
    buy("kept-l-tiny", "small-top", "L", 2)
    buy("too-small", "even-top", "M", 2, returned="small")
    buy("kept-m-mystery", "nochart-top", "M", 2)
    customers = [
        {"id": "measured", "consent_profile": True, "gender": "female", "chest_cm": 102.0},
        {"id": "private", "consent_profile": False, "gender": "female", "chest_cm": 102.0},
    ]
    with transaction(engine) as session:
        store.upsert_products(session, rows=products)
        store.upsert_size_charts(session, rows=_chart("Even", 0) + _chart("Tiny", 1))
        store.upsert_customers(session, rows=customers)
        store.add_events(session, rows=events)
    return engine


@pytest.fixture
def advisor(catalog: Engine) -> SizeAdvisor:
    return SizeAdvisor(samples=2000).fit(catalog)


def test_returns_teach_which_brand_runs_small(advisor: SizeAdvisor) -> None:
    assert advisor.runs("Tiny", "Tops") == "small"
    assert advisor.runs("Even", "Tops") is None


def test_kept_size_maps_across_brands_through_the_charts(advisor: SizeAdvisor) -> None:
    up = advisor.advise("small-top-2", user_id="kept-m")
    assert up.size == "L" and up.confidence > 0.5
    assert (
        "You kept M in Even tops" in up.reason and "Tiny tops run small" in up.reason and "so L" in up.reason
    )
    assert set(up.alternatives) <= set(SIZES) and abs(sum(up.alternatives.values()) - 1) < 0.01
    down = advisor.advise("even-top-2", user_id="kept-l-tiny")
    assert down.size == "M" and "kept L in Tiny tops (they run small)" in down.reason


def test_a_return_as_too_small_moves_the_size_up(advisor: SizeAdvisor) -> None:
    advice = advisor.advise("even-top-2", user_id="too-small")
    assert advice.size == "L"
    assert "sent back M in Even tops as too small" in advice.reason


def test_measurements_pick_the_chart_range(advisor: SizeAdvisor) -> None:
    advice = advisor.advise("even-top", measurements={"chest": 95.0})
    assert advice.size == "M" and advice.confidence > 0.9
    assert "chest of 95 cm is in M's range (92–99 cm)" in advice.reason
    assert advisor.advise("small-top", measurements={"chest": 95.0}).size == "L"


def test_consented_profile_is_read_and_private_one_is_not(advisor: SizeAdvisor) -> None:
    assert advisor.advise("even-top", user_id="measured").size == "L"
    private = advisor.advise("even-top", user_id="private")
    assert private.size is None


def test_it_says_when_it_cannot_know(advisor: SizeAdvisor) -> None:
    nobody = advisor.advise("even-top", user_id="stranger")
    assert nobody.size is None and nobody.confidence == 0 and nobody.alternatives == {}
    assert "measure your chest" in nobody.reason and nobody.chart["M"]["chest"] == (92.0, 99.0)
    assert advisor.advise("nochart-top", user_id="stranger").size is None
    assert "no size chart" in advisor.advise("nochart-top", user_id="stranger").reason
    assert advisor.advise("missing", user_id="kept-m").size is None
    assert advisor.advise("scarf", user_id="stranger").size == "One size"


def test_without_a_chart_it_falls_back_to_the_size_kept(advisor: SizeAdvisor) -> None:
    advice = advisor.advise("nochart-top", user_id="kept-m")
    assert advice.size == "M" and 0 < advice.confidence < 1 and "no size chart" in advice.reason


def test_charts_order_sizes_by_their_ranges() -> None:
    rows = [(s, "chest", 78.0 + 7 * i, 85.0 + 7 * i) for i, s in enumerate(SIZES)][::-1]
    chart = Chart.from_rows(rows)
    assert chart.sizes == tuple(SIZES)
    assert chart.fitting_index({"chest": np.array([70.0, 93.0, 200.0])}).tolist() == [0, 2, 4]


def test_history_before_a_cutoff_forgets_later_returns(catalog: Engine) -> None:
    data = load_size_data(catalog)
    assert any(not p.kept for p in data.purchases if p.user_id == "too-small")
    cutoff = T0 + timedelta(days=3)  # bought on day 2, returned on day 7
    assert not [p for p in data.before({"too-small": cutoff}).purchases if p.user_id == "too-small"]


def test_save_and_load_give_the_same_advice(advisor: SizeAdvisor, catalog: Engine, tmp_path: Path) -> None:
    loaded = SizeAdvisor.load(advisor.save(tmp_path / "size"), engine=catalog)
    for user in ("kept-m", "too-small", "measured", "stranger"):
        assert loaded.advise("small-top-2", user_id=user) == advisor.advise("small-top-2", user_id=user)
    assert "102" not in (tmp_path / "size" / "size_advisor.json").read_text()  # no profile measurements


def test_docstring_examples_run() -> None:
    import vestis.fit.size

    failures, attempted = doctest.testmod(vestis.fit.size)
    assert attempted > 0 and failures == 0
