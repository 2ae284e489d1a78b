"""Fit feedback data sets (RentTheRunway, ModCloth) into the catalog as purchases with their fit.

The files McAuley's lab publishes are JSON lines, one rental or purchase per line, with the
customer's answer ``fit`` (RentTheRunway: ``small``/``fit``/``large``; ModCloth the same),
the ``size`` taken and, for RentTheRunway, a ``review_date`` (``"April 20, 2016"``). They are
also read as parquet (the cleaned RentTheRunway table, ``fit`` and ``review_date`` columns).
Each record becomes a ``purchase`` event of ``user_id``, ``item_id`` with its ``size`` and
``fit_feedback``; a record without a date (ModCloth's) is dated :data:`UNDATED`. Body
measurements in the files are left out: a profile is only kept with the shopper's consent,
and the latent size model (:mod:`vestis.fit.latent`) needs none. A bad record (JSON that does not
parse, a missing id, an unknown fit answer, an unreadable date) is reported by its line (its row
for parquet), with the field named; the others are imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from vestis.catalog import store
from vestis.data.importing import ImportFailed, ImportReport, RowError, reject_unreadable, run_import
from vestis.data.schemas import EventRecord

__all__ = ["UNDATED", "import_fit_feedback", "fit_feedback_rows"]

UNDATED = datetime(2000, 1, 1, tzinfo=UTC)
"""The time given to a record without a date (ModCloth's): fixed, so re-importing adds nothing."""


def import_fit_feedback(
    session: Session, path: Path, *, strict: bool = False, chunk_size: int = 10_000, progress: bool = True
) -> ImportReport:
    """Insert every valid record of a fit feedback file (``.jsonl``/``.json`` or ``.parquet``) as a
    purchase with its size and fit; exact repeats are ignored, bad records reported by line."""
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    return run_import(
        session,
        source=str(path),
        rows=fit_feedback_rows(path),
        schema=EventRecord,
        write=lambda s, chunk: store.add_events(s, rows=chunk),
        strict=strict,
        chunk_size=chunk_size,
    )


def fit_feedback_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, event row)`` for each record of the file (rows of a parquet file counted from 1)."""
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
        for number, record in enumerate(frame.to_dict("records"), 1):
            yield number, _event(record)
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                reject_unreadable(RowError(str(path), number, None, f"not a JSON record ({error.msg})"))
                continue
            if not isinstance(record, dict):
                reject_unreadable(RowError(str(path), number, None, "not a JSON object"))
                continue
            yield number, _event(record)


# ------------------------------------------------------------------------------ helpers
def _event(record: dict[str, Any]) -> dict[str, Any]:
    """The purchase event of one record (validation happens in :class:`EventRecord`)."""
    size = record.get("size")
    return {
        "user_id": _text(record.get("user_id")),
        "item_id": _text(record.get("item_id")),
        "timestamp": _date(record.get("review_date")),
        "event_type": "purchase",
        "size": _text(size),
        "fit_feedback": _text(record.get("fit")),
    }


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> Any:
    """``review_date`` as given (a timestamp, or text such as ``"April 20, 2016"``); :data:`UNDATED` when absent."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return UNDATED
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), "%B %d, %Y").replace(tzinfo=UTC)
        except ValueError:
            return value  # ISO dates pass; anything else fails the schema, naming ``timestamp``
    return pd.Timestamp(value).to_pydatetime().replace(tzinfo=UTC)
