"""Liveness and readiness: database, schema, row counts, served models and the shopping guide.

``/health`` answers 503 only when the database is unreachable. A model that failed to load
or a guide that could not be prepared makes the status "degraded" (still 200): the server
answers with what it has, and the body names what is missing, in a few words, never with
paths or tracebacks (those go to the server log).
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.exc import SQLAlchemyError

from vestis.api.deps import EngineDep, SessionDep
from vestis.api.routes.guide import GuideDep
from vestis.api.routes.recommendations import ServiceDep
from vestis.api.schemas import DatabaseHealth, GuideHealth, HealthPublic, ModelFailurePublic, ModelsHealth
from vestis.catalog import store
from vestis.catalog.db import schema_is_current
from vestis.catalog.models import Customer, Event, Product
from vestis.guide.service import GuideService
from vestis.recommend.serving import RecommendationService

router = APIRouter(prefix="/health", tags=["health"])

COUNTED = {"products": Product, "customers": Customer, "events": Event}


@router.get("", response_model=HealthPublic)
def health(
    engine: EngineDep, session: SessionDep, service: ServiceDep, guide: GuideDep, response: Response
) -> HealthPublic:
    """Report the database, the models in service and the guide; 503 when the database is down.

    "degraded" (with 200) when the schema is behind, a model failed to load or the guide failed.
    """
    try:
        database = DatabaseHealth(
            reachable=True,
            schema_current=schema_is_current(engine),
            counts={name: store.count_rows(session, model) for name, model in COUNTED.items()},
        )
    except SQLAlchemyError as error:
        database = DatabaseHealth(reachable=False, error=type(error).__name__)
    if not database.reachable:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    models = models_health(service)
    guide_state = guide_health(guide)
    healthy = (
        database.reachable
        and database.schema_current
        and not models.failed
        and guide_state.status != "failed"
    )
    return HealthPublic(
        status="ok" if healthy else "degraded", database=database, models=models, guide=guide_state
    )


def models_health(service: RecommendationService) -> ModelsHealth:
    """The model versions this process serves and those that failed to load; see :class:`ModelsHealth`."""
    loaded = [version.label for version in service.loaded]
    failed = [ModelFailurePublic.of(failure, service.versions) for failure in service.failures]
    if loaded:
        return ModelsHealth(status="degraded" if failed else "ready", loaded=loaded, failed=failed)
    if failed or service.registry.names():
        return ModelsHealth(status="error", loaded=[], failed=failed)
    return ModelsHealth(status="none trained", loaded=[])


def guide_health(guide: GuideService) -> GuideHealth:
    """Whether the shopping guide is loaded, loads on first use, or failed to prepare (and why)."""
    if guide.is_ready:
        return GuideHealth(status="ready")
    if guide.failure is not None:
        return GuideHealth(status="failed", error=guide.failure)
    return GuideHealth(status="not loaded")
