"""The registry of studio steps: names as recipes write them, mapped to the image functions.

Every step is a plain function ``step(image, **params) -> image`` living in its topic module
(:mod:`vestis.studio.background`, :mod:`~vestis.studio.enhance`, …). The registry imports
each module only when a step is first used, and reads the parameters, their types and
defaults from the function's own signature, so the functions stay the one source of truth.
:meth:`Step.validate` checks a parameter mapping against that signature and raises
:class:`~vestis.studio.errors.StudioError` naming the step, the parameter and what it accepts.
Text is never taken as a file path unless a trusted caller (the CLI, a recipe file) says in
which folder files may be named: requests over HTTP can pick shipped names only.

Examples
--------
>>> from vestis.studio.steps import STEPS
>>> STEPS["fit-canvas"].function
'fit_canvas'
>>> list(STEPS)[:3]
['remove-background', 'fit-canvas', 'white-balance']
"""

from __future__ import annotations

import importlib
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Union

from PIL import Image

from vestis.studio.errors import StudioError

__all__ = ["MAX_PIXELS", "STEPS", "Step", "get_step", "run_step"]

StepFunction = Callable[..., Image.Image]
MAX_PIXELS = 100_000_000
"""Largest image (width × height) a studio step may make; the HTTP routes set tighter limits of their own."""


@dataclass(frozen=True)
class Step:
    """One studio step: its recipe name and where its function lives."""

    name: str
    module: str
    function: str
    summary: str
    sizing: str | None = None
    """The function in ``module`` that gives the size of the image the step makes, called as
    ``sizing((width, height), **params)`` with every parameter; ``None``: the step keeps the size."""

    @cached_property
    def func(self) -> StepFunction:
        """The step's function, imported on first use."""
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as error:
            if error.name != self.module:
                raise
            raise StudioError(
                f"step {self.name!r} is not available: module {self.module} is missing"
            ) from None
        return getattr(module, self.function)

    @cached_property
    def parameters(self) -> dict[str, inspect.Parameter]:
        """The step's keyword parameters (everything after the image), in signature order."""
        return dict(list(inspect.signature(self.func).parameters.items())[1:])

    @cached_property
    def types(self) -> dict[str, Any]:
        """Each parameter's resolved type hint (``Any`` where the function has none)."""
        hints = typing.get_type_hints(self.func)
        return {name: hints.get(name, Any) for name in self.parameters}

    def output_size(self, size: tuple[int, int], params: Mapping[str, Any]) -> tuple[int, int]:
        """The (width, height) of the image this step makes from a ``size`` image, without running it.

        ``params`` are checked ones (:meth:`validate`); parameters left out take their defaults.
        Recipes use it to refuse, before any work, a photo that some step would make too large.
        """
        if self.sizing is None:
            return size
        defaults = {
            name: parameter.default
            for name, parameter in self.parameters.items()
            if parameter.default is not inspect.Parameter.empty
        }
        return getattr(inspect.getmodule(self.func), self.sizing)(size, **{**defaults, **params})

    def validate(self, params: Mapping[str, Any], *, local_files: Path | None = None) -> dict[str, Any]:
        """Check ``params`` against the signature and return them ready to call.

        Parameters that take a file (a style or tone reference, a pattern texture, VGG-19
        weights) read text as a *name* (``"watercolour"``, ``"stripes"``) and only a
        :class:`~pathlib.Path` as a file. ``local_files`` is for trusted callers alone (the
        CLI, a recipe file the operator wrote): the folder relative to which text that names
        an existing file becomes that file's ``Path``. Without it (HTTP, web forms) text is
        never looked up on disk, so no request can make a step read a server file.
        Raises :class:`StudioError` for an unknown or missing parameter or a wrong type.
        """
        unknown = sorted(set(params) - set(self.parameters))
        if unknown:
            raise StudioError(
                f"step {self.name!r} has no parameter {unknown[0]!r}; "
                f"valid parameters: {', '.join(self.parameters) or '(none)'}"
            )
        missing = [
            name
            for name, parameter in self.parameters.items()
            if parameter.default is inspect.Parameter.empty and name not in params
        ]
        if missing:
            raise StudioError(
                f"step {self.name!r} needs parameter {missing[0]!r} ({_describe(self.types[missing[0]])})"
            )
        return {name: self._coerce(name, value, local_files) for name, value in params.items()}

    def __call__(self, image: Image.Image, **params: Any) -> Image.Image:
        """Validate ``params`` (text stays a name: no file lookup) and run the step on ``image``."""
        return self.func(image, **self.validate(params))

    def _coerce(self, name: str, value: Any, local_files: Path | None) -> Any:
        """``value`` as the function takes it (TOML lists as tuples, trusted file names as paths) or StudioError."""
        hint = self.types[name]
        if isinstance(value, list) and _mentions(hint, tuple):
            value = tuple(value)
        if local_files is not None and isinstance(value, str) and _mentions(hint, Path):
            local = local_files / value
            if local.is_file():
                value = local
        if not _accepts(value, hint):
            raise StudioError(
                f"step {self.name!r}: parameter {name!r} expects {_describe(hint)}, got {value!r}"
            )
        return value


def _steps(*steps: Step) -> dict[str, Step]:
    return {step.name: step for step in steps}


STEPS: dict[str, Step] = _steps(
    Step(
        "remove-background",
        "vestis.studio.background",
        "remove_background",
        "cut the product out onto white, a colour or transparency",
    ),
    Step(
        "fit-canvas",
        "vestis.studio.background",
        "fit_canvas",
        "auto-crop, centre and pad to a canvas",
        sizing="canvas_size",
    ),
    Step("white-balance", "vestis.studio.enhance", "white_balance", "remove a colour cast"),
    Step("equalise", "vestis.studio.enhance", "equalise", "exposure and contrast (CLAHE on luminance)"),
    Step("denoise", "vestis.studio.enhance", "denoise", "reduce sensor noise"),
    Step("sharpen", "vestis.studio.enhance", "sharpen", "unsharp mask"),
    Step(
        "upscale",
        "vestis.studio.upscale",
        "upscale",
        "super-resolution (network or Lanczos)",
        sizing="upscaled_size",
    ),
    Step("recolor", "vestis.studio.recolor", "recolor", "re-dye the garment, keeping its shading"),
    Step(
        "pattern-fill",
        "vestis.studio.recolor",
        "pattern_fill",
        "fill the garment with a pattern that follows its shading",
    ),
    Step("tone-shift", "vestis.studio.grade", "tone_shift", "a warm or cool colour grade"),
    Step(
        "tone-transfer",
        "vestis.studio.style",
        "tone_transfer",
        "match colours and tones to a reference photo",
    ),
    Step("style", "vestis.studio.style", "neural_style", "neural style transfer"),
)
"""Every step a recipe can name, in the order a typical recipe uses them."""


def get_step(name: str) -> Step:
    """The step called ``name``; :class:`StudioError` listing the valid names otherwise."""
    try:
        return STEPS[name]
    except KeyError:
        raise StudioError(f"unknown step {name!r}; valid steps: {', '.join(STEPS)}") from None


def run_step(name: str, image: Image.Image, **params: Any) -> Image.Image:
    """Run one step by name, as the CLI and HTTP one-off commands (recolor, style) do."""
    return get_step(name)(image, **params)


def _accepts(value: Any, hint: Any) -> bool:
    """Whether ``value`` fits the type hint ``hint`` (the subset of typing steps use)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin is Literal:
        return any(value == option and type(value) is type(option) for option in typing.get_args(hint))
    if origin in (Union, types.UnionType):
        return any(_accepts(value, option) for option in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is Path:
        return isinstance(value, Path)
    if origin in (tuple, list):
        return isinstance(value, tuple | list)
    if isinstance(origin, type):
        return isinstance(value, origin)
    return not isinstance(hint, type) or isinstance(value, hint)


def _mentions(hint: Any, kind: type) -> bool:
    """Whether ``hint`` is ``kind`` (or its generic form) or a union with it as an option."""
    if hint is kind or typing.get_origin(hint) is kind:
        return True
    return typing.get_origin(hint) in (Union, types.UnionType) and any(
        _mentions(option, kind) for option in typing.get_args(hint)
    )


def _describe(hint: Any) -> str:
    """A type hint as a merchandiser reads it: ``one of 'white', 'transparent'``, ``a number`` …"""
    origin = typing.get_origin(hint)
    if origin is Literal:
        return "one of " + ", ".join(repr(option) for option in typing.get_args(hint))
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(option) for option in typing.get_args(hint))
    names = {
        float: "a number",
        int: "a whole number",
        bool: "true or false",
        str: "text",
        Path: "a file path",
        Image.Image: "an image",
        type(None): "nothing",
    }
    return names.get(hint, getattr(hint, "__name__", str(hint)))
