"""The app factory: one process serves the JSON API, its OpenAPI docs and the web shop.

It is the one place the HTTP API (:mod:`vestis.api`) and the web pages (:mod:`vestis.web`) meet:
the pages use the API's dependencies, and nothing in the API imports the pages.

Run it with ``uvicorn --factory vestis.app:create_app``; settings come from the
``VESTIS_*`` environment unless a ``Settings`` object is passed (tests do).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

import vestis
from vestis.api.access_log import AccessLogMiddleware
from vestis.api.csrf import CrossSiteRequestMiddleware
from vestis.api.deps import SHOPPER_COOKIE, SHOPPER_HEADER, ApiAccess
from vestis.api.errors import database_busy_handler, validation_error_handler, vestis_error_handler
from vestis.api.headers import SecurityHeadersMiddleware
from vestis.api.limits import BodyLimitMiddleware
from vestis.api.render_slots import RenderSlots
from vestis.api.routes import (
    customers,
    events,
    generate,
    guide,
    health,
    models,
    products,
    recommendations,
    studio,
    tryon,
)
from vestis.api.throttle import AuthFailures
from vestis.catalog.db import open_catalog
from vestis.config import Settings, get_settings
from vestis.errors import VestisError
from vestis.generate.service import GeneratorService
from vestis.guide.service import GuideService
from vestis.models import ModelRegistry
from vestis.recommend.serving import RecommendationService
from vestis.web import pages

API_ROUTERS = (
    products.router,
    events.router,
    recommendations.router,
    models.router,
    tryon.router,
    guide.router,
    studio.router,
    generate.router,
)
"""Routers behind the API-key rules; ``/health`` stays open so load balancers can probe it.

``customers`` is not among them: each of its routes states its own rule (a key, or the
customer's own shopper token), since a shopper may read and erase their own data.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Open (and migrate) the catalog, load the trained models, then wire the routers, pages and limits.

    Without trained models the app still starts; recommendation routes answer 503 until
    ``vestis train`` has run; the server switches to new versions within seconds by itself.
    The image generator is loaded by the first request that needs it (``POST /generate``, the
    studio page); without one, generation answers 503 until a generator file is in place.
    """
    settings = settings or get_settings()
    app = FastAPI(
        title="Vestis",
        version=vestis.__version__,
        summary="Self-hosted AI fashion commerce: catalog, events, recommendations, try-on.",
        docs_url="/docs",
        lifespan=warm_up,
    )
    app.state.settings = settings
    app.state.auth_failures = AuthFailures()
    app.state.engine = open_catalog(settings)
    app.state.render_slots = RenderSlots.of(settings)
    app.state.recommendations = RecommendationService(ModelRegistry(settings.models_dir), app.state.engine)
    app.state.guide = GuideService(settings, app.state.engine, recommendations=app.state.recommendations)
    app.state.generators = GeneratorService(settings.generator_path)
    app.include_router(health.router)
    app.include_router(guide.chat_router)
    app.include_router(customers.router)
    for router in API_ROUTERS:
        app.include_router(router, dependencies=[ApiAccess])
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    add_web_security(app, settings)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(VestisError, vestis_error_handler)
    app.add_exception_handler(OperationalError, database_busy_handler)
    app.add_exception_handler(StarletteHTTPException, not_found_page_handler)
    return app


def add_web_security(app: FastAPI, settings: Settings) -> None:
    """Wrap the app in the CSRF check, security headers, the Host allow-list and the redacted access log.

    Outermost first as a request meets them: the access log sees every answer, a forged
    ``Host`` is refused before anything builds a URL from it, and the CSRF check runs
    before any route, inside the layer that adds security headers to its 403.
    """
    hosts = settings.allowed_host_set
    app.add_middleware(CrossSiteRequestMiddleware, trusted_hosts=hosts - {"*"})
    app.add_middleware(
        SecurityHeadersMiddleware, shopper_cookie=SHOPPER_COOKIE, shopper_header=SHOPPER_HEADER
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=sorted(hosts), www_redirect=False)
    app.add_middleware(AccessLogMiddleware, log_personal_data=settings.log_personal_data)


@asynccontextmanager
async def warm_up(app: FastAPI) -> AsyncIterator[None]:
    """Prepare the shopping guide in the background as the server starts, so the first question is quick."""
    app.state.guide.warm_up()
    yield


async def not_found_page_handler(request: Request, exc: Exception) -> Response:
    """A friendly HTML page for browsers that hit a 404; JSON for every other client."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and "text/html" in request.headers.get("accept", ""):
        return pages.not_found(request, str(exc.detail))
    return await http_exception_handler(request, exc)
