"""What every product-image generator offers, how requests are checked, and how one is loaded.

A generator draws new product photos conditioned on a product type and a colour (both
optional: left out, they are drawn as the training catalog has them). The conditional VAE,
the conditional GAN and the plain DCGAN baseline all follow :class:`ImageGenerator`, so the
CLI, the HTTP API and the studio page never need to know which one they hold.
"""

from __future__ import annotations

import importlib
import json
import zipfile
from pathlib import Path
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np

from vestis.errors import InvalidInput

__all__ = [
    "GENERATORS",
    "MAX_SAMPLES",
    "SHIPPED",
    "SIZES",
    "GenerationRequestError",
    "ImageGenerator",
    "check_request",
    "draw_many",
    "generator_class",
    "load_generator",
]

SIZES = (32, 64, 128)
"""Square image sizes the generators are built for, in pixels (32 for Fashion-MNIST's 28-px photos)."""
MAX_SAMPLES = 64
"""Most images one request may ask for."""
GENERATORS: dict[str, str] = {
    "vae": "vestis.generate.vae:ConditionalVAE",
    "gan": "vestis.generate.gan:ConditionalGAN",
    "dcgan": "vestis.generate.gan:DCGAN",
}
"""Saved ``kind`` → ``module:Class``; modules are imported only when a file of that kind is read."""
SHIPPED = Path(__file__).with_name("weights") / "fashion-mnist-32.vgen"
"""The small generator that ships with Vestis, so the demo can generate without training.

It is the conditional VAE of the benchmark's Fashion-MNIST run (``python -m benchmarks.generate
train --epochs 100 --data ../shared/data/fashion-mnist-900/fashion_mnist_sprite_900.npz --size 32``:
720 of Fashion-MNIST's real product photos, MIT licence, Zalando SE 2017). The models
trained on the Myntra and H&M photos stay out of the package: those photos' licences do not
clearly allow redistributing what is learned from them (H&M's are Kaggle competition data)."""


class GenerationRequestError(InvalidInput):
    """A request a generator cannot serve; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)


@runtime_checkable
class ImageGenerator(Protocol):
    """A trained generator of ``size``×``size`` RGB product photos."""

    kind: str
    size: int
    types: tuple[str, ...]
    colours: tuple[str, ...]

    def sample(
        self, n: int, *, product_type: str | None = None, colour: str | None = None, seed: int = 0
    ) -> np.ndarray:
        """``(n, size, size, 3)`` uint8 images; the same arguments always give the same images."""
        ...

    def save(self, path: Path) -> Path:
        """Write the generator to one file that :func:`load_generator` reads."""
        ...

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a generator written by :meth:`save`."""
        ...


def check_request(generator: ImageGenerator, n: int, product_type: str | None, colour: str | None) -> None:
    """Raise :class:`GenerationRequestError` naming the field when a request cannot be served."""
    if not isinstance(n, int | np.integer) or not 1 <= n <= MAX_SAMPLES:
        raise GenerationRequestError("n", f"must be an integer from 1 to {MAX_SAMPLES}; got {n!r}")
    for field, value, known in (
        ("type", product_type, generator.types),
        ("colour", colour, generator.colours),
    ):
        if value is not None and value not in known:
            raise GenerationRequestError(
                field, f"unknown {field} {value!r}; this generator knows {', '.join(known) or 'none'}"
            )


def load_generator(path: Path | None = None) -> ImageGenerator:
    """The generator saved at ``path``, or the one shipped with Vestis when ``path`` is None."""
    path = SHIPPED if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no generator file here (train one with `vestis generate train`)")
    try:
        with zipfile.ZipFile(path) as archive:
            header = json.loads(archive.read("header.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a Vestis generator file ({error})") from error
    kind = header.get("kind")
    if kind not in GENERATORS:
        raise ValueError(f"{path}: unknown generator kind {kind!r}; expected one of {', '.join(GENERATORS)}")
    return generator_class(kind).load(path)


def generator_class(kind: str) -> Any:
    """The class registered under ``kind`` in :data:`GENERATORS`."""
    if kind not in GENERATORS:
        raise ValueError(f"unknown generator kind {kind!r}; choose from {', '.join(GENERATORS)}")
    module, _, name = GENERATORS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def draw_many(generator: ImageGenerator, n: int, *, seed: int = 0) -> np.ndarray:
    """``n`` images (any number) drawn :data:`MAX_SAMPLES` at a time, each batch with its own seed."""
    batches = []
    for index, start in enumerate(range(0, n, MAX_SAMPLES)):
        batches.append(generator.sample(min(MAX_SAMPLES, n - start), seed=seed * 1_000_003 + index))
    return np.concatenate(batches) if batches else np.zeros((0, generator.size, generator.size, 3), np.uint8)
