"""Measures of generated images: FID, KID, precision/recall and memorisation on known feature sets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.unit.test_vision_features import COLOURS, PATTERNS, SHAPES, draw_product
from vestis.generate import metrics
from vestis.generate.metrics import (
    evaluate,
    fid,
    image_features,
    kid,
    memorisation,
    nearest_training_grid,
    precision_recall,
    spread,
)
from vestis.vectors import unit_rows
from vestis.vision.embeddings import DIMENSION, ImageEmbedder


def gaussian(rng: np.random.Generator, n: int, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """``n`` rows whose *sample* mean and covariance are exactly ``mean`` and ``cov``."""
    noise = rng.normal(size=(n, len(mean)))
    noise -= noise.mean(axis=0)
    whitened = noise @ np.linalg.inv(np.linalg.cholesky(np.cov(noise, rowvar=False))).T
    return whitened @ np.linalg.cholesky(cov).T + mean


def drawn_images(count: int, *, start: int = 0, size: int = 64) -> np.ndarray:
    """``count`` drawn garments (every pattern, colour and shape in turn) as a uint8 stack."""
    combos = [(p, c, s) for p in PATTERNS for c in COLOURS for s in SHAPES]
    images = []
    for seed in range(start, start + count):
        pattern, colour, shape = combos[seed % len(combos)]
        photo = draw_product(pattern, colour, shape=shape, seed=seed).resize((size, size))
        images.append(np.asarray(photo.convert("RGB")))
    return np.stack(images)


# ------------------------------------------------------------------------------ FID
def test_fid_of_a_set_with_itself_is_zero() -> None:
    rows = np.random.default_rng(0).normal(size=(300, 12))
    assert fid(rows, rows) == pytest.approx(0.0, abs=1e-8)


def test_fid_equals_the_closed_form_of_two_known_gaussians() -> None:
    """Covariances ``R diag(a) Rᵀ`` and ``R diag(b) Rᵀ`` commute: Tr term = Σ (√a − √b)²."""
    rng = np.random.default_rng(1)
    dimension = 6
    rotation, _ = np.linalg.qr(rng.normal(size=(dimension, dimension)))
    a, b = rng.uniform(0.5, 4.0, dimension), rng.uniform(0.5, 4.0, dimension)
    mean_a, mean_b = rng.normal(size=dimension), rng.normal(size=dimension)
    real = gaussian(rng, 400, mean_a, rotation @ np.diag(a) @ rotation.T)
    fake = gaussian(rng, 250, mean_b, rotation @ np.diag(b) @ rotation.T)
    expected = np.sum((mean_a - mean_b) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert fid(real, fake) == pytest.approx(expected, rel=1e-8)


def test_fid_agrees_with_torchmetrics_on_non_commuting_covariances() -> None:
    torch = pytest.importorskip("torch")
    peer = pytest.importorskip("torchmetrics.image.fid")
    rng = np.random.default_rng(2)
    real = rng.normal(size=(400, 10)) @ rng.normal(size=(10, 10))
    fake = rng.normal(size=(300, 10)) @ rng.normal(size=(10, 10)) + 0.7

    def moments(rows: np.ndarray) -> tuple[object, object]:
        return torch.tensor(rows.mean(axis=0)), torch.tensor(np.cov(rows, rowvar=False))

    expected = float(peer._compute_fid(*moments(real), *moments(fake)))
    assert fid(real, fake) == pytest.approx(expected, rel=1e-9)
    few_real, few_fake = real[:12] @ rng.normal(size=(10, 40)), fake[:9] @ rng.normal(size=(10, 40))
    expected = float(peer._compute_fid(*moments(few_real), *moments(few_fake)))  # singular covariances
    assert fid(few_real, few_fake) == pytest.approx(expected, rel=1e-6)


def test_fid_grows_with_the_shift() -> None:
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(500, 8)), rng.normal(size=(500, 8))
    distances = [fid(real, fake + shift) for shift in (0.0, 0.5, 1.0, 2.0)]
    assert distances == sorted(distances) and distances[0] < 0.3 < distances[1]
    assert distances[-1] == pytest.approx(8 * 2.0**2, rel=0.1)  # ‖Δμ‖² dominates


@pytest.mark.parametrize(
    "rows", [300, 40]
)  # full-rank covariances, then singular ones (fewer rows than features)
def test_the_root_trace_matches_scipys_matrix_square_root(rows: int) -> None:
    import scipy.linalg

    rng = np.random.default_rng(4)
    real = rng.normal(size=(rows, 60)) @ rng.normal(size=(60, 60))
    fake = rng.normal(size=(rows, 60)) @ rng.normal(size=(60, 60)) + 1.0
    cov_real, cov_fake = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    reference = float(np.real(np.trace(scipy.linalg.sqrtm(cov_real @ cov_fake))))
    assert metrics._trace_of_root(cov_real, cov_fake) == pytest.approx(reference, rel=1e-6)
    assert fid(real, real) == pytest.approx(0.0, abs=1e-6 * np.trace(cov_real))


def test_feature_sets_are_checked_and_named() -> None:
    rows = np.zeros((5, 3))
    with pytest.raises(ValueError, match="fake_features: needs at least 2 rows; got 1"):
        fid(rows, rows[:1])
    with pytest.raises(ValueError, match="real_features has 3 features per row but fake_features has 4"):
        kid(rows, np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"real_features: expected a 2-d array .* shape \(5,\)"):
        precision_recall(rows[:, 0], rows)
    with pytest.raises(ValueError, match="NaN"):
        fid(np.full((5, 3), np.nan), rows)
    with pytest.raises(ValueError, match="fake_features: needs at least 4 rows"):
        precision_recall(rows, rows[:3], k=3)


# ------------------------------------------------------------------------------ KID
def test_kid_is_the_unbiased_mmd_of_the_whole_sets_when_they_fit_one_subset() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 3)) + 0.3

    def kernel(p: np.ndarray, q: np.ndarray) -> float:
        return (p @ q / 3 + 1.0) ** 3

    pairs = [(i, j) for i in range(7) for j in range(7)]
    within = sum(kernel(x[i], x[j]) + kernel(y[i], y[j]) for i, j in pairs if i != j) / (7 * 6)
    across = sum(kernel(x[i], y[j]) for i, j in pairs) / 49
    mean, std = kid(x, y, subsets=3, subset_size=100)
    assert mean == pytest.approx(within - 2 * across, rel=1e-10) and std == pytest.approx(0.0, abs=1e-12)


def test_kid_is_near_zero_for_one_distribution_and_clearly_positive_for_a_shift() -> None:
    rng = np.random.default_rng(6)
    real, fake = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    same_mean, same_std = kid(real, fake, subset_size=200)
    shifted_mean, shifted_std = kid(real, fake + 1.0, subset_size=200)
    assert abs(same_mean) < 0.02 and same_std < 0.05
    assert shifted_mean > 5.0 and shifted_mean > 10 * shifted_std
    assert kid(real, fake, subset_size=200) == (same_mean, same_std)  # seeded
    with pytest.raises(ValueError, match="subset_size"):
        kid(real, fake, subset_size=1)


# ------------------------------------------------------------------------------ precision / recall
def test_precision_and_recall_are_high_for_one_distribution_and_zero_for_disjoint_clouds() -> None:
    rng = np.random.default_rng(7)
    real, fake = rng.normal(size=(500, 8)), rng.normal(size=(500, 8))
    precision, recall = precision_recall(real, fake)
    assert precision > 0.7 and recall > 0.7  # measured: 0.80 and 0.76 at k = 3
    assert precision_recall(real, fake + 50.0) == (0.0, 0.0)
    assert precision_recall(real, real) == (1.0, 1.0)


def test_a_collapsed_generator_is_precise_but_has_no_recall() -> None:
    rng = np.random.default_rng(8)
    real = rng.normal(size=(500, 8))
    collapsed = real[:1] + 0.01 * rng.normal(size=(500, 8))
    precision, recall = precision_recall(real, collapsed)
    assert precision == 1.0 and recall < 0.02


def test_spread_is_one_for_the_same_distribution_and_near_zero_for_a_collapse() -> None:
    rng = np.random.default_rng(9)
    real = rng.normal(size=(600, 8))
    assert spread(real, rng.normal(size=(600, 8))) == pytest.approx(1.0, abs=0.03)
    assert spread(real, real[:1] + 0.01 * rng.normal(size=(600, 8))) < 0.01
    assert spread(real, 3.0 * rng.normal(size=(600, 8))) == pytest.approx(3.0, rel=0.05)
    with pytest.raises(ValueError, match="fake_features: needs at least 2 rows"):
        spread(real, real[:1])


# ------------------------------------------------------------------------------ colour condition
def test_colour_agreement_counts_products_of_the_asked_colour() -> None:
    red = np.asarray(draw_product("solid", "red").resize((64, 64)).convert("RGB"))
    yellow = np.asarray(draw_product("solid", "yellow", shape="dress").resize((64, 64)).convert("RGB"))
    images = np.stack([red, yellow, red, yellow])
    assert metrics.colour_agreement(images, ["red", "yellow", "yellow", "red"]) == 0.5
    assert (
        metrics.colour_agreement(images[:2], ["red", "multi"]) == 1.0
    )  # a name outside the palette is skipped
    assert np.isnan(metrics.colour_agreement(images[:1], ["silver"]))
    with pytest.raises(ValueError, match="colours: expected one per image"):
        metrics.colour_agreement(images, ["red"])


# ------------------------------------------------------------------------------ memorisation
def test_memorisation_flags_exact_copies_and_not_fresh_samples() -> None:
    rng = np.random.default_rng(9)
    train, held_out = rng.normal(size=(300, 10)), rng.normal(size=(300, 10))
    copied = [5, 17, 123, 250]
    generated = np.concatenate([train[copied], rng.normal(size=(60, 10))])
    result = memorisation(train, generated, held_out)
    assert result.near_copies[:4].all() and result.nearest[:4].tolist() == copied
    assert np.allclose(result.distances[:4], 0.0, atol=1e-6)
    assert result.near_copies[4:].sum() <= 2  # the 1st percentile lets through ~1 % of fresh samples
    assert result.near_copy_share == pytest.approx(result.near_copies.mean())
    fresh = memorisation(train, generated[4:], held_out)
    assert 0.85 < fresh.median_ratio < 1.15  # fresh samples sit as far as unseen real rows
    assert memorisation(train, train[:50] + 1e-3, held_out).median_ratio < 0.01
    assert json.loads(json.dumps(result.to_dict()))["near_copies"] == int(result.near_copies.sum())


def test_the_grid_puts_the_closest_pairs_first_and_says_they_are_generated(tmp_path: Path) -> None:
    train_images = drawn_images(6)
    generated_images = np.stack([train_images[3], drawn_images(1, start=40)[0]])
    rng = np.random.default_rng(10)
    train, held_out = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    result = memorisation(train, np.stack([train[3], rng.normal(size=4) + 5.0]), held_out)
    target = nearest_training_grid(
        generated_images, train_images, result, tmp_path / "grid" / "near.png", tile=32
    )
    with Image.open(target) as sheet:
        assert "generated, not photographs" in sheet.text["Description"]
        pixels = np.asarray(sheet.convert("RGB"))
    first_pair = pixels[30 : 30 + 32, 8 : 8 + 2 * 32 + 8]  # below the 22 px legend
    left, right = first_pair[:, :32].astype(int), first_pair[:, 40:].astype(int)
    assert np.abs(left - right).mean() < 1.0  # the copy beside its training image
    with pytest.raises(ValueError, match="generated_images: 1 images"):
        nearest_training_grid(generated_images[:1], train_images, result, tmp_path / "x.png")
    with pytest.raises(ValueError, match="columns: must be a positive integer; got 0"):
        nearest_training_grid(generated_images, train_images, result, tmp_path / "x.png", columns=0)


# ------------------------------------------------------------------------------ images
def test_image_features_are_the_raw_pooled_embeddings(learned_home: Path) -> None:
    images = drawn_images(3)
    features = image_features(images, batch_size=2)
    assert features.shape == (3, DIMENSION) and features.dtype == np.float32
    assert np.isfinite(features).all() and (features >= 0).all()
    assert not np.allclose(np.linalg.norm(features, axis=1), 1.0)
    assert np.allclose(unit_rows(features), ImageEmbedder().embed(images), atol=1e-5)


def test_grayscale_images_are_measured_as_three_equal_channels(learned_home: Path) -> None:
    grey = drawn_images(2, size=28).mean(axis=-1).astype(np.uint8)
    as_rgb = image_features(np.repeat(grey[..., None], 3, axis=-1))
    assert np.allclose(image_features(grey), as_rgb, atol=1e-5)
    assert np.allclose(image_features(grey[..., None]), as_rgb, atol=1e-5)
    with pytest.raises(ValueError, match="uint8"):
        image_features(grey.astype(np.float32))
    with pytest.raises(ValueError, match=r"got \(2, 28, 28, 2\)"):
        image_features(np.zeros((2, 28, 28, 2), dtype=np.uint8))


def test_evaluate_reports_every_measure_as_json_and_catches_copies(
    learned_home: Path, tmp_path: Path
) -> None:
    train_images, real_images = drawn_images(10), drawn_images(8, start=10)
    generated_images = np.concatenate([train_images[:3], drawn_images(5, start=20)])
    report = evaluate(generated_images, real_images, train_images, kid_subsets=5, grid=tmp_path / "near.png")
    assert json.loads(json.dumps(report)) == report
    assert report["images"] == {"generated": 8, "real": 8, "train": 10}
    assert report["kid"]["subset_size"] == 8 and report["fid"] > 0
    assert 0.0 <= report["precision"] <= 1.0 and 0.0 <= report["recall"] <= 1.0
    assert report["memorisation"]["near_copies"] >= 3
    assert (tmp_path / "near.png").is_file()
