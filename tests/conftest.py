"""Fixtures shared by every test: a fresh migrated catalog and the shared data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from vestis.catalog.db import make_engine, upgrade
from vestis.config import get_settings

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite catalog in a temporary folder, migrated to the newest schema."""
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the repository; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data sets not found at {SHARED_DATA} (../shared is absent)")
    return SHARED_DATA


@pytest.fixture(scope="module")
def learned_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A ``VESTIS_HOME`` for the image network's ONNX export, shared by one test module."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VESTIS_HOME", str(home))
        get_settings.cache_clear()
        yield home
    get_settings.cache_clear()


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Torch on one thread: the tests' tiny networks run many times faster than on two contended ones."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
