"""Engines, sessions and schema migrations for the catalog database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from vestis.config import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str, *, busy_timeout: float | None = None) -> Engine:
    """An engine for ``url``; SQLite files get their folder, WAL mode and foreign keys.

    A write to a SQLite file another connection is writing waits up to ``busy_timeout``
    seconds (default: the configured ``db_busy_timeout_seconds``), then fails with
    "database is locked", which the API answers with a 503 and ``Retry-After``.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        timeout = get_settings().db_busy_timeout_seconds if busy_timeout is None else busy_timeout
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": timeout})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=8)
def get_engine(url: str | None = None, busy_timeout: float | None = None) -> Engine:
    """The shared engine for ``url`` (default: the configured database); see :func:`make_engine`."""
    return make_engine(url or get_settings().resolved_database_url, busy_timeout=busy_timeout)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session maker bound to ``engine`` that keeps objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of ``engine``'s database to ``revision`` through Alembic."""
    with engine.begin() as connection:
        config = _alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    head = ScriptDirectory.from_config(_alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def open_catalog(settings: Settings | None = None) -> Engine:
    """The engine of the configured catalog, migrated to the newest schema."""
    settings = settings or get_settings()
    engine = get_engine(settings.resolved_database_url, settings.db_busy_timeout_seconds)
    if not schema_is_current(engine):
        upgrade(engine)
    return engine


def checkpoint_and_vacuum(engine: Engine, *, wait_ms: int, vacuum: bool = False) -> bool:
    """Checkpoint and truncate SQLite's write-ahead log (``VACUUM`` first if asked); whether it went through.

    After rows are deleted for good (a customer's erasure), their old pages still sit in the
    write-ahead log and in the file's free pages; this moves them out. A truncating checkpoint
    holds new writers back while it waits for readers of an older snapshot, so it waits at
    most ``wait_ms`` milliseconds (the connection's usual busy timeout is restored after); if
    that is not enough it answers ``False`` (a later checkpoint empties the log). ``vacuum``
    also rebuilds the file with ``secure_delete`` on (slow, and it holds the database). Other
    databases reclaim deleted rows themselves (PostgreSQL's autovacuum): ``False``, nothing done.
    """
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if vacuum:
            connection.execute(text("PRAGMA secure_delete = ON"))
            connection.execute(text("VACUUM"))
        usual_wait = int(connection.execute(text("PRAGMA busy_timeout")).scalar_one())
        connection.execute(text(f"PRAGMA busy_timeout = {int(wait_ms)}"))
        try:
            busy, _, _ = connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
        finally:
            connection.execute(text(f"PRAGMA busy_timeout = {usual_wait}"))
    return busy == 0


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
