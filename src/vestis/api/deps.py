"""Dependencies shared by the routers: settings, database sessions, API-key access, uploads.

Routes declare what they need through the ``Annotated`` aliases (``SettingsDep``,
``EngineDep``, ``SessionDep``) so that tests and future routers get them the same way.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, UploadFile, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from PIL import Image
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from vestis.api.limits import BodyTooLarge
from vestis.catalog.db import session_factory
from vestis.catalog.store import ProductFilter
from vestis.config import Settings
from vestis.data.schemas import Optional as OptionalStr
from vestis.data.schemas import OptionalFloat
from vestis.vision.io import ImageError, load_image

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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
    protected without further wiring. Missing key: 401; wrong key: 403.
    """
    if request.method in SAFE_METHODS and not settings.read_requires_key:
        return
    keys = settings.api_key_set
    if not keys:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="no API keys are configured, so this endpoint is closed; set VESTIS_API_KEYS",
        )
    presented = api_key or (bearer.credentials if bearer else None)
    if not presented:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="an API key is required: send it as 'X-API-Key: <key>' or 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not any(secrets.compare_digest(presented.encode(), key.encode()) for key in keys):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="the API key is not valid")


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
    if settings.read_requires_key:
        authorize(request, settings, api_key, bearer)


ReadAccess = Depends(authorize_read)


async def read_image_upload(upload: UploadFile, settings: Settings) -> Image.Image:
    """Read an uploaded file as an image, within the upload size and pixel limits.

    For the try-on and studio endpoints: a file over ``max_upload_bytes`` gives 413, a
    file that is not a usable image gives 422 with :func:`vestis.vision.io.load_image`'s
    message (which names the file).
    """
    data = await upload.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise BodyTooLarge(settings.max_upload_bytes)
    try:
        return load_image(data, name=upload.filename or "upload", max_pixels=settings.max_image_pixels)
    except ImageError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
