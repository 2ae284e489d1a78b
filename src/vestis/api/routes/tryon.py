"""Virtual try-on over HTTP: a person photo plus a garment photo (or a catalog product) in, PNG out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from PIL import Image

from vestis.api.deps import SessionDep, SettingsDep, read_image_upload
from vestis.api.render_slots import RenderSlot
from vestis.api.routes.products import require_product
from vestis.catalog.images import product_image_file
from vestis.catalog.taxonomy import tryon_category
from vestis.tryon.pipeline import WORK_PIXELS
from vestis.tryon.service import KEPT_TRY_ONS, RenderedTryOn, forget, render_try_on
from vestis.vision.io import load_image

router = APIRouter(prefix="/tryon", tags=["try-on"])


@router.post(
    "",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "The try-on image, without metadata."},
        404: {"description": "Unknown product, or a product without a stored image."},
        413: {"description": "An upload over the size limit."},
        422: {"description": "Not a usable photo: no person, several people, a busy garment background …"},
        503: {"description": "Every render slot stayed busy for the queue time; see Retry-After."},
    },
    dependencies=[RenderSlot],
)
async def try_on(
    settings: SettingsDep,
    session: SessionDep,
    person: Annotated[UploadFile, File(description="A photo of the shopper, front-facing.")],
    garment: Annotated[UploadFile | None, File(description="A garment photo on a plain background.")] = None,
    product_id: Annotated[str | None, Form(description="Or: a catalog product to try on.")] = None,
    category: Annotated[
        str | None,
        Form(description="upper, lower or dress, or a garment name (shirt, blazer, …); guessed if absent."),
    ] = None,
    keep: Annotated[
        bool, Form(description="Keep the photo and result (default: processed in memory only).")
    ] = False,
    customer_id: Annotated[
        str | None,
        Form(
            max_length=128,
            description="With keep: the customer keeping them; erasing the customer deletes them too.",
        ),
    ] = None,
) -> Response:
    """Render the garment on the person. Photos are not stored unless ``keep`` is true.

    A kept photo's id comes back in ``X-Vestis-Kept-Id``; ``DELETE /tryon/{id}`` deletes it,
    and so does ``DELETE /customers/{customer_id}`` when it was kept with a ``customer_id``.
    """
    from vestis.tryon.errors import TryOnError
    from vestis.tryon.garment import normalise_category  # imports OpenCV: only when a try-on is asked

    try:
        normalise_category(category)
    except TryOnError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"category: {error}") from None
    if (garment is None) == (product_id is None):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail="send either a garment photo or a product_id"
        )
    person_image = await read_image_upload(person, settings, reduce_to=WORK_PIXELS)
    if garment is not None:
        garment_image = await read_image_upload(garment, settings, reduce_to=WORK_PIXELS)
    else:
        product = require_product(session, product_id or "")
        path = product_image_file(settings.images_dir, product.image_path)
        if path is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail=f"product {product_id!r} has no stored image"
            )
        garment_image = load_image(path, name=f"product {product.id}'s image", reduce_to=WORK_PIXELS)
        category = category or tryon_category(product.product_type)
    keep_in = settings.home / KEPT_TRY_ONS if keep else None
    rendered = await run_in_threadpool(_render, person_image, garment_image, category, keep_in, customer_id)
    headers = {"Cache-Control": "no-store"}
    if rendered.kept_id:
        headers["X-Vestis-Kept-Id"] = rendered.kept_id
    return Response(rendered.png, media_type="image/png", headers=headers)


@router.delete("/{kept_id}", status_code=status.HTTP_204_NO_CONTENT)
def forget_try_on(settings: SettingsDep, kept_id: str) -> Response:
    """Delete a photo and result that were kept with ``keep=true`` (the id came back in ``X-Vestis-Kept-Id``)."""
    if not forget(settings.home / KEPT_TRY_ONS, kept_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"nothing is kept under {kept_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _render(
    person: Image.Image, garment: Image.Image, category: str | None, keep_in: Path | None, owner: str | None
) -> RenderedTryOn:
    return render_try_on(person, garment, category=category, keep_in=keep_in, owner=owner or None)
