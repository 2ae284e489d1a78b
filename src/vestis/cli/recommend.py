"""Recommender commands: ``vestis train``, ``vestis evaluate`` and ``vestis tune``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vestis.cli.common import Quiet, console, warnings_in_yellow
from vestis.config import Settings

DataSpec = Annotated[
    str,
    typer.Option(
        help="store (this catalog), store:URL (another catalog database), movielens:DIR, hm:DIR, demo:DIR, "
        "events:FILE (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE CSV, as vestis import events reads), "
        "fit-feedback:FILE (RentTheRunway/ModCloth JSON lines or parquet) or amazon:FILE (Amazon review JSON lines)."
    ),
]
ProductsFile = Annotated[
    Path | None,
    typer.Option(
        help="With a file data set such as events:FILE: a Merchant Center product feed (TSV or CSV) read "
        "with it, which the content and visual models learn from."
    ),
]
ParamsFile = Annotated[Path | None, typer.Option(help="JSON {model: {param: value}}, e.g. from vestis tune.")]
PROTOCOLS = ("leave-last-out", "temporal")


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

    A running server switches to them within seconds, or at once on [bold]POST /models/reload[/bold].
    A new shop without events gets the models that learn from its products alone (content,
    visual: similar items and outfits); the others are skipped until events are imported.

    Example: [bold]vestis train --models popular,itemknn,als --engine spark --spark-master local[2][/bold]
    """
    from vestis.catalog.db import open_catalog
    from vestis.recommend.training import train as run

    settings: Settings = ctx.obj
    if engine not in ("local", "spark"):
        raise typer.BadParameter(f"expected local or spark, got {engine!r}", param_hint="--engine")
    with warnings_in_yellow():
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


def evaluate(
    ctx: typer.Context,
    data: DataSpec = "store",
    products: ProductsFile = None,
    models: Annotated[str, typer.Option(help="Comma-separated models.")] = "popular,itemknn,als,bpr",
    protocol: Annotated[str, typer.Option(help="leave-last-out or temporal.")] = "leave-last-out",
    k: Annotated[int, typer.Option(min=1, help="Cut-off of the headline metrics.")] = 10,
    window_days: Annotated[int, typer.Option(min=1, help="Temporal protocol: test window in days.")] = 7,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the scores as JSON here.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write a Markdown report with PNG plots here.")] = None,
    baseline: Annotated[
        str,
        typer.Option(
            help="Plain library model scored on the same split, to compare with: implicit-als, implicit-bpr or none."
        ),
    ] = "implicit-als",
    params: ParamsFile = None,
    quiet: Quiet = False,
) -> None:
    """Evaluate recommenders offline: NDCG, recall (hit rate), MAP and coverage at k, fit time.

    Every model's NDCG is also given as a ratio to the baseline, plain implicit ALS with its defaults unless --baseline says otherwise.

    leave-last-out holds out each user's last interaction; temporal trains before a cut date and tests on the following window (like the H&M competition).

    Example: [bold]vestis evaluate --data movielens:data/ml-latest-small --models popular,itemknn,als,bpr --k 10 --json scores.json --report report/[/bold]

    Rentals and reviews: [bold]--data fit-feedback:rtr_cleandata.parquet[/bold] or [bold]--data amazon:AMAZON_FASHION_5.json[/bold]; a bad record stops the run, naming its file and line.

    A shop's own exports, without importing them: [bold]--data events:interactions.csv --products products.tsv[/bold]. A time-decay setting that cannot fit the events' time span is warned about.
    """
    from vestis.recommend.evaluate import evaluate_models
    from vestis.recommend.peers import make_peer
    from vestis.recommend.report import write_report

    _check_protocol(protocol)
    try:
        peers = [] if baseline == "none" else [make_peer(baseline)]
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--baseline") from error
    with warnings_in_yellow():
        result = evaluate_models(
            _dataset(ctx.obj, data, products),
            [*_names(models), *peers],
            protocol=protocol,
            k=k,
            window_days=window_days,
            params=_read_params(params),
            progress=not quiet,
        )
    result.source = data
    _print_scores(result.to_dict(), baseline=peers[0].name if peers else None)
    if json_out:
        result.save_json(json_out)
    if report:
        console.print(f"report written to {write_report(result, report)}")


def tune(
    ctx: typer.Context,
    model: Annotated[str, typer.Option(help="The model to tune.")] = "als",
    data: DataSpec = "store",
    products: ProductsFile = None,
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
    dataset = _dataset(ctx.obj, data, products)
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


def _dataset(settings: Settings, spec: str, products: Path | None):  # type: ignore[no-untyped-def]
    """The data set ``spec`` names (with ``products``, a feed read beside it); a bad one is a usage error."""
    from vestis.catalog.db import open_catalog
    from vestis.recommend.datasets import load_dataset

    engine = open_catalog(settings) if spec == "store" else None
    images = (
        settings.images_dir
        if spec == "store"
        else settings.home / "datasets" / spec.replace(":", "_").replace("/", "_")
    )
    try:
        return load_dataset(spec, engine=engine, images_dir=images, products=products)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--data") from None


def _print_scores(result: dict[str, object], *, baseline: str | None = None) -> None:
    """The scores as a table; with a ``baseline``, each model's NDCG and fit time as ratios to it."""
    models: dict[str, dict[str, float]] = result["models"]  # type: ignore[assignment]
    k = result["k"]
    columns = [f"ndcg@{k}", f"recall@{k}", f"map@{k}", f"coverage@{k}", "fit_seconds"]
    reference = models.get(baseline) if baseline else None
    table = Table(title=f"{result['dataset']} · {result['protocol']}")
    table.add_column("model")
    for column in columns:
        table.add_column(column, justify="right")
    if reference:
        table.add_column(f"ndcg@{k} ÷ {baseline}", justify="right")
        table.add_column(f"fit ÷ {baseline}", justify="right")
    for name, scores in models.items():
        cells = [f"{scores[c]:.4f}" if c in scores else "–" for c in columns]
        if reference:
            cells += [
                _ratio(scores.get(f"ndcg@{k}"), reference.get(f"ndcg@{k}")),
                _ratio(scores.get("fit_seconds"), reference.get("fit_seconds")),
            ]
        table.add_row(name, *cells)
    console.print(table)


def _ratio(value: float | None, reference: float | None) -> str:
    return f"{value / reference:.2f}×" if value is not None and reference else "–"
