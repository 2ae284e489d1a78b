"""Reader functions: the catalog reads that models, the guide and size advice learn and serve from.

:mod:`vestis.catalog.store` holds the writes and the reads of single records and pages;
the bulk and aggregate reads live here, so that SQL is written only in :mod:`vestis.catalog`
(a unit test, ``tests/unit/test_layers.py``, checks that no other package builds a query).
Each function runs exactly one query and returns plain rows or ORM objects; what to make of
them stays with the caller. The column subsets, filters and orderings are part of each
function's contract: callers rely on them for speed and for reproducible results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Row, func, select
from sqlalchemy.orm import Session

from vestis.catalog.models import Customer, Event, Product, SizeChart

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "catalog_fingerprint",
    "consented_demographics",
    "consenting_customers",
    "event_frame",
    "product_exists",
    "product_fields",
    "product_summaries",
    "products",
    "products_by_ids",
    "purchase_counts_by_type",
    "purchases",
    "purchases_and_returns",
    "size_charts",
]

EVENT_FRAME_COLUMNS = ("user_id", "item_id", "timestamp", "event_type", "value")
"""The columns of :func:`event_frame`: what the recommenders' interaction log is built from."""


def products(session: Session, *, by_id: bool = False) -> list[Product]:
    """Every product; ordered by id when ``by_id``, else in whatever order the database returns them.

    Indexes that must be reproducible across builds (the guide's vocabulary and outfits) ask
    for ``by_id``; the others skip the sort.
    """
    query = select(Product).order_by(Product.id) if by_id else select(Product)
    return list(session.scalars(query))


def product_fields(engine: Engine, *, names: Sequence[str]) -> list[Row[Any]]:
    """The columns ``names`` of every product, ordered by id, as rows read by attribute (``row.title``).

    No ORM objects are made: at 100,000 products this reads in less than half the time of
    :func:`products`, which matters to the guide's index refresh.
    """
    columns = [getattr(Product, name) for name in names]
    with engine.connect() as connection:
        return list(connection.execute(select(*columns).order_by(Product.id)))


def products_by_ids(session: Session, *, ids: Iterable[str]) -> list[Product]:
    """The products whose id is among ``ids`` (unknown ids are skipped, in no particular order).

    One query for a whole answer, so the guide can turn its hits into cards without a
    round trip per product.
    """
    return list(session.scalars(select(Product).where(Product.id.in_(set(ids)))))


def product_exists(engine: Engine, *, product_id: str) -> bool:
    """Whether the catalog holds a product with ``product_id`` (reads the id only)."""
    with engine.connect() as connection:
        found = connection.execute(select(Product.id).where(Product.id == product_id)).first()
    return found is not None


def catalog_fingerprint(engine: Engine) -> tuple[int, datetime | None]:
    """The number of products and the newest ``updated_at`` among them (``None`` for an empty catalog).

    Cheap enough to poll: a change in either means products were added, changed or removed,
    which is when the guide re-indexes.
    """
    with engine.connect() as connection:
        count, newest = connection.execute(select(func.count(Product.id), func.max(Product.updated_at))).one()
    return int(count), newest


def product_summaries(engine: Engine) -> Iterator[Row[Any]]:
    """Rows of (id, title, brand, product_type, price, currency, image_path, image_link), one per product.

    Only the columns a product card shows, streamed from the cursor: the recommendation service
    keeps them in memory for the whole catalog. Exhaust the iterator to release the connection.
    """
    columns = [
        Product.id,
        Product.title,
        Product.brand,
        Product.product_type,
        Product.price,
        Product.currency,
        Product.image_path,
        Product.image_link,
    ]
    with engine.connect() as connection:
        yield from connection.execute(select(*columns))


def size_charts(session: Session) -> list[SizeChart]:
    """Every size-chart range (one row per brand, product type, size and measurement)."""
    return list(session.scalars(select(SizeChart)))


def consenting_customers(session: Session) -> Sequence[Customer]:
    """The customers who consented to profiling: the only ones whose profile may be read."""
    return session.scalars(select(Customer).where(Customer.consent_profile.is_(True))).all()


def consented_demographics(session: Session) -> Sequence[tuple[str, str | None, int | None]]:
    """(id, gender, age) of every customer who consented to profiling, for shopper segments."""
    query = select(Customer.id, Customer.gender, Customer.age).where(Customer.consent_profile.is_(True))
    return session.execute(query).all()  # type: ignore[return-value]


def purchases(session: Session, *, before: datetime | None = None) -> list[tuple[str, str]]:
    """(user id, item id) of every purchase event, before ``before`` when given (default: all)."""
    query = select(Event.user_id, Event.item_id).where(Event.event_type == "purchase")
    if before is not None:
        query = query.where(Event.timestamp < before)
    return [(user, item) for user, item in session.execute(query)]


def purchases_and_returns(
    session: Session,
) -> Sequence[tuple[str, str, datetime, str, str | None, str | None]]:
    """(user id, item id, timestamp, event type, size, fit feedback) of every purchase and return.

    Oldest first, ties broken by event id, so a return can be matched to the purchase before it.
    """
    query = (
        select(
            Event.user_id,
            Event.item_id,
            Event.timestamp,
            Event.event_type,
            Event.size,
            Event.fit_feedback,
        )
        .where(Event.event_type.in_(("purchase", "return")))
        .order_by(Event.timestamp, Event.id)
    )
    return session.execute(query).all()  # type: ignore[return-value]


def purchase_counts_by_type(engine: Engine) -> Sequence[tuple[str, str, int]]:
    """(user id, product type, purchases): how often each shopper bought each product type.

    Purchases of products without a type, or of items no longer in the catalog, are not counted.
    """
    query = (
        select(Event.user_id, Product.product_type, func.count().label("purchases"))
        .join(Product, Product.id == Event.item_id)
        .where(Event.event_type == "purchase", Product.product_type.is_not(None))
        .group_by(Event.user_id, Product.product_type)
    )
    with engine.connect() as connection:
        return connection.execute(query).all()  # type: ignore[return-value]


def event_frame(engine: Engine) -> pd.DataFrame:
    """Every event as a frame with the columns :data:`EVENT_FRAME_COLUMNS`, in database order.

    Only the columns an interaction log needs, read in one ``pandas.read_sql``; ``timestamp``
    is left as the driver returns it (the caller parses it).
    """
    import pandas as pd  # only the recommenders need pandas; keep it off the catalog's import path

    columns = [getattr(Event, name) for name in EVENT_FRAME_COLUMNS]
    with engine.connect() as connection:
        return pd.read_sql(select(*columns), connection)
