"""``vestis generate …``: draw product photos from a trained generator (and train and evaluate one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from vestis.cli.common import Quiet, console
from vestis.generate.base import MAX_SAMPLES, SIZES, GenerationRequestError, ImageGenerator

if TYPE_CHECKING:
    from vestis.generate.data import PhotoSet

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


@generate_app.command("train")
def generate_train(
    data: Annotated[
        Path,
        typer.Option(
            help="Photo folder (Myntra styles.csv, H&M articles.csv or a photos.csv) or a Fashion-MNIST .npz."
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="The generator file to write (.vgen).")],
    kind: Annotated[
        str, typer.Option(help="gan (conditional SN-GAN), vae (conditional VAE) or dcgan (the baseline).")
    ] = "gan",
    size: Annotated[int, typer.Option(help=f"Image side in pixels: {' or '.join(map(str, SIZES))}.")] = 64,
    epochs: Annotated[
        int, typer.Option(min=1, help="Passes over the photos, in all (a resumed run counts the done ones).")
    ] = 20,
    holdout: Annotated[
        float,
        typer.Option(min=0.0, max=0.9, help="Share of photos kept out of training for 'evaluate' (seed 0)."),
    ] = 0.2,
    limit: Annotated[int | None, typer.Option(min=2, help="Read only the first photos (quick runs).")] = None,
    min_count: Annotated[
        int, typer.Option(min=1, help="Types and colours with fewer photos are learned as 'other'.")
    ] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the weights and the minibatch order.")] = 0,
    quiet: Quiet = False,
) -> None:
    """Train a generator on catalog photos; the same command again resumes from its checkpoint (OUTPUT.ckpt).

    Example: [bold]vestis generate train --data ../shared/data/fashion-product-images --size 64 --epochs 20 -o products.vgen[/bold]
    """
    from vestis.generate import GENERATORS
    from vestis.generate.base import generator_class

    if kind not in GENERATORS:
        raise typer.BadParameter(f"choose from {', '.join(GENERATORS)}; got {kind!r}", param_hint="--kind")
    if size not in SIZES:
        raise typer.BadParameter(f"choose from {', '.join(map(str, SIZES))}; got {size}", param_hint="--size")
    photos = _photos(data, size=size, limit=limit, min_count=min_count, progress=not quiet)
    train = photos.split(holdout, seed=0)[0] if holdout > 0 else photos
    checkpoint = output.with_suffix(".ckpt")
    model = generator_class(kind)(seed=seed)
    try:
        model.fit(train, epochs=epochs, checkpoint=checkpoint, progress=not quiet)
    except ValueError as error:  # a checkpoint of another configuration
        console.print(f"[red]cannot resume:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(1) from None
    model.save(output)
    last = ", ".join(f"{name} {value:.4f}" for name, value in model.history_[-1].items())
    console.print(
        f"[green]wrote {output}[/green]: {kind}, {size} px, {len(train):,} photos, {epochs} epochs ({last}); "
        f"checkpoint {checkpoint}",
        highlight=False,
    )


@generate_app.command("evaluate")
def generate_evaluate(
    data: Annotated[Path, typer.Option(help="The photo folder the generator was trained on (see 'train').")],
    model: Annotated[Path | None, typer.Option(help="A generator file (default: the shipped one).")] = None,
    n: Annotated[
        int | None, typer.Option(min=2, help="Images to draw (default: as many as the held-out photos).")
    ] = None,
    holdout: Annotated[float, typer.Option(min=0.05, max=0.9, help="The held-out share 'train' used.")] = 0.2,
    limit: Annotated[
        int | None, typer.Option(min=2, help="Read only the first photos (as 'train' did).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the draws.")] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    grid: Annotated[
        Path | None, typer.Option(help="Write the generated-beside-nearest-training PNG here.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """FID, KID, precision/recall and a memorisation check against the held-out photos (EfficientNet-Lite0 features).

    Example: [bold]vestis generate evaluate --data ../shared/data/fashion-product-images --model products.vgen --json[/bold]
    """
    from vestis.generate import metrics
    from vestis.generate.base import draw_many

    generator = _generator(model)
    photos = _photos(data, size=generator.size, limit=limit, progress=not quiet)
    train, held_out = photos.split(holdout, seed=0)
    drawn = draw_many(generator, n or len(held_out), seed=seed)
    figures = metrics.evaluate(drawn, held_out.images, train.images, progress=not quiet, grid=grid)
    figures["generator"] = {"kind": generator.kind, "size": generator.size}
    if json_out:
        typer.echo(json.dumps(figures, indent=1))
        return
    console.print(
        f"{generator.kind} · {generator.size} px · {len(drawn):,} drawn against {len(held_out):,} held-out photos: "
        f"FID {figures['fid']:.2f}, KID {figures['kid']['mean']:.4f} ± {figures['kid']['std']:.4f}, "
        f"precision {figures['precision']:.3f}, recall {figures['recall']:.3f}, "
        f"near copies {figures['memorisation']['near_copy_share']:.1%}",
        highlight=False,
    )


@generate_app.command("colourway")
def generate_colourway(
    photo: Annotated[Path, typer.Option(help="A product photo (any size; it is padded square).")],
    product_type: Annotated[
        str, typer.Option("--type", help="The product's type, as the generator knows it.")
    ],
    colour: Annotated[str, typer.Option("--colour", "--color", help="The product's colour in the photo.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The preview sheet to write (.png).")],
    model: Annotated[Path, typer.Option(help="A VAE generator file (vestis generate train --kind vae).")],
    to: Annotated[str, typer.Option(help="Comma-separated colours to preview it in.")] = "",
    variations: Annotated[
        int, typer.Option(min=0, max=16, help="Variations to add: a latent walk away from the photo.")
    ] = 0,
    seed: Annotated[int, typer.Option(min=0, help="The same seed gives the same variations.")] = 0,
) -> None:
    """Preview a product in new colours and as variations: the VAE keeps its shape (labelled as generated).

    Example: [bold]vestis generate colourway --photo shirt.jpg --type shirts --colour blue --to red,black --variations 4 -o previews.png --model vae.vgen[/bold]
    """
    from vestis.generate.service import GeneratorUnavailable, product_previews
    from vestis.vision.io import ImageError, load_image

    generator = _generator(model)
    try:
        picture = load_image(photo)
    except ImageError as error:
        raise typer.BadParameter(str(error), param_hint="--photo") from None
    colours = [c.strip().lower() for c in to.split(",") if c.strip()]
    try:
        previews = product_previews(
            generator,
            picture,
            product_type=product_type.lower(),
            colour=colour.lower(),
            to=colours,
            variations=variations,
            seed=seed,
        )
    except GeneratorUnavailable as error:
        raise typer.BadParameter(f"{model}: {error}", param_hint="--model") from None
    except GenerationRequestError as error:
        hint = {"type": "--type", "colour": "--colour", "to": "--to"}.get(error.field, f"--{error.field}")
        raise typer.BadParameter(str(error).removeprefix(f"{error.field}: "), param_hint=hint) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(previews.sheet_png(columns=len(previews.images) + 1))
    console.print(
        f"[green]wrote {output}[/green]: {len(colours)} colourway(s) and {variations} variation(s) of {photo.name}",
        highlight=False,
    )


# ------------------------------------------------------------------------------ helpers
def _photos(data: Path, **options: Any) -> PhotoSet:
    """The photo set at ``data``; a folder it cannot read is a bad ``--data``."""
    from vestis.generate.data import load_photos

    try:
        return load_photos(data, **options)
    except (ValueError, FileNotFoundError) as error:
        raise typer.BadParameter(str(error), param_hint="--data") from None


def _generator(model: Path | None) -> ImageGenerator:
    """The generator file ``model`` (the shipped one when None); a file it cannot read is a bad ``--model``."""
    from vestis.generate import load_generator

    try:
        return load_generator(model)
    except (ValueError, FileNotFoundError) as error:
        raise typer.BadParameter(str(error), param_hint="--model") from None
