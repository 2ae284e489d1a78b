"""The product image studio over HTTP: a photo in, the cleaned, recoloured or restyled photo out.

``POST /studio/{recipe}`` runs a shipped recipe (``GET /studio/recipes`` lists them),
``POST /studio/recolor`` re-dyes the garment and ``POST /studio/style`` restyles the photo
(a named style from ``GET /studio/styles`` or an uploaded style image). Uploads go through
the shared size and pixel limits; a bad option gives 422 naming the field. Nothing is stored.

Text fields are names only (a shipped recipe or style, a colour): the one-step recipes built
here are checked without ``local_files``, so no field can make a step open a server file,
and an unknown name gets the same answer whatever exists on disk under that name.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, NoReturn

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from PIL import Image
from pydantic import BaseModel

from vestis.api.deps import SettingsDep, read_image_upload
from vestis.api.render_slots import RenderSlot
from vestis.studio.batch import check_size
from vestis.studio.errors import StudioError
from vestis.studio.recipes import INTERACTIVE_STYLE, Recipe, list_recipes, recipe_names, shipped_recipe

router = APIRouter(prefix="/studio", tags=["studio"])

Format = Literal["png", "jpeg"]
IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"image/png": {}, "image/jpeg": {}},
        "description": "The processed image, without metadata.",
    },
    413: {"description": "An upload over the size limit."},
    422: {"description": "Not a usable image, or a bad option (the message names the field)."},
    503: {"description": "Every render slot stayed busy for the queue time; see Retry-After."},
}


class StudioStepPublic(BaseModel):
    """One step of a recipe and its parameters."""

    step: str
    params: dict[str, Any]


class RecipePublic(BaseModel):
    """A shipped recipe: what it does, its steps and the format it writes."""

    name: str
    description: str
    output_format: str
    steps: list[StudioStepPublic]

    @classmethod
    def of(cls, recipe: Recipe) -> RecipePublic:
        """The public view of ``recipe`` (paths and other objects shown as text)."""
        steps = [
            StudioStepPublic(step=s.step, params={k: _plain(v) for k, v in s.params.items()})
            for s in recipe.steps
        ]
        return cls(
            name=recipe.name, description=recipe.description, output_format=recipe.output_format, steps=steps
        )


class StylePublic(BaseModel):
    """A named style that ships with Vestis."""

    name: str
    description: str


@router.get("/recipes", response_model=list[RecipePublic])
def recipes() -> list[RecipePublic]:
    """The shipped recipes, by name."""
    return [RecipePublic.of(recipe) for recipe in list_recipes()]


@router.get("/styles", response_model=list[StylePublic])
def styles() -> list[StylePublic]:
    """The named styles ``POST /studio/style`` accepts."""
    from vestis.studio.style import STYLES

    return [StylePublic(name=s.name, description=s.description) for s in STYLES.values()]


@router.post("/recolor", response_class=Response, responses=IMAGE_RESPONSES, dependencies=[RenderSlot])
async def recolor(
    settings: SettingsDep,
    image: Annotated[UploadFile, File(description="A product photo (plain background) or a cut-out PNG.")],
    to: Annotated[str, Form(description='The new colour: a name ("navy") or "#rrggbb".')],
    format: Annotated[Format, Form(description="png (default) or jpeg.")] = "png",
) -> Response:
    """Re-dye the garment to ``to``, keeping its shading, folds and print structure."""
    recipe = _one_step("recolor", {"to": to}, format, field="to")
    return await _run(recipe, await _photo(image, settings), image.filename, settings, field="to")


@router.post("/style", response_class=Response, responses=IMAGE_RESPONSES, dependencies=[RenderSlot])
async def style(
    settings: SettingsDep,
    image: Annotated[UploadFile, File(description="The photo to restyle.")],
    style: Annotated[
        str | None, Form(description="A named style (see GET /studio/styles); never a file path.")
    ] = None,
    style_image: Annotated[UploadFile | None, File(description="Or: an image whose style to copy.")] = None,
    format: Annotated[Format, Form(description="png (default) or jpeg.")] = "png",
) -> Response:
    """Restyle the photo with a named style or the style of an uploaded image (neural style transfer)."""
    if (style is None) == (style_image is None):
        _invalid("style", "send either a style name or a style_image")
    reference: str | Image.Image = style if style_image is None else await _photo(style_image, settings)
    recipe = _one_step("style", {"style": reference, **INTERACTIVE_STYLE}, format, field="style")
    return await _run(recipe, await _photo(image, settings), image.filename, settings, field="style")


@router.post(
    "/{recipe}",
    response_class=Response,
    responses={**IMAGE_RESPONSES, 404: {"description": "No such recipe."}},
    dependencies=[RenderSlot],
)
async def run_recipe(
    settings: SettingsDep,
    recipe: str,
    image: Annotated[UploadFile, File(description="A product photo.")],
) -> Response:
    """Run a shipped recipe (``marketplace-white``, ``enhance`` …) on the photo; the output is in the recipe's format."""
    if recipe not in recipe_names():
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no recipe {recipe!r}; shipped recipes: {', '.join(recipe_names())}",
        )
    return await _run(shipped_recipe(recipe), await _photo(image, settings), image.filename, settings)


async def _photo(upload: UploadFile, settings: SettingsDep) -> Image.Image:
    photo = await read_image_upload(upload, settings)
    try:
        check_size(photo, upload.filename or "upload")
    except StudioError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    return photo


def _one_step(step: str, params: dict[str, Any], output_format: Format, *, field: str) -> Recipe:
    try:
        return Recipe.of_step(step, params, output_format=output_format)
    except StudioError as error:
        _invalid(field, str(error))


async def _run(
    recipe: Recipe,
    photo: Image.Image,
    filename: str | None,
    settings: SettingsDep,
    *,
    field: str | None = None,
) -> Response:
    """Apply and encode off the event loop; a step's StudioError becomes 422 (naming ``field`` when known).

    A recipe that would make an image over ``max_image_pixels`` at any step is refused before it starts.
    """
    try:
        recipe.check_size(photo.size, settings.max_image_pixels)
    except StudioError as error:
        _invalid("image", str(error))
    try:
        data = await run_in_threadpool(
            lambda: recipe.encode(recipe.apply(photo, max_pixels=settings.max_image_pixels))
        )
    except StudioError as error:
        if field is not None:
            _invalid(field, str(error))
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", (filename or "image").rsplit(".", 1)[0]).strip("-") or "image"
    return Response(
        data,
        media_type=recipe.media_type,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="{stem}-{recipe.name}{recipe.suffix}"',
        },
    )


def _invalid(field: str, message: str) -> NoReturn:
    """Raise the app's standard 422 (``{"detail": [...], "message": "field: …"}``) for one form field."""
    raise RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | list | tuple | type(None)) else str(value)
