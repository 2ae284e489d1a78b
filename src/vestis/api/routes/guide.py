"""The shopping guide over HTTP: product search in the shopper's words, chat, outfits and size advice.

Every product the guide names comes back as a card read from the catalog (title, price,
image, the shop page to open), so answers only ever show products and prices that exist.

Handlers are plain functions, so FastAPI runs them on its thread pool: a search or chat turn
never blocks the event loop. Input limits: a message or query is read up to :data:`MAX_MESSAGE_CHARS` characters and
anything longer is cut there (the reply says ``truncated: true``); a body or query string
longer than :data:`MAX_INPUT_CHARS` is refused with a 422 naming the field. Empty,
emoji-only, SQL-like or instruction-like text is just text: the guide answers it like
any other question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from vestis.api.deps import ReadAccess, SessionDep, SettingsDep, UserDep, require_customer
from vestis.api.schemas import image_url
from vestis.catalog import readers
from vestis.catalog.models import Product
from vestis.guide.query import MAX_QUERY_CHARS
from vestis.guide.service import GuideService

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from vestis.fit.size import SizeAdvice
    from vestis.guide.conversation import Reply
    from vestis.guide.outfits import Outfit
    from vestis.guide.search import SearchHit

MAX_MESSAGE_CHARS = MAX_QUERY_CHARS
"""The guide reads this much of a message or query; the rest is cut off (and the reply says so)."""
MAX_INPUT_CHARS = 20_000
"""Longer messages or queries are refused (422) rather than cut."""
SESSION_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"

router = APIRouter(tags=["guide"])
"""Search, outfits and size advice: read endpoints behind the usual API-key rules."""
chat_router = APIRouter(tags=["guide"])
"""``POST /guide/chat``: a question changes nothing, so shoppers chat without a key unless reads need one."""


class GuideCard(BaseModel):
    """A product the guide shows, as a card: what it is, what it costs, where to see it and why."""

    id: str
    title: str
    brand: str | None = None
    product_type: str | None = None
    color: str | None = None
    price: float | None = None
    currency: str | None = None
    image_url: str | None = None
    link: str = Field(description="The product's page in this shop.")
    score: float | None = None
    reasons: list[str] = Field(default_factory=list, description="Why the guide shows it, in words.")

    @property
    def reason(self) -> str:
        """The reasons as one line, as a card prints them."""
        return "; ".join(self.reasons)


class OutfitPublic(BaseModel):
    """A look built around one product: the other pieces, who plays which role, and why they go together."""

    anchor_id: str
    items: list[GuideCard]
    roles: dict[str, str] = Field(
        description="Role in the look (top, shoes, …) → product id, the anchor's too."
    )
    score: float
    reason: str


class OutfitsPublic(BaseModel):
    """Outfits for one product."""

    data: list[OutfitPublic]
    count: int


class SizeAdvicePublic(BaseModel):
    """The size to take, how sure the guide is (0-1), why, and the other sizes' likelihoods."""

    product_id: str
    size: str | None
    confidence: float
    reason: str
    alternatives: dict[str, float] = {}


class SearchPublic(BaseModel):
    """Search results for a query, best first."""

    query: str
    data: list[GuideCard]
    count: int
    truncated: bool = False


class ChatIn(BaseModel):
    """One message to the guide; leave ``session_id`` out to start a conversation."""

    message: str = Field(max_length=MAX_INPUT_CHARS, description="What the shopper says or asks.")
    session_id: str | None = Field(
        None, pattern=SESSION_PATTERN, description="The conversation to continue (from an earlier reply)."
    )
    user_id: str | None = Field(None, max_length=128, description="The shopper, to personalise the answer.")


class ChatReply(BaseModel):
    """The guide's answer: words, product cards, maybe an outfit and size advice, and its reasons."""

    session_id: str
    text: str
    items: list[GuideCard]
    outfit: OutfitPublic | None = None
    size_advice: SizeAdvicePublic | None = None
    reasons: list[str] = []
    truncated: bool = False


def get_guide(request: Request) -> GuideService:
    """The guide service the running app created."""
    return request.app.state.guide


GuideDep = Annotated[GuideService, Depends(get_guide)]
K = Annotated[int, Query(ge=1, le=50, description="How many to return (1-50).")]


@router.get("/guide/search", response_model=SearchPublic)
def search(
    guide: GuideDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=MAX_INPUT_CHARS, description="What the shopper is looking for.")],
    user: UserDep,
    k: K = 12,
) -> SearchPublic:
    """Products for a query in the shopper's words ("red summer dress under 80"), best first, with reasons."""
    text, truncated = _clip(q)
    hits = guide.search(text, k=k, user_id=user)
    cards = hit_cards(session, hits)
    return SearchPublic(query=text, data=cards, count=len(cards), truncated=truncated)


@chat_router.post("/guide/chat", response_model=ChatReply, dependencies=[ReadAccess])
def chat(
    request: Request, settings: SettingsDep, guide: GuideDep, session: SessionDep, body: ChatIn
) -> ChatReply:
    """One turn of a conversation with the guide; the reply's ``session_id`` continues it.

    An unknown or expired ``session_id`` starts a fresh conversation under a new id (the reply says so).
    A ``user_id`` personalises the answer and so needs an API key or that shopper's token.
    """
    require_customer(request, settings, body.user_id or None)
    text, truncated = _clip(body.message)
    reply = guide.ask(body.session_id, text, user_id=body.user_id)
    return reply_public(session, reply, truncated=truncated)


@router.get("/products/{product_id}/outfits", response_model=OutfitsPublic)
def outfits(guide: GuideDep, session: SessionDep, product_id: str, user: UserDep, k: K = 3) -> OutfitsPublic:
    """Complete the look: outfits of complementary products around this one, each with its reason."""
    looks = guide.complete_the_look(product_id, k=k, user_id=user)
    data = [outfit_public(session, look) for look in looks]
    return OutfitsPublic(data=data, count=len(data))


@router.get("/products/{product_id}/size-advice", response_model=SizeAdvicePublic)
def size_advice(guide: GuideDep, product_id: str, user: UserDep) -> SizeAdvicePublic:
    """The size a shopper should take in this product, from their purchases, returns and the size chart.

    With ``user`` the advice reads that shopper's history, so it needs an API key or their shopper token.
    """
    advice = guide.size_advice(product_id, user_id=user)
    if advice is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="no size model is built: run `vestis guide build`"
        )
    return size_public(advice)


def reply_public(session: Session, reply: Reply, *, truncated: bool = False) -> ChatReply:
    """A guide reply as the public answer, every product in it as a catalog card."""
    return ChatReply(
        session_id=reply.session_id,
        text=reply.text,
        items=hit_cards(session, reply.items),
        outfit=outfit_public(session, reply.outfit) if reply.outfit else None,
        size_advice=size_public(reply.size_advice) if reply.size_advice else None,
        reasons=list(reply.reasons),
        truncated=truncated,
    )


def hit_cards(session: Session, hits: Sequence[SearchHit]) -> list[GuideCard]:
    """Search hits as cards, in order; hits whose product has left the catalog are dropped."""
    products = _products(session, [hit.product_id for hit in hits])
    return [
        card(products[hit.product_id], score=hit.score, reasons=hit.reasons)
        for hit in hits
        if hit.product_id in products
    ]


def outfit_public(session: Session, outfit: Outfit) -> OutfitPublic:
    """An outfit with its pieces (the anchor left out) as cards, each piece's role as its reason."""
    products = _products(session, outfit.items)
    role_of = {product_id: role for role, product_id in outfit.roles.items()}
    items = [
        card(products[item], reasons=[role_of[item].capitalize()] if item in role_of else [])
        for item in outfit.items
        if item in products
    ]
    return OutfitPublic(
        anchor_id=outfit.anchor_id,
        items=items,
        roles=dict(outfit.roles),
        score=outfit.score,
        reason=outfit.reason,
    )


def size_public(advice: SizeAdvice) -> SizeAdvicePublic:
    """The public view of size advice."""
    return SizeAdvicePublic(
        product_id=advice.product_id,
        size=advice.size,
        confidence=advice.confidence,
        reason=advice.reason,
        alternatives=dict(advice.alternatives),
    )


def card(product: Product, *, score: float | None = None, reasons: Iterable[str] = ()) -> GuideCard:
    """A catalog product as a guide card."""
    return GuideCard(
        id=product.id,
        title=product.title,
        brand=product.brand,
        product_type=product.product_type,
        color=product.color,
        price=product.price,
        currency=product.currency,
        image_url=image_url(product.id, product.image_path, product.image_link),
        link=f"/shop/{quote(product.id, safe='')}",
        score=score,
        reasons=list(reasons),
    )


def _products(session: Session, ids: Sequence[str]) -> dict[str, Product]:
    if not ids:
        return {}
    return {p.id: p for p in readers.products_by_ids(session, ids=ids)}


def _clip(text: str) -> tuple[str, bool]:
    """The part of ``text`` the guide reads, and whether anything was cut."""
    return text[:MAX_MESSAGE_CHARS], len(text) > MAX_MESSAGE_CHARS
