"""POST /events: validation naming the bad event, one transaction, idempotent repeats."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_api_support import KEY, event, shop_client
from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.catalog.models import Event

AUTH = {"X-API-Key": KEY}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """A shop with a few products and the key ``k1``."""
    return shop_client(tmp_path, products=3)


def stored_events(client: TestClient) -> int:
    """Events in the catalog behind ``client``."""
    with session_factory(client.app.state.engine)() as session:  # type: ignore[attr-defined]
        return store.count_rows(session, Event)


def test_stores_a_batch_and_reports_what_was_accepted(client: TestClient) -> None:
    batch = [
        event(),
        event(event_type="add-to-cart", timestamp=1714567890, size="M"),
        event(event_type="purchase", price="19.90", fit_feedback="true to size", session_id="s1"),
    ]
    response = client.post("/events", json={"events": batch}, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0}
    assert stored_events(client) == 3


def test_exact_repeats_are_ignored_and_counted(client: TestClient) -> None:
    client.post("/events", json={"events": [event()]}, headers=AUTH)
    response = client.post("/events", json={"events": [event(), event(), event(user_id="u2")]}, headers=AUTH)
    assert response.json() == {"accepted": 1, "duplicates": 2}
    assert stored_events(client) == 2


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"event_type": "like"}, "events[3].event_type: unknown event type 'like'"),
        ({"timestamp": "yesterday"}, "events[3].timestamp: expected epoch seconds or an ISO 8601"),
        ({"fit_feedback": "huge"}, "events[3].fit_feedback: expected one of small, fit, large"),
        ({"user_id": ""}, "events[3].user_id:"),
        ({"item_id": None}, "events[3].item_id:"),
    ],
)
def test_a_bad_event_refuses_the_whole_batch(
    client: TestClient, bad: dict[str, object], message: str
) -> None:
    batch = [event(user_id=f"u{i}") for i in range(5)]
    batch[3].update(bad)
    response = client.post("/events", json={"events": batch}, headers=AUTH)
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert response.json()["detail"][0]["field"].startswith("events[3].")
    assert stored_events(client) == 0


def test_missing_field_is_named(client: TestClient) -> None:
    batch = [event(), {k: v for k, v in event().items() if k != "event_type"}]
    response = client.post("/events", json={"events": batch}, headers=AUTH)
    assert response.status_code == 422
    assert "events[1].event_type: Field required" in response.json()["message"]


@pytest.mark.parametrize(("count", "status"), [(0, 422), (10_001, 422)])
def test_batch_size_is_bounded(client: TestClient, count: int, status: int) -> None:
    response = client.post("/events", json={"events": [event()] * count}, headers=AUTH)
    assert response.status_code == status
    assert response.json()["message"].startswith("events:")
    assert stored_events(client) == 0


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post(
        "/events", content=b"{not json", headers={**AUTH, "content-type": "application/json"}
    )
    assert response.status_code == 422
