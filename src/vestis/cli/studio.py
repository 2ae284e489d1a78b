"""``vestis studio …``: run recipes over folders, recolour and restyle single photos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vestis.cli.common import Quiet, console

studio_app = typer.Typer(
    help="The product image studio: clean, enhance, recolour and restyle product photos.",
    no_args_is_help=True,
)


@studio_app.command("run")
def studio_run(
    inputs: Annotated[list[Path], typer.Argument(help="Image files and folders (searched recursively).")],
    recipe: Annotated[
        str, typer.Option(help="A shipped recipe (see 'vestis studio recipes') or a .toml file.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the outputs, one per input.")],
    workers: Annotated[int | None, typer.Option(help="Processes to use (default: every core).")] = None,
    engine: Annotated[str, typer.Option(help="local (process pool) or spark.")] = "local",
    spark_master: Annotated[
        str | None, typer.Option(help="With --engine spark: master URL; default local[*].")
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Redo inputs whose output exists.")] = False,
    quiet: Quiet = False,
) -> None:
    """Run a recipe over images and folders; a rerun skips finished outputs (resumable).

    Example: [bold]vestis studio run --recipe marketplace-white photos/ -o marketplace/ --workers 4[/bold]
    """
    from rich.markup import escape

    from vestis.studio.batch import run_recipe
    from vestis.studio.errors import StudioError
    from vestis.studio.recipes import load_recipe
    from vestis.studio.spark import run_recipe_spark

    if engine not in ("local", "spark"):
        raise typer.BadParameter(f"expected local or spark, got {engine!r}", param_hint="--engine")
    try:
        loaded = load_recipe(recipe)
        if engine == "spark":
            report = run_recipe_spark(loaded, inputs, output, master=spark_master, overwrite=overwrite)
        else:
            report = run_recipe(
                loaded, inputs, output, workers=workers, progress=not quiet, overwrite=overwrite
            )
    except StudioError as error:
        console.print(f"[red]studio run failed:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(1) from None
    console.print(
        f"{len(report.done)} written, {len(report.skipped)} already done, {len(report.failed)} failed → {output}"
    )
    for path, message in report.failed:
        console.print(f"[yellow]{escape(str(path))}[/yellow]: {escape(message)}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


@studio_app.command("recolor")
def studio_recolor(
    image: Annotated[Path, typer.Argument(help="A product photo (plain background) or a cut-out PNG.")],
    to: Annotated[str, typer.Option(help='The new colour: a name ("navy") or "#rrggbb".')],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file (.png, .jpg or .webp).")],
) -> None:
    """Re-dye the garment, keeping its shading, folds and prints; the background is untouched.

    Example: [bold]vestis studio recolor shirt.jpg --to "#1f3a93" -o shirt-navy.png[/bold]
    """
    _studio_one("recolor", {"to": to}, image, output)


@studio_app.command("style")
def studio_style(
    image: Annotated[Path, typer.Argument(help="The photo to restyle.")],
    style: Annotated[
        str, typer.Option(help="A named style (see 'vestis studio recipes') or a style image file.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file (.png, .jpg or .webp).")],
) -> None:
    """Restyle the garment with a named style or the look of another image (neural style transfer).

    Example: [bold]vestis studio style shirt.jpg --style watercolour -o shirt-watercolour.png[/bold]
    """
    _studio_one("style", {"style": style}, image, output)


@studio_app.command("recipes")
def studio_recipes() -> None:
    """List the shipped recipes with their steps, and the named styles.

    Example: [bold]vestis studio recipes[/bold]
    """
    from vestis.studio.recipes import list_recipes
    from vestis.studio.style import STYLES

    table = Table(title="recipes (vestis studio run --recipe NAME)")
    for column in ("recipe", "format", "steps", "what it does"):
        table.add_column(column)
    for recipe in list_recipes():
        table.add_row(
            recipe.name, recipe.output_format, " → ".join(s.step for s in recipe.steps), recipe.description
        )
    console.print(table)
    styles = Table(title="styles (vestis studio style --style NAME)")
    styles.add_column("style")
    styles.add_column("look")
    for named in STYLES.values():
        styles.add_row(named.name, named.description)
    console.print(styles)


def _studio_one(step: str, params: dict[str, object], image: Path, output: Path) -> None:
    from rich.markup import escape

    from vestis.studio.batch import Job, process_image
    from vestis.studio.errors import StudioError
    from vestis.studio.recipes import Recipe, format_for

    try:
        failure = process_image(
            # The operator's own command line: a style may name a local image file.
            Recipe.of_step(step, params, output_format=format_for(output), local_files=Path()),
            Job(image, output),
        )
    except StudioError as error:
        failure = str(error)
    if failure:
        console.print(f"[red]studio {step} failed:[/red] {escape(failure)}", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]wrote {output}[/green]")
