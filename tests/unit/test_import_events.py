"""Personalize-style event CSVs: spellings accepted, idempotence and bad rows reported by line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.unit.test_import_support import counts, messages, run, write_file
from vestis.catalog.db import session_factory
from vestis.catalog.models import Event
from vestis.data.events import import_events
from vestis.data.importing import ImportFailed

GOOD_EVENTS = """
    USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,SIZE,FIT_FEEDBACK,PRICE
    u1,sku-1,1700000000,click,,,,
    u1,sku-1,2024-03-01T10:00:00Z,Add to cart,,M,,
    u2,sku-2,2024-03-02 09:30:00,order,5,L,too small,19.99
"""


def _events(tmp_path: Path, text: str = GOOD_EVENTS, name: str = "events.csv") -> Path:
    return write_file(tmp_path, name, text)


def test_events_map_aliases_timestamps_and_event_value(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, import_events, _events(tmp_path))

    assert (report.rows_read, report.rows_written, report.errors) == (3, 3, [])
    with session_factory(engine)() as session:
        view, cart, purchase = session.scalars(select(Event).order_by(Event.timestamp)).all()
    assert (view.event_type, view.timestamp.replace(tzinfo=UTC)) == (
        "view",
        datetime.fromtimestamp(1_700_000_000, tz=UTC),
    )
    assert (cart.event_type, cart.size, cart.timestamp.replace(tzinfo=UTC)) == (
        "add_to_cart",
        "M",
        datetime(2024, 3, 1, 10, tzinfo=UTC),
    )
    assert (purchase.event_type, purchase.fit_feedback, purchase.price, purchase.value) == (
        "purchase",
        "small",
        19.99,
        5.0,
    )


def test_reimporting_events_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    path = _events(tmp_path)
    run(engine, import_events, path)
    first = counts(engine)
    run(engine, import_events, path)
    assert counts(engine) == first and first["events"] == 3


def test_missing_required_column_fails_and_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_events, _events(tmp_path))
    before = counts(engine)
    path = _events(tmp_path, "user_id,item_id,timestamp\nu3,sku-3,1700000000\n", name="no-type.csv")

    with pytest.raises(ImportFailed, match=r"no-type\.csv: missing required column\(s\): event_type"):
        run(engine, import_events, path)
    assert counts(engine) == before


def test_bad_rows_are_reported_by_file_line_and_field(engine: Engine, tmp_path: Path) -> None:
    path = _events(
        tmp_path,
        """
        user_id,item_id,timestamp,event_type,fit_feedback
        u1,sku-1,1700000000,view,
        u1,sku-1,yesterday,view,
        u1,sku-1,1700000001,wishlist,
        u1,sku-1,1700000002,return,baggy
        ,sku-1,1700000003,view,
        """,
    )
    report = run(engine, import_events, path)

    assert report.rows_written == 1 and report.rows_rejected == 4
    assert messages(report) == [
        f"{path}:3: timestamp: expected epoch seconds or an ISO 8601 date/time; got 'yesterday'",
        f"{path}:4: event_type: unknown event type 'wishlist'; expected one of "
        "view, add_to_cart, purchase, return",
        f"{path}:5: fit_feedback: expected one of small, fit, large; got 'baggy'",
        f"{path}:6: user_id: String should have at least 1 character",
    ]


def test_strict_mode_aborts_and_keeps_earlier_rows(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_events, _events(tmp_path))
    before = counts(engine)
    path = _events(tmp_path, "user_id,item_id,timestamp,event_type\nu9,s9,1,view\nu9,s9,x,view\n", "bad.csv")

    with pytest.raises(ImportFailed, match=r"bad\.csv:3: timestamp: .*strict mode"):
        run(engine, import_events, path, strict=True)
    assert counts(engine) == before
