"""Pydantic schemas of the HTTP API, kept apart from the ORM classes they are read from."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from vestis.catalog.models import Product
from vestis.data.schemas import EventRecord

MAX_EVENTS_PER_REQUEST = 10_000


class ProductPublic(BaseModel):
    """A product as the API shows it; ``image_url`` points at the stored image when there is one."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str = ""
    brand: str | None = None
    product_type: str | None = None
    google_product_category: str | None = None
    color: str | None = None
    pattern: str | None = None
    material: str | None = None
    gender: str | None = None
    age_group: str | None = None
    size: list[str] = []
    size_system: str | None = None
    price: float | None = None
    currency: str | None = None
    availability: str = "in_stock"
    link: str | None = None
    image_link: str | None = None
    additional_image_link: list[str] = []
    image_url: str | None = Field(None, description="Where to fetch the image: this API, or the feed's link.")
    attributes: dict[str, Any] = {}

    @classmethod
    def of(cls, product: Product) -> ProductPublic:
        """The public view of ``product``, with ``image_url`` resolved."""
        public = cls.model_validate(product)
        public.image_url = (
            f"/products/{quote(product.id, safe='')}/image" if product.image_path else product.image_link
        )
        return public


class ProductsPublic(BaseModel):
    """One page of products and the number of products matching the query."""

    data: list[ProductPublic]
    count: int


class EventsIn(BaseModel):
    """A batch of interaction events, validated like the CSV importer validates rows."""

    events: list[EventRecord] = Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)


class EventsAccepted(BaseModel):
    """What a batch ingest stored: new events, and exact repeats that were ignored."""

    accepted: int
    duplicates: int


class DatabaseHealth(BaseModel):
    """Whether the catalog database answers, is migrated, and how much it holds."""

    reachable: bool
    schema_current: bool = False
    counts: dict[str, int] = {}
    error: str | None = None


class ModelsHealth(BaseModel):
    """Trained models the process can serve; filled by the model registry once there is one."""

    status: Literal["none trained", "ready", "error"]
    loaded: list[str] = []


class HealthPublic(BaseModel):
    """Overall state of the service."""

    status: Literal["ok", "degraded"]
    database: DatabaseHealth
    models: ModelsHealth
