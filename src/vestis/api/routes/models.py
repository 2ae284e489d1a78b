"""The trained models this process serves, and a zero-downtime switch to newly activated versions."""

from __future__ import annotations

from fastapi import APIRouter

from vestis.api.routes.recommendations import ServiceDep
from vestis.api.schemas import ModelsPublic, ModelVersionPublic

router = APIRouter(prefix="/models", tags=["models"])


@router.get("", response_model=ModelsPublic)
def list_models(service: ServiceDep) -> ModelsPublic:
    """The model versions now answering requests."""
    return served(service)


@router.post("/reload", response_model=ModelsPublic)
def reload_models(service: ServiceDep) -> ModelsPublic:
    """Load the registry's active versions and switch to them at once (API key required).

    Requests in flight finish on the models they started with.
    """
    service.reload()
    return served(service)


def served(service: ServiceDep) -> ModelsPublic:
    """The served versions as the public list."""
    data = [
        ModelVersionPublic(
            name=v.name,
            version=v.version,
            created_at=v.metadata.get("created_at"),
            training_seconds=v.metadata.get("training_seconds"),
        )
        for v in service.loaded
    ]
    return ModelsPublic(data=data, count=len(data))
