"""Amazon product reviews (Ni, Li & McAuley 2019 JSON lines) into the catalog as purchases.

Each line of the review files McAuley's lab publishes (``AMAZON_FASHION_5.json`` and the
other categories, full or 5-core) is one review: ``reviewerID``, ``asin`` (the product),
``unixReviewTime`` (epoch seconds), ``overall`` (the star rating, sometimes null) and
``style`` (the variant bought, e.g. ``{"Size:": " Large", "Color:": " Black"}``). A review
says its author bought the product, so it becomes a ``purchase`` event of ``reviewerID`` and
``asin`` with the rating as ``value`` and the size bought. The review text and the
reviewer's name are left out. A bad record (JSON that does not parse, a missing id or time)
is reported by its line, with the field named; the others are imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from vestis.data.events import import_event_records
from vestis.data.importing import ImportReport
from vestis.data.tables import json_lines

__all__ = ["amazon_review_rows", "import_amazon_reviews"]


def import_amazon_reviews(
    session: Session, path: Path, *, strict: bool = False, chunk_size: int = 10_000, progress: bool = True
) -> ImportReport:
    """Insert every valid review of an Amazon review file as a purchase with its rating and size;
    exact repeats (the same review listed once per variant) are ignored, bad records reported by line."""
    return import_event_records(
        session, path, amazon_review_rows, strict=strict, chunk_size=chunk_size, progress=progress
    )


def amazon_review_rows(
    path: Path, advance: Callable[[int], None] = lambda _done: None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, event row)`` for each review of the file; ``advance`` is told how many bytes are read.

    Validation happens in :class:`~vestis.data.schemas.EventRecord`, which names the field
    (``user_id`` for ``reviewerID``, ``item_id`` for ``asin``, ``timestamp`` for
    ``unixReviewTime``) of a record it rejects.
    """
    for number, record in json_lines(path, advance):
        style = record.get("style")
        size = style.get("Size:") if isinstance(style, dict) else None
        yield (
            number,
            {
                "user_id": _text(record.get("reviewerID")),
                "item_id": _text(record.get("asin")),
                "timestamp": record.get("unixReviewTime"),
                "event_type": "purchase",
                "size": _text(size),
                "value": record.get("overall"),
            },
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
