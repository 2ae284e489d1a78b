"""Issue 11, item 5 (server): absurd numbers are a 422 naming the field, races and locks are not a 500.

- Event timestamps outside 1970–2099 (``1e20``, ``inf``, ``1e400``, ``NaN``) and non-finite
  prices or values are refused with the field's path, the accepted range and the value sent.
- Offsets and page numbers past any catalog are a 422, not a 64-bit overflow in SQLite.
- Searches running while the index refreshes each answer from one snapshot of it.
- A write that meets a catalog locked by another writer waits ``db_busy_timeout_seconds``,
  then is answered 503 with ``Retry-After``; sent again after the lock is gone, it is stored.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select

from tests.unit.test_api_support import KEY, event, shop_client
from vestis.catalog import store
from vestis.catalog.db import session_factory, transaction
from vestis.catalog.models import Event, Product
from vestis.guide.search import ProductSearch
from vestis.text.encoders import TfidfEncoder

WRITE = {"X-API-Key": KEY}
RANGE = "must be between 1970-01-01 and 2099-12-31 (epoch seconds 0 to 4102444799)"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return shop_client(tmp_path, products=3, db_busy_timeout_seconds=0.5)


@pytest.mark.parametrize("stamp", [1e20, -1e20, "inf", "1e400", "NaN", 10**30, "9999-12-31T00:00:00Z"])
def test_a_timestamp_out_of_range_is_a_422_naming_the_field(client: TestClient, stamp: Any) -> None:
    response = client.post("/events", json={"events": [event(), event(timestamp=stamp)]}, headers=WRITE)

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["field"] == "events[1].timestamp"
    assert error["msg"] == f"{RANGE}; got {stamp!r}"


@pytest.mark.parametrize(("literal", "value"), [("1e400", "inf"), ("-1e400", "-inf"), ("NaN", "nan")])
def test_json_numbers_that_are_no_finite_float_are_a_422(
    client: TestClient, literal: str, value: str
) -> None:
    body = (
        f'{{"events": [{{"user_id": "u1", "item_id": "p00", "event_type": "view", "timestamp": {literal}}}]}}'
    )

    response = client.post("/events", content=body, headers={**WRITE, "Content-Type": "application/json"})

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert (error["field"], error["msg"]) == ("events[0].timestamp", f"{RANGE}; got {value}")


def test_the_range_runs_from_1970_to_the_end_of_2099(client: TestClient) -> None:
    inside = [0, 4_102_444_799, "1970-01-01T00:00:00Z", "2099-12-31T23:59:59Z"]
    outside = [-1, 4_102_444_800, "1969-12-31T23:59:59Z", "2100-01-01T00:00:00Z"]

    accepted = client.post("/events", json={"events": [event(timestamp=t) for t in inside]}, headers=WRITE)
    refused = client.post("/events", json={"events": [event(timestamp=t) for t in outside]}, headers=WRITE)

    assert accepted.status_code == 200, accepted.text
    assert [e["field"] for e in refused.json()["detail"]] == [f"events[{i}].timestamp" for i in range(4)]


def test_epoch_milliseconds_get_a_hint(client: TestClient) -> None:
    response = client.post("/events", json={"events": [event(timestamp=1_714_564_800_000)]}, headers=WRITE)

    assert response.json()["detail"][0]["msg"].endswith("(epoch milliseconds? send seconds)")


@pytest.mark.parametrize("field", ["price", "value"])
@pytest.mark.parametrize("number", ["inf", "-inf", "NaN", "1e400"])
def test_non_finite_prices_and_values_are_refused(client: TestClient, field: str, number: str) -> None:
    response = client.post("/events", json={"events": [event(**{field: number})]}, headers=WRITE)

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == f"events[0].{field}"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/products?offset=9223372036854775808", "offset"),
        ("/products?offset=9223372036854775807", "offset"),
        ("/?page=9223372036854775807", "page"),
    ],
)
def test_offsets_and_pages_past_any_catalog_are_a_422(client: TestClient, url: str, field: str) -> None:
    response = client.get(url)

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == field


def test_offsets_stop_at_a_billion_and_pages_at_a_million(client: TestClient) -> None:
    assert client.get("/products?offset=1000000000").json() == {"data": [], "count": 3}
    assert client.get("/?page=1000000").status_code == 200
    assert client.get("/products?offset=1000000001").status_code == 422
    assert client.get("/?page=1000001").status_code == 422


def test_a_write_to_a_locked_catalog_is_a_503_with_retry_after_then_succeeds(
    client: TestClient, tmp_path: Path
) -> None:
    batch = {"events": [event(user_id="locked-out"), event(user_id="locked-out", event_type="purchase")]}
    importer = sqlite3.connect(tmp_path / "vestis.db", isolation_level=None)  # a long import, say
    importer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        refused = client.post("/events", json=batch, headers=WRITE)
        waited = time.monotonic() - started
        assert client.get("/products").status_code == 200  # reads go on meanwhile (WAL)
    finally:
        importer.execute("ROLLBACK")
        importer.close()

    assert refused.status_code == 503, refused.text
    assert refused.json() == {"detail": "the catalog is busy with another write; retry shortly"}
    assert int(refused.headers["Retry-After"]) > 0
    assert 0.4 < waited < 5  # the configured busy timeout, not 30 s

    again = client.post("/events", json=batch, headers=WRITE)

    assert again.json() == {"accepted": 2, "duplicates": 0}
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    with session_factory(engine)() as session:
        stored = session.scalars(select(Event.event_type).where(Event.user_id == "locked-out")).all()
    assert sorted(stored) == ["purchase", "view"]


def _products(first: int, count: int) -> list[dict[str, Any]]:
    colours, kinds = ("red", "blue", "black", "green"), ("Dresses", "Shirts", "Trousers")
    return [
        {
            "id": f"q{i:04d}",
            "title": f"{colours[i % 4].title()} {kinds[i % 3].lower()} {i}",
            "description": "Soft organic cotton.",
            "product_type": kinds[i % 3],
            "color": colours[i % 4],
            "gender": "female",
            "price": 10.0 + i,
            "currency": "EUR",
            "size": ["S", "M"],
        }
        for i in range(first, first + count)
    ]


def test_searches_during_index_refreshes_never_fail(engine: Engine) -> None:
    """Four shoppers search while the catalog grows and shrinks and the index refreshes, for about two seconds."""
    with transaction(engine) as session:
        store.upsert_products(session, rows=_products(0, 60))
    search = ProductSearch.build(engine, encoder=TfidfEncoder(dimensions=32))
    queries = ["red dress", "blue shirts under 40", "black", "green trousers in size M", "dress"]
    failures: list[BaseException] = []
    answered = [0]
    stop = threading.Event()

    def shopper(offset: int) -> None:
        turn = offset
        while not stop.is_set():
            for mode in ("hybrid", "semantic", "lexical"):
                try:
                    search.search(queries[turn % len(queries)], k=5, mode=mode)  # type: ignore[arg-type]
                    search.product(f"q{turn % 90:04d}")
                except Exception as error:  # noqa: BLE001 - every failure is the finding
                    failures.append(error)
                    stop.set()
                answered[0] += 1
            turn += 1

    threads = [threading.Thread(target=shopper, args=(n,), daemon=True) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline, added, refreshes = time.monotonic() + 2.0, 60, 0
    while time.monotonic() < deadline and not stop.is_set():
        with transaction(engine) as session:
            store.upsert_products(session, rows=_products(added, 3))
            session.execute(delete(Product).where(Product.id == f"q{added - 60:04d}"))
        added += 3
        search.refresh(engine)
        refreshes += 1
    stop.set()
    for thread in threads:
        thread.join(timeout=10)

    assert not failures, f"{len(failures)} searches failed, first: {failures[0]!r}"
    assert refreshes >= 5 and answered[0] >= 50
    assert len(search) == 60 + 2 * (refreshes)
