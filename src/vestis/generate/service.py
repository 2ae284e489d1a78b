"""Generation for the CLI, the HTTP API and the studio page: one loaded generator, labelled PNGs out.

:class:`GeneratorService` loads the server's generator on first use (from
``Settings.generator_path``, else the shipped one) and keeps it; :func:`generate` checks a
request and draws the images; :func:`product_previews` re-draws an uploaded product photo in
new colours and as variations (a VAE's latent walk); :class:`Generation` encodes the results as
PNGs that say they were generated (:mod:`vestis.generate.provenance`), one by one or as a
labelled contact sheet.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from vestis.errors import Unavailable
from vestis.generate.base import GenerationRequestError, ImageGenerator, check_request, load_generator
from vestis.generate.provenance import ImageLike, contact_sheet, save_generated_png

__all__ = [
    "MAX_COLOURWAYS",
    "MAX_SEED",
    "MAX_VARIATIONS",
    "Generation",
    "GeneratorService",
    "GeneratorUnavailable",
    "can_preview",
    "generate",
    "product_previews",
]

MAX_SEED = 2**32 - 1
"""Largest seed a request may give (every random generator in use accepts 32-bit seeds)."""
MAX_VARIATIONS = 16
"""Most variations one product-preview request may ask for."""
MAX_COLOURWAYS = 16
"""Most new colours one product-preview request may name (repeats count once)."""


class GeneratorUnavailable(Unavailable):
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
    reference: np.ndarray | None = None
    """The real photo the images were drawn from, as the model saw it (product previews only)."""
    label: str = "generated"
    """What the contact sheet's strip says."""
    captions: tuple[str, ...] = ()
    """What each image is, in order (product previews: the colour, or "variation k"); empty otherwise."""

    def pngs(self) -> list[bytes]:
        """Each generated image as a PNG labelled as generated, with its place in the batch."""
        return [self._png(image, index=i, count=len(self.images)) for i, image in enumerate(self.images)]

    def reference_png(self) -> bytes | None:
        """The real photo as the model saw it, as a plain PNG (it is not generated), or None."""
        if self.reference is None:
            return None
        buffer = io.BytesIO()
        Image.fromarray(self.reference).save(buffer, format="PNG")
        return buffer.getvalue()

    def sheet_png(self, columns: int | None = None) -> bytes:
        """All images on one labelled contact sheet, the reference photo first (``columns`` default: near-square)."""
        tiles = self.images if self.reference is None else np.concatenate([self.reference[None], self.images])
        columns = columns or math.ceil(math.sqrt(len(tiles)))
        return self._png(contact_sheet(tiles, columns=columns, label=self.label), count=len(self.images))

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
    _check_seed(seed)
    images = generator.sample(n, product_type=product_type, colour=colour, seed=seed)
    return Generation(images, generator.kind, generator.size, product_type, colour, seed)


def can_preview(generator: ImageGenerator) -> bool:
    """Whether ``generator`` can re-draw a given photo (a VAE can; a GAN has no encoder)."""
    return callable(getattr(generator, "colourways", None)) and callable(
        getattr(generator, "variations", None)
    )


def product_previews(
    generator: ImageGenerator,
    photo: Image.Image,
    *,
    product_type: str,
    colour: str,
    to: Sequence[str] = (),
    variations: int = 0,
    seed: int = 0,
) -> Generation:
    """A real product photo re-drawn in each colour of ``to``, then as ``variations`` variations of it.

    The studio's "new colourway / variation" previews. ``product_type`` and ``colour`` say what
    the photo shows, in the generator's names. :class:`~vestis.generate.base.GenerationRequestError`
    names a bad field; :class:`GeneratorUnavailable` says when the generator cannot re-draw a photo.
    """
    if not can_preview(generator):
        raise GeneratorUnavailable(
            f"colourway and variation previews need a VAE generator; this one is a {generator.kind}"
        )
    check_request(generator, 1, product_type, colour)
    _check_seed(seed)
    to = list(dict.fromkeys(to))
    if len(to) > MAX_COLOURWAYS:
        raise GenerationRequestError("to", f"name at most {MAX_COLOURWAYS} colours; got {len(to)}")
    unknown = [name for name in to if name not in generator.colours]
    if unknown:
        raise GenerationRequestError(
            "to", f"unknown colour {unknown[0]!r}; this generator knows {', '.join(generator.colours)}"
        )
    if not 0 <= variations <= MAX_VARIATIONS:
        raise GenerationRequestError("variations", f"must be from 0 to {MAX_VARIATIONS}; got {variations}")
    if not to and not variations:
        raise GenerationRequestError("to", "name at least one colour, or ask for variations")
    photo = Image.fromarray(generator.model_input(photo)[0])  # type: ignore[attr-defined]  # prepared once for both
    recoloured = generator.colourways(photo, product_type, colour, list(to)) if to else None  # type: ignore[attr-defined]
    varied = (
        generator.variations(photo, product_type, colour, variations, seed=seed)  # type: ignore[attr-defined]
        if variations
        else None
    )
    parts = [drawn[1:] for drawn in (recoloured, varied) if drawn is not None]
    reference = next(drawn[0] for drawn in (recoloured, varied) if drawn is not None)
    label = " and ".join(
        part for part, wanted in (("new colourways", to), ("variations", variations)) if wanted
    )
    return Generation(
        np.concatenate(parts),
        generator.kind,
        generator.size,
        product_type,
        ",".join(to) or colour,
        seed,
        reference=reference,
        label=f"photo, then generated {label}",
        captions=(*to, *(f"variation {i}" for i in range(1, variations + 1))),
    )


def _check_seed(seed: int) -> None:
    if not 0 <= seed <= MAX_SEED:
        raise GenerationRequestError("seed", f"must be an integer from 0 to {MAX_SEED}; got {seed}")
