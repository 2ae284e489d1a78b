"""The one settings object shared by the API, the web app and the CLI.

Every value can be set through an environment variable named ``VESTIS_<FIELD>``
(for example ``VESTIS_DATABASE_URL``); CLI flags override the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration of a Vestis installation."""

    model_config = SettingsConfigDict(env_prefix="VESTIS_", extra="ignore")

    home: Path = Field(Path("var"), description="Directory for the database, images and models.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; defaults to a SQLite file under `home`."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: str = Field("", description="Comma-separated keys accepted for write endpoints.")
    read_requires_key: bool = Field(False, description="Close read endpoints to callers without a key.")
    max_body_bytes: int = Field(10 * 1024 * 1024, description="Largest JSON request body accepted.")
    max_upload_bytes: int = Field(20 * 1024 * 1024, description="Largest uploaded file accepted.")
    max_image_pixels: int = Field(40_000_000, description="Largest decoded image accepted (pixels).")

    @property
    def resolved_database_url(self) -> str:
        """The configured database URL, or the default SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'vestis.db').resolve()}"

    @property
    def images_dir(self) -> Path:
        """Where product images live on disk."""
        return self.home / "images"

    @property
    def demo_dir(self) -> Path:
        """Where the generated demo catalog is written."""
        return self.home / "demo"

    @property
    def models_dir(self) -> Path:
        """Root of the model registry."""
        return self.home / "models"

    @property
    def api_key_set(self) -> frozenset[str]:
        """The accepted API keys, parsed from ``api_keys``."""
        return frozenset(k.strip() for k in self.api_keys.split(",") if k.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
