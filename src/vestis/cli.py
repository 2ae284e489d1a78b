"""The ``vestis`` command line: serve the shop, make the demo catalog, import data.

Every command only wires capabilities from the package together; see
``vestis COMMAND --help`` for what each does, with an example.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

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
guide_app = typer.Typer(
    help="The shopping guide: search in plain words, chat, complete the look, size advice.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")
app.add_typer(db_app, name="db")
app.add_typer(guide_app, name="guide")
studio_app = typer.Typer(
    help="The product image studio: clean, enhance, recolour and restyle product photos.",
    no_args_is_help=True,
)
app.add_typer(studio_app, name="studio")
console = Console(stderr=True, soft_wrap=True)

Strict = Annotated[bool, typer.Option("--strict", help="Abort and import nothing on the first bad row.")]
ErrorsFile = Annotated[
    Path | None,
    typer.Option("--errors", help="Write every rejected row to this CSV (file, line, field, message)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
DataSpec = Annotated[str, typer.Option(help="store, movielens:DIR, hm:DIR or demo:DIR.")]
ParamsFile = Annotated[Path | None, typer.Option(help="JSON {model: {param: value}}, e.g. from vestis tune.")]
GuideUser = Annotated[str | None, typer.Option("--user", help="The shopper, to personalise the answer.")]
GuideJson = Annotated[
    bool, typer.Option("--json", help="Print the answer as JSON (as the HTTP API returns it).")
]
PROTOCOLS = ("leave-last-out", "temporal")
_T = TypeVar("_T")


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


@app.command()
def train(
    ctx: typer.Context,
    models: Annotated[
        str, typer.Option(help="Comma-separated models to train (registered names).")
    ] = "popular,itemknn,ease,als,content,visual,hybrid",
    engine: Annotated[str, typer.Option(help="local (implicit, in process) or spark (MLlib ALS).")] = "local",
    spark_master: Annotated[str | None, typer.Option(help="Spark master URL; default local[*].")] = None,
    parquet: Annotated[
        Path | None, typer.Option(help="With --engine spark: read events from this Parquet file.")
    ] = None,
    params: ParamsFile = None,
    guide: Annotated[
        bool, typer.Option("--guide/--no-guide", help="Also rebuild the shopping guide's search and models.")
    ] = True,
    quiet: Quiet = False,
) -> None:
    """Train recommenders on the catalog's events, register them as new versions and activate them.

    A running server picks them up on [bold]POST /models/reload[/bold].

    Example: [bold]vestis train --models popular,itemknn,als --engine spark --spark-master local[2][/bold]
    """
    from vestis.catalog.db import open_catalog
    from vestis.recommend.training import train as run

    settings: Settings = ctx.obj
    if engine not in ("local", "spark"):
        raise typer.BadParameter(f"expected local or spark, got {engine!r}", param_hint="--engine")
    versions = run(
        open_catalog(settings),
        settings,
        models=_names(models),
        engine_kind=engine,  # type: ignore[arg-type]
        spark_master=spark_master,
        parquet=parquet,
        params=_read_params(params),
        progress=not quiet,
    )
    for version in versions:
        console.print(f"[green]{version.name}[/green] → version {version.version}")
    if guide:
        from vestis.guide.service import build_guide

        console.print(
            f"[green]shopping guide[/green] → {build_guide(open_catalog(settings), settings, progress=not quiet)}"
        )


@app.command()
def evaluate(
    ctx: typer.Context,
    data: DataSpec = "store",
    models: Annotated[str, typer.Option(help="Comma-separated models.")] = "popular,itemknn,als,bpr",
    protocol: Annotated[str, typer.Option(help="leave-last-out or temporal.")] = "leave-last-out",
    k: Annotated[int, typer.Option(min=1, help="Cut-off of the headline metrics.")] = 10,
    window_days: Annotated[int, typer.Option(min=1, help="Temporal protocol: test window in days.")] = 7,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the scores as JSON here.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write a Markdown report with PNG plots here.")] = None,
    params: ParamsFile = None,
    quiet: Quiet = False,
) -> None:
    """Evaluate recommenders offline: NDCG, recall (hit rate), MAP and coverage at k, fit time.

    leave-last-out holds out each user's last interaction; temporal trains before a cut date and tests on the following window (like the H&M competition).

    Example: [bold]vestis evaluate --data movielens:data/ml-latest-small --models popular,itemknn,als,bpr --k 10 --json scores.json --report report/[/bold]
    """
    from vestis.recommend.evaluate import evaluate_models
    from vestis.recommend.report import write_report

    _check_protocol(protocol)
    result = evaluate_models(
        _dataset(ctx.obj, data),
        _names(models),
        protocol=protocol,
        k=k,
        window_days=window_days,
        params=_read_params(params),
        progress=not quiet,
    )
    result.source = data
    _print_scores(result.to_dict())
    if json_out:
        result.save_json(json_out)
    if report:
        console.print(f"report written to {write_report(result, report)}")


@app.command()
def tune(
    ctx: typer.Context,
    model: Annotated[str, typer.Option(help="The model to tune.")] = "als",
    data: DataSpec = "store",
    protocol: Annotated[
        str, typer.Option(help="The evaluation split whose test part is set aside.")
    ] = "leave-last-out",
    trials: Annotated[int, typer.Option(min=1, help="Random-search trials.")] = 12,
    metric: Annotated[str, typer.Option(help="Validation metric, e.g. ndcg@10 or recall@10.")] = "ndcg@10",
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write {model: best params} here.")] = None,
    quiet: Quiet = False,
) -> None:
    """Tune a model's hyper-parameters by random search on a validation split of the training data.

    The evaluation split's test part is set aside first, so tuning never sees it; pass the
    written JSON to [bold]vestis evaluate --params[/bold] or [bold]vestis train --params[/bold].

    Example: [bold]vestis tune --model als --data movielens:data/ml-latest-small --trials 20 --json als.json[/bold]
    """
    from vestis.recommend.evaluate import make_split
    from vestis.recommend.tune import tune as search

    _check_protocol(protocol)
    dataset = _dataset(ctx.obj, data)
    training = make_split(dataset.interactions, protocol).train
    result = search(
        model, training, dataset.items, trials=trials, metric=metric, seed=seed, progress=not quiet
    )
    table = Table(title=f"{model}: {trials} trials on a validation split of the training data")
    table.add_column("params")
    table.add_column(metric, justify="right")
    for trial_params, score in sorted(result.trials, key=lambda trial: -trial[1]):
        table.add_row(json.dumps(trial_params, sort_keys=True), f"{score:.4f}")
    console.print(table)
    console.print(
        f"best {metric} = {result.best_score:.4f} with {json.dumps(result.best_params, sort_keys=True)}"
    )
    if json_out:
        json_out.write_text(json.dumps({model: result.best_params}, indent=2, sort_keys=True) + "\n")


@app.command()
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


@guide_app.command("ask")
def guide_ask(
    ctx: typer.Context,
    message: Annotated[str, typer.Argument(help="What the shopper says, in plain words.")],
    session: Annotated[
        str | None, typer.Option(help="Continue this conversation (from an earlier reply).")
    ] = None,
    user: GuideUser = None,
    as_json: GuideJson = False,
) -> None:
    """Ask the shopping guide; prints its answer and the products it found.

    Example: [bold]vestis guide ask "a red summer dress under 80 euros, size M" --user cu-000042[/bold]
    """
    from vestis.api.routes.guide import reply_public

    guide, engine = _guide_service(ctx.obj, personal=user is not None)
    reply = guide.ask(session, message, user_id=user)
    with _read_session(engine) as db:
        public = reply_public(db, reply)
    if as_json:
        typer.echo(public.model_dump_json(indent=2))
        return
    Console(soft_wrap=True).print(public.text, markup=False, highlight=False)
    _print_cards(public.items, f"session {public.session_id}")
    if public.outfit:
        _print_cards(public.outfit.items, f"outfit: {public.outfit.reason}")
    if public.size_advice:
        console.print(
            f"size: {public.size_advice.size or 'unknown'} — {public.size_advice.reason}", markup=False
        )


@guide_app.command("search")
def guide_search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What the shopper is looking for.")],
    k: Annotated[int, typer.Option(min=1, max=50, help="How many products.")] = 12,
    user: GuideUser = None,
    as_json: GuideJson = False,
) -> None:
    """Search the catalog in plain words; hard constraints (colour, price, size …) are always kept.

    Example: [bold]vestis guide search "navy trainers under 60" --k 5[/bold]
    """
    from vestis.api.routes.guide import SearchPublic, hit_cards

    guide, engine = _guide_service(ctx.obj, personal=user is not None)
    hits = guide.search(query, k=k, user_id=user)
    with _read_session(engine) as db:
        cards = hit_cards(db, hits)
    if as_json:
        typer.echo(SearchPublic(query=query, data=cards, count=len(cards)).model_dump_json(indent=2))
        return
    _print_cards(cards, query)


@guide_app.command("outfits")
def guide_outfits(
    ctx: typer.Context,
    product_id: Annotated[str, typer.Argument(help="The product to build looks around.")],
    k: Annotated[int, typer.Option(min=1, max=20, help="How many outfits.")] = 3,
    as_json: GuideJson = False,
) -> None:
    """Complete the look: outfits of products that go with this one, each with its reason.

    Example: [bold]vestis guide outfits vs-00010[/bold]
    """
    from vestis.api.routes.guide import OutfitsPublic, outfit_public

    guide, engine = _guide_service(ctx.obj)
    looks = _about_product(lambda: guide.complete_the_look(product_id, k=k))
    with _read_session(engine) as db:
        data = [outfit_public(db, look) for look in looks]
    if as_json:
        typer.echo(OutfitsPublic(data=data, count=len(data)).model_dump_json(indent=2))
        return
    if not data:
        console.print(f"no outfits for {product_id}")
    for look in data:
        _print_cards(look.items, look.reason)


@guide_app.command("size")
def guide_size(
    ctx: typer.Context,
    product_id: Annotated[str, typer.Argument(help="The product to size.")],
    user: Annotated[str, typer.Option(help="The shopper whose purchases and returns to learn from.")],
    as_json: GuideJson = False,
) -> None:
    """The size a shopper should take, with how sure the guide is and why.

    Example: [bold]vestis guide size vs-00010 --user cu-000042[/bold]
    """
    from vestis.api.routes.guide import size_public

    guide, _ = _guide_service(ctx.obj)
    advice = _about_product(lambda: guide.size_advice(product_id, user_id=user))
    if advice is None:
        console.print("[red]no size model is built:[/red] run vestis guide build")
        raise typer.Exit(1)
    public = size_public(advice)
    if as_json:
        typer.echo(public.model_dump_json(indent=2))
        return
    console.print(
        f"{public.size or 'unknown'} (confidence {public.confidence:.0%}): {public.reason}", markup=False
    )


@guide_app.command("build")
def guide_build(ctx: typer.Context, quiet: Quiet = False) -> None:
    """Build the guide's search index, outfit and size models from the catalog (also run by vestis train).

    Example: [bold]vestis guide build[/bold]
    """
    from vestis.catalog.db import open_catalog
    from vestis.guide.service import build_guide

    settings: Settings = ctx.obj
    path = build_guide(open_catalog(settings), settings, progress=not quiet)
    console.print(f"[green]shopping guide built[/green] in {path}")


def _guide_service(settings: Settings, *, personal: bool = False):  # type: ignore[no-untyped-def]
    """The guide over the catalog, with the trained recommenders when answers are personalised."""
    from vestis.catalog.db import open_catalog
    from vestis.guide.service import GuideService

    engine = open_catalog(settings)
    recommendations = None
    if personal:
        from vestis.models import ModelRegistry
        from vestis.recommend.serving import RecommendationService

        recommendations = RecommendationService(ModelRegistry(settings.models_dir), engine)
    return GuideService(settings, engine, recommendations=recommendations), engine


def _about_product(work: Callable[[], _T]) -> _T:
    """What ``work`` returns; an unknown product becomes a usage error naming it."""
    from vestis.guide.service import UnknownProduct

    try:
        return work()
    except UnknownProduct as error:
        raise typer.BadParameter(str(error), param_hint="PRODUCT_ID") from None


def _read_session(engine):  # type: ignore[no-untyped-def]
    from vestis.catalog.db import session_factory

    return session_factory(engine)()


def _print_cards(cards: list, title: str) -> None:  # type: ignore[type-arg]
    from vestis.web.pages import money

    table = Table(title=title, title_justify="left")
    for column in ("#", "id", "product", "price", "why"):
        table.add_column(column, justify="right" if column in ("#", "price") else "left")
    for rank, card in enumerate(cards, 1):
        table.add_row(
            str(rank), card.id, card.title, money(card.price, card.currency), "; ".join(card.reasons)
        )
    console.print(table)


def _studio_one(step: str, params: dict[str, object], image: Path, output: Path) -> None:
    from rich.markup import escape

    from vestis.studio.batch import Job, process_image
    from vestis.studio.errors import StudioError
    from vestis.studio.recipes import Recipe, format_for

    try:
        failure = process_image(
            Recipe.of_step(step, params, output_format=format_for(output)), Job(image, output)
        )
    except StudioError as error:
        failure = str(error)
    if failure:
        console.print(f"[red]studio {step} failed:[/red] {escape(failure)}", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]wrote {output}[/green]")


def _check_protocol(protocol: str) -> None:
    if protocol not in PROTOCOLS:
        raise typer.BadParameter(
            f"expected {' or '.join(PROTOCOLS)}, got {protocol!r}", param_hint="--protocol"
        )


def _names(models: str) -> list[str]:
    names = [name.strip() for name in models.split(",") if name.strip()]
    if not names:
        raise typer.BadParameter("name at least one model", param_hint="--models")
    return names


def _read_params(path: Path | None) -> dict[str, dict[str, object]] | None:
    if path is None:
        return None
    try:
        params = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise typer.BadParameter(
            f"{path}: not a readable JSON file ({error})", param_hint="--params"
        ) from None
    if not isinstance(params, dict) or not all(isinstance(v, dict) for v in params.values()):
        raise typer.BadParameter(f"{path}: expected {{model: {{param: value}}}}", param_hint="--params")
    return params


def _dataset(settings: Settings, spec: str):  # type: ignore[no-untyped-def]
    from vestis.catalog.db import open_catalog
    from vestis.recommend.datasets import load_dataset

    engine = open_catalog(settings) if spec == "store" else None
    images = (
        settings.images_dir
        if spec == "store"
        else settings.home / "datasets" / spec.replace(":", "_").replace("/", "_")
    )
    try:
        return load_dataset(spec, engine=engine, images_dir=images)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--data") from None


def _print_scores(result: dict[str, object]) -> None:
    models: dict[str, dict[str, float]] = result["models"]  # type: ignore[assignment]
    k = result["k"]
    columns = [f"ndcg@{k}", f"recall@{k}", f"map@{k}", f"coverage@{k}", "fit_seconds"]
    table = Table(title=f"{result['dataset']} · {result['protocol']}")
    table.add_column("model")
    for column in columns:
        table.add_column(column, justify="right")
    for name, scores in models.items():
        table.add_row(name, *(f"{scores[c]:.4f}" if c in scores else "–" for c in columns))
    console.print(table)


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
        _print_report(report)


if __name__ == "__main__":
    app()
