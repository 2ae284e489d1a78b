"""The right of access: everything Vestis holds about one customer, in one document.

:func:`export_customer` is what ``GET /customers/{id}/data`` and ``vestis customers export``
return: the profile as stored (only consented fields are ever stored), every event, and
the ids of the try-on photos kept for them (the photos themselves stay on disk; each can be
deleted by its id). Model files hold no more than an id in a user list and the customer's
share of aggregate statistics, so they are not part of the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.config import Settings
from vestis.errors import UnknownCustomer
from vestis.tryon.service import KEPT_TRY_ONS, kept_for

PROFILE_COLUMNS = (
    "consent_profile",
    "consent_photos",
    "gender",
    "age",
    "height_cm",
    "weight_kg",
    "chest_cm",
    "waist_cm",
    "hips_cm",
    "attributes",
    "updated_at",
)
EVENT_COLUMNS = ("item_id", "timestamp", "event_type", "size", "fit_feedback", "price", "session_id", "value")


@dataclass(frozen=True)
class CustomerData:
    """What is held about one customer: profile (``None`` without a row), events and kept try-on ids."""

    customer_id: str
    profile: dict[str, Any] | None
    events: list[dict[str, Any]] = field(default_factory=list)
    kept_try_ons: list[str] = field(default_factory=list)
    exported_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def export_customer(engine: Engine, settings: Settings, customer_id: str) -> CustomerData:
    """Everything held about ``customer_id``; :class:`UnknownCustomer` when nothing is."""
    with session_factory(engine)() as session:
        customer = store.get_customer(session, customer_id)
        events = store.customer_events(session, customer_id)
        profile = None if customer is None else {name: getattr(customer, name) for name in PROFILE_COLUMNS}
        rows = [{name: getattr(event, name) for name in EVENT_COLUMNS} for event in events]
    kept = kept_for(settings.home / KEPT_TRY_ONS, customer_id)
    if profile is None and not rows and not kept:
        raise UnknownCustomer(f"nothing is held about customer {customer_id!r}")
    return CustomerData(customer_id, profile, rows, kept)
