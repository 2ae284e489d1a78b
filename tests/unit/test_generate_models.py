"""The generators on tiny drawn photo sets: training lowers the loss, sampling is seeded, files round-trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tests.unit.fake_generator import SMALL, drawn_photos
from vestis.generate import GenerationRequestError, load_generator
from vestis.generate.base import draw_many
from vestis.generate.data import OTHER, PhotoSet, load_photos
from vestis.generate.gan import DCGAN, ConditionalGAN
from vestis.generate.model import TrainedGenerator
from vestis.generate.vae import ConditionalVAE

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("model", [ConditionalVAE, ConditionalGAN, DCGAN])
def test_sampling_is_deterministic_and_files_round_trip(
    model: type[TrainedGenerator], tmp_path: Path
) -> None:
    fitted = model(**SMALL).fit(drawn_photos(), epochs=2, progress=False)
    first = fitted.sample(6, seed=4)
    assert first.shape == (6, 16, 16, 3) and first.dtype == np.uint8
    assert np.array_equal(first, fitted.sample(6, seed=4))
    assert not np.array_equal(first, fitted.sample(6, seed=5))
    loaded = load_generator(fitted.save(tmp_path / "model.vgen"))
    assert type(loaded) is model and loaded.size == 16
    assert np.array_equal(loaded.sample(6, seed=4), first)


def test_many_images_are_drawn_in_seeded_batches() -> None:
    model = DCGAN(**SMALL).fit(drawn_photos(), epochs=1, progress=False)
    many = draw_many(model, 70, seed=1)
    assert many.shape == (70, 16, 16, 3) and np.array_equal(many, draw_many(model, 70, seed=1))
    assert np.array_equal(many[:64], model.sample(64, seed=1_000_003))
    assert not np.array_equal(many[:6], draw_many(model, 6, seed=2))


def test_training_lowers_the_vae_loss() -> None:
    model = ConditionalVAE(**SMALL, learning_rate=3e-3).fit(drawn_photos(), epochs=6, progress=False)
    first, last = model.history_[0]["reconstruction"], model.history_[-1]["reconstruction"]
    assert last < 0.6 * first


def test_the_conditional_gan_learns_what_each_condition_looks_like() -> None:
    model = ConditionalGAN(latent=8, width=8, batch_size=8, learning_rate=1e-3).fit(
        drawn_photos(96), epochs=25, progress=False
    )
    red = model.sample(16, product_type="tee", colour="red", seed=1).astype(float)
    blue = model.sample(16, product_type="trouser", colour="blue", seed=1).astype(float)
    assert red[..., 0].mean() - red[..., 2].mean() > blue[..., 0].mean() - blue[..., 2].mean()


def test_an_interrupted_run_resumes_exactly(tmp_path: Path) -> None:
    photos, checkpoint = drawn_photos(), tmp_path / "run.ckpt"
    unbroken = ConditionalGAN(**SMALL).fit(photos, epochs=3, progress=False)
    ConditionalGAN(**SMALL).fit(photos, epochs=2, checkpoint=checkpoint, progress=False)
    resumed = ConditionalGAN(**SMALL).fit(photos, epochs=3, checkpoint=checkpoint, progress=False)
    assert len(resumed.history_) == 3
    assert np.array_equal(resumed.sample(4, seed=2), unbroken.sample(4, seed=2))
    with pytest.raises(ValueError, match="latent"):
        ConditionalGAN(**{**SMALL, "latent": 9}).fit(photos, epochs=3, checkpoint=checkpoint, progress=False)


def test_bad_requests_name_the_field() -> None:
    model = ConditionalVAE(**SMALL).fit(drawn_photos(), epochs=1, progress=False)
    with pytest.raises(GenerationRequestError, match="^type: unknown type 'dress'") as error:
        model.sample(2, product_type="dress")
    assert error.value.field == "type"
    with pytest.raises(GenerationRequestError, match="^colour: unknown colour 'green'"):
        model.sample(2, colour="green")
    with pytest.raises(GenerationRequestError, match="^n: must be an integer from 1 to 64"):
        model.sample(65)
    dcgan = DCGAN(**SMALL).fit(drawn_photos(), epochs=1, progress=False)
    with pytest.raises(GenerationRequestError, match="knows none"):
        dcgan.sample(2, product_type="tee")  # the baseline is unconditional


def test_a_colourway_turns_the_product_the_asked_colour_whatever_its_type() -> None:
    photos = crossed_photos(96)
    model = ConditionalVAE(latent=8, width=8, batch_size=8, learning_rate=2e-3).fit(
        photos, epochs=30, progress=False
    )
    red = photos.take(np.flatnonzero(photos.colours == "red")[:12])
    blue = model.recolour(red.images, list(red.types), list(red.colours), "blue").astype(float)
    product = red.images.min(axis=3) < 128  # where the red product was
    assert blue[..., 2][product].mean() > blue[..., 0][product].mean() + 60
    walk = model.walk(photos.images[:2], list(photos.types[:2]), list(photos.colours[:2]), steps=5)
    assert walk.shape == (5, 16, 16, 3)


def crossed_photos(n: int) -> PhotoSet:
    """Squares ("tee") and bars ("trouser"), each in red and in blue, so colour and type are independent."""
    rng = np.random.default_rng(0)
    images = np.full((n, 16, 16, 3), 255, dtype=np.uint8)
    types, colours = [], []
    for row in range(n):
        shift, colour = rng.integers(-2, 3), ("red", "blue")[(row // 2) % 2]
        window = (
            (slice(3 + shift, 13 + shift), slice(3, 13))
            if row % 2
            else (slice(2, 14), slice(6 + shift, 10 + shift))
        )
        images[row][window] = (200, 30, 30) if colour == "red" else (30, 30, 200)
        types.append("tee" if row % 2 else "trouser")
        colours.append(colour)
    return PhotoSet(images, np.array(types), np.array(colours))


def test_photos_load_from_a_retailer_folder(tmp_path: Path) -> None:
    rows = []
    for index in range(6):
        path = tmp_path / "shots" / f"{index}.png"
        path.parent.mkdir(exist_ok=True)
        Image.new("RGB", (30, 40), (255, 0, 0) if index < 4 else (0, 0, 255)).save(path)
        rows.append(
            {
                "image_path": f"shots/{index}.png",
                "product_type": "Dress",
                "color": "Red" if index < 4 else "Blue",
            }
        )
    rows.append({"image_path": "shots/missing.png", "product_type": "Dress", "color": "Red"})
    pd.DataFrame(rows).to_csv(tmp_path / "photos.csv", index=False)
    photos = load_photos(tmp_path, size=16, min_count=3, progress=False)
    assert photos.images.shape == (6, 16, 16, 3)
    assert photos.vocabulary() == (("dress",), (OTHER, "red"))  # blue is seen twice: too rare
    assert tuple(photos.images[0, 0, 0]) == (255, 0, 0)  # padded with the photo's own border colour


def test_an_unknown_folder_layout_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="styles_merged.csv"):
        load_photos(tmp_path, progress=False)
    with pytest.raises(FileNotFoundError, match="no generator file"):
        load_generator(tmp_path / "none.vgen")
    (tmp_path / "bad.vgen").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a Vestis generator file"):
        load_generator(tmp_path / "bad.vgen")


def test_the_shipped_generator_draws_fashion_mnist_types() -> None:
    shipped = load_generator()
    assert (shipped.kind, shipped.size) == ("vae", 32)
    assert {"dress", "sneaker", "trouser"} <= set(shipped.types) and shipped.colours == ("grey",)
    dresses = shipped.sample(4, product_type="dress", seed=0)
    assert dresses.shape == (4, 32, 32, 3) and np.array_equal(
        dresses, shipped.sample(4, product_type="dress", seed=0)
    )
    assert 20 < dresses.mean() < 235  # something is drawn: neither blank black nor blank white


def test_a_corrupt_checkpoint_is_named_not_overwritten(tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt"
    checkpoint.write_bytes(b"half a file")
    with pytest.raises(ValueError, match="run.ckpt: not a readable checkpoint"):
        ConditionalVAE(**SMALL).fit(drawn_photos(), epochs=1, checkpoint=checkpoint, progress=False)
    assert checkpoint.read_bytes() == b"half a file"
