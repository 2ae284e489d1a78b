"""``POST /generate`` and the studio page's Generate panel, on a fake generator: labelled PNGs, bounds, keys."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.unit.fake_generator import FakeGenerator, register
from tests.unit.test_api_support import KEY, shop_client
from vestis.generate import MAX_SAMPLES
from vestis.generate.provenance import DIGITAL_SOURCE_TYPE, read_provenance
from vestis.generate.service import MAX_SEED, GeneratorService

AUTH = {"X-API-Key": KEY}
FAKE = FakeGenerator(size=32)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    client = shop_client(tmp_path_factory.mktemp("generate"), products=0)
    client.app.state.generators = GeneratorService(None, loader=lambda _: FAKE)  # type: ignore[attr-defined]
    return client


def _png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_png_is_one_labelled_contact_sheet_that_a_seed_repeats(client: TestClient) -> None:
    body = {"n": 6, "type": "dress", "colour": "red", "seed": 5}
    response = client.post("/generate", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "no-store"
    found = read_provenance(response.content)
    assert found is not None and found["digital_source_type"] == DIGITAL_SOURCE_TYPE
    request = ("generator_kind", "product_type", "colour", "seed", "index", "count")
    assert tuple(found[key] for key in request) == ("fake", "dress", "red", 5, None, 6)
    sheet = _png(response.content)
    assert sheet.shape[1] == 3 * 32 + 4 * 4  # six images: three across
    assert client.post("/generate", json=body, headers=AUTH).content == response.content
    assert client.post("/generate", json=body | {"seed": 6}, headers=AUTH).content != response.content


def test_json_gives_each_image_as_a_labelled_png_in_order(client: TestClient) -> None:
    response = client.post("/generate", json={"n": 4, "seed": 11, "format": "json"}, headers=AUTH)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["kind"], answer["size"], answer["type"], answer["colour"], answer["seed"]) == (
        "fake",
        32,
        None,
        None,
        11,
    )
    assert answer["generated"] is True and answer["digital_source_type"] == DIGITAL_SOURCE_TYPE
    expected = FAKE.sample(4, seed=11)
    assert len(answer["images"]) == 4
    for i, encoded in enumerate(answer["images"]):
        data = base64.b64decode(encoded)
        assert np.array_equal(_png(data), expected[i])
        found = read_provenance(data)
        assert found is not None and (found["index"], found["count"], found["seed"]) == (i, 4, 11)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"type": "spaceship"}, "type", "unknown type 'spaceship'; this generator knows dress, shirt, bag"),
        ({"colour": "mauve"}, "colour", "unknown colour 'mauve'"),
        ({"n": 0}, "n", "greater than or equal to 1"),
        ({"n": MAX_SAMPLES + 1}, "n", f"less than or equal to {MAX_SAMPLES}"),
        ({"seed": -1}, "seed", "greater than or equal to 0"),
        ({"seed": MAX_SEED + 1}, "seed", f"less than or equal to {MAX_SEED}"),
        ({"format": "gif"}, "format", "'png' or 'json'"),
        ({"model": "/etc/passwd"}, "model", "Extra inputs are not permitted"),
    ],
)
def test_bad_requests_are_422_naming_the_field(
    client: TestClient, body: dict[str, object], field: str, words: str
) -> None:
    response = client.post("/generate", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert words in response.json()["message"] and response.json()["message"].startswith(f"{field}: ")


def test_a_key_is_required(client: TestClient) -> None:
    assert client.post("/generate", json={"n": 1}).status_code == 401
    assert client.post("/generate", json={"n": 1}, headers={"X-API-Key": "wrong"}).status_code == 403


def test_without_a_generator_it_is_503_naming_no_server_path(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=0, generator_path=tmp_path / "missing.vgen")
    response = client.post("/generate", json={"n": 1}, headers=AUTH)
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "no image generator is available" in detail and "VESTIS_GENERATOR" in detail
    assert str(tmp_path) not in detail
    page = client.get("/studio")
    assert page.status_code == 200 and "No image generator is installed" in page.text


def test_the_generator_is_loaded_from_settings_once_and_only_when_first_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(monkeypatch)
    path = FakeGenerator(size=16).save(tmp_path / "fake.vgen")
    loads: list[Path] = []
    load = FakeGenerator.load

    def counting_load(where: Path) -> FakeGenerator:
        loads.append(where)
        return load(where)

    monkeypatch.setattr(FakeGenerator, "load", counting_load)
    client = shop_client(tmp_path / "home", products=0, generator_path=path)
    assert loads == []
    for seed in (1, 2):
        response = client.post("/generate", json={"n": 2, "seed": seed, "format": "json"}, headers=AUTH)
        assert response.status_code == 200 and response.json()["size"] == 16
    assert loads == [path]


def test_a_failed_load_is_retried_once_a_generator_file_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(monkeypatch)
    path = tmp_path / "later.vgen"
    client = shop_client(tmp_path / "home", products=0, generator_path=path)
    assert client.post("/generate", json={"n": 1}, headers=AUTH).status_code == 503
    FakeGenerator().save(path)
    assert client.post("/generate", json={"n": 1}, headers=AUTH).status_code == 200


def test_the_studio_page_offers_the_generate_panel_and_says_what_the_previews_are(client: TestClient) -> None:
    page = client.get("/studio")
    assert page.status_code == 200
    html = page.text
    assert (
        'data-testid="generate-panel"' in html
        and 'action="/studio/generate#generate-result" method="get"' in html
    )
    assert "machine-generated previews" in html and "not photos of real products" in html
    for choice in ("dress", "shirt", "bag", "red", "blue", "black"):
        assert f'<option value="{choice}"' in html
    assert 'data-testid="generate-result"' not in html


def test_the_panel_shows_each_preview_with_a_generated_badge(client: TestClient) -> None:
    page = client.get(
        "/studio/generate", params={"product_type": "shirt", "colour": "blue", "n": "3", "seed": "4"}
    )
    assert page.status_code == 200, page.text
    html = page.text
    previews = re.findall(
        r'<img src="data:image/png;base64,([^"]+)" alt="Generated preview \d+: blue shirt', html
    )
    assert len(previews) == 3
    assert html.count('class="studio__generated-badge">Generated</span>') == 3
    expected = FAKE.sample(3, product_type="shirt", colour="blue", seed=4)
    for i, encoded in enumerate(previews):
        data = base64.b64decode(encoded)
        assert np.array_equal(_png(data), expected[i])
        assert read_provenance(data)["generated"] is True  # type: ignore[index]
    sheet = re.search(r'href="data:image/png;base64,([^"]+)" download="generated-fake-seed4.png"', html)
    assert sheet is not None and read_provenance(base64.b64decode(sheet.group(1))) is not None
    assert '<option value="shirt" selected>' in html and '<option value="blue" selected>' in html


def test_the_panel_names_a_bad_choice(client: TestClient) -> None:
    page = client.get("/studio/generate", params={"product_type": "spaceship", "n": "2"})
    assert page.status_code == 422
    assert "type: unknown type &#39;spaceship&#39;" in page.text
    too_many = client.get("/studio/generate", params={"n": str(MAX_SAMPLES + 1)})
    assert too_many.status_code == 422 and f"n: must be an integer from 1 to {MAX_SAMPLES}" in too_many.text
