"""Personal recommendations and similar products, answered by the in-process recommendation service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from vestis.api.deps import CustomerAccess, SessionDep
from vestis.api.routes.products import require_product
from vestis.api.schemas import RecommendationsPublic, RecommendedItem
from vestis.recommend.serving import (
    RecommendationService,
    SimilarKind,
    Suggestion,
    UnknownProduct,
)

router = APIRouter(tags=["recommendations"])

K = Annotated[int, Query(ge=1, le=100, description="How many items to return (1-100).")]


def get_service(request: Request) -> RecommendationService:
    """The recommendation service the running app loaded at start-up."""
    return request.app.state.recommendations


ServiceDep = Annotated[RecommendationService, Depends(get_service)]


@router.get(
    "/customers/{customer_id}/recommendations",
    response_model=RecommendationsPublic,
    dependencies=[CustomerAccess],
)
def recommend_for_customer(service: ServiceDep, customer_id: str, k: K = 12) -> RecommendationsPublic:
    """The ``k`` products a customer is most likely to want, each with the reason in words.

    Customers without history get their segment's or the shop's popular items. 503 while
    no model is trained. Personal: an API key or the customer's own shopper token is required.
    """
    return page(service, service.for_customer(customer_id, k))


@router.get("/products/{product_id}/similar", response_model=RecommendationsPublic)
def similar_products(
    service: ServiceDep,
    session: SessionDep,
    product_id: str,
    k: K = 12,
    kind: Annotated[
        SimilarKind,
        Query(description="behaviour: bought together; visual: looks alike; content: described alike."),
    ] = "behaviour",
) -> RecommendationsPublic:
    """Products like this one; 404 for an unknown product, 503 when no model of that kind is trained."""
    require_product(session, product_id)
    try:
        suggestions = service.similar(product_id, k, kind)
    except UnknownProduct:
        suggestions = []  # added to the catalog after the models were loaded: nothing known about it yet
    return page(service, suggestions)


def page(service: RecommendationService, suggestions: list[Suggestion]) -> RecommendationsPublic:
    """Suggestions as the public list, naming the model and version that made them."""
    model = suggestions[0].model if suggestions else None
    return RecommendationsPublic(
        data=[RecommendedItem.of(s) for s in suggestions],
        count=len(suggestions),
        model=model,
        version=service.versions.get(model) if model else None,
    )
