"""Generated product images over HTTP: ``POST /generate`` and ``POST /generate/previews``.

``POST /generate`` draws new images of a type and colour; ``POST /generate/previews`` takes
an uploaded product photo and re-draws it in new colours and as variations (a VAE's latent
walk), for "new colourway" ideas before anything is photographed.

The server's one generator (``VESTIS_GENERATOR``, else the shipped one) is loaded on the
first request and kept (:class:`~vestis.generate.service.GeneratorService`); no request
field is a path, so a client can never make the server open a file of its choosing. An
API key is required (the router sits behind the app's key rules) and each request holds a
render slot, since drawing up to ``MAX_SAMPLES`` images keeps the cores busy. Every PNG
answered is labelled as generated (PNG text and IPTC XMP, see
:mod:`vestis.generate.provenance`).
"""

from __future__ import annotations

import base64
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from vestis.api.deps import SettingsDep, read_image_upload
from vestis.api.render_slots import RenderSlot
from vestis.generate.base import MAX_SAMPLES, ImageGenerator
from vestis.generate.provenance import DIGITAL_SOURCE_TYPE
from vestis.generate.service import (
    MAX_SEED,
    MAX_VARIATIONS,
    Generation,
    GeneratorService,
    GeneratorUnavailable,
    generate,
    product_previews,
)

router = APIRouter(prefix="/generate", tags=["generate"])
logger = logging.getLogger(__name__)

UNAVAILABLE = (
    "no image generator is available on this server: the operator can train one with "
    "`vestis generate train` and set VESTIS_GENERATOR to its file"
)
"""The 503's message; the server's log says which file was missing or unreadable (no paths to clients)."""


class GenerateIn(BaseModel):
    """What to draw; type and colour left out are drawn as the training catalog has them."""

    model_config = ConfigDict(extra="forbid")

    n: int = Field(16, ge=1, le=MAX_SAMPLES, description="How many images.")
    type: str | None = Field(None, max_length=128, description="A product type the generator knows.")
    colour: str | None = Field(None, max_length=128, description="A colour the generator knows.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="The same seed draws the same images.")
    format: Literal["png", "json"] = Field(
        "png", description="png: one labelled contact sheet; json: each image as a base64 PNG."
    )


class GeneratedPublic(BaseModel):
    """The images of one request, each a base64 PNG labelled as generated."""

    kind: str = Field(description="The generator's kind (vae, gan, dcgan).")
    size: int = Field(description="Width and height of every image, in pixels.")
    type: str | None
    colour: str | None
    seed: int
    generated: Literal[True] = True
    digital_source_type: str = Field(DIGITAL_SOURCE_TYPE, description="The IPTC term every image carries.")
    images: list[str] = Field(description="Base64-encoded PNGs, in the order the generator drew them.")
    captions: list[str] = Field(
        default_factory=list, description='Previews only: what each image is ("red", "variation 1", …).'
    )
    reference: str | None = Field(
        None,
        description="Previews only: the uploaded photo as the model saw it (base64 PNG; real, not generated).",
    )


def get_generator_service(request: Request) -> GeneratorService:
    """The app's generator service (``app.state.generators``)."""
    return request.app.state.generators


GeneratorServiceDep = Annotated[GeneratorService, Depends(get_generator_service)]


def get_generator(service: GeneratorServiceDep) -> ImageGenerator:
    """The loaded generator, or 503 when there is none."""
    try:
        return service.get()
    except GeneratorUnavailable as error:
        logger.warning("POST /generate: %s", error)
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=UNAVAILABLE) from None


GeneratorDep = Annotated[ImageGenerator, Depends(get_generator)]

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"image/png": {}, "application/json": {"schema": GeneratedPublic.model_json_schema()}},
        "description": "A labelled contact sheet (png) or the images one by one (json).",
    },
    422: {"description": "n out of range, or a type or colour the generator does not know (named)."},
    503: {"description": "No generator is available, or every render slot stayed busy."},
}


@router.post("", response_class=Response, responses=RESPONSES, dependencies=[RenderSlot])
async def generate_images(body: GenerateIn, generator: GeneratorDep) -> Response:
    """Draw ``n`` product images of a type and colour; every PNG says it was machine-generated."""
    generation = await run_in_threadpool(
        generate, generator, body.n, product_type=body.type, colour=body.colour, seed=body.seed
    )
    return await _answer(generation, body.format)


@router.post(
    "/previews",
    response_class=Response,
    responses={
        **RESPONSES,
        413: {"description": "An upload over the size limit."},
        422: {"description": "Not a usable photo, or a type or colour the generator does not know (named)."},
        503: {"description": "No generator, one that cannot re-draw photos (not a VAE), or no render slot."},
    },
    dependencies=[RenderSlot],
)
async def product_image_previews(
    settings: SettingsDep,
    generator: GeneratorDep,
    image: Annotated[UploadFile, File(description="A product photo, any size (it is padded square).")],
    product_type: Annotated[
        str, Form(alias="type", max_length=128, description="The product's type, as the generator knows it.")
    ],
    colour: Annotated[str, Form(max_length=128, description="The product's colour in the photo.")],
    to: Annotated[
        list[str] | None, Form(description="Colours to preview it in (repeat the field, or comma-separate).")
    ] = None,
    variations: Annotated[
        int, Form(ge=0, le=MAX_VARIATIONS, description="How many variations (a latent walk from the photo).")
    ] = 0,
    seed: Annotated[int, Form(ge=0, le=MAX_SEED, description="The same seed gives the same variations.")] = 0,
    format: Annotated[
        Literal["png", "json"], Form(description="png: one labelled sheet; json: each image as a base64 PNG.")
    ] = "png",
) -> Response:
    """A product photo re-drawn in new colours and as variations; every generated PNG says so. Nothing is stored."""
    photo = await read_image_upload(image, settings)
    colours = [name.strip() for field in to or [] for name in field.split(",") if name.strip()]
    generation = await run_in_threadpool(
        product_previews,
        generator,
        photo,
        product_type=product_type,
        colour=colour,
        to=colours,
        variations=variations,
        seed=seed,
    )
    return await _answer(generation, format)


async def _answer(generation: Generation, output_format: Literal["png", "json"]) -> Response:
    """The generation as one labelled sheet (png) or image by image (json), never cached."""
    headers = {"Cache-Control": "no-store"}
    if output_format == "png":
        sheet = await run_in_threadpool(generation.sheet_png)
        return Response(sheet, media_type="image/png", headers=headers)
    public = await run_in_threadpool(_public, generation)
    return Response(public.model_dump_json(), media_type="application/json", headers=headers)


def _public(generation: Generation) -> GeneratedPublic:
    reference = generation.reference_png()
    return GeneratedPublic(
        kind=generation.kind,
        size=generation.size,
        type=generation.product_type,
        colour=generation.colour,
        seed=generation.seed,
        images=[_base64(png) for png in generation.pngs()],
        captions=list(generation.captions),
        reference=None if reference is None else _base64(reference),
    )


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
