"""Catalog store: migrations match the models, upserts, filters, consent."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import schema_is_current, session_factory, transaction
from vestis.catalog.models import Base, Customer, Event, Product


def _product(pid: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {"id": pid, "title": f"Product {pid}", "price": 10.0, "color": "red"}
    return {**base, **fields}


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert schema_is_current(engine)


def test_upsert_products_updates_in_place(engine: Engine) -> None:
    with transaction(engine) as session:
        store.upsert_products(session, rows=[_product("a"), _product("b")])
    with transaction(engine) as session:
        store.upsert_products(session, rows=[_product("a", price=12.5, color="blue")])
    with session_factory(engine)() as session:
        assert store.count_rows(session, Product) == 2
        product = store.get_product(session, "a")
        assert product is not None and product.price == 12.5 and product.color == "blue"


def test_list_products_filters_and_pages(engine: Engine) -> None:
    rows = [
        _product(f"p{i:02d}", product_type="Dresses", gender="female", price=float(i), color="Red")
        for i in range(30)
    ] + [_product("s1", product_type="Shoes", gender="male", price=99.0, color="black")]
    with transaction(engine) as session:
        store.upsert_products(session, rows=rows)
    with session_factory(engine)() as session:
        page, total = store.list_products(
            session, where=store.ProductFilter(product_type="dresses", min_price=5, max_price=14), limit=4
        )
        assert total == 10 and [p.id for p in page] == ["p05", "p06", "p07", "p08"]
        _, total = store.list_products(session, where=store.ProductFilter(color="RED"))
        assert total == 30
        page, total = store.list_products(session, where=store.ProductFilter(gender="male"))
        assert total == 1 and page[0].id == "s1"
        assert store.facet_values(session, "product_type") == ["Dresses", "Shoes"]


def test_profile_fields_need_consent(engine: Engine) -> None:
    with transaction(engine) as session:
        store.upsert_customers(
            session,
            rows=[
                {"id": "yes", "consent_profile": True, "age": 31, "height_cm": 170.0},
                {"id": "no", "consent_profile": False, "age": 45, "height_cm": 180.0},
            ],
        )
    with session_factory(engine)() as session:
        assert session.get(Customer, "yes").age == 31  # type: ignore[union-attr]
        refused = session.get(Customer, "no")
        assert refused is not None and refused.age is None and refused.height_cm is None


def test_events_ignore_exact_repeats(engine: Engine) -> None:
    when = datetime(2026, 5, 1, 12, tzinfo=UTC)
    event = {"user_id": "u", "item_id": "i", "timestamp": when, "event_type": "purchase"}
    with transaction(engine) as session:
        store.add_events(session, rows=[event, {**event, "event_type": "view"}])
    with transaction(engine) as session:
        store.add_events(session, rows=[event])
    with session_factory(engine)() as session:
        assert store.count_rows(session, Event) == 2
        assert [e.event_type for e in store.iter_events(session)] == ["purchase", "view"]


def test_failed_transaction_keeps_what_was_stored(engine: Engine) -> None:
    with transaction(engine) as session:
        store.upsert_products(session, rows=[_product("kept")])
    try:
        with transaction(engine) as session:
            store.upsert_products(session, rows=[_product("lost")])
            raise RuntimeError("import crashed")
    except RuntimeError:
        pass
    with session_factory(engine)() as session:
        assert [p.id for p in store.list_products(session)[0]] == ["kept"]
