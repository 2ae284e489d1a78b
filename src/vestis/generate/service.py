"""Generation for the CLI, the HTTP API and the studio page: one loaded generator, labelled PNGs out.

:class:`GeneratorService` loads the server's generator on first use (from
``Settings.generator_path``, else the shipped one) and keeps it; :func:`generate` checks a
request and draws the images; :class:`Generation` encodes them as PNGs that say they were
generated (:mod:`vestis.generate.provenance`), one by one or as a labelled contact sheet.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vestis.generate.base import GenerationRequestError, ImageGenerator, check_request, load_generator
from vestis.generate.provenance import ImageLike, contact_sheet, save_generated_png

__all__ = ["MAX_SEED", "Generation", "GeneratorService", "GeneratorUnavailable", "generate"]

MAX_SEED = 2**32 - 1
"""Largest seed a request may give (every random generator in use accepts 32-bit seeds)."""


class GeneratorUnavailable(RuntimeError):
    """No generator could be loaded; the message says why and how to get one."""


class GeneratorService:
    """The one generator of a running app, loaded from ``path`` (None: the shipped one) on first use.

    Loading imports the model's framework and reads its weights, so it is done once, by the
    first request that needs it, under a lock. A failed load is not remembered: once a
    generator file is put in place, the next request loads it without a restart.
    """

    def __init__(
        self, path: Path | None, *, loader: Callable[[Path | None], ImageGenerator] = load_generator
    ) -> None:
        self.path = path
        self._loader = loader
        self._generator: ImageGenerator | None = None
        self._lock = threading.Lock()

    def get(self) -> ImageGenerator:
        """The loaded generator; raises :class:`GeneratorUnavailable` when none can be loaded."""
        with self._lock:
            if self._generator is None:
                try:
                    self._generator = self._loader(self.path)
                except (FileNotFoundError, ValueError) as error:
                    raise GeneratorUnavailable(
                        f"no image generator is available: {error}; or set VESTIS_GENERATOR to a generator file"
                    ) from None
            return self._generator


@dataclass(frozen=True)
class Generation:
    """Images drawn for one request, with the request, so every encoding can say how they were made."""

    images: np.ndarray
    kind: str
    size: int
    product_type: str | None
    colour: str | None
    seed: int

    def pngs(self) -> list[bytes]:
        """Each image as a PNG labelled as generated, with its place in the batch."""
        return [self._png(image, index=i, count=len(self.images)) for i, image in enumerate(self.images)]

    def sheet_png(self, columns: int | None = None) -> bytes:
        """All images on one labelled contact sheet (``columns`` default: a near-square grid)."""
        columns = columns or math.ceil(math.sqrt(len(self.images)))
        return self._png(contact_sheet(self.images, columns=columns), count=len(self.images))

    def _png(self, image: ImageLike, **batch: int) -> bytes:
        buffer = io.BytesIO()
        save_generated_png(
            image,
            buffer,
            generator_kind=self.kind,
            product_type=self.product_type,
            colour=self.colour,
            seed=self.seed,
            **batch,
        )
        return buffer.getvalue()


def generate(
    generator: ImageGenerator,
    n: int,
    *,
    product_type: str | None = None,
    colour: str | None = None,
    seed: int = 0,
) -> Generation:
    """Check the request (:class:`~vestis.generate.base.GenerationRequestError` names a bad field), then draw ``n`` images."""
    check_request(generator, n, product_type, colour)
    if not 0 <= seed <= MAX_SEED:
        raise GenerationRequestError("seed", f"must be an integer from 0 to {MAX_SEED}; got {seed}")
    images = generator.sample(n, product_type=product_type, colour=colour, seed=seed)
    return Generation(images, generator.kind, generator.size, product_type, colour, seed)
