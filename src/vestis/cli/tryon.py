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
    category: Annotated[
        str | None,
        typer.Option(
            help="upper, lower or dress, or a garment name (shirt, blazer, skirt, …: a sleeved top's name "
            "also says it has sleeves); guessed if absent."
        ),
    ] = None,
    debug: Annotated[
        Path | None, typer.Option(help="Write masks, keypoints and warp grids as PNGs into this folder.")
    ] = None,
    backend: Annotated[
        str, typer.Option(help="warp, or warp+refine (the warp composite mended by a small learned network).")
    ] = "warp",
) -> None:
    """Virtual try-on: render the garment on the person and write a PNG (no metadata, no location).

    Example: [bold]vestis tryon --person me.jpg --garment shirt.jpg --category upper -o me-in-shirt.png --debug debug/[/bold]
    """
    from vestis.tryon import TryOn, TryOnError, save_debug
    from vestis.tryon.garment import normalise_category
    from vestis.tryon.pipeline import WORK_PIXELS
    from vestis.vision.io import ImageError, image_bytes, load_image

    try:
        normalise_category(category)
    except TryOnError as error:
        raise typer.BadParameter(str(error), param_hint="--category") from None
    try:
        person_image, garment_image = (load_image(path, reduce_to=WORK_PIXELS) for path in (person, garment))
        result = TryOn(backend=backend).render(person_image, garment_image, category=category)
    except (ImageError, TryOnError) as error:
        console.print(f"[red]try-on failed:[/red] {error}")
        raise typer.Exit(1) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(image_bytes(result.image, fmt="PNG"))
    if debug is not None:
        save_debug(result, debug)
    timings = ", ".join(f"{k} {v}" for k, v in result.diagnostics.items())
    console.print(f"[green]wrote {output}[/green] ({timings})")
