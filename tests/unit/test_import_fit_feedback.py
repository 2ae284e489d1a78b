"""Fit feedback files (RentTheRunway / ModCloth JSON lines, parquet) as purchases with size and fit."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from tests.unit.test_import_support import messages, run, write_file
from vestis.catalog.db import session_factory
from vestis.catalog.models import Event
from vestis.data.fit_feedback import UNDATED, import_fit_feedback
from vestis.data.importing import ImportFailed

RENTALS = [
    {"fit": "fit", "user_id": "420272", "item_id": "2260466", "size": 14, "review_date": "April 20, 2016"},
    {"fit": "small", "user_id": "273551", "item_id": "153475", "size": 12, "review_date": "June 18, 2013"},
]
MODCLOTH = {
    "item_id": "123373",
    "size": 7,
    "fit": "large",
    "user_id": "991571",
    "waist": "29",
    "category": "new",
}


def _events(engine: Engine) -> list[tuple[str, str, str, str, datetime]]:
    with session_factory(engine)() as session:
        rows = session.execute(
            select(Event.user_id, Event.item_id, Event.size, Event.fit_feedback, Event.timestamp)
        )
        return sorted((u, i, s, f, t.replace(tzinfo=None)) for u, i, s, f, t in rows)


def test_json_lines_records_become_purchases_with_size_and_fit(engine: Engine, tmp_path: Path) -> None:
    text = "\n".join(json.dumps(record) for record in [*RENTALS, MODCLOTH]) + "\n"
    path = write_file(tmp_path, "rentals.jsonl", text)
    report = run(engine, import_fit_feedback, path)
    assert (report.rows_read, report.rows_written, report.errors) == (3, 3, [])
    assert _events(engine) == [
        ("273551", "153475", "12", "small", datetime(2013, 6, 18)),
        ("420272", "2260466", "14", "fit", datetime(2016, 4, 20)),
        ("991571", "123373", "7", "large", UNDATED.replace(tzinfo=None)),
    ]
    assert run(engine, import_fit_feedback, path).rows_written == 0  # re-importing adds nothing


def test_bad_records_are_reported_by_line_and_the_rest_imported(engine: Engine, tmp_path: Path) -> None:
    lines = [
        json.dumps(RENTALS[0]),
        "{not json",
        json.dumps({**RENTALS[1], "fit": "tight"}),
        json.dumps({**RENTALS[1], "user_id": None}),
        json.dumps({**RENTALS[1], "review_date": "someday"}),
        json.dumps(MODCLOTH),
    ]
    path = write_file(tmp_path, "rentals.jsonl", "\n".join(lines) + "\n")
    report = run(engine, import_fit_feedback, path)
    assert report.rows_written == 2
    found = messages(report)
    assert any(f"{path}:2: not a JSON record" in message for message in found), found
    assert any(f"{path}:3: fit_feedback" in message for message in found), found
    assert any(f"{path}:4: user_id" in message for message in found), found
    assert any(f"{path}:5: timestamp" in message for message in found), found


def test_the_parquet_table_is_read_too_and_strict_mode_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    frame = pd.DataFrame(RENTALS).assign(
        review_date=lambda f: pd.to_datetime(f["review_date"], format="%B %d, %Y")
    )
    frame.to_parquet(tmp_path / "rtr.parquet")
    assert run(engine, import_fit_feedback, tmp_path / "rtr.parquet").rows_written == 2
    bad = write_file(tmp_path, "bad.jsonl", json.dumps({**MODCLOTH, "fit": "huge"}) + "\n")
    with pytest.raises(ImportFailed, match="fit_feedback"):
        run(engine, import_fit_feedback, bad, strict=True)
    assert len(_events(engine)) == 2


def test_a_record_without_a_fit_answer_is_no_fit_feedback(engine: Engine, tmp_path: Path) -> None:
    without = {key: value for key, value in RENTALS[0].items() if key != "fit"}
    path = write_file(tmp_path, "rentals.jsonl", json.dumps(without) + "\n" + json.dumps(RENTALS[1]) + "\n")
    report = run(engine, import_fit_feedback, path)
    assert report.rows_written == 1
    assert any(f"{path}:1: fit_feedback: is required" in message for message in messages(report)), messages(
        report
    )


def test_a_parquet_file_without_the_columns_or_unreadable_is_refused_before_any_row(
    engine: Engine, tmp_path: Path
) -> None:
    pd.DataFrame(RENTALS).drop(columns=["fit"]).to_parquet(tmp_path / "no-fit.parquet")
    with pytest.raises(ImportFailed, match="missing required column.*fit"):
        run(engine, import_fit_feedback, tmp_path / "no-fit.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really parquet")
    with pytest.raises(ImportFailed, match="not a readable parquet file"):
        run(engine, import_fit_feedback, tmp_path / "broken.parquet")
    assert _events(engine) == []
