"""Helpers shared by the importer tests (no tests here): small files, row counts, one-call imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

from PIL import Image
from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import session_factory, transaction
from vestis.catalog.models import Customer, Event, Product, SizeChart
from vestis.data.importing import ImportReport


def write_file(directory: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` (dedented, leading newline dropped) to ``directory/name`` and return the path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding=encoding)
    return path


def write_image(path: Path, *, size: tuple[int, int] = (8, 12)) -> Path:
    """Write a small solid-colour JPEG to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 60)).save(path, format="JPEG")
    return path


def counts(engine: Engine) -> dict[str, int]:
    """Row count of every catalog table, keyed by table name."""
    with session_factory(engine)() as session:
        return {
            model.__tablename__: store.count_rows(session, model)
            for model in (Product, Customer, Event, SizeChart)
        }


def run(engine: Engine, importer: Callable[..., ImportReport], *args: Any, **options: Any) -> ImportReport:
    """Run ``importer`` in its own transaction without a progress bar."""
    with transaction(engine) as session:
        return importer(session, *args, progress=False, **options)


def messages(report: ImportReport) -> list[str]:
    """The report's errors as the ``file:line: field: message`` lines users see."""
    return [str(error) for error in report.errors]
