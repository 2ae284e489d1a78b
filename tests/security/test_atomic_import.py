"""Issue 11, item 6: a failed import leaves the images on disk exactly as they were.

Importers stage product images and publish them only when the database transaction commits;
a rollback (a strict import's bad row, or any error in the caller's transaction) deletes the
staged files and keeps every existing image byte for byte.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.unit.test_import_support import run, write_file
from vestis.catalog import store
from vestis.catalog.db import session_factory, transaction
from vestis.catalog.images import product_image_file
from vestis.cli import app
from vestis.data.importing import ImportFailed
from vestis.data.merchant_feed import import_merchant_feed


def _photo(path: Path, colour: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 20), colour).save(path)
    return path


def _files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones included) with the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _shop(folder: Path) -> Path:
    """A feed folder whose first feed stores product vs-00001 with a red PNG."""
    _photo(folder / "old" / "vs-00001.png", (200, 30, 30))
    return write_file(
        folder, "first.tsv", "id\ttitle\tprice\timage_link\nvs-00001\tShirt\t10\told/vs-00001.png\n"
    )


def _failing_feed(folder: Path) -> Path:
    """An update of vs-00001's image (same suffix), a new product with an image, then a bad row."""
    _photo(folder / "new" / "vs-00001.png", (30, 30, 200))
    _photo(folder / "new" / "vs-00002.jpg", (30, 200, 30))
    return write_file(
        folder,
        "update.tsv",
        "id\ttitle\tprice\timage_link\n"
        "vs-00001\tShirt\t10\tnew/vs-00001.png\n"
        "vs-00002\tDress\t20\tnew/vs-00002.jpg\n"
        "vs-00003\t\t5\t\n",
    )


def test_a_failed_strict_import_keeps_every_image_as_it_was(engine: Engine, tmp_path: Path) -> None:
    images = tmp_path / "images"
    run(engine, import_merchant_feed, _shop(tmp_path), images_dir=images)
    before = _files(images)

    with pytest.raises(ImportFailed, match="strict mode"):
        run(engine, import_merchant_feed, _failing_feed(tmp_path), images_dir=images, strict=True)

    assert _files(images) == before
    assert [p.name for p in images.iterdir() if p.name.startswith(".")] == []


def test_the_cli_strict_import_writes_no_image_when_it_says_nothing_was_written(tmp_path: Path) -> None:
    runner = CliRunner()
    home = tmp_path / "home"
    first = runner.invoke(app, ["--home", str(home), "import", "merchant-feed", str(_shop(tmp_path)), "-q"])
    assert first.exit_code == 0, first.output
    before = _files(home / "images")
    assert len(before) == 1
    failed = runner.invoke(
        app, ["--home", str(home), "import", "merchant-feed", str(_failing_feed(tmp_path)), "-q", "--strict"]
    )
    assert failed.exit_code == 1 and "nothing was written" in failed.output
    assert _files(home / "images") == before


def test_a_rolled_back_lenient_import_leaves_no_image_behind(engine: Engine, tmp_path: Path) -> None:
    images = tmp_path / "images"
    run(engine, import_merchant_feed, _shop(tmp_path), images_dir=images)
    before = _files(images)

    with pytest.raises(RuntimeError), transaction(engine) as session:
        report = import_merchant_feed(session, _failing_feed(tmp_path), images_dir=images, progress=False)
        assert report.rows_written == 2 and report.rows_rejected == 1
        raise RuntimeError("the caller's transaction fails after the import")

    assert _files(images) == before


def test_a_committed_import_publishes_only_the_accepted_rows_images(engine: Engine, tmp_path: Path) -> None:
    images = tmp_path / "images"
    run(engine, import_merchant_feed, _shop(tmp_path), images_dir=images)
    _photo(tmp_path / "new" / "vs-00001.jpg", (30, 30, 200))
    _photo(tmp_path / "new" / "vs-00004.png", (90, 90, 90))
    feed = write_file(
        tmp_path,
        "lenient.tsv",
        "id\ttitle\tprice\timage_link\n"
        "vs-00001\tShirt\t10\tnew/vs-00001.jpg\n"
        "vs-00004\tScarf\tfree\tnew/vs-00004.png\n",
    )

    report = run(engine, import_merchant_feed, feed, images_dir=images)

    assert (report.rows_written, report.rows_rejected) == (1, 1)
    with session_factory(engine)() as session:
        shirt = store.get_product(session, "vs-00001")
        assert shirt is not None and shirt.image_path is not None and shirt.image_path.endswith(".jpg")
        served = product_image_file(images, shirt.image_path)
    assert served is not None
    with Image.open(served) as image:
        assert image.convert("RGB").getpixel((0, 0))[2] > 150  # the new blue image
    # Only the new image is left: the old .png went with the publish, the rejected row's was never written.
    assert list(_files(images)) == [served.relative_to(images.resolve()).as_posix()]
