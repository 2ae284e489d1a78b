"""``vestis tryon``: render a garment photo on a person photo from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vestis.cli.common import console


def tryon(
    person: Annotated[Path, typer.Option(help="The shopper's photo (front-facing).")],
    garment: Annotated[Path, typer.Option(help="The garment photo, on a plain background.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the PNG result.")],
    category: Annotated[str | None, typer.Option(help="upper, lower or dress; guessed if absent.")] = None,
    debug: Annotated[
        Path | None, typer.Option(help="Write masks, keypoints and warp grids as PNGs into this folder.")
    ] = None,
) -> None:
    """Virtual try-on: render the garment on the person and write a PNG (no metadata, no location).

    Example: [bold]vestis tryon --person me.jpg --garment shirt.jpg --category upper -o me-in-shirt.png --debug debug/[/bold]
    """
    from vestis.tryon import TryOn, TryOnError, save_debug
    from vestis.vision.io import ImageError, image_bytes, load_image

    if category not in (None, "upper", "lower", "dress"):
        raise typer.BadParameter(f"expected upper, lower or dress, got {category!r}", param_hint="--category")
    try:
        result = TryOn(backend="warp").render(load_image(person), load_image(garment), category=category)
    except (ImageError, TryOnError) as error:
        console.print(f"[red]try-on failed:[/red] {error}")
        raise typer.Exit(1) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(image_bytes(result.image, fmt="PNG"))
    if debug is not None:
        save_debug(result, debug)
    timings = ", ".join(f"{k} {v}" for k, v in result.diagnostics.items())
    console.print(f"[green]wrote {output}[/green] ({timings})")
