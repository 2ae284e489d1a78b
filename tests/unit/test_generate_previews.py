"""New colourways and variations of an uploaded product photo: the VAE, the service, ``POST /generate/previews``, the page."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient
from PIL import Image

from tests.unit.fake_generator import FakeGenerator, drawn_photos
from tests.unit.test_api_support import KEY, shop_client
from vestis.generate import GenerationRequestError
from vestis.generate.gan import shift_and_cut
from vestis.generate.provenance import read_provenance
from vestis.generate.service import MAX_VARIATIONS, GeneratorService, GeneratorUnavailable, product_previews
from vestis.generate.vae import ConditionalVAE

pytestmark = pytest.mark.usefixtures("one_torch_thread")

AUTH = {"X-API-Key": KEY}


@pytest.fixture(scope="module")
def vae() -> ConditionalVAE:
    """A VAE that has learned red tees (squares) and blue trousers (bars) well enough to recolour them."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module-scoped, so the per-test one_torch_thread fixture is not yet in force
    try:
        return ConditionalVAE(latent=8, width=8, batch_size=8, learning_rate=2e-3).fit(
            drawn_photos(96), epochs=30, progress=False
        )
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, vae: ConditionalVAE) -> TestClient:
    client = shop_client(tmp_path_factory.mktemp("previews"), products=0)
    client.app.state.generators = GeneratorService(None, loader=lambda _: vae)  # type: ignore[attr-defined]
    return client


def red_tee(side: int = 48) -> Image.Image:
    """A red square on white, larger than the model's 16 px and not square, as an upload would be."""
    image = Image.new("RGB", (side, side + 12), (255, 255, 255))
    image.paste((200, 30, 30), (side // 5, side // 5 + 6, side * 4 // 5, side * 4 // 5 + 6))
    return image


def png_upload(image: Image.Image, name: str = "tee.png") -> dict[str, tuple[str, bytes, str]]:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"image": (name, buffer.getvalue(), "image/png")}


def _png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_variations_walk_away_from_the_photo_step_by_step(vae: ConditionalVAE) -> None:
    drawn = vae.variations(red_tee(), "tee", "red", 6, seed=3)
    assert drawn.shape == (7, 16, 16, 3) and drawn.dtype == np.uint8
    assert np.array_equal(drawn, vae.variations(red_tee(), "tee", "red", 6, seed=3))
    assert not np.array_equal(drawn[1:], vae.variations(red_tee(), "tee", "red", 6, seed=4)[1:])
    photo = drawn[0].astype(float)
    assert photo[8, 8, 0] > 150 and photo[0, 0].min() > 200  # the upload padded square and resized
    start = vae.recolour(drawn[:1], ["tee"], ["red"], "red").astype(float)
    drift = [np.abs(image.astype(float) - start[0]).mean() for image in drawn[1:]]
    assert drift[-1] > drift[0] and drift[0] < 25  # the first is close kin, the last strays furthest
    with pytest.raises(GenerationRequestError, match="^n: must be an integer from 1"):
        vae.variations(red_tee(), "tee", "red", 0)
    with pytest.raises(GenerationRequestError, match="^reach:"):
        vae.variations(red_tee(), "tee", "red", 2, reach=1.5)


def test_previews_put_the_photo_first_then_colourways_then_variations(vae: ConditionalVAE) -> None:
    previews = product_previews(
        vae, red_tee(), product_type="tee", colour="red", to=["blue"], variations=3, seed=1
    )
    assert previews.images.shape == (4, 16, 16, 3) and previews.reference is not None
    assert previews.label == "photo, then generated new colourways and variations"
    blue = previews.images[0].astype(float)
    assert (
        blue[..., 2].mean() - blue[..., 0].mean()
        > previews.reference[..., 2].mean() - previews.reference[..., 0].mean()
    )
    assert np.array_equal(previews.images[1:], vae.variations(red_tee(), "tee", "red", 3, seed=1)[1:])
    repeated = product_previews(vae, red_tee(), product_type="tee", colour="red", to=["blue"] * 500)
    assert len(repeated.images) == 1  # a colour named many times is drawn once
    sheet = previews.sheet_png()
    assert read_provenance(sheet)["generated"] is True  # type: ignore[index]
    assert read_provenance(previews.reference_png()) is None  # type: ignore[arg-type]  # the real photo is not labelled


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"product_type": "hat"}, "type"),
        ({"colour": "mauve"}, "colour"),
        ({"to": ["mauve"]}, "to"),
        ({"to": [f"colour {i}" for i in range(17)]}, "to"),
        ({"to": [], "variations": 0}, "to"),
        ({"variations": MAX_VARIATIONS + 1}, "variations"),
        ({"seed": -1}, "seed"),
    ],
)
def test_a_bad_preview_request_names_the_field(
    vae: ConditionalVAE, options: dict[str, object], field: str
) -> None:
    request: dict = {"product_type": "tee", "colour": "red", "to": ["blue"], "variations": 2, "seed": 0}
    with pytest.raises(GenerationRequestError) as error:
        product_previews(vae, red_tee(), **(request | options))
    assert error.value.field == field


def test_a_generator_without_an_encoder_cannot_preview() -> None:
    with pytest.raises(GeneratorUnavailable, match="need a VAE generator; this one is a fake"):
        product_previews(FakeGenerator(), red_tee(), product_type="dress", colour="red", variations=2)


def test_shift_and_cut_moves_and_blanks_but_lets_gradients_through() -> None:
    torch.manual_seed(0)
    images = torch.rand(4, 3, 16, 16, requires_grad=True)
    out = shift_and_cut(images)
    assert out.shape == images.shape
    assert ((out == 0).all(dim=1).sum(dim=(1, 2)) >= 8 * 8).all()  # a half-side square is blanked in each
    out.sum().backward()
    assert images.grad is not None and images.grad.abs().sum() > 0


def test_the_api_answers_a_labelled_sheet_or_each_image(client: TestClient) -> None:
    form = {"type": "tee", "colour": "red", "to": ["blue", "red"], "variations": "2", "seed": "5"}
    sheet = client.post("/generate/previews", data=form, files=png_upload(red_tee()), headers=AUTH)
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"] == "image/png" and sheet.headers["cache-control"] == "no-store"
    found = read_provenance(sheet.content)
    assert found is not None and (found["product_type"], found["colour"], found["count"]) == (
        "tee",
        "blue,red",
        4,
    )
    assert _png(sheet.content).shape[1] == 3 * 16 + 4 * 4  # five tiles: three across
    answer = client.post(
        "/generate/previews", data=form | {"format": "json"}, files=png_upload(red_tee()), headers=AUTH
    ).json()
    assert len(answer["images"]) == 4 and answer["generated"] is True
    assert answer["captions"] == ["blue", "red", "variation 1", "variation 2"]
    reference = base64.b64decode(answer["reference"])
    assert _png(reference).shape == (16, 16, 3) and read_provenance(reference) is None
    assert all(read_provenance(base64.b64decode(image))["generated"] for image in answer["images"])  # type: ignore[index]
    comma = client.post(
        "/generate/previews",
        data=form | {"to": "blue, red", "format": "json"},
        files=png_upload(red_tee()),
        headers=AUTH,
    )
    assert comma.json()["images"] == answer["images"]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"type": "hat"}, "type"),
        ({"to": ["mauve"]}, "to"),
        ({"variations": str(MAX_VARIATIONS + 1)}, "variations"),
        ({"path": "/etc/passwd"}, None),
    ],
)
def test_bad_api_requests_are_422_naming_the_field(
    client: TestClient, form: dict[str, object], field: str | None
) -> None:
    base_form = {"type": "tee", "colour": "red", "variations": "2"}
    response = client.post(
        "/generate/previews", data=base_form | form, files=png_upload(red_tee()), headers=AUTH
    )
    if field is None:  # an unknown form field is ignored, never read as a path
        assert response.status_code == 200
        return
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_the_api_refuses_a_broken_photo_no_key_and_a_gan(client: TestClient, tmp_path: Path) -> None:
    form = {"type": "tee", "colour": "red", "variations": "1"}
    broken = client.post(
        "/generate/previews", data=form, files={"image": ("tee.png", b"not a png", "image/png")}, headers=AUTH
    )
    assert broken.status_code == 422 and "tee.png" in broken.text
    assert client.post("/generate/previews", data=form, files=png_upload(red_tee())).status_code == 401
    gan_shop = shop_client(tmp_path, products=0)
    gan_shop.app.state.generators = GeneratorService(None, loader=lambda _: FakeGenerator())  # type: ignore[attr-defined]
    refused = gan_shop.post(
        "/generate/previews",
        data={"type": "dress", "colour": "red", "variations": "1"},
        files=png_upload(red_tee()),
        headers=AUTH,
    )
    assert refused.status_code == 503 and "need a VAE generator" in refused.json()["detail"]
    assert 'data-testid="previews-panel"' not in gan_shop.get("/studio").text


def test_the_studio_page_previews_an_upload_with_badges(client: TestClient) -> None:
    page = client.get("/studio")
    assert 'data-testid="previews-panel"' in page.text and 'name="to" value="blue"' in page.text
    form = {"product_type": "tee", "colour": "red", "to": ["blue"], "variations": "2", "seed": "0"}
    result = client.post("/studio/generate/previews", data=form, files=png_upload(red_tee()))
    assert result.status_code == 200, result.text
    html = result.text
    assert 'alt="Your photo, as the model sees it"' in html and "Your photo</span>" in html
    generated = re.findall(
        r'<img src="data:image/png;base64,([^"]+)" alt="Generated preview \d+ of your tee', html
    )
    assert len(generated) == 3
    assert all(read_provenance(base64.b64decode(image))["generated"] for image in generated)  # type: ignore[index]
    assert 'name="to" value="blue" checked' in html and 'download="previews-vae-seed0.png"' in html
    captions = re.findall(r'<span class="studio__caption">([^<]+)</span>', html)
    assert captions == ["red", "blue", "variation 1", "variation 2"]  # the photo's colour, then each preview


def test_the_studio_page_names_a_bad_preview_choice(client: TestClient) -> None:
    bad = client.post(
        "/studio/generate/previews",
        data={"product_type": "tee", "colour": "red", "variations": "0"},
        files=png_upload(red_tee()),
    )
    assert bad.status_code == 422 and "to: name at least one colour, or ask for variations" in bad.text
    broken = client.post(
        "/studio/generate/previews",
        data={"product_type": "tee", "colour": "red", "variations": "1"},
        files={"image": ("tee.png", b"nope", "image/png")},
    )
    assert broken.status_code == 422 and "image: " in broken.text and "tee.png" in broken.text


def test_a_photo_is_prepared_once_and_preparing_it_again_changes_nothing(vae: ConditionalVAE) -> None:
    wide = Image.new("RGB", (90, 40), (240, 240, 240))
    wide.paste(red_tee(36), (27, 2))
    prepared = vae.model_input(wide)
    assert prepared.shape == (1, vae.size_, vae.size_, 3)
    assert np.array_equal(vae.model_input(Image.fromarray(prepared[0])), prepared)
