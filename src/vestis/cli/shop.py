"""Commands that run the shop: serve it, make the demo catalog, upgrade the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vestis.cli.common import console, print_report
from vestis.config import Settings

db_app = typer.Typer(help="Manage the catalog database schema.", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(envvar="VESTIS_HOST", help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(envvar="VESTIS_PORT", help="Port to listen on.")] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            help="Generate and load the demo shop if the catalog is empty; the home page lists demo shoppers.",
        ),
    ] = False,
) -> None:
    """Serve the web shop and the HTTP API (OpenAPI docs at /docs).

    Example: [bold]vestis serve --demo --port 8000[/bold]
    """
    import uvicorn

    from vestis.app import create_app

    settings: Settings = ctx.obj
    if demo:
        _ensure_demo(settings)
        settings = settings.model_copy(update={"demo_mode": True})
    bind = host or settings.host
    if bind != settings.host:
        settings = settings.model_copy(update={"host": bind})
    if "*" not in settings.allowed_host_set and bind in ("0.0.0.0", "::"):
        console.print(
            f"[yellow]answering only to Host {', '.join(sorted(settings.allowed_host_set))}[/yellow]: "
            "set VESTIS_ALLOWED_HOSTS to the names shoppers use to reach this server"
        )
    # Uvicorn's own access log would keep customer ids and search text; the app writes a redacted one.
    uvicorn.run(create_app(settings), host=bind, port=port or settings.port, access_log=False)


def demo_data(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: HOME/demo).")] = None,
    products: Annotated[int, typer.Option(min=20, help="Number of products.")] = 360,
    customers: Annotated[int, typer.Option(min=10, help="Number of shoppers.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 7,
    days: Annotated[int, typer.Option(min=7, help="Days of shopping events.")] = 365,
    load: Annotated[bool, typer.Option("--load/--no-load", help="Also import it into the catalog.")] = False,
) -> None:
    """Generate the demo fashion shop: products with images, shoppers, size charts, a year of events.

    Example: [bold]vestis demo-data --out var/demo --products 360 --customers 2000 --seed 7 --load[/bold]
    """
    from vestis.data.demo import generate_demo

    settings: Settings = ctx.obj
    target = out or settings.demo_dir
    summary = generate_demo(target, products=products, customers=customers, seed=seed, days=days)
    console.print(f"[green]demo catalog written to {target}[/green]: {summary}")
    if load:
        _load_demo(settings, target)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply pending schema migrations (also done automatically on start-up).

    Example: [bold]VESTIS_DATABASE_URL=postgresql+psycopg://shop@db/vestis vestis db upgrade[/bold]
    """
    from vestis.catalog.db import open_catalog

    open_catalog(ctx.obj)
    console.print("[green]schema is current[/green]")


def _ensure_demo(settings: Settings) -> None:
    """Generate, load and train on the demo shop once, so a second start takes seconds."""
    from vestis.catalog import store
    from vestis.catalog.db import open_catalog, session_factory
    from vestis.catalog.models import Product
    from vestis.data.demo import demo_is_generated, generate_demo
    from vestis.guide.service import ensure_guide
    from vestis.recommend.training import ensure_trained

    if not demo_is_generated(settings.demo_dir):
        console.print("generating the demo shop (first start only) …")
        generate_demo(settings.demo_dir)
    engine = open_catalog(settings)
    with session_factory(engine)() as session:
        empty = store.count_rows(session, Product) == 0
    if empty:
        _load_demo(settings, settings.demo_dir)
    trained = ensure_trained(engine, settings)
    if trained:
        console.print(f"trained {', '.join(v.label for v in trained)} (first start only)")
    if ensure_guide(engine, settings):
        console.print("built the shopping guide (first start only)")


def _load_demo(settings: Settings, directory: Path) -> None:
    from vestis.catalog.db import open_catalog, transaction
    from vestis.data.demo import load_demo

    with transaction(open_catalog(settings)) as session:
        reports = load_demo(session, directory, images_dir=settings.images_dir)
    for report in reports.values():
        print_report(report)
