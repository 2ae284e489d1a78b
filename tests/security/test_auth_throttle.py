"""Beyond issue 11's list: key guessing is slowed down per client address."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi import HTTPException

from tests.unit.test_api_support import KEY, event, shop_client
from vestis.api.deps import SHOPPER_HEADER
from vestis.api.throttle import MAX_FAILURES, AuthFailures


def test_too_many_wrong_keys_get_429_even_with_the_right_key_then_recover(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=1)
    for guess in range(MAX_FAILURES):
        assert (
            client.post(
                "/events", json={"events": [event()]}, headers={"X-API-Key": f"guess-{guess}"}
            ).status_code
            == 403
        )
    blocked = client.post("/events", json={"events": [event()]}, headers={"X-API-Key": KEY})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    assert client.get("/products").status_code == 200  # reads without credentials are not punished
    client.app.state.auth_failures = AuthFailures()  # type: ignore[attr-defined]  # the window has passed
    assert client.post("/events", json={"events": [event()]}, headers={"X-API-Key": KEY}).status_code == 200


def test_invalid_shopper_tokens_count_as_failures(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=1)
    for guess in range(MAX_FAILURES):
        response = client.get(
            "/customers/u1/recommendations", headers={SHOPPER_HEADER: f"dTE.9999999999.{guess}"}
        )
        assert response.status_code == 401
    assert client.get("/customers/u1/recommendations", headers={"X-API-Key": KEY}).status_code == 429


def test_failures_are_counted_per_address_and_forgotten_after_the_window() -> None:
    failures = AuthFailures(max_failures=2, window_seconds=0.05)
    for address in range(3):
        failures.record(f"10.0.0.{address}")
    failures.check("10.0.0.0")
    failures.record("10.0.0.0")
    with pytest.raises(HTTPException, match="429"):
        failures.check("10.0.0.0")
    failures.check("10.0.0.1")
    time.sleep(0.06)
    failures.check("10.0.0.0")
