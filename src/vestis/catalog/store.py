"""Store functions: every write of the catalog, and the reads of single records and pages, go through here.

The bulk and aggregate reads that models and the guide learn from are in
:mod:`vestis.catalog.readers`; no package outside :mod:`vestis.catalog` writes SQL.

Writes take the caller's session so that a whole import can be one transaction;
upserts are keyed on natural ids, which makes re-importing a file idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from vestis.catalog.models import Base, Customer, Event, Product, SizeChart

PROFILE_FIELDS = ("gender", "age", "height_cm", "weight_kg", "chest_cm", "waist_cm", "hips_cm")
"""Customer fields stored only with ``consent_profile``; free ``attributes`` are cleared too."""


@dataclass(frozen=True)
class ProductFilter:
    """Conditions for listing products; ``None`` means no condition."""

    product_type: str | None = None
    color: str | None = None
    gender: str | None = None
    brand: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    q: str | None = None


@dataclass(frozen=True)
class CustomerRows:
    """How many rows :func:`delete_customer` removed, per table."""

    customers: int
    events: int

    @property
    def total(self) -> int:
        """Rows removed in all tables."""
        return self.customers + self.events


def upsert_products(session: Session, *, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert or update products by ``id``; returns the number of rows written."""
    now = datetime.now(UTC)
    return _upsert(session, Product, [{**r, "updated_at": now} for r in rows], key=("id",))


def upsert_customers(session: Session, *, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert or update customers; profile fields and attributes are dropped unless ``consent_profile``."""
    now = datetime.now(UTC)
    cleaned = []
    for row in rows:
        record = {**row, "updated_at": now}
        if not record.get("consent_profile"):
            record.update({field: None for field in PROFILE_FIELDS}, attributes={})
        cleaned.append(record)
    return _upsert(session, Customer, cleaned, key=("id",))


def add_events(session: Session, *, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert events, ignoring exact repeats (same user, item, timestamp and type); returns rows inserted."""
    return _upsert(session, Event, rows, key=("user_id", "item_id", "timestamp", "event_type"), update=False)


def upsert_size_charts(session: Session, *, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert or update size-chart ranges keyed by brand, product type, size and measurement."""
    return _upsert(session, SizeChart, rows, key=("brand", "product_type", "size", "measurement"))


def get_product(session: Session, product_id: str) -> Product | None:
    """The product with ``product_id``, or ``None``."""
    return session.get(Product, product_id)


def list_products(
    session: Session, *, where: ProductFilter = ProductFilter(), offset: int = 0, limit: int = 24
) -> tuple[list[Product], int]:
    """One page of products matching ``where`` (ordered by id) and the total match count."""
    query = _filtered(select(Product), where)
    total = session.scalar(_filtered(select(func.count()).select_from(Product), where)) or 0
    page = session.scalars(query.order_by(Product.id).offset(offset).limit(limit)).all()
    return list(page), total


def facet_values(session: Session, column: str) -> list[str]:
    """Distinct non-empty values of a product column, for filter menus."""
    attribute = getattr(Product, column)
    values = session.scalars(select(attribute).where(attribute.is_not(None)).distinct())
    return sorted(v for v in values if v)


def get_customer(session: Session, customer_id: str) -> Customer | None:
    """The customer with ``customer_id``, or ``None``."""
    return session.get(Customer, customer_id)


def customer_events(session: Session, customer_id: str) -> list[Event]:
    """Every event of ``customer_id``, oldest first."""
    query = select(Event).where(Event.user_id == customer_id).order_by(Event.timestamp, Event.id)
    return list(session.scalars(query))


def delete_customer(session: Session, customer_id: str) -> CustomerRows:
    """Delete every row keyed by ``customer_id``: the customer (profile, measurements) and their events.

    On SQLite the freed space is overwritten with zeros (``secure_delete``), so the rows do
    not linger in the database file's free pages; the caller commits.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA secure_delete = ON"))
    events = connection.execute(delete(Event).where(Event.user_id == customer_id))
    customers = connection.execute(delete(Customer).where(Customer.id == customer_id))
    return CustomerRows(customers=customers.rowcount, events=events.rowcount)


def count_rows(session: Session, model: type[Base]) -> int:
    """Number of rows in ``model``'s table."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def iter_events(session: Session, *, batch_size: int = 50_000) -> Iterable[Event]:
    """All events in (timestamp, id) order, streamed in batches."""
    query = select(Event).order_by(Event.timestamp, Event.id).execution_options(yield_per=batch_size)
    yield from session.scalars(query)


def _filtered(query: Select[Any], where: ProductFilter) -> Select[Any]:
    if where.product_type:
        query = query.where(func.lower(Product.product_type) == where.product_type.lower())
    if where.color:
        query = query.where(func.lower(Product.color) == where.color.lower())
    if where.gender:
        query = query.where(func.lower(Product.gender) == where.gender.lower())
    if where.brand:
        query = query.where(func.lower(Product.brand) == where.brand.lower())
    if where.min_price is not None:
        query = query.where(Product.price >= where.min_price)
    if where.max_price is not None:
        query = query.where(Product.price <= where.max_price)
    if where.q:
        query = query.where(Product.title.ilike(f"%{where.q}%"))
    return query


def _upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: tuple[str, ...],
    update: bool = True,
) -> int:
    """Dialect-native INSERT … ON CONFLICT for SQLite and PostgreSQL, merge elsewhere.

    Returns the rows the database reports as inserted or updated (ignored repeats excluded).
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        for row in rows:
            session.merge(model(**row))
        return len(rows)
    insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(model)
    columns = [c for c in rows[0] if c not in key]
    if update and columns:
        statement = insert.on_conflict_do_update(
            index_elements=list(key), set_={c: insert.excluded[c] for c in columns}
        )
    else:
        statement = insert.on_conflict_do_nothing(index_elements=list(key))
    result = session.connection().execute(statement, list(rows))
    return result.rowcount if result.rowcount >= 0 else len(rows)
