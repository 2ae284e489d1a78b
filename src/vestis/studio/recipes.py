"""Recipes: named lists of studio steps with their parameters, written as TOML files.

A recipe file names its steps in order, each a ``[[steps]]`` table whose ``step`` key is a
name from :data:`vestis.studio.steps.STEPS` and whose other keys are that step's parameters::

    description = "Main marketplace image: product on pure white, square"
    output_format = "jpeg"          # png (default), jpeg or webp

    [[steps]]
    step = "remove-background"
    background = "white"

    [[steps]]
    step = "fit-canvas"
    fill = 0.85

The recipes that ship with Vestis live in ``vestis/studio/recipes/`` and are loaded by name
(``marketplace-white``); a user's own recipe is loaded from its path. Every step and
parameter is checked when the recipe loads, so a typo fails before the first image, with
the file, the step's position and the parameter in the message. Before a recipe runs on a
photo it works out the size of every step's output (:meth:`Recipe.output_sizes`) and refuses
a photo that some step would blow up past a pixel limit (:meth:`Recipe.check_size`), so a
2× upscale of a huge photo fails at once instead of after minutes of work.

Examples
--------
>>> from vestis.studio.recipes import Recipe
>>> recipe = Recipe.from_mapping("noop", {"output_format": "jpeg", "steps": []})
>>> recipe.suffix, len(recipe.steps)
('.jpg', 0)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from PIL import Image

from vestis.studio.errors import StudioError
from vestis.studio.steps import MAX_PIXELS, get_step
from vestis.vision.io import image_bytes

__all__ = [
    "OutputFormat",
    "Recipe",
    "RecipeStep",
    "SMALL_IMAGE_PIXELS",
    "encode",
    "format_for",
    "list_recipes",
    "load_recipe",
    "recipe_names",
    "shipped_recipe",
]

INTERACTIVE_STYLE = {"size": 384, "steps": 30}
"""Neural-style parameters for a request someone waits on (HTTP and the web studio): about 2 s on
2 cores instead of about 9 s at the step's defaults (512 px, 50 steps), with a texture that looks
the same at catalog sizes."""

OutputFormat = Literal["png", "jpeg", "webp"]
SUFFIXES: dict[str, str] = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}
MEDIA_TYPES: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_RECIPE_KEYS = ("description", "output_format", "steps")
SMALL_IMAGE_PIXELS = 4_000_000
"""Step outputs up to this size are always allowed, however low the caller's pixel limit: a shipped
recipe's 1600×1600 marketplace canvas (2.6 megapixels) must work for a shop that accepts only small uploads."""


@dataclass(frozen=True)
class RecipeStep:
    """One step of a recipe with its checked parameters."""

    step: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, image: Image.Image) -> Image.Image:
        """Run this step on ``image``."""
        return get_step(self.step).func(image, **self.params)


@dataclass(frozen=True)
class Recipe:
    """A named, checked list of steps and the format its outputs are written in."""

    name: str
    steps: tuple[RecipeStep, ...]
    output_format: OutputFormat = "png"
    description: str = ""

    @classmethod
    def from_mapping(cls, name: str, data: Mapping[str, Any], *, source: Path | None = None) -> Recipe:
        """Build and check a recipe from parsed TOML.

        ``source`` is the recipe file the operator wrote: it names the file in errors, and its
        folder is where the steps' text parameters may name local files (a texture, a style
        image). Without ``source`` text parameters are names only, never files.
        """
        where = str(source) if source else f"recipe {name!r}"
        unknown = sorted(set(data) - set(_RECIPE_KEYS))
        if unknown:
            raise StudioError(f"{where}: unknown key {unknown[0]!r}; valid keys: {', '.join(_RECIPE_KEYS)}")
        output_format = str(data.get("output_format", "png")).lower().replace("jpg", "jpeg")
        if output_format not in get_args(OutputFormat):
            raise StudioError(
                f"{where}: output_format must be one of {', '.join(get_args(OutputFormat))}, "
                f"got {data['output_format']!r}"
            )
        raw_steps = data.get("steps", [])
        if not isinstance(raw_steps, list):
            raise StudioError(f"{where}: 'steps' must be a list of [[steps]] tables")
        steps = tuple(
            _checked_step(where, index, raw, local_files=source.parent if source else None)
            for index, raw in enumerate(raw_steps, start=1)
        )
        return cls(name, steps, output_format, str(data.get("description", "")))  # type: ignore[arg-type]

    @classmethod
    def of_step(
        cls,
        step: str,
        params: Mapping[str, Any],
        *,
        output_format: OutputFormat = "png",
        local_files: Path | None = None,
    ) -> Recipe:
        """A one-step recipe, as the one-off commands (recolor, style) run; ``params`` are checked.

        Text parameters are names (a shipped style, a colour) unless a trusted caller, such as
        the CLI, passes ``local_files``: the folder where they may also name an existing file
        (see :meth:`vestis.studio.steps.Step.validate`). HTTP routes never pass it.
        """
        validated = get_step(step).validate(params, local_files=local_files)
        return cls(step, (RecipeStep(step, validated),), output_format)

    @property
    def suffix(self) -> str:
        """The file suffix of this recipe's outputs: ``.png``, ``.jpg`` or ``.webp``."""
        return SUFFIXES[self.output_format]

    @property
    def media_type(self) -> str:
        """The HTTP content type of this recipe's outputs."""
        return MEDIA_TYPES[self.output_format]

    def apply(self, image: Image.Image, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
        """Run every step in order on ``image`` (RGB or RGBA) and return the result.

        Refuses (:class:`StudioError`, see :meth:`check_size`) before the first step when any
        step would make an image over ``max_pixels``.
        """
        self.check_size(image.size, max_pixels)
        for step in self.steps:
            image = step.apply(image)
        return image

    def output_sizes(self, size: tuple[int, int]) -> list[tuple[int, int]]:
        """The (width, height) of the image each step makes from a ``size`` photo, without running any."""
        sizes = []
        for step in self.steps:
            size = get_step(step.step).output_size(size, step.params)
            sizes.append(size)
        return sizes

    def check_size(self, size: tuple[int, int], max_pixels: int = MAX_PIXELS) -> None:
        """Raise :class:`StudioError` naming the step and the limit when a step would make an image over ``max_pixels``.

        Takes no time: the sizes come from :meth:`output_sizes`, so a photo that the 2× upscale
        (or a large canvas) would blow up is refused before any step spends time and memory on it.
        Images up to :data:`SMALL_IMAGE_PIXELS` are allowed whatever ``max_pixels`` says.
        """
        limit = max(max_pixels, SMALL_IMAGE_PIXELS)
        sizes = self.output_sizes(size)
        for index, (step, (width, height)) in enumerate(zip(self.steps, sizes, strict=True), start=1):
            if width * height > limit:
                raise StudioError(
                    f"recipe {self.name!r}: step {index} ({step.step}) would make a {width}x{height} image "
                    f"({width * height:,} pixels) from this {size[0]}x{size[1]} photo; the limit is "
                    f"{limit:,} pixels"
                )

    def encode(self, image: Image.Image) -> bytes:
        """``image`` in the recipe's format, without metadata; transparency goes onto white for JPEG."""
        return encode(image, self.output_format)


def encode(image: Image.Image, output_format: OutputFormat) -> bytes:
    """Encode ``image`` as PNG, JPEG or WebP without metadata, flattening alpha onto white for JPEG."""
    if output_format == "jpeg" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    return image_bytes(image, fmt=output_format.upper())


def format_for(path: Path) -> OutputFormat:
    """The output format a file name asks for (``.png``, ``.jpg``/``.jpeg``, ``.webp``)."""
    suffix = path.suffix.lower().replace(".jpeg", ".jpg")
    for output_format, known in SUFFIXES.items():
        if suffix == known:
            return output_format  # type: ignore[return-value]
    raise StudioError(f"{path}: unknown image type {path.suffix!r}; use .png, .jpg or .webp")


def load_recipe(name_or_path: str | Path) -> Recipe:
    """A shipped recipe by name (``marketplace-white``), or a recipe file by path (``my.toml``).

    Raises :class:`StudioError` for an unknown name (listing the shipped ones), an unreadable
    or invalid TOML file, or a bad step or parameter (naming the file and the step's position).
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(name_or_path)
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as error:
            raise StudioError(f"{path}: cannot read recipe file ({error.strerror})") from None
        return _parse(path.stem, raw, path)
    try:
        return shipped_recipe(text)
    except StudioError as error:
        raise StudioError(f"{error} (or give the path of a .toml recipe file)") from None


def shipped_recipe(name: str) -> Recipe:
    """A recipe that ships with Vestis, by name only (never a path: safe for names from the web)."""
    shipped = _shipped().get(name)
    if shipped is None:
        raise StudioError(f"unknown recipe {name!r}; shipped recipes: {', '.join(recipe_names())}")
    return _parse(name, shipped.read_text(encoding="utf-8"), Path(str(shipped)))


def recipe_names() -> list[str]:
    """The names of the recipes that ship with Vestis, sorted."""
    return sorted(_shipped())


def list_recipes() -> list[Recipe]:
    """Every shipped recipe, loaded and checked, sorted by name."""
    return [load_recipe(name) for name in recipe_names()]


def _shipped() -> dict[str, Any]:
    folder = resources.files("vestis.studio") / "recipes"
    return {
        entry.name.removesuffix(".toml"): entry for entry in folder.iterdir() if entry.name.endswith(".toml")
    }


def _parse(name: str, raw: str, source: Path) -> Recipe:
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise StudioError(f"{source}: not valid TOML ({error})") from None
    return Recipe.from_mapping(name, data, source=source)


def _checked_step(where: str, index: int, raw: Any, *, local_files: Path | None) -> RecipeStep:
    if not isinstance(raw, Mapping) or "step" not in raw:
        raise StudioError(f"{where}: step {index}: each [[steps]] table needs a 'step' key naming the step")
    params = {key: value for key, value in raw.items() if key != "step"}
    try:
        step = get_step(str(raw["step"]))
        return RecipeStep(raw["step"], step.validate(params, local_files=local_files))
    except StudioError as error:
        raise StudioError(f"{where}: step {index} ({raw['step']}): {error}") from None
