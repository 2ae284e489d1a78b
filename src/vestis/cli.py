"""The ``vestis`` command line: serve the shop, make the demo catalog, import data.

Every command only wires capabilities from the package together; see
``vestis COMMAND --help`` for what each does, with an example.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from vestis.config import Settings
from vestis.data.importing import ImportFailed, ImportReport

app = typer.Typer(
    help="Vestis: self-hosted AI fashion commerce (catalog, recommendations, try-on, studio, guide).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
import_app = typer.Typer(
    help="Import retailer feeds and public data sets into the catalog.", no_args_is_help=True
)
db_app = typer.Typer(help="Manage the catalog database schema.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(db_app, name="db")
console = Console(stderr=True, soft_wrap=True)

Strict = Annotated[bool, typer.Option("--strict", help="Abort and import nothing on the first bad row.")]
ErrorsFile = Annotated[
    Path | None,
    typer.Option("--errors", help="Write every rejected row to this CSV (file, line, field, message)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


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


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(envvar="VESTIS_HOST", help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(envvar="VESTIS_PORT", help="Port to listen on.")] = None,
    demo: Annotated[
        bool,
        typer.Option("--demo/--no-demo", help="Generate and load the demo shop if the catalog is empty."),
    ] = False,
) -> None:
    """Serve the web shop and the HTTP API (OpenAPI docs at /docs).

    Example: [bold]vestis serve --demo --port 8000[/bold]
    """
    import uvicorn

    from vestis.api.app import create_app

    settings: Settings = ctx.obj
    if demo:
        _ensure_demo(settings)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@app.command("demo-data")
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


@import_app.command("merchant-feed")
def import_merchant_feed(
    ctx: typer.Context, file: Path, strict: Strict = False, errors: ErrorsFile = None, quiet: Quiet = False
) -> None:
    """Import a Google Merchant Center product feed (TSV or CSV); re-importing updates in place.

    Example: [bold]vestis import merchant-feed products.tsv --errors rejected.csv[/bold]
    """
    from vestis.data.merchant_feed import import_merchant_feed as run

    settings: Settings = ctx.obj
    _run_import(
        settings,
        lambda s: run(s, file, images_dir=settings.images_dir, strict=strict, progress=not quiet),
        errors,
    )


@import_app.command("events")
def import_events(
    ctx: typer.Context, file: Path, strict: Strict = False, errors: ErrorsFile = None, quiet: Quiet = False
) -> None:
    """Import interaction events: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE (+ SIZE, FIT_FEEDBACK, PRICE, …).

    Example: [bold]vestis import events interactions.csv --strict[/bold]
    """
    from vestis.data.events import import_events as run

    _run_import(ctx.obj, lambda s: run(s, file, strict=strict, progress=not quiet), errors)


@import_app.command("customers")
def import_customers(
    ctx: typer.Context, file: Path, strict: Strict = False, errors: ErrorsFile = None, quiet: Quiet = False
) -> None:
    """Import customers (id, consent flags, profile fields kept only with consent).

    Example: [bold]vestis import customers customers.csv[/bold]
    """
    from vestis.data.profiles import import_customers as run

    _run_import(ctx.obj, lambda s: run(s, file, strict=strict, progress=not quiet), errors)


@import_app.command("size-charts")
def import_size_charts(
    ctx: typer.Context, file: Path, strict: Strict = False, errors: ErrorsFile = None, quiet: Quiet = False
) -> None:
    """Import size charts: brand, product_type, size, measurement, min_cm, max_cm.

    Example: [bold]vestis import size-charts size_charts.csv[/bold]
    """
    from vestis.data.profiles import import_size_charts as run

    _run_import(ctx.obj, lambda s: run(s, file, strict=strict, progress=not quiet), errors)


@import_app.command("hm")
def import_hm(
    ctx: typer.Context,
    directory: Path,
    strict: Strict = False,
    errors: ErrorsFile = None,
    quiet: Quiet = False,
    assume_consent: Annotated[
        bool, typer.Option(help="Store customers' age: only if they consented to profiling.")
    ] = False,
) -> None:
    """Import the H&M Personalized Fashion Recommendations layout (articles, customers, transactions, images).

    Example: [bold]vestis import hm data/h-and-m-personalized-fashion-recommendations[/bold]
    """
    from vestis.data.hm import import_hm as run

    settings: Settings = ctx.obj
    _run_import(
        settings,
        lambda s: run(
            s,
            directory,
            images_dir=settings.images_dir,
            strict=strict,
            progress=not quiet,
            assume_consent=assume_consent,
        ),
        errors,
    )


@import_app.command("movielens")
def import_movielens(
    ctx: typer.Context,
    directory: Path,
    strict: Strict = False,
    errors: ErrorsFile = None,
    quiet: Quiet = False,
) -> None:
    """Import MovieLens (ratings.csv + movies.csv, or ml-100k's u.data + u.item) for recommender benchmarks.

    Example: [bold]vestis import movielens data/ml-latest-small[/bold]
    """
    from vestis.data.movielens import import_movielens as run

    _run_import(ctx.obj, lambda s: run(s, directory, strict=strict, progress=not quiet), errors)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply pending schema migrations (also done automatically on start-up).

    Example: [bold]VESTIS_DATABASE_URL=postgresql+psycopg://shop@db/vestis vestis db upgrade[/bold]
    """
    from vestis.catalog.db import open_catalog

    open_catalog(ctx.obj)
    console.print("[green]schema is current[/green]")


def _run_import(
    settings: Settings, work: Callable[[Session], ImportReport], errors_file: Path | None
) -> None:
    from vestis.catalog.db import open_catalog, transaction

    engine = open_catalog(settings)
    try:
        with transaction(engine) as session:
            report = work(session)
    except ImportFailed as failure:
        console.print(f"[red]import failed, nothing was written:[/red] {failure}")
        _write_errors(errors_file, failure.errors)
        raise typer.Exit(1) from None
    _print_report(report)
    _write_errors(errors_file, report.errors)


def _print_report(report: ImportReport) -> None:
    table = Table(title=f"import of {report.source}")
    for column in ("rows read", "rows written", "rows ignored (repeats)", "rows rejected"):
        table.add_column(column, justify="right")
    counts = (report.rows_read, report.rows_written, report.rows_ignored, report.rows_rejected)
    table.add_row(*map(str, counts))
    console.print(table)
    for error in report.errors[:20]:
        console.print(f"[yellow]{error}[/yellow]", markup=False, highlight=False)
    if len(report.errors) > 20:
        console.print(f"… and {len(report.errors) - 20} more (use --errors FILE to get them all)")


def _write_errors(path: Path | None, errors: list) -> None:  # type: ignore[type-arg]
    if path is None or not errors:
        return
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "field", "message"])
        writer.writerows([e.file, e.line, e.field or "", e.message] for e in errors)
    console.print(f"rejected rows written to {path}")


def _ensure_demo(settings: Settings) -> None:
    """Generate the demo files once and load them once, so a second start takes seconds."""
    from vestis.catalog import store
    from vestis.catalog.db import open_catalog, session_factory
    from vestis.catalog.models import Product
    from vestis.data.demo import demo_is_generated, generate_demo

    if not demo_is_generated(settings.demo_dir):
        console.print("generating the demo shop (first start only) …")
        generate_demo(settings.demo_dir)
    with session_factory(open_catalog(settings))() as session:
        empty = store.count_rows(session, Product) == 0
    if empty:
        _load_demo(settings, settings.demo_dir)


def _load_demo(settings: Settings, directory: Path) -> None:
    from vestis.catalog.db import open_catalog, transaction
    from vestis.data.demo import load_demo

    with transaction(open_catalog(settings)) as session:
        reports = load_demo(session, directory, images_dir=settings.images_dir)
    for report in reports.values():
        _print_report(report)


if __name__ == "__main__":
    app()
