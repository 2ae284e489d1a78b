"""The learned try-on refiner on photos the tests draw: training, the band, weights, the backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from vestis.tryon import TryOn
from vestis.tryon.artefacts import garment_height, simulate_composite
from vestis.tryon.pipeline import BACKENDS, TryOnResult
from vestis.tryon.refine import (
    BACKEND_NAME,
    WEIGHTS,
    RefinedBackend,
    Refiner,
    RefinerNet,
    band,
    load_weights,
    save_weights,
)
from vestis.tryon.train_refiner import Photo, RefinerTrainer, evaluate, make_patch, train

TINY = (8, 8, 16, 16)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Train and run on one thread: on a busy machine, torch's thread pool spins far longer than it works."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _photo(seed: int, height: int = 160, width: int = 120) -> Photo:
    """A drawn person: skin-coloured body and arms, a striped top, a face and hands, on a grey gradient."""
    rng = np.random.default_rng(seed)
    rgb = np.empty((height, width, 3), np.uint8)
    rgb[:] = np.linspace(150, 210, width, dtype=np.uint8)[None, :, None]
    person, garment, face, hands, arms = (np.zeros((height, width), np.uint8) for _ in range(5))
    cv2.ellipse(person, (width // 2, 100), (32, 60), 0, 0, 360, 1, -1)
    cv2.rectangle(arms, (width // 2 - 46, 55), (width // 2 - 32, 130), 1, -1)
    cv2.rectangle(arms, (width // 2 + 32, 55), (width // 2 + 46, 130), 1, -1)
    cv2.circle(face, (width // 2, 30), 16, 1, -1)
    cv2.circle(hands, (width // 2 - 39, 134), 7, 1, -1)
    cv2.circle(hands, (width // 2 + 39, 134), 7, 1, -1)
    person |= arms | face | hands
    cv2.rectangle(garment, (width // 2 - 34, 50), (width // 2 + 34, 120), 1, -1)
    garment &= person & ~face & ~hands
    rgb[person > 0] = (205, 160, 130)
    colour = rng.integers(20, 235, 3)
    stripes = (np.arange(height) // 6 % 2)[:, None, None] * 40
    rgb[:] = np.where(garment[..., None] > 0, np.clip(colour + stripes, 0, 255), rgb)
    masks = {
        "garment": garment > 0,
        "person": person > 0,
        "protected": (face | hands) > 0,
        "skin": (person & ~garment & ~face) > 0,
        "arms": (arms & ~hands) > 0,
    }
    return Photo(path=Path(f"drawn-{seed}.png"), rgb=rgb, masks=masks)


def _random_net(seed: int = 0) -> RefinerNet:
    """An untrained network whose residual is far from zero (its output layer is not zeroed)."""
    torch.manual_seed(seed)
    net = RefinerNet(TINY)
    torch.nn.init.normal_(net.head.weight, std=0.5)
    return net.eval()


def test_a_few_training_steps_lower_the_loss() -> None:
    photos = [_photo(seed) for seed in range(4)]
    rng = np.random.default_rng(7)
    pairs = [make_patch(photos[i % len(photos)], rng, 48) for i in range(8)]
    inputs, target = torch.stack([p[0] for p in pairs]), torch.stack([p[1] for p in pairs])
    trainer = RefinerTrainer(steps=100, lr=2e-3, widths=(16, 16, 16, 16))
    first = trainer.step(inputs, target)
    for _ in range(59):
        last = trainer.step(inputs, target)
    assert last["l1"] < 0.95 * first["l1"]
    assert "critic" in last  # the adversarial loss joined after the warm-up


def test_a_checkpoint_resumes_training_exactly(tmp_path: Path) -> None:
    photos = [_photo(seed) for seed in range(3)]
    whole = train(photos, steps=4, batch=2, patch=48, widths=TINY, seed=1)
    checkpoint = tmp_path / "run.ckpt"
    train(photos, steps=4, batch=2, patch=48, widths=TINY, seed=1, checkpoint=checkpoint, checkpoint_every=2)
    trainer = RefinerTrainer(steps=4, widths=TINY, seed=1)
    trainer.restore(checkpoint)
    assert trainer.done == 4
    resumed_path = tmp_path / "half.ckpt"
    half = RefinerTrainer(steps=4, widths=TINY, seed=1)
    half.save(resumed_path)
    resumed = train(
        photos, steps=4, batch=2, patch=48, widths=TINY, seed=1, checkpoint=resumed_path, resume=True
    )
    x = torch.rand(1, RefinerNet.inputs, 32, 32)
    with torch.no_grad():
        assert torch.equal(whole(x), resumed(x))
        assert torch.equal(whole(x), trainer.net.eval()(x))


@pytest.mark.slow
def test_training_longer_makes_the_composite_measurably_closer_to_the_photo() -> None:
    photos = [_photo(seed) for seed in range(6)]
    net = train(photos, steps=150, batch=6, patch=64, lr=2e-3, widths=(16, 16, 16, 16), seed=0)
    scores = evaluate(Refiner(net), photos)
    assert scores["psnr_refined"] > scores["psnr_composite"] + 0.5
    assert scores["edge_error_refined"] < scores["edge_error_composite"]
    assert scores["val_photos"] == len(photos)


def test_inference_is_deterministic() -> None:
    photo = _photo(1)
    composite = simulate_composite(photo.rgb, np.random.default_rng(3), **photo.masks)
    kwargs = {"garment": composite.garment, "filled": composite.filled, "protected": photo.masks["protected"]}
    first = Refiner(_random_net())(composite.rgb, **kwargs)
    second = Refiner(_random_net())(composite.rgb, **kwargs)
    assert np.array_equal(first, second)


def test_the_residual_is_zero_outside_the_band_and_on_face_and_hands() -> None:
    photo = _photo(2)
    composite = simulate_composite(photo.rgb, np.random.default_rng(4), **photo.masks)
    protected = photo.masks["protected"]
    refined = Refiner(_random_net())(
        composite.rgb, garment=composite.garment, filled=composite.filled, protected=protected
    )
    weights = band(composite.garment, composite.filled, protected, 70)
    changed = (refined != composite.rgb).any(axis=2)
    assert changed.any()
    assert not (changed & (weights == 0)).any()
    assert not (changed & protected).any()
    assert np.array_equal(refined[:5], composite.rgb[:5])  # the background above the head


def test_the_simulated_composite_leaves_the_photo_away_from_the_garment_alone() -> None:
    photo = _photo(3)
    composite = simulate_composite(photo.rgb, np.random.default_rng(0), **photo.masks)
    assert np.array_equal(composite.rgb[photo.masks["protected"]], photo.rgb[photo.masks["protected"]])
    assert np.array_equal(composite.rgb[:, :10], photo.rgb[:, :10])
    assert (composite.rgb != photo.rgb).any()
    with pytest.raises(ValueError, match="garment: mask shape"):
        simulate_composite(
            photo.rgb, np.random.default_rng(0), **(photo.masks | {"garment": np.ones((5, 5), bool)})
        )


def test_weights_round_trip_and_load_strictly(tmp_path: Path) -> None:
    net = _random_net()
    path = tmp_path / "refiner.npz"
    save_weights(net, path, {"ssim_refined": 0.9})
    loaded, metrics = load_weights(path)
    assert metrics == {"ssim_refined": 0.9}
    x = torch.rand(1, RefinerNet.inputs, 32, 32)
    with torch.inference_mode():
        assert torch.equal(net(x), loaded(x))
    arrays = dict(np.load(path))
    arrays["param:head.weight"] = arrays["param:head.weight"][:, :4]
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, **arrays)
    with pytest.raises(ValueError, match=r"wrong\.npz: the weights do not fit the refiner network"):
        load_weights(wrong)
    np.savez(tmp_path / "other.npz", shape=np.array([24, 3]))
    with pytest.raises(ValueError, match=r"other\.npz: not refiner weights"):
        load_weights(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="no refiner weights there"):
        load_weights(tmp_path / "missing.npz")


def test_shipped_weights_load() -> None:
    net, metrics = load_weights(WEIGHTS)
    assert sum(p.numel() for p in net.parameters()) > 50_000
    assert {"ssim_composite", "ssim_refined", "psnr_composite", "psnr_refined"} <= set(metrics)


class _DrawnWarp:
    """Stands in for the warp backend: returns a simulated composite of a drawn person."""

    def render(self, person: np.ndarray, garment: np.ndarray, category: str | None) -> TryOnResult:
        photo = _photo(5)
        composite = simulate_composite(photo.rgb, np.random.default_rng(1), **photo.masks)
        face = photo.masks["protected"].copy()
        face[100:] = False
        masks = {
            "garment_warped": composite.garment,
            "filled": composite.filled,
            "face": face,
            "hands": photo.masks["protected"] & ~face,
        }
        diagnostics: dict[str, float | str] = {
            "backend": "warp",
            "category": category or "upper",
            "ms_total": 10.0,
        }
        return TryOnResult(
            image=Image.fromarray(composite.rgb), masks=masks, keypoints={}, diagnostics=diagnostics
        )


def test_refined_backend_refines_the_warp_render_and_reports_its_time() -> None:
    backend = RefinedBackend(warp=_DrawnWarp(), refiner=Refiner(_random_net()))  # type: ignore[arg-type]
    plain = _DrawnWarp().render(np.zeros((1, 1, 3), np.uint8), np.zeros((1, 1, 3), np.uint8), "upper")
    result = backend.render(np.zeros((1, 1, 3), np.uint8), np.zeros((1, 1, 3), np.uint8), "upper")
    assert result.diagnostics["backend"] == BACKEND_NAME
    assert float(result.diagnostics["ms_total"]) >= 10.0 and "ms_refine" in result.diagnostics
    assert result.image.size == plain.image.size
    assert (np.asarray(result.image) != np.asarray(plain.image)).any()
    assert BACKEND_NAME in BACKENDS
    dress = backend.render(np.zeros((1, 1, 3), np.uint8), np.zeros((1, 1, 3), np.uint8), "dress")
    assert np.array_equal(np.asarray(dress.image), np.asarray(plain.image))  # trained on tops only


@pytest.mark.slow
def test_tryon_with_the_refiner_on_a_real_pair(shared_data: Path) -> None:
    person = Image.open(shared_data / "tryon-examples" / "person" / "01008_00.jpg")
    garment = Image.open(shared_data / "tryon-examples" / "garment" / "00126_00.jpg")
    plain = TryOn(backend="warp").render(person, garment, "upper")
    refined = TryOn(backend=BACKEND_NAME).render(person, garment, "upper")
    assert refined.image.size == plain.image.size
    assert refined.diagnostics["backend"] == BACKEND_NAME
    masks = plain.masks
    height = garment_height(masks["garment_warped"])
    weights = band(masks["garment_warped"], masks["filled"], masks["face"] | masks["hands"], height)
    outside = weights == 0
    assert np.array_equal(np.asarray(refined.image)[outside], np.asarray(plain.image)[outside])
