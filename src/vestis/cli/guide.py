"""``vestis guide …``: ask the shopping guide, search, complete the look, size advice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from vestis.cli.common import Quiet, console
from vestis.config import Settings

if TYPE_CHECKING:
    from vestis.api.routes.guide import SearchPublic

guide_app = typer.Typer(
    help="The shopping guide: search in plain words, chat, complete the look, size advice.",
    no_args_is_help=True,
)
GuideUser = Annotated[str | None, typer.Option("--user", help="The shopper, to personalise the answer.")]
GuideJson = Annotated[
    bool, typer.Option("--json", help="Print the answer as JSON (as the HTTP API returns it).")
]
GuideServer = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="VESTIS_SERVER",
        help="A running `vestis serve` to ask, e.g. http://127.0.0.1:8000: about 2 s at any catalog size, "
        "where opening the saved index here takes about 5 s at 100,000 products.",
    ),
]
_T = TypeVar("_T")


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
    server: GuideServer = None,
) -> None:
    """Search the catalog in plain words; hard constraints (colour, price, size …) are always kept.

    Example: [bold]vestis guide search "navy trainers under 60" --k 5[/bold]
    """
    from vestis.api.routes.guide import SearchPublic, hit_cards

    if server:
        answer = _ask_server(ctx.obj, server, query, k=k, user=user)
    else:
        guide, engine = _guide_service(ctx.obj, personal=user is not None)
        hits = guide.search(query, k=k, user_id=user)
        with _read_session(engine) as db:
            cards = hit_cards(db, hits)
        answer = SearchPublic(query=query, data=cards, count=len(cards))
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    _print_cards(answer.data, answer.query)


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


def _ask_server(settings: Settings, server: str, query: str, *, k: int, user: str | None) -> SearchPublic:
    """``GET /guide/search`` on a running server, as the API's own answer; a failure exits naming the server.

    A personal search sends one of the home's API keys, as the API asks of anyone reading a
    customer's data.
    """
    import httpx

    from vestis.api.routes.guide import SearchPublic  # noqa: F811 - the runtime import of the annotation's class

    keys = sorted(settings.api_key_set)
    headers = {"X-API-Key": keys[0]} if user and keys else {}
    params: dict[str, str | int] = {"q": query, "k": k, **({"user": user} if user else {})}
    try:
        response = httpx.get(f"{server.rstrip('/')}/guide/search", params=params, headers=headers, timeout=60)
    except httpx.HTTPError as error:
        console.print(f"cannot reach {server}: {error}", style="red", markup=False, highlight=False)
        raise typer.Exit(1) from None
    if response.status_code != 200:
        detail = (
            response.json().get("detail")
            if "json" in response.headers.get("content-type", "")
            else response.text
        )
        console.print(
            f"{server} answered {response.status_code}: {detail}", style="red", markup=False, highlight=False
        )
        raise typer.Exit(1)
    return SearchPublic.model_validate(response.json())


def _print_cards(cards: list, title: str) -> None:  # type: ignore[type-arg]
    from vestis.catalog.currency import money

    table = Table(title=title, title_justify="left")
    for column in ("#", "id", "product", "price", "why"):
        table.add_column(column, justify="right" if column in ("#", "price") else "left")
    for rank, card in enumerate(cards, 1):
        table.add_row(
            str(rank), card.id, card.title, money(card.price, card.currency), "; ".join(card.reasons)
        )
    console.print(table)
