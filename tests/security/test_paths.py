"""Issue 11, item 1: no request or feed row can make the server read a file it names.

The studio's ``style`` field (``POST /studio/style`` and the web ``/studio`` form) takes a
shipped style name or an upload, never a path; a merchant feed's or the H&M layout's local
image must stay inside its own folder. Refusals read the same whether or not a file exists,
and the named file is never opened. The operator's own CLI and recipe files keep local paths.
"""

from __future__ import annotations

import builtins
import html
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.unit.test_api_support import KEY, png_bytes, shop_client
from tests.unit.test_import_support import run, write_file, write_image
from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.cli import app as cli
from vestis.data.hm import import_hm
from vestis.data.merchant_feed import import_merchant_feed
from vestis.studio.errors import StudioError
from vestis.studio.recipes import Recipe, load_recipe
from vestis.studio.style import STYLES

AUTH = {"X-API-Key": KEY}


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path this process opens or stats through Python while the test runs."""
    seen: list[str] = []
    real_open, real_os_open, real_stat = io.open, os.open, os.stat

    def spy_open(file: object, *args: object, **kwargs: object) -> object:
        seen.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    def spy_os_open(path: object, *args: object, **kwargs: object) -> int:
        seen.append(str(path))
        return real_os_open(path, *args, **kwargs)

    def spy_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        seen.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    monkeypatch.setattr(os, "stat", spy_stat)
    return seen


@pytest.fixture(scope="module")
def home() -> Iterator[Path]:
    """A short home folder (the web form caps a style at 64 characters) with a kept photo in it."""
    with tempfile.TemporaryDirectory(prefix="vs-") as folder:
        root = Path(folder)
        (root / "kept").mkdir()
        Image.new("RGB", (40, 40), (10, 200, 10)).save(root / "kept" / "photo.png")
        yield root


@pytest.fixture(scope="module")
def client(home: Path) -> TestClient:
    return shop_client(home, products=0)


def _probes(home: Path) -> list[str]:
    """A file that exists, one that does not, a kept photo under the home, the live database."""
    return ["/etc/passwd", "/etc/nonexistent", str(home / "kept" / "photo.png"), str(home / "vestis.db")]


def test_api_style_takes_names_only_and_never_opens_a_path(
    client: TestClient, home: Path, opened: list[str]
) -> None:
    answers = set()
    for probe in _probes(home):
        response = client.post(
            "/studio/style",
            files={"image": ("shirt.png", png_bytes(size=(60, 80)), "image/png")},
            data={"style": probe},
            headers=AUTH,
        )
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["detail"][0]["field"] == "style"
        assert all(name in body["message"] for name in STYLES)
        answers.add(response.text.replace(probe, "<style>"))
    assert len(answers) == 1, answers
    assert not {p for p in _probes(home) if any(seen.startswith(p) for seen in opened)}


def test_web_studio_form_takes_names_only_and_never_opens_a_path(
    client: TestClient, home: Path, opened: list[str]
) -> None:
    answers = set()
    for probe in _probes(home):
        response = client.post(
            "/studio",
            files={"image": ("shirt.png", png_bytes(size=(60, 80)), "image/png")},
            data={"tool": "style", "style": probe},
        )
        assert response.status_code == 422, response.text
        error = html.unescape(re.search(r'class="studio__error"[^>]*>(.*?)</p>', response.text, re.S)[1])
        assert all(name in error for name in STYLES)
        answers.add(error.replace(probe, "<style>"))
    assert len(answers) == 1, answers
    assert not {p for p in _probes(home) if any(seen.startswith(p) for seen in opened)}


@pytest.mark.parametrize(
    ("step", "params"),
    [
        ("style", {"style": "{file}"}),
        ("tone-transfer", {"reference": "{file}"}),
        ("pattern-fill", {"pattern": "{file}"}),
        ("style", {"style": "watercolour", "features": "{file}", "size": 32, "steps": 1}),
    ],
    ids=["style", "tone-reference", "pattern-texture", "vgg-weights"],
)
def test_a_recipe_built_from_request_text_cannot_reach_a_file(
    tmp_path: Path, opened: list[str], step: str, params: dict[str, object]
) -> None:
    texture = tmp_path / "texture.png"
    Image.new("RGB", (40, 40), (10, 200, 10)).save(texture)
    filled = {k: str(texture) if v == "{file}" else v for k, v in params.items()}
    opened.clear()
    for recipe in (
        Recipe.of_step(step, filled),
        Recipe.from_mapping("posted", {"steps": [{"step": step, **filled}]}),
    ):
        assert str(texture) in recipe.steps[0].params.values()  # still text: a name, not a file
        with pytest.raises(StudioError, match="expected"):
            recipe.apply(Image.new("RGB", (60, 80), (236, 234, 230)))
    assert not [seen for seen in opened if seen.startswith(str(tmp_path))]


def test_the_operator_may_still_name_local_files(tmp_path: Path) -> None:
    texture = tmp_path / "texture.png"
    Image.new("RGB", (40, 40), (10, 200, 10)).save(texture)
    by_cli = Recipe.of_step("pattern-fill", {"pattern": "texture.png"}, local_files=tmp_path)
    assert by_cli.steps[0].params["pattern"] == texture
    recipe = tmp_path / "green.toml"
    recipe.write_text('[[steps]]\nstep = "tone-transfer"\nreference = "texture.png"\n')
    assert load_recipe(recipe).steps[0].params["reference"] == texture
    assert (
        Recipe.of_step("style", {"style": "denim"}, local_files=tmp_path).steps[0].params["style"] == "denim"
    )


@pytest.mark.slow
def test_cli_style_still_takes_a_style_image_file(tmp_path: Path) -> None:
    photo, reference, out = tmp_path / "shirt.png", tmp_path / "look.png", tmp_path / "out.png"
    Image.new("RGB", (120, 160), (230, 230, 228)).save(photo)
    Image.new("RGB", (32, 32), (20, 40, 160)).save(reference)
    result = CliRunner().invoke(
        cli, ["studio", "style", str(photo), "--style", str(reference), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()


# ------------------------------------------------------------------------------ feeds
def _escaping_links(tmp_path: Path, feed_dir: Path) -> list[str]:
    """Image links that leave the feed's folder: to a file that exists and to one that does not."""
    outside, missing = tmp_path / "outside.jpg", tmp_path / "missing.jpg"
    write_image(outside)
    (feed_dir / "escape.jpg").symlink_to(outside)
    (feed_dir / "dangling.jpg").symlink_to(missing)
    (feed_dir / "sub").mkdir()
    return [
        "../outside.jpg",
        "../missing.jpg",
        "sub/../../outside.jpg",
        str(outside),
        str(missing),
        f"file://{outside}",
        f"file://{missing}",
        "escape.jpg",
        "dangling.jpg",
    ]


def test_feed_image_links_outside_the_feed_folder_are_bad_rows(
    engine: Engine, tmp_path: Path, opened: list[str]
) -> None:
    feed_dir = tmp_path / "feed"
    feed_dir.mkdir()
    links = _escaping_links(tmp_path, feed_dir)
    write_image(feed_dir / "photos" / "ok.jpg")
    rows = "".join(f"sku-{i},Shirt {i},10,{link}\n" for i, link in enumerate(links))
    feed = write_file(feed_dir, "feed.csv", f"id,title,price,image_link\n{rows}ok,Fine,10,photos/ok.jpg\n")
    images = tmp_path / "images"
    opened.clear()

    report = run(engine, import_merchant_feed, feed, images_dir=images)

    assert report.rows_written == 1 and report.rows_rejected == len(links)
    assert [(e.line, e.field) for e in report.errors] == [(i + 2, "image_link") for i in range(len(links))]
    assert (
        len({e.message.replace(repr(link), "<link>") for e, link in zip(report.errors, links, strict=True)})
        == 1
    )
    assert not [seen for seen in opened if "outside.jpg" in seen or "missing.jpg" in seen]
    with session_factory(engine)() as session:
        assert store.get_product(session, "sku-0") is None
        kept = store.get_product(session, "ok")
        assert kept is not None and kept.image_path is not None
    assert len([p for p in images.rglob("*") if p.is_file()]) == 1


def test_hm_article_ids_cannot_lead_out_of_the_images_folder(
    engine: Engine, tmp_path: Path, opened: list[str]
) -> None:
    directory = tmp_path / "hm"
    write_image(tmp_path / "secret.jpg")
    elsewhere = tmp_path / "elsewhere" / "010"
    write_image(elsewhere / "0108775015.jpg")
    (directory / "images").mkdir(parents=True)
    (directory / "images" / "010").symlink_to(elsewhere, target_is_directory=True)
    write_file(
        directory,
        "articles.csv",
        "article_id,prod_name\n../x/../secret,Probe\n0108775015,Linked shirt\n0200000001,Plain shirt\n",
    )
    images = tmp_path / "images"
    opened.clear()

    report = run(engine, import_hm, directory, images_dir=images)

    assert [(e.line, e.field) for e in report.errors] == [(2, "image"), (3, "image")]
    assert report.errors[0].message == report.errors[1].message
    assert not [seen for seen in opened if "secret.jpg" in seen or "elsewhere" in seen]
    assert not images.exists() or not [p for p in images.rglob("*") if p.is_file()]
