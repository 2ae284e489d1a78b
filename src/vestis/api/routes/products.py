"""Catalog reads: filtered, paginated product listing, one product, and its image."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import FileResponse

from vestis.api.deps import ProductFilterDep, SessionDep, SettingsDep
from vestis.api.schemas import ProductPublic, ProductsPublic
from vestis.catalog import store
from vestis.catalog.images import product_image_file
from vestis.catalog.models import Product

router = APIRouter(prefix="/products", tags=["products"])

IMAGE_CACHE_CONTROL = "public, max-age=3600"
MAX_OFFSET = 1_000_000_000
"""The deepest page start a listing accepts: far past any catalog, far below the database's 64-bit limit."""


@router.get("", response_model=ProductsPublic)
def list_products(
    session: SessionDep,
    where: ProductFilterDep,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 24,
) -> ProductsPublic:
    """One page of products matching every given filter, ordered by id, with the total count."""
    products, count = store.list_products(session, where=where, offset=offset, limit=limit)
    return ProductsPublic(data=[ProductPublic.of(p) for p in products], count=count)


@router.get("/{product_id}", response_model=ProductPublic)
def read_product(session: SessionDep, product_id: str) -> ProductPublic:
    """One product by id."""
    return ProductPublic.of(require_product(session, product_id))


@router.get("/{product_id}/image", response_class=FileResponse)
def read_product_image(session: SessionDep, settings: SettingsDep, product_id: str) -> FileResponse:
    """The stored image of a product, cacheable by browsers and proxies."""
    path = product_image_file(settings.images_dir, require_product(session, product_id).image_path)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"product {product_id!r} has no stored image")
    return FileResponse(path, headers={"Cache-Control": IMAGE_CACHE_CONTROL})


def require_product(session: SessionDep, product_id: str) -> Product:
    """The product with ``product_id``, or a 404 that names it."""
    product = store.get_product(session, product_id)
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no product with id {product_id!r}")
    return product
