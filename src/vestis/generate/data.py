"""Training photos for the generators: square product images with their type and colour.

:func:`load_photos` reads the layouts a retailer or a researcher already has, found by the
file in the folder:

* ``styles_merged.csv`` or ``styles.csv`` + ``images/<id>.jpg`` — the Myntra "Fashion Product
  Images" layout (``articleType``, ``baseColour``);
* ``articles.csv`` + ``images/<first 3 digits>/<article_id>.jpg`` — H&M's
  (``product_type_name``, ``colour_group_name``);
* ``photos.csv`` with columns ``image_path`` (relative to the folder), ``product_type`` and
  ``color`` — anything else, in Vestis's own field names;
* a ``.npz`` file with ``x`` (N×28×28 grey) and ``y`` (class numbers) — Fashion-MNIST. Its
  light garments on black are inverted to dark garments on white, the way catalog photos
  show products, so a model trained on it can take a shop's photos and sits on a shop's pages.

Every photo is padded to a square on its border colour and resized, so nothing is cropped.
Types and colours seen fewer than ``min_count`` times become ``other``: a condition the
generator has seen a handful of times only teaches it noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from vestis.progress import track
from vestis.vision.border import square_on_border
from vestis.vision.io import ImageError, load_image

__all__ = ["FASHION_MNIST_CLASSES", "OTHER", "PhotoSet", "load_photos"]

OTHER = "other"
FASHION_MNIST_CLASSES = (
    "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot",
)  # fmt: skip


@dataclass(frozen=True)
class PhotoSet:
    """``images`` (N×S×S×3 uint8) with each image's product ``types`` and ``colours`` (lower case)."""

    images: np.ndarray
    types: np.ndarray
    colours: np.ndarray

    def __len__(self) -> int:
        return len(self.images)

    @property
    def size(self) -> int:
        """Side of the square images, in pixels."""
        return int(self.images.shape[1])

    def take(self, rows: np.ndarray) -> PhotoSet:
        """The photos at ``rows``."""
        return PhotoSet(self.images[rows], self.types[rows], self.colours[rows])

    def split(self, test_fraction: float = 0.2, *, seed: int = 0) -> tuple[PhotoSet, PhotoSet]:
        """A random (train, test) split; the test part measures generators and classifiers honestly."""
        if not 0 < test_fraction < 1:
            raise ValueError(f"test_fraction must lie in (0, 1); got {test_fraction!r}")
        order = np.random.default_rng(seed).permutation(len(self))
        cut = int(round(len(self) * (1 - test_fraction)))
        return self.take(order[:cut]), self.take(order[cut:])

    def vocabulary(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The distinct types and colours, sorted."""
        return tuple(sorted(set(self.types.tolist()))), tuple(sorted(set(self.colours.tolist())))


def load_photos(
    source: Path, *, size: int = 64, limit: int | None = None, min_count: int = 20, progress: bool = True
) -> PhotoSet:
    """Every readable photo under ``source`` (a folder or a Fashion-MNIST ``.npz``), ``size`` px square.

    ``limit`` keeps the first photos in file order (for quick runs). Unreadable photos are
    skipped and counted in the error raised when none is left.
    """
    source = Path(source)
    if size < 16:
        raise ValueError(f"size must be at least 16 pixels; got {size}")
    if source.suffix == ".npz":
        return _fashion_mnist(source, size=size, limit=limit)
    table = _table(source)
    if limit is not None:
        table = table.head(limit)
    images, kept = [], []
    for row, path in track(
        list(enumerate(table["path"])), description=f"reading photos ({size} px)", disable=not progress
    ):
        try:
            picture = load_image(Path(path), min_side=8)
        except ImageError:
            continue
        images.append(_square(np.asarray(picture.convert("RGB")), size))
        kept.append(row)
    if not images:
        raise ValueError(f"{source}: none of the {len(table)} listed photos could be read")
    table = table.iloc[kept]
    return PhotoSet(
        np.stack(images),
        _common(table["type"].to_numpy(dtype=str), min_count),
        _common(table["colour"].to_numpy(dtype=str), min_count),
    )


def _table(folder: Path) -> pd.DataFrame:
    """Columns ``path``, ``type``, ``colour`` for the photos a folder lists, in file order."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a folder of photos or a .npz file")
    for name in ("styles_merged.csv", "styles.csv"):
        if (folder / name).is_file():
            frame = pd.read_csv(
                folder / name, usecols=["id", "articleType", "baseColour"], on_bad_lines="skip"
            )
            paths = [folder / "images" / f"{i}.jpg" for i in frame["id"]]
            return _listed(frame, paths, "articleType", "baseColour")
    if (folder / "articles.csv").is_file():
        frame = pd.read_csv(
            folder / "articles.csv",
            usecols=["article_id", "product_type_name", "colour_group_name"],
            dtype={"article_id": str},
        )
        paths = [folder / "images" / a[:3] / f"{a}.jpg" for a in frame["article_id"]]
        return _listed(frame, paths, "product_type_name", "colour_group_name")
    if (folder / "photos.csv").is_file():
        frame = pd.read_csv(folder / "photos.csv", dtype=str)
        missing = {"image_path", "product_type", "color"} - set(frame.columns)
        if missing:
            raise ValueError(f"{folder / 'photos.csv'}: missing column(s) {', '.join(sorted(missing))}")
        return _listed(frame, [folder / p for p in frame["image_path"]], "product_type", "color")
    raise ValueError(
        f"{folder}: found none of styles_merged.csv / styles.csv (Myntra), articles.csv (H&M) or photos.csv"
    )


def _listed(frame: pd.DataFrame, paths: Sequence[Path], type_column: str, colour_column: str) -> pd.DataFrame:
    """The rows whose photo file exists, with lower-case type and colour."""
    listed = pd.DataFrame(
        {
            "path": [str(p) for p in paths],
            "type": frame[type_column].fillna(OTHER).astype(str).str.strip().str.lower().to_numpy(),
            "colour": frame[colour_column].fillna(OTHER).astype(str).str.strip().str.lower().to_numpy(),
        }
    )
    return listed[[Path(p).is_file() for p in listed["path"]]].reset_index(drop=True)


def _fashion_mnist(path: Path, *, size: int, limit: int | None) -> PhotoSet:
    with np.load(path) as archive:
        if "x" not in archive or "y" not in archive:
            raise ValueError(f"{path}: a Fashion-MNIST file holds arrays 'x' and 'y'")
        grey, labels = archive["x"][:limit], archive["y"][:limit]
    images = np.stack([_square(np.repeat(255 - g[:, :, None], 3, axis=2), size) for g in grey])
    names = np.array([FASHION_MNIST_CLASSES[int(y)] for y in labels], dtype=str)
    return PhotoSet(images, names, np.array(["grey"] * len(names)))


def _square(pixels: np.ndarray, size: int) -> np.ndarray:
    square = Image.fromarray(square_on_border(pixels))
    return np.asarray(square.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


def _common(values: np.ndarray, min_count: int) -> np.ndarray:
    """``values`` with the ones seen fewer than ``min_count`` times replaced by ``other``."""
    names, counts = np.unique(values, return_counts=True)
    rare = set(names[counts < min_count].tolist())
    return np.array([OTHER if v in rare else v for v in values.tolist()], dtype=str)
