"""Generated product images over HTTP: ``POST /generate``.

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

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from vestis.api.render_slots import RenderSlot
from vestis.generate.base import MAX_SAMPLES, GenerationRequestError, ImageGenerator
from vestis.generate.provenance import DIGITAL_SOURCE_TYPE
from vestis.generate.service import MAX_SEED, Generation, GeneratorService, GeneratorUnavailable, generate

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
    try:
        generation = await run_in_threadpool(
            generate, generator, body.n, product_type=body.type, colour=body.colour, seed=body.seed
        )
    except GenerationRequestError as error:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", error.field),
                    "msg": str(error).removeprefix(f"{error.field}: "),
                    "type": "value_error",
                }
            ]
        ) from None
    headers = {"Cache-Control": "no-store"}
    if body.format == "png":
        sheet = await run_in_threadpool(generation.sheet_png)
        return Response(sheet, media_type="image/png", headers=headers)
    public = await run_in_threadpool(_public, generation)
    return Response(public.model_dump_json(), media_type="application/json", headers=headers)


def _public(generation: Generation) -> GeneratedPublic:
    return GeneratedPublic(
        kind=generation.kind,
        size=generation.size,
        type=generation.product_type,
        colour=generation.colour,
        seed=generation.seed,
        images=[base64.b64encode(png).decode("ascii") for png in generation.pngs()],
    )
