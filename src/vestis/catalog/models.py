"""SQLAlchemy ORM classes of the catalog: products, customers, events and size charts.

Field names follow Google Merchant Center for products and Amazon Personalize for
interaction events, so feeds that retailers already produce map on one to one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

EVENT_TYPES = ("view", "add_to_cart", "purchase", "return")
FIT_FEEDBACK = ("small", "fit", "large")
MEASUREMENTS = ("chest", "waist", "hips", "inseam", "height", "foot_length", "head")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite drops offsets otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; naive values are taken to be UTC already."""
        if value is None or value.tzinfo is None:
            return value
        return (
            value.astimezone(UTC) if dialect.name != "sqlite" else value.astimezone(UTC).replace(tzinfo=None)
        )

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Give back an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every catalog table."""

    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, datetime: UTCDateTime}


class Product(Base):
    """A product, keyed by the retailer's id, with Merchant Center attributes."""

    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str | None] = mapped_column(String(120), index=True)
    product_type: Mapped[str | None] = mapped_column(String(300), index=True)
    google_product_category: Mapped[str | None] = mapped_column(String(300))
    color: Mapped[str | None] = mapped_column(String(100), index=True)
    pattern: Mapped[str | None] = mapped_column(String(100))
    material: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(16), index=True)
    age_group: Mapped[str | None] = mapped_column(String(16))
    size: Mapped[list[str]] = mapped_column(default=list)
    size_system: Mapped[str | None] = mapped_column(String(8))
    price: Mapped[float | None] = mapped_column(Float, index=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    availability: Mapped[str] = mapped_column(String(20), default="in_stock")
    image_link: Mapped[str | None] = mapped_column(String(2000))
    additional_image_link: Mapped[list[str]] = mapped_column(default=list)
    link: Mapped[str | None] = mapped_column(String(2000))
    image_path: Mapped[str | None] = mapped_column(
        String(500), doc="Image file relative to the images directory, when stored locally."
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        default=lambda: datetime.now(UTC),
        onupdate=lambda: datetime.now(UTC),
        doc="Set on every write, so the newest value and the count fingerprint the catalog (the guide re-indexes on a change).",
    )


class Customer(Base):
    """A shopper. Profile fields are kept only while ``consent_profile`` is true."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    consent_profile: Mapped[bool] = mapped_column(default=False)
    consent_photos: Mapped[bool] = mapped_column(default=False)
    gender: Mapped[str | None] = mapped_column(String(16))
    age: Mapped[int | None] = mapped_column(Integer)
    height_cm: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    chest_cm: Mapped[float | None] = mapped_column(Float)
    waist_cm: Mapped[float | None] = mapped_column(Float)
    hips_cm: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column()


class Event(Base):
    """One interaction of a user with an item (Amazon Personalize style)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("user_id", "item_id", "timestamp", "event_type", name="uq_event"),
        CheckConstraint("event_type IN ('view', 'add_to_cart', 'purchase', 'return')", name="ck_event_type"),
        CheckConstraint(
            "fit_feedback IS NULL OR fit_feedback IN ('small', 'fit', 'large')",
            name="ck_fit_feedback",
        ),
        Index("ix_events_user_ts", "user_id", "timestamp"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(128))
    item_id: Mapped[str] = mapped_column(String(64), index=True)
    timestamp: Mapped[datetime] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(String(16))
    size: Mapped[str | None] = mapped_column(String(16))
    fit_feedback: Mapped[str | None] = mapped_column(String(8))
    price: Mapped[float | None] = mapped_column(Float)
    session_id: Mapped[str | None] = mapped_column(String(128))
    value: Mapped[float | None] = mapped_column(
        Float, doc="Optional explicit signal such as a rating (EVENT_VALUE in Personalize)."
    )


class SizeChart(Base):
    """Body measurement range (cm) that one size of a brand's product type fits."""

    __tablename__ = "size_charts"
    __table_args__ = (UniqueConstraint("brand", "product_type", "size", "measurement", name="uq_size_chart"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    brand: Mapped[str] = mapped_column(String(120))
    product_type: Mapped[str] = mapped_column(String(300))
    size: Mapped[str] = mapped_column(String(16))
    measurement: Mapped[str] = mapped_column(String(32))
    min_cm: Mapped[float] = mapped_column(Float)
    max_cm: Mapped[float] = mapped_column(Float)
