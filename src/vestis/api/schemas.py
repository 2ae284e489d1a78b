"""Pydantic schemas of the HTTP API, kept apart from the ORM classes they are read from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from vestis.catalog.models import Product
from vestis.data.schemas import EventRecord
from vestis.recommend.serving import LoadFailure, Suggestion

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
        public.image_url = image_url(product.id, product.image_path, product.image_link)
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


class RecommendedItem(BaseModel):
    """A recommended product as a card shows it, with its score and the reason in words."""

    id: str
    title: str
    brand: str | None = None
    price: float | None = None
    currency: str | None = None
    image_url: str | None = None
    score: float
    reason: str = Field(description="Why it is suggested, for the shopper: 'Because you bought …'.")
    reason_code: str = Field(description="The kind of reason: popular, because_you, same_look, …")

    @classmethod
    def of(cls, suggestion: Suggestion) -> RecommendedItem:
        """The public view of a service suggestion."""
        item = suggestion.item
        return cls(
            id=item.id,
            title=item.title,
            brand=item.brand,
            price=item.price,
            currency=item.currency,
            image_url=image_url(item.id, item.image_path, item.image_link),
            score=suggestion.score,
            reason=suggestion.reason_text,
            reason_code=suggestion.reason.code,
        )


class RecommendationsPublic(BaseModel):
    """A list of recommendations, the model that made it and that model's version."""

    data: list[RecommendedItem]
    count: int
    model: str | None = None
    version: str | None = None


class ModelVersionPublic(BaseModel):
    """One model version the service answers from: a recommender, or the shopping guide's artifacts."""

    name: str
    version: str
    family: str = Field("recommender", description="What it is: 'recommender' or 'guide'.")
    created_at: str | None = None
    training_seconds: float | None = None


class ModelFailurePublic(BaseModel):
    """A model whose active version could not be loaded, why in a few words, and what serves instead.

    The server log has the details (files, errors); this never shows paths.
    """

    name: str
    version: str | None = Field(description="The version that failed: the one its ACTIVE pointer names.")
    reason: str = Field(description="What went wrong, e.g. 'its active version is not in the registry'.")
    serving: str | None = Field(
        None, description="The version of this model still served in its place (name@version), if any."
    )

    @classmethod
    def of(cls, failure: LoadFailure, served: Mapping[str, str]) -> ModelFailurePublic:
        """The public view of ``failure``, given model name → version being served."""
        kept = served.get(failure.name)
        return cls(
            name=failure.name,
            version=failure.version,
            reason=failure.reason,
            serving=f"{failure.name}@{kept}" if kept else None,
        )


class ModelsPublic(BaseModel):
    """The model versions now served, and the active versions that could not be loaded."""

    data: list[ModelVersionPublic]
    count: int
    failed: list[ModelFailurePublic] = []


class ModelsHealth(BaseModel):
    """Models the process serves, as ``name@version``, and those that failed to load.

    "ready": every active version loaded; "degraded": some failed (others, or older
    versions of them, serve); "error": models exist but none is served; "none trained":
    the registry is empty.
    """

    status: Literal["none trained", "ready", "degraded", "error"]
    loaded: list[str] = []
    failed: list[ModelFailurePublic] = []


class GuideHealth(BaseModel):
    """The shopping guide: "ready" (loaded), "not loaded" (loads on first use) or "failed" to prepare."""

    status: Literal["ready", "not loaded", "failed"]
    error: str | None = Field(None, description="Why it failed, in a few words (details in the server log).")


def image_url(product_id: str, image_path: str | None, image_link: str | None) -> str | None:
    """Where to fetch a product's image: this API when it is stored locally, else the feed's link."""
    return f"/products/{quote(product_id, safe='')}/image" if image_path else image_link


class HealthPublic(BaseModel):
    """Overall state of the service: "degraded" when the database or a model or the guide is in trouble."""

    status: Literal["ok", "degraded"]
    database: DatabaseHealth
    models: ModelsHealth
    guide: GuideHealth
