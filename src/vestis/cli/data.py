"""``vestis import …``: retailer feeds and public data sets into the catalog, with a report of every rejected row."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from vestis.cli.common import ErrorsFile, Quiet, Strict, console, print_report
from vestis.config import Settings
from vestis.data.importing import ImportFailed, ImportReport

import_app = typer.Typer(
    help="Import retailer feeds and public data sets into the catalog.", no_args_is_help=True
)


@import_app.command("merchant-feed")
def import_merchant_feed(
    ctx: typer.Context, file: Path, strict: Strict = False, errors: ErrorsFile = None, quiet: Quiet = False
) -> None:
    """Import a Merchant Center feed or a retailer's catalog (CSV, TSV, parquet); re-imports update in place.

    Example: [bold]vestis import merchant-feed products.tsv --errors rejected.csv[/bold]
    """
    from vestis.data.merchant_feed import import_merchant_feed as run

    settings: Settings = ctx.obj
    _run_import(
        settings,
        lambda s: run(s, file, images_dir=settings.images_dir, strict=strict, progress=not quiet),
        errors,
    )


@import_app.command("shopify")
def import_shopify(
    ctx: typer.Context,
    file: Path,
    currency: Annotated[
        str | None,
        typer.Option(help="The shop's currency (ISO 4217, e.g. EUR): Shopify's export leaves it out."),
    ] = None,
    strict: Strict = False,
    errors: ErrorsFile = None,
    quiet: Quiet = False,
) -> None:
    """Import a Shopify product CSV export: one product per handle and colour; re-importing updates in place.

    Example: [bold]vestis import shopify products_export.csv --currency EUR[/bold]
    """
    from vestis.data.shopify import import_shopify as run

    settings: Settings = ctx.obj
    _run_import(
        settings,
        lambda s: run(
            s, file, images_dir=settings.images_dir, currency=currency, strict=strict, progress=not quiet
        ),
        errors,
    )


@import_app.command("myntra")
def import_myntra(
    ctx: typer.Context, file: Path, strict: Strict = False, errors: ErrorsFile = None, quiet: Quiet = False
) -> None:
    """Import the Myntra Fashion Product Images styles CSV (photos from images/<id>.jpg beside it).

    Example: [bold]vestis import myntra data/fashion-product-images/styles.csv[/bold]
    """
    from vestis.data.myntra import import_myntra as run

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


@import_app.command("fit-feedback")
def import_fit_feedback(
    ctx: typer.Context, file: Path, strict: Strict = False, errors: ErrorsFile = None, quiet: Quiet = False
) -> None:
    """Import fit feedback (RentTheRunway / ModCloth JSON lines, or parquet) as purchases with size and fit.

    Example: [bold]vestis import fit-feedback renttherunway_final_data.json --errors rejected.csv[/bold]
    """
    from vestis.data.fit_feedback import import_fit_feedback as run

    _run_import(ctx.obj, lambda s: run(s, file, strict=strict, progress=not quiet), errors)


@import_app.command("amazon")
def import_amazon(
    ctx: typer.Context, file: Path, strict: Strict = False, errors: ErrorsFile = None, quiet: Quiet = False
) -> None:
    """Import Amazon reviews (McAuley lab JSON lines, e.g. AMAZON_FASHION_5.json) as purchases with rating and size.

    Example: [bold]vestis import amazon AMAZON_FASHION_5.json --errors rejected.csv[/bold]
    """
    from vestis.data.amazon import import_amazon_reviews as run

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


def _run_import(
    settings: Settings, work: Callable[[Session], ImportReport], errors_file: Path | None
) -> None:
    from vestis.catalog.db import open_catalog, transaction

    engine = open_catalog(settings)
    try:
        with transaction(engine) as session:
            report = work(session)
    except ImportFailed as failure:
        console.print(
            f"[red]import failed, nothing was written:[/red] {escape(str(failure))}", highlight=False
        )
        _write_errors(errors_file, failure.errors)
        raise typer.Exit(1) from None
    print_report(report)
    _write_errors(errors_file, report.errors)


def _write_errors(path: Path | None, errors: list) -> None:  # type: ignore[type-arg]
    if path is None or not errors:
        return
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "field", "message"])
        writer.writerows([e.file, e.line, e.field or "", e.message] for e in errors)
    console.print(f"rejected rows written to {path}")
