"""The demo shop's catalog for benchmarks: generated and imported once under a home folder, then reused."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import open_catalog, session_factory, transaction
from vestis.catalog.models import Product
from vestis.config import Settings
from vestis.data.demo import demo_is_generated, generate_demo, load_demo


def demo_shop(home: Path, **sizes: int) -> Engine:
    """The catalog under ``home``, filled with the demo shop when it is empty.

    ``sizes`` (``products``, ``customers``, ``days``, ``seed``) go to ``generate_demo``; the default
    is the full demo shop.
    """
    settings = Settings(home=home)
    engine = open_catalog(settings)
    with session_factory(engine)() as session:
        empty = store.count_rows(session, Product) == 0
    if empty:
        if not demo_is_generated(settings.demo_dir):
            generate_demo(settings.demo_dir, progress=False, **sizes)
        with transaction(engine) as session:
            load_demo(session, settings.demo_dir, images_dir=settings.images_dir, progress=False)
    return engine
