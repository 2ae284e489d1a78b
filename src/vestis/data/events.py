"""Interaction events (Amazon Personalize CSV layout) into the catalog."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from vestis.catalog import store
from vestis.data.importing import ImportReport, run_import
from vestis.data.schemas import EventRecord
from vestis.data.tables import Row, open_table

REQUIRED_COLUMNS = ("user_id", "item_id", "timestamp", "event_type")


def import_events(
    session: Session,
    path: Path,
    *,
    strict: bool = False,
    chunk_size: int = 10_000,
    progress: bool = True,
) -> ImportReport:
    """Insert every valid event of a Personalize-style CSV; exact repeats are ignored.

    Column names are matched case-insensitively: ``USER_ID, ITEM_ID, TIMESTAMP``
    (epoch seconds or ISO 8601) and ``EVENT_TYPE`` are required; ``SIZE``,
    ``FIT_FEEDBACK``, ``PRICE``, ``SESSION_ID`` and ``EVENT_VALUE`` are optional.
    No value spans lines, so a quote left open is a bad row of its own line.
    """
    with open_table(
        path, required=REQUIRED_COLUMNS, lower_header=True, progress=progress, multiline=False
    ) as (_header, rows):
        return run_import(
            session,
            source=str(path),
            rows=((line, _event_value(row)) for line, row in rows),
            schema=EventRecord,
            write=lambda s, chunk: store.add_events(s, rows=chunk),
            strict=strict,
            chunk_size=chunk_size,
        )


def _event_value(row: Row) -> Row:
    """Personalize calls the explicit signal EVENT_VALUE; the store calls it ``value``."""
    if "event_value" in row:
        row["value"] = row.pop("event_value")
    return row
