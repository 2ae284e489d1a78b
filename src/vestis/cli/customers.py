"""Customer commands: export a customer's data, erase it on request, issue shopper tokens."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vestis.cli.common import console
from vestis.config import Settings

customers_app = typer.Typer(
    help="Customers' personal data: export it, erase it, issue shopper tokens.", no_args_is_help=True
)


@customers_app.command("delete")
def delete(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The id of the customer to erase.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    vacuum: Annotated[
        bool,
        typer.Option(
            "--vacuum",
            help="Also rebuild the SQLite file (VACUUM): no fragment left in free space; slow when large.",
        ),
    ] = False,
) -> None:
    """Erase a customer: profile, events, kept try-on photos, and their id in every saved model.

    Served models stop answering for them at once, on a running server too; then retrain.
    Not touched: import files kept elsewhere (CSV, Parquet, the demo folder), backups, logs.

    Example: [bold]vestis customers delete c000123 --yes[/bold]
    """
    from vestis.catalog.db import open_catalog
    from vestis.privacy.erasure import UnknownCustomer, erase_customer

    settings: Settings = ctx.obj
    if not yes:
        typer.confirm(
            f"Erase everything held about customer {customer_id!r}? This cannot be undone", abort=True
        )
    try:
        report = erase_customer(open_catalog(settings), settings, customer_id, vacuum=vacuum)
    except (UnknownCustomer, ValueError) as error:
        console.print(escape(str(error)), style="red", highlight=False)
        raise typer.Exit(1) from None
    table = Table(title=f"erased customer {report.customer_id!r} at {report.erased_at:%Y-%m-%d %H:%M:%S} UTC")
    for column in ("customer rows", "events", "kept try-ons", "model files rewritten"):
        table.add_column(column, justify="right")
    table.add_row(*map(str, (report.customers, report.events, report.kept_try_ons, report.model_files)))
    console.print(table)
    if not report.database_compacted and settings.resolved_database_url.startswith("sqlite"):
        console.print(
            "[yellow]the database's write-ahead log was busy; it is emptied at a later checkpoint[/yellow]"
        )


@customers_app.command("export")
def export(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The id of the customer whose data to export.")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Write the JSON here (default: print).")
    ] = None,
) -> None:
    """Everything held about a customer, as JSON: profile, events, ids of kept try-on photos (right of access).

    Example: [bold]vestis customers export c000123 -o c000123.json[/bold]
    """
    from vestis.catalog.db import open_catalog
    from vestis.privacy.access import export_customer
    from vestis.privacy.erasure import UnknownCustomer

    settings: Settings = ctx.obj
    try:
        data = export_customer(open_catalog(settings), settings, customer_id)
    except UnknownCustomer as error:
        console.print(escape(str(error)), style="red", highlight=False)
        raise typer.Exit(1) from None
    document = json.dumps(dataclasses.asdict(data), indent=1, default=str, ensure_ascii=False)
    if out is None:
        typer.echo(document)
    else:
        out.write_text(document + "\n", encoding="utf-8")
        console.print(f"wrote {len(data.events)} events of {customer_id!r} to {out}", highlight=False)


@customers_app.command("token")
def token(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer the token speaks for.")],
    days: Annotated[float, typer.Option(min=0.001, max=90, help="How long it works.")] = 30,
) -> None:
    """Print a signed shopper token: it opens this customer's personal answers and data (keep it secret).

    Example: [bold]vestis customers token c000123 --days 1[/bold]
    """
    from vestis.signing import issue_shopper_token

    typer.echo(issue_shopper_token(ctx.obj, customer_id, seconds=int(days * 86400)).token)
