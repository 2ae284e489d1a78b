"""Dependencies shared by the routers: settings, database sessions, API keys and shopper tokens, uploads.

Routes declare what they need through the ``Annotated`` aliases (``SettingsDep``,
``EngineDep``, ``SessionDep``) so that tests and future routers get them the same way.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from PIL import Image
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from vestis.api.limits import BodyTooLarge
from vestis.api.throttle import AuthFailures
from vestis.catalog.db import session_factory
from vestis.catalog.store import ProductFilter
from vestis.config import Settings
from vestis.data.schemas import Optional as OptionalStr
from vestis.data.schemas import OptionalFloat
from vestis.signing import verify_shopper_token
from vestis.vision.io import ImageError, load_image

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SHOPPER_COOKIE = "vestis_shopper"
SHOPPER_HEADER = "X-Shopper-Token"
_UNCHECKED = object()
"""``request.state.shopper`` before the request's token was checked."""

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")
_bearer = HTTPBearer(auto_error=False, description="An API key sent as a bearer token.")


def get_settings(request: Request) -> Settings:
    """The settings the running app was created with."""
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    """The catalog engine the running app opened."""
    return request.app.state.engine


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]


def get_session(engine: EngineDep) -> Iterator[Session]:
    """A read session for one request; writes open their own ``transaction``."""
    with session_factory(engine)() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def product_filter(
    product_type: Annotated[OptionalStr, Query(description="Exact product type, any case.")] = None,
    color: Annotated[OptionalStr, Query(description="Exact colour, any case.")] = None,
    gender: Annotated[OptionalStr, Query(description="male, female or unisex.")] = None,
    brand: Annotated[OptionalStr, Query(description="Exact brand, any case.")] = None,
    min_price: Annotated[OptionalFloat, Query(description="Lowest price, inclusive.")] = None,
    max_price: Annotated[OptionalFloat, Query(description="Highest price, inclusive.")] = None,
    q: Annotated[OptionalStr, Query(description="Words to find in the title.")] = None,
) -> ProductFilter:
    """Product filters from the query string; blank values (as HTML forms send them) mean no filter."""
    return ProductFilter(
        product_type=product_type,
        color=color,
        gender=gender,
        brand=brand,
        min_price=min_price,
        max_price=max_price,
        q=q,
    )


ProductFilterDep = Annotated[ProductFilter, Depends(product_filter)]


def authorize(
    request: Request,
    settings: SettingsDep,
    api_key: Annotated[str | None, Depends(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Let reads through (unless ``read_requires_key``) and demand a valid key for every write.

    Applied to whole routers, so any POST/PUT/PATCH/DELETE a later router adds is
    protected without further wiring. Missing key: 401; wrong key: 403. When reads need a
    key, a valid shopper token opens them too (its holder is one of the shop's customers);
    what is personal is decided per route by :data:`CustomerAccess` and :func:`require_customer`.
    """
    if request.method in SAFE_METHODS and (
        not settings.read_requires_key or shopper_of(request, settings) is not None
    ):
        return
    _require_key(request, settings, api_key or (bearer.credentials if bearer else None))


ApiAccess = Depends(authorize)


def authorize_read(
    request: Request,
    settings: SettingsDep,
    api_key: Annotated[str | None, Depends(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Treat the request as a read whatever its method: open unless ``read_requires_key``.

    For POSTs that change nothing, such as a message to the shopping guide.
    """
    if settings.read_requires_key and shopper_of(request, settings) is None:
        _require_key(request, settings, api_key or (bearer.credentials if bearer else None))


ReadAccess = Depends(authorize_read)


def require_customer(request: Request, settings: Settings, customer_id: str | None) -> None:
    """Refuse to serve ``customer_id``'s personal data to anyone but an API key or that customer's token.

    Nothing to check when no customer is named (the anonymous answer). Marks the response
    personal, so it is sent ``Cache-Control: private, no-store``. 401 without credentials,
    403 for a wrong key or another customer's token.
    """
    if customer_id is None:
        return
    mark_personal(request)
    shopper = shopper_of(request, settings)
    if shopper == customer_id:
        return
    presented = request.headers.get("x-api-key") or _bearer_credentials(request)
    if presented is None and shopper is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this shopper token is for another customer")
    if presented is None and _shopper_credential(request) is not None:
        _auth_failures(request).record(_client(request))
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="the shopper token is not valid or has expired: ask the shop for a new one",
            headers={"WWW-Authenticate": "Bearer"},
        )
    _require_key(
        request,
        settings,
        presented,
        what="a customer's personal data needs an API key or their shopper token",
    )


def authorize_customer(request: Request, settings: SettingsDep, customer_id: str) -> None:
    """:func:`require_customer` for routes with ``{customer_id}`` in their path."""
    require_customer(request, settings, customer_id)


CustomerAccess = Depends(authorize_customer)


def authorize_user(
    request: Request,
    settings: SettingsDep,
    user: Annotated[str | None, Query(max_length=128, description="The shopper, to personalise.")] = None,
) -> str | None:
    """The ``?user=`` a route personalises for, once :func:`require_customer` has let it through."""
    require_customer(request, settings, user or None)
    return user or None


UserDep = Annotated[str | None, Depends(authorize_user)]


def shopper_of(request: Request, settings: Settings) -> str | None:
    """The customer a valid shopper token in the request speaks for (``vestis_shopper`` cookie or header).

    Checked once per request; the routes, the access rules and the page renderer all ask.
    """
    shopper = getattr(request.state, "shopper", _UNCHECKED)
    if shopper is _UNCHECKED:
        shopper = request.state.shopper = verify_shopper_token(settings, _shopper_credential(request))
    return shopper


def mark_personal(request: Request) -> None:
    """Flag the response as personal: the security headers middleware sends it ``private, no-store``."""
    request.state.personal = True


async def read_image_upload(
    upload: UploadFile, settings: Settings, *, max_pixels: int | None = None, reduce_to: int | None = None
) -> Image.Image:
    """Read an uploaded file as an image, within the upload size and pixel limits.

    For the try-on and studio endpoints: a file over ``max_upload_bytes`` gives 413, a
    file that is not a usable image (or decodes to more than ``max_pixels``, default
    ``max_image_pixels``; the web forms pass the lower ``max_form_image_pixels``) gives 422
    with :func:`vestis.vision.io.load_image`'s message (which names the file). The pixel
    count is checked from the header before decoding, and decoding runs off the event loop;
    ``reduce_to`` is passed on (a JPEG may decode at a reduced scale holding that many pixels).
    """
    data = await upload.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise BodyTooLarge(settings.max_upload_bytes)
    limit = settings.max_image_pixels if max_pixels is None else max_pixels
    try:
        return await run_in_threadpool(
            load_image, data, name=upload.filename or "upload", max_pixels=limit, reduce_to=reduce_to
        )
    except ImageError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None


def _shopper_credential(request: Request) -> str | None:
    return request.headers.get(SHOPPER_HEADER) or request.cookies.get(SHOPPER_COOKIE) or None


def _bearer_credentials(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def _require_key(
    request: Request,
    settings: Settings,
    presented: str | None,
    what: str = "an API key is required",
) -> None:
    """Pass a valid API key; 403 when none are configured or the key is wrong, 401 when none was sent.

    Wrong keys count against the client's address (:class:`~vestis.api.throttle.AuthFailures`):
    past the budget every key it sends gets 429 for a while, so keys cannot be guessed quickly.
    """
    keys = settings.api_key_set
    if not keys:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="no API keys are configured, so this endpoint is closed; set VESTIS_API_KEYS",
        )
    if not presented:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"{what}: send it as 'X-API-Key: <key>' or 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    failures = _auth_failures(request)
    failures.check(_client(request))
    if not any(secrets.compare_digest(presented.encode(), key.encode()) for key in keys):
        failures.record(_client(request))
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="the API key is not valid")


def _auth_failures(request: Request) -> AuthFailures:
    return request.app.state.auth_failures


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"
