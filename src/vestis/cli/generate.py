"""``vestis generate …``: draw product photos from a trained generator (and train and evaluate one)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from vestis.cli.common import console
from vestis.generate.base import MAX_SAMPLES, GenerationRequestError

generate_app = typer.Typer(
    help="Generated product images: a conditional VAE and GAN trained on catalog photos.",
    no_args_is_help=True,
)

OPTION_OF_FIELD = {"n": "--n", "type": "--type", "colour": "--colour", "seed": "--seed"}
"""The command-line option behind each field a :class:`GenerationRequestError` may name."""


@generate_app.command("sample")
def generate_sample(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="The contact sheet to write (.png).")],
    n: Annotated[int, typer.Option("--n", help=f"How many images (1 to {MAX_SAMPLES}).")] = 16,
    product_type: Annotated[
        str | None, typer.Option("--type", help="Product type to draw (default: as the catalog has them).")
    ] = None,
    colour: Annotated[
        str | None,
        typer.Option("--colour", "--color", help="Colour to draw (default: as the catalog has them)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="The same seed draws the same images.")] = 0,
    columns: Annotated[
        int | None, typer.Option(min=1, help="Images per row (default: a near-square grid).")
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            help="A generator file from 'vestis generate train' (default: VESTIS_GENERATOR, else the shipped one)."
        ),
    ] = None,
) -> None:
    """Draw images and write them as one contact sheet, labelled as generated in its pixels and metadata.

    Example: [bold]vestis generate sample --n 16 --type dress --colour red --seed 0 -o grid.png[/bold]
    """
    from vestis.generate.service import GeneratorService, GeneratorUnavailable, generate

    if output.suffix.lower() != ".png":
        raise typer.BadParameter(
            f"must be a .png file (the generated-image labels are PNG metadata); got {output.name!r}",
            param_hint="-o/--output",
        )
    path = model if model is not None else ctx.obj.generator_path if ctx.obj else None
    try:
        generator = GeneratorService(path).get()
    except GeneratorUnavailable as error:
        if model is not None:
            raise typer.BadParameter(str(error), param_hint="--model") from None
        console.print(f"[red]no generator:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(1) from None
    try:
        generation = generate(generator, n, product_type=product_type, colour=colour, seed=seed)
    except GenerationRequestError as error:
        raise typer.BadParameter(
            str(error).removeprefix(f"{error.field}: "), param_hint=OPTION_OF_FIELD[error.field]
        ) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(generation.sheet_png(columns))
    console.print(
        f"[green]wrote {output}[/green]: {n} generated {generation.size}×{generation.size} images "
        f"({generation.kind}, seed {seed})",
        highlight=False,
    )
