"""Batch runs: one output per input, failures reported, a crash loses nothing and redoes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vestis.files import PARTIAL_MARK
from vestis.studio import batch
from vestis.studio.batch import plan_batch, run_recipe
from vestis.studio.errors import StudioError
from vestis.studio.recipes import Recipe, RecipeStep

COPY = Recipe("copy", (), "png")
NAVY = Recipe("navy", (RecipeStep("recolor", {"to": "navy"}),), "jpeg")


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    """Six small product photos in a folder (one in a sub-folder) plus a broken file."""
    folder = tmp_path / "in"
    (folder / "tops").mkdir(parents=True)
    for index in range(5):
        _photo((40 * index, 90, 160)).save(folder / f"p{index}.jpg")
    _photo((200, 30, 30)).save(folder / "tops" / "shirt.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    (folder / "notes.txt").write_text("not an image, not picked up")
    return folder


def _photo(colour: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (64, 80), (240, 240, 238))
    image.paste(colour, (16, 16, 48, 64))
    return image


def _outputs(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())


def test_one_output_per_input_and_a_bad_file_does_not_stop_the_batch(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = run_recipe(NAVY, [photos], out, workers=1, progress=False)
    assert len(report.done) == 6 and not report.skipped
    assert [(p.name, m.split(":")[0]) for p, m in report.failed] == [
        ("broken.jpg", str(photos / "broken.jpg"))
    ]
    assert "corrupt or truncated" in report.failed[0][1] or "not a supported image" in report.failed[0][1]
    assert _outputs(out) == [f"p{i}.jpg" for i in range(5)] + ["tops/shirt.jpg"]
    shirt = np.asarray(Image.open(out / "tops" / "shirt.jpg"))
    red, green, blue = shirt[40, 32]
    assert blue > red and blue > green  # re-dyed navy, written as JPEG
    assert not report.ok


def test_rerun_skips_finished_outputs(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_recipe(COPY, [photos], out, workers=1, progress=False)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.png")}
    again = run_recipe(COPY, [photos], out, workers=1, progress=False)
    assert (len(again.done), len(again.skipped), len(again.failed)) == (0, 6, 1)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.png")} == stamps
    redo = run_recipe(COPY, [photos / "p0.jpg"], out, workers=1, progress=False, overwrite=True)
    assert redo.done == [photos / "p0.jpg"]


def test_a_crash_mid_batch_loses_nothing_and_a_rerun_redoes_nothing(
    photos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    real_replace = os.replace
    renamed: list[str] = []

    def crash_on_the_fourth(source: str, target: Path) -> None:
        if len(renamed) == 3:
            raise KeyboardInterrupt  # the machine goes down while the fourth output is being written
        renamed.append(Path(target).name)
        real_replace(source, target)

    monkeypatch.setattr(batch.os, "replace", crash_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        run_recipe(COPY, [photos], out, workers=1, progress=False)
    monkeypatch.setattr(batch.os, "replace", real_replace)
    assert _outputs(out) == sorted(renamed)  # complete outputs only, no temporary file left behind
    for name in renamed:
        assert Image.open(out / name).size == (64, 80)

    # A run killed outright (no clean-up) leaves its temporary file; the rerun sweeps it.
    (out / f".p4.png.x1{PARTIAL_MARK}.png").write_bytes(b"half a png")
    processed: list[str] = []
    real_process = batch.process_image
    monkeypatch.setattr(
        batch, "process_image", lambda r, job: processed.append(job.source.name) or real_process(r, job)
    )
    report = run_recipe(COPY, [photos], out, workers=1, progress=False)
    assert len(report.skipped) == 3 and len(report.done) == 3
    assert not set(processed) & {Path(n).stem + ".jpg" for n in renamed}
    assert _outputs(out) == ["p0.png", "p1.png", "p2.png", "p3.png", "p4.png", "tops/shirt.png"]


def test_worker_processes_give_the_same_outputs(photos: Path, tmp_path: Path) -> None:
    single = run_recipe(COPY, [photos], tmp_path / "one", workers=1, progress=False)
    pooled = run_recipe(COPY, [photos], tmp_path / "two", workers=2, progress=False)
    assert sorted(pooled.done) == sorted(single.done)
    assert [p for p, _ in pooled.failed] == [photos / "broken.jpg"]
    for path in (tmp_path / "one").rglob("*.png"):
        twin = tmp_path / "two" / path.relative_to(tmp_path / "one")
        assert twin.read_bytes() == path.read_bytes()


def test_too_small_images_fail_with_their_size(tmp_path: Path) -> None:
    Image.new("RGB", (8, 8), "red").save(tmp_path / "tiny.png")
    report = run_recipe(COPY, [tmp_path / "tiny.png"], tmp_path / "out", workers=1, progress=False)
    assert "8x8 pixels, too small; each side must be at least 16" in report.failed[0][1]
    assert _outputs(tmp_path / "out") == []


def test_planning_refuses_clashing_outputs_and_missing_inputs(tmp_path: Path) -> None:
    _photo((1, 2, 3)).save(tmp_path / "a.jpg")
    _photo((1, 2, 3)).save(tmp_path / "a.png")
    with pytest.raises(StudioError, match=r"a.jpg and .*a.png would both be written to .*a.png"):
        plan_batch(COPY, [tmp_path], tmp_path / "out")
    with pytest.raises(StudioError, match=r"nowhere: no such file or folder"):
        plan_batch(COPY, [tmp_path / "nowhere"], tmp_path / "out")


def test_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    _photo((1, 2, 3)).save(tmp_path / "a.jpg")
    run_recipe(COPY, [tmp_path], tmp_path / "out", workers=1, progress=False)
    jobs, report = plan_batch(COPY, [tmp_path], tmp_path / "out")
    assert jobs == [] and report.skipped == [tmp_path / "a.jpg"]
