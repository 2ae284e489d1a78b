"""Liveness and readiness: database, schema, row counts and served models."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.exc import SQLAlchemyError

from vestis.api.deps import EngineDep, SessionDep
from vestis.api.routes.recommendations import ServiceDep
from vestis.api.schemas import DatabaseHealth, HealthPublic, ModelsHealth
from vestis.catalog import store
from vestis.catalog.db import schema_is_current
from vestis.catalog.models import Customer, Event, Product
from vestis.recommend.serving import RecommendationService

router = APIRouter(prefix="/health", tags=["health"])

COUNTED = {"products": Product, "customers": Customer, "events": Event}


@router.get("", response_model=HealthPublic)
def health(engine: EngineDep, session: SessionDep, service: ServiceDep, response: Response) -> HealthPublic:
    """Report the database state and the models in service; 503 when the database is down."""
    try:
        database = DatabaseHealth(
            reachable=True,
            schema_current=schema_is_current(engine),
            counts={name: store.count_rows(session, model) for name, model in COUNTED.items()},
        )
    except SQLAlchemyError as error:
        database = DatabaseHealth(reachable=False, error=type(error).__name__)
    healthy = database.reachable and database.schema_current
    if not database.reachable:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthPublic(
        status="ok" if healthy else "degraded", database=database, models=models_health(service)
    )


def models_health(service: RecommendationService) -> ModelsHealth:
    """The model versions this process serves; "error" when the registry holds models none of which loaded."""
    loaded = [version.label for version in service.loaded]
    if loaded:
        return ModelsHealth(status="ready", loaded=loaded)
    return ModelsHealth(status="error" if service.registry.names() else "none trained", loaded=[])
