"""Visual similarity features on real product photos: hand-made vs learned vs both vs random.

For every photo, the five nearest other photos in each feature space
(:meth:`vestis.recommend.visual.VisualSpace.from_features`, the code the visual recommenders
use). A neighbour is relevant when it has the same product type AND the same colour group as
the query (also reported: same type only, same colour only), read from the shop's own
metadata, never from the photos. Precision@5 is averaged over all queries. In the same run:

* **hand-made**: the colour / pattern / shape blocks with :class:`VisualRecommender`'s default
  weights (``features="handmade"``);
* **learned**: ImageNet EfficientNet-Lite0, global-average-pooled (``features="learned"``);
* **both**: the two side by side, the learned block's share of the similarity swept;
* **random**: the expected precision of five neighbours drawn at random (exact, not sampled).

Data: H&M's 1,500 real product photos (``hm-articles-images``; product_type_name and
colour_group_name) and a seeded sample of the Myntra photos (``fashion-product-images``;
articleType and baseColour). Embedding time per image includes decoding the file; the torch
backend is timed on a slice in the same run as the ONNX one. Replaces the
"## Visual similarity features (H&M, real photos)" section of docs/benchmarks.md.

    .venv/bin/python -m benchmarks.visual_features
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.report import write_section
from vestis.recommend.visual import VisualRecommender, VisualSpace
from vestis.vision.embeddings import ImageEmbedder
from vestis.vision.features import feature_matrix

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SECTION = "## Visual similarity features (H&M, real photos)"
K = 5
LEARNED_WEIGHTS = (1.0, 2.5, 7.5)
"""``learned_weight`` values tried for ``features="both"`` (the hand-made weights sum to 2.5)."""
MYNTRA_SAMPLE = 1500
TORCH_SLICE = 64
"""Photos the torch backend embeds for its timing (the ONNX backend embeds them all)."""


@dataclass(frozen=True)
class PhotoSet:
    """Photo paths with the product type and colour group the shop lists for each."""

    name: str
    paths: list[Path]
    types: np.ndarray
    colours: np.ndarray


def main() -> None:
    """Features of both photo sets, the precision table for each, and the section."""
    sets = [hm_photos(), myntra_photos()]
    parts, timings = [], []
    for photos in sets:
        table, timing = _evaluate(photos)
        parts.append(
            f"**{photos.name}**: {len(photos.paths):,} photos, {len(set(photos.types))} product types, "
            f"{len(set(photos.colours))} colour groups.\n\n"
            "| features | P@5 type and colour | P@5 type | P@5 colour | ratio to hand-made (type and colour) "
            "| ratio to random (type and colour) |\n|---|---|---|---|---|---|\n" + table
        )
        timings.append(f"| {photos.name} | {timing} |")
    write_section(
        f"{SECTION}\n\n"
        f"For every real product photo, the {K} nearest other photos in each feature space "
        "(`VisualSpace.from_features`, the code `VisualRecommender` and `VBPRRecommender` use). Relevant: "
        "the same product type AND colour group as the query in the shop's own metadata (also: same type "
        "only, same colour only). Hand-made: colour / pattern / shape blocks with the recommender's "
        "default weights (1, 1, 0.5). Learned: ImageNet EfficientNet-Lite0 pooled to 1280 numbers "
        "(`vestis.vision.embeddings`). Both: the two side by side, the learned block's weight "
        f"swept over {', '.join(map(str, LEARNED_WEIGHTS))} beside the hand-made 2.5. Random: the exact "
        "expected precision of five neighbours drawn at random. CPU, 2 shared cores.\n\n"
        + "\n\n".join(parts)
        + '\n\nThe recommenders\' default is `features="both"` with `learned_weight` 2.5, an equal share '
        "beside the hand-made blocks.\n\nTime per photo, decoding included (torch timed on "
        f"{TORCH_SLICE} photos in the same run). The machine is shared with other jobs: absolute times "
        "vary from run to run; compare within a row.\n\n"
        "| photos | hand-made | learned, ONNX | learned, torch | torch / ONNX |\n|---|---|---|---|---|\n"
        + "\n".join(timings)
        + "\n\nReproduce: `.venv/bin/python -m benchmarks.visual_features` (needs ../shared/data).\n"
    )


def _evaluate(photos: PhotoSet) -> tuple[str, str]:
    """Markdown rows of the precision table and of the timing table for one photo set."""
    started = time.perf_counter()
    raw, has_image, _ = feature_matrix(photos.paths, progress=True)
    handmade_seconds = (time.perf_counter() - started) / len(photos.paths)
    embedder = ImageEmbedder(backend="onnx", progress=True)
    embedder.embed_files(photos.paths[:4])  # the export and session are made once, not timed
    started = time.perf_counter()
    embedded, readable = embedder.embed_files(photos.paths)
    onnx_seconds = (time.perf_counter() - started) / len(photos.paths)
    torch_embedder = ImageEmbedder(backend="torch")
    torch_embedder.embed_files(photos.paths[:4])
    started = time.perf_counter()
    torch_embedder.embed_files(photos.paths[:TORCH_SLICE])
    torch_seconds = (time.perf_counter() - started) / TORCH_SLICE
    has_image &= readable

    defaults = VisualRecommender()._weights()
    spaces = {"hand-made": VisualSpace.from_features(raw, has_image, None, defaults, features="handmade")}
    spaces["learned"] = VisualSpace.from_features(raw, has_image, embedded, defaults, features="learned")
    for weight in LEARNED_WEIGHTS:
        weights = {**defaults, "learned": weight}
        spaces[f"both, learned_weight {weight:g}"] = VisualSpace.from_features(
            raw, has_image, embedded, weights, features="both"
        )
    relevant = relevance(photos)
    results = {name: precision_at_k(space.vectors, relevant) for name, space in spaces.items()}
    results["random"] = {kind: random_precision(matrix) for kind, matrix in relevant.items()}
    hand, chance = results["hand-made"]["both"], results["random"]["both"]
    rows = [
        f"| {name} | {p['both']:.4f} | {p['type']:.4f} | {p['colour']:.4f} | {p['both'] / hand:.2f}× "
        f"| {p['both'] / chance:.1f}× |"
        for name, p in results.items()
    ]
    print(f"{photos.name}\n" + "\n".join(rows))
    timing = (
        f"{handmade_seconds * 1000:.0f} ms | {onnx_seconds * 1000:.1f} ms | {torch_seconds * 1000:.1f} ms "
        f"| {torch_seconds / onnx_seconds:.1f}×"
    )
    print(timing)
    return "\n".join(rows), timing


def precision_at_k(vectors: np.ndarray, relevance: dict[str, np.ndarray]) -> dict[str, float]:
    """Mean precision@K of each relevance kind (square boolean matrices), the query excluded."""
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    neighbours = np.argpartition(-similarity, K, axis=1)[:, :K]
    rows = np.arange(len(vectors))[:, None]
    return {kind: float(matrix[rows, neighbours].mean()) for kind, matrix in relevance.items()}


def random_precision(relevant: np.ndarray) -> float:
    """Expected precision of neighbours drawn uniformly from the other photos."""
    others = relevant.sum(axis=1) - 1  # every photo is relevant to itself
    return float((others / (len(relevant) - 1)).mean())


def relevance(photos: PhotoSet) -> dict[str, np.ndarray]:
    """Which photo is relevant to which: same type and colour ("both"), same "type", same "colour"."""
    same_type = photos.types[:, None] == photos.types
    same_colour = photos.colours[:, None] == photos.colours
    return {"both": same_type & same_colour, "type": same_type, "colour": same_colour}


def hm_photos(data: Path = DATA) -> PhotoSet:
    """H&M's real product photos with their listed product type and colour group."""
    root = data / "hm-articles-images"
    articles = pd.read_csv(root / "articles.csv", dtype={"article_id": str}).set_index("article_id")
    paths = sorted((root / "images").rglob("*.jpg"))
    listed = articles.reindex([path.stem for path in paths])
    return PhotoSet(
        "H&M",
        paths,
        listed["product_type_name"].to_numpy(dtype=str),
        listed["colour_group_name"].to_numpy(dtype=str),
    )


def myntra_photos(data: Path = DATA) -> PhotoSet:
    """A seeded sample of the Myntra photos with their article type and base colour."""
    root = data / "fashion-product-images"
    styles = pd.read_csv(root / "styles_merged.csv", dtype={"id": str}).set_index("id")
    photos = sorted((root / "images").glob("*.jpg"))
    photos = [path for path in photos if path.stem in styles.index]
    chosen = np.sort(np.random.default_rng(0).choice(len(photos), MYNTRA_SAMPLE, replace=False))
    paths = [photos[i] for i in chosen]
    listed = styles.reindex([path.stem for path in paths])
    return PhotoSet(
        f"Myntra (seeded sample of {MYNTRA_SAMPLE:,} of {len(photos):,})",
        paths,
        listed["articleType"].fillna("?").to_numpy(dtype=str),
        listed["baseColour"].fillna("?").to_numpy(dtype=str),
    )


if __name__ == "__main__":
    main()
