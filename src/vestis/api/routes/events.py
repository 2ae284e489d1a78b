"""Interaction events in, in batches: what recommenders and fit models learn from."""

from __future__ import annotations

from fastapi import APIRouter, status

from vestis.api.deps import EngineDep
from vestis.api.schemas import EventsAccepted, EventsIn
from vestis.catalog import store
from vestis.catalog.db import transaction

router = APIRouter(prefix="/events", tags=["events"])


@router.post("", response_model=EventsAccepted, status_code=status.HTTP_200_OK)
def ingest_events(engine: EngineDep, batch: EventsIn) -> EventsAccepted:
    """Store a batch of events in one transaction; exact repeats are ignored and counted.

    A batch with any invalid event is refused whole (422 naming ``events[i].field``),
    so a client can fix and resend it without creating partial duplicates.
    """
    with transaction(engine) as session:
        accepted = store.add_events(session, rows=[event.model_dump() for event in batch.events])
    return EventsAccepted(accepted=accepted, duplicates=len(batch.events) - accepted)
