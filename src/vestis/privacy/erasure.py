"""The right to erasure: remove everything Vestis holds about one customer.

:func:`erase_customer` is what ``DELETE /customers/{id}`` and ``vestis customers delete``
run. In order:

1. the customer's rows (profile and measurements, events) are deleted in one database
   transaction, overwritten with zeros on SQLite; the erasure is recorded in the
   tombstones before that transaction commits, so no model answers for the customer once
   their rows are gone;
2. the try-on photos kept for them (``<home>/tryon/<id>/`` whose owner is their pseudonym)
   are deleted;
3. their id is taken out of every saved model version and guide generation
   (:mod:`vestis.privacy.artifacts`);
4. the SQLite database's write-ahead log is checkpointed and truncated, so the deleted rows'
   old pages leave it too (and, when asked, the file is rebuilt with ``VACUUM``).

Models already in memory keep the customer's row until they are reloaded; the
recommendation service checks the tombstones before every personal answer and answers an
erased customer as an anonymous shopper, and the next ``vestis train`` learns without them.
Every step is idempotent, so a request that failed half-way is simply repeated: an id of
which nothing is left anywhere is :class:`UnknownCustomer`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import checkpoint_and_vacuum, transaction
from vestis.config import Settings
from vestis.errors import UnknownCustomer
from vestis.privacy.artifacts import scrub_models
from vestis.privacy.tombstones import ErasedCustomers
from vestis.tryon.service import KEPT_TRY_ONS, forget_owner

CHECKPOINT_WAIT_MS = 2000
"""How long the write-ahead-log checkpoint after an erasure may hold new writes back (milliseconds)."""

logger = logging.getLogger(__name__)

__all__ = ["ErasureReport", "UnknownCustomer", "erase_customer"]


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure removed: rows per table, kept try-ons, model files rewritten, and when."""

    customer_id: str
    customers: int
    events: int
    kept_try_ons: int
    model_files: int
    erased_at: datetime
    database_compacted: bool


def erase_customer(
    engine: Engine, settings: Settings, customer_id: str, *, vacuum: bool = False
) -> ErasureReport:
    """Erase ``customer_id`` from the database, the kept try-on photos and the saved models.

    See the module docstring for the steps. ``vacuum`` also rebuilds a SQLite database file
    (slow on a large catalog, and it holds the database while it runs), which clears the
    fragments earlier page reorganisations may have left in free space. Raises
    :class:`UnknownCustomer` when nothing was found anywhere (and records nothing), and
    ``ValueError`` for an empty id.
    """
    # 1. Check the input.
    if not customer_id:
        raise ValueError("customer_id: the id of the customer to erase is empty")
    erased_at = datetime.now(UTC)
    tombstones = ErasedCustomers.of(settings.models_dir)

    # 2. The database rows, in one transaction that commits only once the tombstone is written.
    with transaction(engine) as session:
        rows = store.delete_customer(session, customer_id)
        if rows.total:
            tombstones.add(customer_id, at=erased_at)

    # 3. The kept try-on photos, then 4. the saved models.
    kept = forget_owner(settings.home / KEPT_TRY_ONS, customer_id)
    files = scrub_models(settings.models_dir, customer_id)
    if not (rows.total or kept or files):
        raise UnknownCustomer(
            f"nothing is held about customer {customer_id!r}: no customer row, events, kept try-on photos "
            "or saved model mentions them (never known, or already erased)"
        )
    if not rows.total:  # a repeated request that finishes an erasure interrupted before
        tombstones.add(customer_id, at=erased_at)

    # 5. Let the deleted rows' old pages leave the database files.
    compacted = checkpoint_and_vacuum(engine, wait_ms=CHECKPOINT_WAIT_MS, vacuum=vacuum)
    logger.info(
        "erased a customer: %d customer rows, %d events, %d kept try-ons, %d model files",
        rows.customers,
        rows.events,
        kept,
        files,
    )
    return ErasureReport(customer_id, rows.customers, rows.events, kept, files, erased_at, compacted)
