"""The catalog on a real PostgreSQL server (a throwaway cluster the test starts itself).

Skips with a reason when no PostgreSQL server binaries are installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import make_engine, session_factory, transaction, upgrade
from vestis.catalog.models import Base, Event, Product
from vestis.data.events import import_events
from vestis.data.importing import ImportFailed
from vestis.data.merchant_feed import import_merchant_feed

pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[Engine]:
    """A PostgreSQL engine on a fresh cluster listening on a private Unix socket."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        pytest.skip("no PostgreSQL server binaries (Debian package postgresql) on this machine")
    bin_dir = Path(binaries[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="vestis-pg-"))
    data, socket = root / "data", root / "socket"
    socket.mkdir()
    as_user = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(socket, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    run = lambda *args: subprocess.run([*as_user, *args], check=True, capture_output=True)  # noqa: E731
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "vestis", "--auth=trust")
    run(
        str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
        "-o", f"-k {socket} -c listen_addresses='' -c fsync=off", "start",
    )  # fmt: skip
    try:
        run(str(bin_dir / "createdb"), "-h", str(socket), "-U", "vestis", "vestis")
        engine = make_engine(f"postgresql+psycopg://vestis@/vestis?host={socket}")
        upgrade(engine)
        yield engine
        engine.dispose()
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_migrations_match_models_on_postgres(pg_engine: Engine) -> None:
    with pg_engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_imports_upsert_and_roll_back_on_postgres(pg_engine: Engine, tmp_path: Path) -> None:
    feed = tmp_path / "feed.tsv"
    feed.write_text("id\ttitle\tprice\tcolor\nA\tShirt\t10 EUR\tred\nB\tDress\t30 EUR\tblue\n")
    events = tmp_path / "events.csv"
    events.write_text(
        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,A,1700000000,view\nu1,A,1700000100,purchase\n"
    )
    for _ in range(2):
        with transaction(pg_engine) as session:
            import_merchant_feed(session, feed, images_dir=tmp_path / "images", progress=False)
            import_events(session, events, progress=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu2,B,1700000000,view\nu2,B,soon,view\n")
    with pytest.raises(ImportFailed), transaction(pg_engine) as session:
        import_events(session, bad, strict=True, progress=False)
    with session_factory(pg_engine)() as session:
        assert store.count_rows(session, Product) == 2
        assert store.count_rows(session, Event) == 2
        page, total = store.list_products(session, where=store.ProductFilter(color="RED"))
        assert total == 1 and page[0].currency == "EUR"
