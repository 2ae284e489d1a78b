"""The ``vestis`` command line: serve the shop, import data, train, try on, run the studio, ask the guide, generate.

Each module holds one command group and only wires capabilities from the package together;
this one builds the app from them. See ``vestis COMMAND --help`` for what each command does,
with an example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vestis.cli.customers import customers_app
from vestis.cli.data import import_app
from vestis.cli.generate import generate_app
from vestis.cli.guide import guide_app
from vestis.cli.recommend import evaluate, train, tune
from vestis.cli.shop import db_app, demo_data, serve
from vestis.cli.studio import studio_app
from vestis.cli.tryon import tryon
from vestis.config import Settings

__all__ = ["app"]

app = typer.Typer(
    help="Vestis: self-hosted AI fashion commerce (catalog, recommendations, try-on, studio, guide).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option(envvar="VESTIS_HOME", help="Data folder (database, images, models).")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="VESTIS_DATABASE_URL", help="SQLAlchemy URL; default SQLite under home."),
    ] = None,
) -> None:
    """Settings come from VESTIS_* environment variables; these options override them."""
    overrides = {"home": home, "database_url": database_url}
    ctx.obj = Settings(**{k: v for k, v in overrides.items() if v is not None})


app.command()(serve)
app.command("demo-data")(demo_data)
app.command()(train)
app.command()(evaluate)
app.command()(tune)
app.command()(tryon)
app.add_typer(import_app, name="import")
app.add_typer(db_app, name="db")
app.add_typer(studio_app, name="studio")
app.add_typer(guide_app, name="guide")
app.add_typer(customers_app, name="customers")
app.add_typer(generate_app, name="generate")
