"""What the studio page shows: the form's choices, the before/after of one processed photo, generated previews.

The page itself (``GET``/``POST /studio``, ``GET /studio/generate`` and
``POST /studio/generate/previews`` in :mod:`vestis.web.pages`) only wires these to the
template; the images are processed by the same recipes and steps, and drawn by the same generator, as the CLI and the API, and sent back inline as data URIs, so
nothing is stored. Generated previews are labelled as generated in their files (PNG text and
IPTC XMP) and, on the page, each with a visible badge.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from PIL import Image

from vestis.generate.base import MAX_SAMPLES, GenerationRequestError
from vestis.generate.service import (
    MAX_VARIATIONS,
    Generation,
    GeneratorService,
    GeneratorUnavailable,
    can_preview,
    generate,
    product_previews,
)
from vestis.studio.batch import check_size
from vestis.studio.errors import StudioError
from vestis.studio.recipes import INTERACTIVE_STYLE, Recipe, list_recipes, shipped_recipe
from vestis.studio.steps import MAX_PIXELS
from vestis.vision.io import image_bytes

Tool = Literal["recipe", "recolor", "style"]
PREVIEW_SIDE = 900
"""Long side of the "before" preview; the "after" image is sent at full size for download."""
NO_GENERATOR = (
    "No image generator is installed on this server yet: train one with `vestis generate train` "
    "and set VESTIS_GENERATOR to its file."
)


@dataclass(frozen=True)
class StudioChoice:
    """What the merchandiser picked in the form (the defaults are the form's first state)."""

    tool: Tool = "recipe"
    recipe: str = "marketplace-white"
    to: str = "#1f3a93"
    style: str = "watercolour"

    def to_recipe(self) -> Recipe:
        """The recipe this choice runs: a shipped recipe, or a one-step recolour or style recipe.

        Every field is a name (recipe, colour, style), never a file: the recipe is checked
        without ``local_files``, so the form cannot make a step read a file on the server.
        """
        if self.tool == "recolor":
            return Recipe.of_step("recolor", {"to": self.to})
        if self.tool == "style":
            return Recipe.of_step("style", {"style": self.style, **INTERACTIVE_STYLE})
        return shipped_recipe(self.recipe)

    @property
    def label(self) -> str:
        """The choice as the result's caption says it."""
        return {"recipe": self.recipe, "recolor": f"recoloured {self.to}", "style": f"{self.style} style"}[
            self.tool
        ]


@dataclass(frozen=True)
class StudioOutcome:
    """Before and after as data URIs with the download name, or why it failed."""

    before: str | None = None
    after: str | None = None
    label: str = ""
    filename: str = ""
    error: str | None = None


def studio_outcome(
    photo: Image.Image, choice: StudioChoice, filename: str | None, *, max_pixels: int = MAX_PIXELS
) -> StudioOutcome:
    """Process ``photo`` as ``choice`` says; a bad choice or an image a step cannot handle gives ``error``.

    So does a recipe that would make an image over ``max_pixels`` at any step: it is refused before it starts.
    """
    try:
        check_size(photo, filename or "photo")
        recipe = choice.to_recipe()
        after = recipe.encode(recipe.apply(photo, max_pixels=max_pixels))
    except StudioError as error:
        return StudioOutcome(error=str(error))
    preview = photo.copy()
    preview.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", (filename or "photo").rsplit(".", 1)[0]).strip("-") or "photo"
    return StudioOutcome(
        before=data_uri(image_bytes(preview, fmt="PNG"), "image/png"),
        after=data_uri(after, recipe.media_type),
        label=choice.label,
        filename=f"{stem}-{recipe.name}{recipe.suffix}",
    )


@dataclass(frozen=True)
class GenerateChoice:
    """What the merchandiser asked the generator for; empty type or colour: any."""

    product_type: str = ""
    colour: str = ""
    n: int = 8
    seed: int = 0


@dataclass(frozen=True)
class PreviewChoice:
    """A product photo's type and colour, the colours to preview it in and how many variations."""

    product_type: str = ""
    colour: str = ""
    to: tuple[str, ...] = ()
    variations: int = 4
    seed: int = 0


@dataclass(frozen=True)
class ProductPreviews:
    """The photo as the model saw it and the previews drawn from it (data URIs), or why there are none."""

    reference: str | None = None
    images: tuple[tuple[str, str], ...] = ()
    """Each generated preview as (data URI, caption)."""
    sheet: str | None = None
    label: str = ""
    error: str | None = None


@dataclass(frozen=True)
class GeneratePanel:
    """The "Generate" panel: what can be picked, the choices, and the previews drawn (as data URIs).

    ``unavailable`` says why there is no generator; ``error`` why a choice could not be drawn.
    ``can_preview`` says whether the generator can re-draw an uploaded photo (a VAE can);
    ``previews`` holds what it drew from one.
    """

    choice: GenerateChoice = field(default_factory=GenerateChoice)
    kind: str | None = None
    types: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    max_n: int = MAX_SAMPLES
    samples: tuple[str, ...] = ()
    sheet: str | None = None
    unavailable: str | None = None
    error: str | None = None
    can_preview: bool = False
    preview_choice: PreviewChoice = field(default_factory=PreviewChoice)
    max_variations: int = MAX_VARIATIONS
    previews: ProductPreviews | None = None


def generate_panel(service: GeneratorService, choice: GenerateChoice | None = None) -> GeneratePanel:
    """The panel as first shown (``choice`` None) or with the previews ``choice`` asks for."""
    try:
        generator = service.get()
    except GeneratorUnavailable:
        return GeneratePanel(choice or GenerateChoice(), unavailable=NO_GENERATOR)
    panel = GeneratePanel(
        choice or GenerateChoice(),
        kind=generator.kind,
        types=generator.types,
        colours=generator.colours,
        can_preview=can_preview(generator),
    )
    if choice is None:
        return panel
    try:
        generation = generate(
            generator,
            choice.n,
            product_type=choice.product_type or None,
            colour=choice.colour or None,
            seed=choice.seed,
        )
    except GenerationRequestError as error:
        return replace(panel, error=str(error))
    return replace(
        panel,
        samples=tuple(data_uri(png, "image/png") for png in generation.pngs()),
        sheet=data_uri(generation.sheet_png(), "image/png"),
    )


def preview_panel(
    service: GeneratorService,
    photo: Image.Image | None,
    choice: PreviewChoice,
    *,
    upload_error: str | None = None,
) -> GeneratePanel:
    """The panel with a product photo re-drawn as ``choice`` asks; ``upload_error`` says why there is no photo."""
    panel = replace(generate_panel(service), preview_choice=choice)
    if panel.unavailable:
        return panel
    if photo is None:
        return replace(panel, previews=ProductPreviews(error=upload_error or "image: upload a product photo"))
    try:
        generation = product_previews(
            service.get(),
            photo,
            product_type=choice.product_type,
            colour=choice.colour,
            to=choice.to,
            variations=choice.variations,
            seed=choice.seed,
        )
    except (GenerationRequestError, GeneratorUnavailable) as error:
        return replace(panel, previews=ProductPreviews(error=str(error)))
    return replace(panel, previews=_shown(generation))


def studio_context(
    choice: StudioChoice, outcome: StudioOutcome | None = None, *, generation: GeneratePanel | None = None
) -> dict[str, Any]:
    """The template context of the studio page: recipes and styles to pick from, the choice, the outcome.

    ``generation`` is the "Generate" panel (left out: not shown).
    """
    from vestis.studio.style import STYLES

    return {
        "recipes": list_recipes(),
        "styles": list(STYLES.values()),
        "choice": choice,
        "outcome": outcome,
        "generation": generation,
    }


def data_uri(data: bytes, media_type: str) -> str:
    """``data`` inline, for an ``<img src>`` or a download link."""
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")


def _shown(generation: Generation) -> ProductPreviews:
    reference = generation.reference_png()
    return ProductPreviews(
        reference=None if reference is None else data_uri(reference, "image/png"),
        images=tuple(
            (data_uri(png, "image/png"), caption)
            for png, caption in zip(generation.pngs(), generation.captions, strict=True)
        ),
        sheet=data_uri(generation.sheet_png(), "image/png"),
        label=generation.label,
    )
