"""The trained models and guide artifacts this process serves, and a zero-downtime switch to newly activated versions.

The services notice new versions by themselves within seconds (:mod:`vestis.models.watch`);
``POST /models/reload`` makes the switch happen at once, and says what failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Response, status

from vestis.api.routes.guide import GuideDep
from vestis.api.routes.recommendations import ServiceDep
from vestis.api.schemas import ModelFailurePublic, ModelsPublic, ModelVersionPublic
from vestis.guide.service import GuideService
from vestis.recommend.serving import LoadFailure, RecommendationService

router = APIRouter(prefix="/models", tags=["models"])

RELOAD_FAILED = {
    status.HTTP_409_CONFLICT: {
        "model": ModelsPublic,
        "description": "An active version could not be loaded: `failed` says which and why; "
        "`data` lists what serves (the other models, and the version each failed model served before).",
    }
}


@router.get("", response_model=ModelsPublic)
def list_models(service: ServiceDep, guide: GuideDep) -> ModelsPublic:
    """The versions now answering requests (recommenders, then the guide), and the active ones that could not be loaded."""
    return served(service, guide, service.failures)


@router.post("/reload", response_model=ModelsPublic, responses=RELOAD_FAILED)
def reload_models(service: ServiceDep, guide: GuideDep, response: Response) -> ModelsPublic:
    """Load the registry's active versions and switch to them at once (API key required).

    Requests in flight finish on the models they started with. 200 when every active
    version loaded. 409 Conflict when one could not be loaded (missing, corrupt, another
    kind of model): the switch still happens for the models that loaded, a model whose new
    version failed keeps serving the version it served before, and the body lists both.
    Mend the registry (``vestis train``, or point ``ACTIVE`` back) and reload again. The
    shopping guide switches to its active generation too, if it is loaded and that changed.
    """
    failures = service.reload()
    guide.switch()
    if failures:
        response.status_code = status.HTTP_409_CONFLICT
    return served(service, guide, failures)


def served(
    service: RecommendationService, guide: GuideService, failures: Sequence[LoadFailure]
) -> ModelsPublic:
    """The served versions as the public list, with ``failures`` and what serves in their place."""
    versions = [*service.loaded, *([guide.version] if guide.version is not None else [])]
    data = [
        ModelVersionPublic(
            name=v.name,
            version=v.version,
            family=v.family,
            created_at=v.metadata.get("created_at"),
            training_seconds=v.metadata.get("training_seconds"),
        )
        for v in versions
    ]
    versions = service.versions
    failed = [ModelFailurePublic.of(failure, versions) for failure in failures]
    return ModelsPublic(data=data, count=len(data), failed=failed)
