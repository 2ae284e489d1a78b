"""A tiny stand-in for a trained generator, and tiny drawn photos, for the tests of ``vestis.generate``.

It follows :class:`vestis.generate.base.ImageGenerator` and draws a flat shape per product type
in the asked colour (or one drawn from the seed) on a light background: deterministic for a
seed, different across seeds, and cheap. Registered as kind ``fake`` by :func:`register`, so
:func:`vestis.generate.base.load_generator` reads its files.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Self

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vestis.generate import base
from vestis.generate.data import PhotoSet

RGB = {"red": (200, 30, 30), "blue": (30, 60, 200), "black": (20, 20, 20)}
SMALL = {"latent": 8, "width": 4, "batch_size": 8}
"""Network sizes that train in a second on the drawn photos."""


def drawn_photos(n: int = 48, size: int = 16, seed: int = 0) -> PhotoSet:
    """Red squares ("tee") and blue bars ("trouser") on white, jittered."""
    rng = np.random.default_rng(seed)
    images = np.full((n, size, size, 3), 255, dtype=np.uint8)
    types, colours = [], []
    for row in range(n):
        shift = rng.integers(-2, 3)
        if row % 2:
            images[row, 3 + shift : 13 + shift, 3:13] = (200, 30, 30)
            types.append("tee")
            colours.append("red")
        else:
            images[row, 2:14, 6 + shift : 10 + shift] = (30, 30, 200)
            types.append("trouser")
            colours.append("blue")
    return PhotoSet(images, np.array(types), np.array(colours))


class FakeGenerator:
    """Coloured shapes: a triangle for a dress, a square for a shirt, a circle for a bag."""

    kind = "fake"

    def __init__(self, *, size: int = 32) -> None:
        self.size = size
        self.types = ("dress", "shirt", "bag")
        self.colours = tuple(RGB)
        self.calls = 0

    def sample(
        self, n: int, *, product_type: str | None = None, colour: str | None = None, seed: int = 0
    ) -> np.ndarray:
        """``(n, size, size, 3)`` uint8 images; the same arguments give the same images."""
        self.calls += 1
        rng = np.random.default_rng(seed)
        images = []
        for _ in range(n):
            kind = product_type or self.types[rng.integers(len(self.types))]
            fill = RGB[colour] if colour else tuple(int(v) for v in rng.integers(0, 256, 3))
            offset = int(rng.integers(0, self.size // 8 + 1))
            image = Image.new("RGB", (self.size, self.size), (240, 238, 235))
            draw = ImageDraw.Draw(image)
            low, high = self.size // 6 + offset, self.size * 5 // 6 - 1
            if kind == "dress":
                draw.polygon([(self.size // 2, low), (low, high), (high, high)], fill=fill)
            elif kind == "shirt":
                draw.rectangle((low, low, high, high), fill=fill)
            else:
                draw.ellipse((low, low, high, high), fill=fill)
            images.append(np.asarray(image))
        return np.stack(images)

    def save(self, path: Path) -> Path:
        """A zip holding only the header :func:`~vestis.generate.base.load_generator` reads."""
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("header.json", json.dumps({"kind": self.kind, "size": self.size}))
        return path

    @classmethod
    def load(cls, path: Path) -> Self:
        """The generator saved at ``path``."""
        with zipfile.ZipFile(path) as archive:
            return cls(size=json.loads(archive.read("header.json"))["size"])


def register(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``load_generator`` read files of kind ``fake`` for the rest of the test."""
    monkeypatch.setitem(base.GENERATORS, "fake", f"{__name__}:FakeGenerator")
