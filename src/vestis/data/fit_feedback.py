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

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from vestis.data.events import import_event_records
from vestis.data.importing import ImportReport, RowRejected
from vestis.data.tables import json_lines, parquet_rows

__all__ = ["REQUIRED_COLUMNS", "UNDATED", "fit_feedback_rows", "import_fit_feedback"]

REQUIRED_COLUMNS = ("user_id", "item_id", "fit")
"""Columns a parquet file must have (JSON records missing one are rejected one by one)."""

UNDATED = datetime(2000, 1, 1, tzinfo=UTC)
"""The time given to a record without a date (ModCloth's): fixed, so re-importing adds nothing."""


def import_fit_feedback(
    session: Session, path: Path, *, strict: bool = False, chunk_size: int = 10_000, progress: bool = True
) -> ImportReport:
    """Insert every valid record of a fit feedback file (``.jsonl``/``.json`` or ``.parquet``) as a
    purchase with its size and fit; exact repeats are ignored, bad records reported by line. A
    record without a fit answer is rejected (``fit_feedback``): it is no fit feedback."""
    return import_event_records(
        session,
        path,
        fit_feedback_rows,
        strict=strict,
        chunk_size=chunk_size,
        progress=progress,
        transform=_with_fit,
    )


def fit_feedback_rows(
    path: Path, advance: Callable[[int], None] = lambda _done: None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, event row)`` for each record of the file (rows of a parquet file counted from 1);
    ``advance`` is told how many bytes are read. A parquet file that cannot be read or lacks a
    column of :data:`REQUIRED_COLUMNS` raises :class:`ImportFailed` before any row."""
    if path.suffix.lower() == ".parquet":
        _header, records = parquet_rows(path, required=REQUIRED_COLUMNS, advance=advance)
    else:
        records = json_lines(path, advance)
    for number, record in records:
        yield number, _event(record)


# ------------------------------------------------------------------------------ helpers


def _with_fit(record: BaseModel) -> dict[str, Any]:
    """A validated event, rejected when it carries no fit answer."""
    if record.fit_feedback is None:  # type: ignore[attr-defined]
        raise RowRejected("fit_feedback", "is required: a fit feedback record says small, fit or large")
    return record.model_dump()


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
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> Any:
    """``review_date`` as given (text such as ``"April 20, 2016"``, or a parquet timestamp's
    ``"2016-04-20 00:00:00"``); :data:`UNDATED` when absent."""
    if value is None or value == "":
        return UNDATED
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), "%B %d, %Y").replace(tzinfo=UTC)
        except ValueError:
            return value  # ISO dates pass; anything else fails the schema, naming ``timestamp``
    return value
