"""What the studio page shows: the form's choices, and the before/after of one processed photo.

The page itself (``GET``/``POST /studio`` in :mod:`vestis.web.pages`) only wires these to the
template; the images are processed by the same recipes and steps as the CLI and the API, and
sent back inline as data URIs, so nothing is stored.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Literal

from PIL import Image

from vestis.studio.batch import check_size
from vestis.studio.errors import StudioError
from vestis.studio.recipes import INTERACTIVE_STYLE, Recipe, list_recipes, shipped_recipe
from vestis.studio.steps import MAX_PIXELS
from vestis.vision.io import image_bytes

Tool = Literal["recipe", "recolor", "style"]
PREVIEW_SIDE = 900
"""Long side of the "before" preview; the "after" image is sent at full size for download."""


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


def studio_context(choice: StudioChoice, outcome: StudioOutcome | None = None) -> dict[str, Any]:
    """The template context of the studio page: the recipes and styles to pick from, the choice, the outcome."""
    from vestis.studio.style import STYLES

    return {"recipes": list_recipes(), "styles": list(STYLES.values()), "choice": choice, "outcome": outcome}


def data_uri(data: bytes, media_type: str) -> str:
    """``data`` inline, for an ``<img src>`` or a download link."""
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")
