"""Generated-image measures on real photos: they rank a narrowed set and catch re-encoded copies."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vestis.generate.metrics import fid, image_features, kid, memorisation, precision_recall

pytestmark = pytest.mark.slow


def test_fashion_mnist_two_classes_score_worse_than_a_fair_sample(
    shared_data: Path, learned_home: Path
) -> None:
    """A "generator" that only makes trousers and bags: higher FID/KID, lower recall than fresh real images."""
    sprite = np.load(shared_data / "fashion-mnist-900" / "fashion_mnist_sprite_900.npz")
    images, labels = sprite["x"], sprite["y"]
    order = np.random.default_rng(0).permutation(len(images))
    real, fair, rest = order[:120], order[120:240], order[240:]
    narrow = rest[np.isin(labels[rest], (1, 8))][:100]  # trousers and bags
    features = image_features(images[np.concatenate([real, fair, narrow])])
    real_f, fair_f, narrow_f = features[:120], features[120:240], features[240:]
    # Measured on this slice (fair vs narrow): FID 69.5 vs 137.7, KID 0.0006 vs 0.060, recall 0.84 vs 0.44.
    assert len(narrow) == 100 and fid(real_f, fair_f) < 0.7 * fid(real_f, narrow_f)
    fair_kid, narrow_kid = kid(real_f, fair_f, subsets=10)[0], kid(real_f, narrow_f, subsets=10)[0]
    assert fair_kid < 0.1 * narrow_kid and narrow_kid > 0.02
    fair_recall, narrow_recall = precision_recall(real_f, fair_f)[1], precision_recall(real_f, narrow_f)[1]
    assert narrow_recall < 0.75 * fair_recall


def test_re_encoded_training_photos_are_flagged_as_near_copies(shared_data: Path, learned_home: Path) -> None:
    """JPEG-q90 copies of training photos are all flagged; q60 copies are found (measured: 7 of 20 flagged)."""
    paths = sorted((shared_data / "fashion-product-images" / "images").glob("*.jpg"))
    chosen = np.random.default_rng(0).choice(len(paths), 180, replace=False)
    photos = np.stack([np.asarray(Image.open(paths[row]).convert("RGB").resize((64, 64))) for row in chosen])
    train, held_out, fresh = photos[:80], photos[80:160], photos[160:]
    light = np.stack([_jpeg(image, quality=90) for image in train[:20]])
    heavy = np.stack([_jpeg(image, quality=60) for image in train[:20]])
    features = image_features(np.concatenate([train, held_out, fresh, light, heavy]))
    train_f, held_out_f, fresh_f = features[:80], features[80:160], features[160:180]
    light_f, heavy_f = features[180:200], features[200:]
    result = memorisation(train_f, np.concatenate([light_f, fresh_f]), held_out_f)
    assert result.nearest[:20].tolist() == list(range(20)) and result.near_copies[:20].all()
    assert result.near_copies[20:].sum() <= 1  # measured: none
    heavy_result = memorisation(train_f, heavy_f, held_out_f)
    assert heavy_result.nearest.tolist() == list(range(20))
    # Measured: median ratio 0.35 (q90), 0.58 (q60), 0.93 (fresh photos).
    light_ratio = memorisation(train_f, light_f, held_out_f).median_ratio
    assert light_ratio < 0.5 and heavy_result.median_ratio < 0.75
    assert 0.75 < memorisation(train_f, fresh_f, held_out_f).median_ratio < 1.25


def _jpeg(image: np.ndarray, *, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))
