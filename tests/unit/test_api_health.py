"""GET /health: database, schema, row counts, (not yet trained) models and the (not yet loaded) guide."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_api_support import KEY, event, shop_client


def test_health_reports_counts_schema_and_models(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=4)
    client.post("/events", json={"events": [event(), event(user_id="u2")]}, headers={"X-API-Key": KEY})
    body = client.get("/health").json()
    assert body == {
        "status": "ok",
        "database": {
            "reachable": True,
            "schema_current": True,
            "counts": {"products": 4, "customers": 0, "events": 2},
            "error": None,
        },
        "models": {"status": "none trained", "loaded": [], "failed": []},
        "guide": {"status": "not loaded", "error": None},
    }
