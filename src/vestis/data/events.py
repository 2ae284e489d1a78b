"""Interaction events (Amazon Personalize CSV layout) into the catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from vestis.catalog import store
from vestis.data.importing import ImportFailed, ImportReport, run_import
from vestis.data.schemas import EventRecord
from vestis.data.tables import Row, byte_progress, open_table

RecordReader = Callable[[Path, Callable[[int], None]], Iterator[tuple[int, dict[str, Any]]]]
"""Reads a file's records as ``(line, event row)``, telling its second argument the bytes read."""

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


def import_event_records(
    session: Session,
    path: Path,
    read: RecordReader,
    *,
    strict: bool = False,
    chunk_size: int = 10_000,
    progress: bool = True,
    transform: Callable[[BaseModel], Mapping[str, Any]] | None = None,
) -> ImportReport:
    """Insert the events ``read`` finds in ``path`` (a data set's own record format, e.g. fit
    feedback or reviews) with a byte progress bar; exact repeats are ignored, bad records reported
    by line. ``transform`` may reject a valid event the data set's rules do not allow."""
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    with byte_progress(path, enabled=progress) as advance:
        return run_import(
            session,
            source=str(path),
            rows=read(path, advance),
            schema=EventRecord,
            write=lambda s, chunk: store.add_events(s, rows=chunk),
            strict=strict,
            chunk_size=chunk_size,
            transform=transform,
        )


def _event_value(row: Row) -> Row:
    """Personalize calls the explicit signal EVENT_VALUE; the store calls it ``value``."""
    if "event_value" in row:
        row["value"] = row.pop("event_value")
    return row
