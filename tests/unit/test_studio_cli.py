"""``vestis studio …``: runs recipes over folders, one-off recolour and style, lists recipes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from vestis.cli import app

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["studio", *args])
    return result.exit_code, result.output


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for index, colour in enumerate([(200, 30, 30), (30, 150, 40)]):
        image = Image.new("RGB", (60, 80), (238, 237, 235))
        image.paste(colour, (15, 15, 45, 70))
        image.save(folder / f"item{index}.jpg")
    return folder


def test_run_writes_one_output_per_input_and_resumes(photos: Path, tmp_path: Path) -> None:
    recipe = tmp_path / "navy.toml"
    recipe.write_text('output_format = "png"\n[[steps]]\nstep = "recolor"\nto = "navy"\n')
    code, output = _invoke(
        "run", "--recipe", str(recipe), str(photos), "-o", str(tmp_path / "out"), "--workers", "1", "-q"
    )
    assert code == 0, output
    assert "2 written, 0 already done, 0 failed" in output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["item0.png", "item1.png"]
    code, output = _invoke("run", "--recipe", str(recipe), str(photos), "-o", str(tmp_path / "out"), "-q")
    assert code == 0 and "0 written, 2 already done" in output


def test_run_reports_failures_and_bad_recipes(photos: Path, tmp_path: Path) -> None:
    (photos / "broken.jpg").write_bytes(b"nope")
    recipe = tmp_path / "copy.toml"
    recipe.write_text("steps = []\n")
    code, output = _invoke(
        "run", "--recipe", str(recipe), str(photos), "-o", str(tmp_path / "out"), "--workers", "1", "-q"
    )
    assert code == 1 and "1 failed" in output and "broken.jpg" in output
    code, output = _invoke("run", "--recipe", "sparkle", str(photos), "-o", str(tmp_path / "out"))
    assert code == 1 and "unknown recipe 'sparkle'; shipped recipes:" in output
    code, output = _invoke(
        "run", "--recipe", "sparkle", str(photos), "-o", str(tmp_path / "out"), "--engine", "gpu"
    )
    assert code == 2 and "expected local or spark" in output


def test_recolor_writes_the_file_the_name_asks_for(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "navy.jpg"
    code, output = _invoke("recolor", str(photos / "item0.jpg"), "--to", "#1f3a93", "-o", str(out))
    assert code == 0, output
    image = Image.open(out)
    assert image.format == "JPEG"
    red, green, blue = image.getpixel((30, 40))
    assert blue > red and blue > green
    code, output = _invoke("recolor", str(photos / "item0.jpg"), "--to", "blurple", "-o", str(out))
    assert code == 1 and "unknown colour 'blurple'" in output


def test_every_studio_command_has_an_example() -> None:
    for command in ("run", "recolor", "style", "recipes"):
        code, output = _invoke(command, "--help")
        assert code == 0 and "Example: vestis studio " + command in " ".join(output.split()), command
