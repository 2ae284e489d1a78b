"""The shopping guide's conversation: one turn in, a grounded reply out, state kept per session.

``Guide.ask(session_id, message)`` understands a new request ("a red dress under 80 euros")
or a refinement of the last one ("cheaper", "in blue", "not the second one", "show me
shoes for it", "what size should I take?"), runs the search, and answers with the products
found. Every title and price in a reply's text comes from the catalog products it returns;
nothing is generated freely, so odd input (empty, very long, emoji-only, SQL-like or
prompt-injection messages) only ever gets a search or the help text.

Sessions live in a bounded in-memory store with a time-to-live; an unknown or expired id
starts a new session and the reply says so.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from vestis.catalog.currency import money
from vestis.catalog.taxonomy import outfit_role
from vestis.guide.query import MAX_QUERY_CHARS, Query, parse_query
from vestis.guide.search import Personalise, ProductSearch, SearchHit
from vestis.guide.vocabulary import KIDS, GuideProduct, Vocabulary

if TYPE_CHECKING:
    from vestis.fit.size import SizeAdvice, SizeAdvisor
    from vestis.guide.outfits import Outfit, OutfitBuilder

__all__ = ["Guide", "Reply", "SessionStore"]

RESULTS = 6
"""Products per reply."""
LISTED = 3
"""Products named in the reply text (the rest are in ``items``)."""
MIN_SIMILARITY = 0.25
"""Below this cosine similarity a request with no known word is "not understood", not searched.

Measured on the demo catalog: "comfy" 0.29, "boho" 0.26, "something elegant" 0.28 pass;
"tell me a joke" 0.12, SQL 0.11–0.17, "ignore all previous instructions…" 0.09 do not."""
COMPLEMENTS: dict[str, tuple[str, ...]] = {
    "dress": ("shoes", "outerwear", "accessory"),
    "top": ("bottom", "shoes", "outerwear"),
    "bottom": ("top", "shoes"),
    "outerwear": ("top", "bottom", "shoes"),
    "shoes": ("dress", "bottom", "accessory"),
    "accessory": ("dress", "top", "shoes"),
}
"""Roles that go with an item of each role, when no outfit model is available."""


@dataclass(frozen=True)
class Reply:
    """One answer: its text, the products found, an outfit or size advice when asked, and why."""

    session_id: str
    text: str
    items: list[SearchHit] = field(default_factory=list)
    outfit: Outfit | None = None
    reasons: list[str] = field(default_factory=list)
    size_advice: SizeAdvice | None = None


@dataclass
class _Session:
    """What one conversation remembers."""

    query: Query | None = None
    shown: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    focus: str | None = None
    touched: float = 0.0


class SessionStore:
    """Sessions by id, at most ``max_sessions`` (least recently used dropped), expiring after ``ttl_s``."""

    def __init__(
        self,
        *,
        max_sessions: int = 10_000,
        ttl_s: float = 1800.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_sessions < 1 or ttl_s <= 0:
            raise ValueError(f"max_sessions and ttl_s must be positive; got {max_sessions}, {ttl_s}")
        self.max_sessions = max_sessions
        self.ttl_s = ttl_s
        self.clock = clock
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, session_id: str | None) -> tuple[str, _Session, bool]:
        """The session for ``session_id`` (or a new one) and whether an existing one was resumed."""
        now = self.clock()
        with self._lock:
            session = self._sessions.get(session_id) if session_id else None
            if session is not None and now - session.touched <= self.ttl_s:
                self._sessions.move_to_end(session_id)  # type: ignore[arg-type]
                session.touched = now
                return session_id, session, True  # type: ignore[return-value]
            if session_id in self._sessions:
                del self._sessions[session_id]  # type: ignore[arg-type]
            new_id = uuid.uuid4().hex
            self._sessions[new_id] = _Session(touched=now)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
            return new_id, self._sessions[new_id], False

    def __len__(self) -> int:
        return len(self._sessions)


class Guide:
    """A shop assistant over one catalog; see the module docstring."""

    def __init__(
        self,
        search: ProductSearch,
        vocabulary: Vocabulary,
        *,
        outfits: OutfitBuilder | None = None,
        sizes: SizeAdvisor | None = None,
        engine: Engine | None = None,
        personalise: Personalise | None = None,
        sessions: SessionStore | None = None,
    ) -> None:
        self.search = search
        self.vocabulary = vocabulary
        self.outfits = outfits
        self.sizes = sizes
        self.engine = engine
        self.personalise = personalise
        self.sessions = sessions if sessions is not None else SessionStore()

    def ask(self, session_id: str | None, message: str, *, user_id: str | None = None) -> Reply:
        """Answer one message of the conversation ``session_id`` (a new one when unknown or expired)."""
        # 1. The session.
        sid, session, resumed = self.sessions.open(session_id)
        notes = (
            []
            if resumed or not session_id
            else ["I couldn't find our earlier conversation, so let's start afresh."]
        )
        turn = _Turn(self, sid, session, user_id, notes)

        # 2. The message, cleaned and cut.
        text = _clean(message)
        lowered = text.lower()
        parsed = parse_query(text, self.vocabulary)

        # 3. What is being asked, in order of precedence.
        if not re.search(r"\w", text):
            return turn.say(HELP if text else f"Hello! {HELP}")
        if GREETING.fullmatch(lowered):
            return turn.say(f"Hello! {HELP}")
        if HELP_REQUEST.search(lowered):
            return turn.say(HELP)
        if SIZE_QUESTION.search(lowered):
            return turn.size(_reference(lowered, session))
        if OUTFIT_REQUEST.search(lowered) and session.shown:
            return turn.outfit(_reference(lowered, session), parsed)
        if _is_rejection(lowered, parsed) and session.query is not None:
            return turn.exclude(_reference(lowered, session))
        if CHEAPER.search(lowered) and session.query is not None:
            return turn.reprice(cheaper=True)
        if PRICIER.search(lowered) and session.query is not None:
            return turn.reprice(cheaper=False)
        if MORE.fullmatch(lowered) and session.query is not None:
            return turn.more()
        if ORDINAL_ONLY.fullmatch(lowered) and session.shown:
            return turn.describe(_reference(lowered, session))
        if session.query is not None and _is_refinement(parsed):
            return turn.run(_merge(session.query, parsed), "Refined")
        if not _understood(parsed, self.search):
            return turn.say(f"Sorry, I couldn't match that to anything in the shop. {HELP}")
        return turn.run(parsed, None)


HELP = (
    "Tell me what you're looking for, e.g. “a red summer dress under 80 euros, size M”. Then refine: "
    "“cheaper”, “in blue”, “not the second one”, “show me shoes for it” or “what size should I take?”."
)
GREETING = re.compile(
    r"\s*(hi|hello|hey|hiya|good (morning|afternoon|evening)|你好|您好)[\s!.,]*(there)?[\s!.]*"
)
HELP_REQUEST = re.compile(r"^\s*(help|\?|what can you do|how does this work|帮助)\b")
SIZE_QUESTION = re.compile(
    r"\bwhat size\b|\bwhich size\b|\bsize should i\b|\bmy size\b|\bdoes (it|this|that) (run|fit)\b|尺码|什么码"
)
OUTFIT_REQUEST = re.compile(
    r"\b(for|with) (it|this|that|this one|that one|them)\b|\b(go|goes) with\b|\bmatch(es|ing)?\b|"
    r"\bcomplete the look\b|\boutfit\b|\bpair(ed)? with\b|\bstyle it\b|搭配"
)
CHEAPER = re.compile(
    r"\b(cheaper|less expensive|lower price|more affordable|too expensive)\b|便宜一点|更便宜"
)
PRICIER = re.compile(r"\b(pricier|more expensive|higher end|fancier|better quality)\b|更贵")
MORE = re.compile(r"\s*(show me )?(some )?(more|others|other ones|next|something else)( please)?[\s!.]*")
ORDINAL_ONLY = re.compile(
    r"\s*(tell me (more )?about |show me |what about |and )?(the )?(first|second|third|fourth|fifth|sixth|last|"
    r"\d|#\d|number \d)( one)?[\s?!.]*"
)
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "last": -1,
             "1st": 0, "2nd": 1, "3rd": 2, "4th": 3, "5th": 4, "6th": 5}  # fmt: skip
_REJECT = re.compile(r"\b(not|don't like|dont like|do not like|no to|skip|remove|hide|drop)\b")
_REFERENCE = re.compile(r"\b(it|this|that|one|first|second|third|fourth|fifth|sixth|last|\d(st|nd|rd|th)?)\b")


class _Turn:
    """One reply being put together for a session (keeps ``ask`` a flat dispatch)."""

    def __init__(
        self, guide: Guide, sid: str, session: _Session, user_id: str | None, notes: list[str]
    ) -> None:
        self.guide = guide
        self.sid = sid
        self.session = session
        self.user_id = user_id
        self.notes = notes

    def say(self, text: str, **extra: object) -> Reply:
        return Reply(self.sid, " ".join([*self.notes, text]), **extra)  # type: ignore[arg-type]

    def run(self, query: Query, lead: str | None) -> Reply:
        """Search, remember what was shown, and describe it."""
        hits = self.guide.search.search(
            query, k=RESULTS, user_id=self.user_id, personalise=self.guide.personalise
        )
        self.session.query = query
        if not hits:
            return self.say(self._nothing(query))
        self.session.shown = [hit.product_id for hit in hits]
        self.session.seen = [*(self.session.seen if lead == "More" else []), *self.session.shown]
        self.session.focus = hits[0].product_id
        what = query.describe(self.guide.vocabulary.currency) or "matches"
        head = f"{lead}: here" if lead else "Here"
        return self.say(
            f"{head} {'is' if len(hits) == 1 else 'are'} {len(hits)} for {what}: {self._listing(hits)}.",
            items=hits,
            reasons=list(hits[0].reasons),
        )

    def reprice(self, *, cheaper: bool) -> Reply:
        """Below (or above) the median price of what was shown."""
        query = self.session.query
        assert query is not None
        prices = [p.price for p in self._shown() if p.price is not None]
        if not prices:
            return self.say("I haven't shown you anything with a price yet. What are you looking for?")
        middle = round(median(prices), 2)
        if cheaper:
            changed = query.updated(price_max=round(middle - 0.01, 2), price_min=None)
        else:
            changed = query.updated(price_min=round(middle + 0.01, 2), price_max=None)
        return self.run(changed, "Cheaper" if cheaper else "Pricier")

    def more(self) -> Reply:
        query = self.session.query
        assert query is not None
        seen = tuple(dict.fromkeys((*query.exclude_ids, *self.session.seen)))
        return self.run(query.updated(exclude_ids=seen), "More")

    def exclude(self, product_id: str | None) -> Reply:
        query = self.session.query
        assert query is not None
        if product_id is None:
            return self.say(
                f"I showed you {len(self.session.shown)}; which one? Say e.g. “not the first one”."
            )
        product = self.guide.search.product(product_id)
        dropped = f"Without {product.title}" if product else "Without that one"
        return self.run(query.updated(exclude_ids=(*query.exclude_ids, product_id)), dropped)

    def describe(self, product_id: str | None) -> Reply:
        product = self.guide.search.product(product_id) if product_id else None
        if product is None:
            return self.say("I can't tell which product you mean. Say e.g. “the second one”.")
        self.session.focus = product.id
        sizes = ", ".join(product.sizes) or "one size"
        facts = [f"{product.title}: {_money(product)}", f"{product.material}" if product.material else "",
                 f"sizes {sizes}", "out of stock" if product.availability == "out_of_stock" else ""]  # fmt: skip
        hit = SearchHit(product.id, 1.0, ("the one you picked",))
        return self.say(". ".join(f for f in facts if f) + ".", items=[hit], reasons=list(hit.reasons))

    def size(self, product_id: str | None) -> Reply:
        product = self.guide.search.product(product_id) if product_id else None
        if product is None:
            return self.say("Which product do you mean? Search for something first, then ask about its size.")
        self.session.focus = product.id
        offered = ", ".join(product.sizes) or "one size"
        if self.guide.sizes is None:
            return self.say(f"I can't advise on sizes right now. {product.title} comes in {offered}.")
        advice = self.guide.sizes.advise(product.id, user_id=self.user_id)
        if advice.size is None:
            return self.say(f"{product.title} (sizes {offered}): {advice.reason}", size_advice=advice)
        return self.say(
            f"For {product.title} I'd take {advice.size} ({advice.confidence:.0%} sure). {advice.reason}",
            size_advice=advice,
            reasons=[advice.reason],
        )

    def outfit(self, product_id: str | None, parsed: Query) -> Reply:
        """Items that go with the focus product: from the outfit model, else by category rules."""
        focus = self.guide.search.product(product_id) if product_id else None
        if focus is None:
            return self.say("Which product should I style? Say e.g. “shoes for the first one”.")
        self.session.focus = focus.id
        roles = {outfit_role(t) for t in parsed.product_types} - {None}
        for outfit in self._outfits(focus.id):
            wanted = [i for r, i in outfit.roles.items() if i != focus.id and (not roles or r in roles)]
            if wanted:
                hits = [SearchHit(i, outfit.score, (outfit.reason,)) for i in wanted]
                self.session.shown = wanted
                return self.say(
                    f"To go with {focus.title}: {self._listing(hits)}. {outfit.reason}.",
                    items=hits,
                    outfit=outfit,
                    reasons=[outfit.reason],
                )
        types = parsed.product_types or self._complement_types(focus)
        query = Query(
            product_types=tuple(types),
            gender=focus.gender if focus.gender in ("female", "male") else None,
            age_group="kids" if focus.age_group in KIDS else None,
            text=focus.style,
            raw=f"{focus.style} {' '.join(types)} to wear with {focus.title}",
            exclude_ids=(focus.id,),
        )
        hits = self.guide.search.search(
            query, k=RESULTS, user_id=self.user_id, personalise=self.guide.personalise
        )
        if not hits:
            return self.say(f"I found nothing in the shop to go with {focus.title}.")
        self.session.shown = [hit.product_id for hit in hits]
        return self.say(
            f"To go with {focus.title}: {self._listing(hits)}.",
            items=hits,
            reasons=[f"goes with {focus.kind}", f"{focus.style} style"],
        )

    # -- helpers -----------------------------------------------------------------------------

    def _outfits(self, product_id: str) -> list[Outfit]:
        if self.guide.outfits is None:
            return []
        return self.guide.outfits.complete_the_look(product_id, k=3, user_id=self.user_id)

    def _complement_types(self, focus: GuideProduct) -> list[str]:
        wanted = COMPLEMENTS.get(outfit_role(focus.product_type) or "", ())
        return [t for t in self.guide.vocabulary.product_types if outfit_role(t) in wanted]

    def _shown(self) -> list[GuideProduct]:
        return [p for i in self.session.shown if (p := self.guide.search.product(i)) is not None]

    def _listing(self, hits: Sequence[SearchHit]) -> str:
        named = [p for h in hits[:LISTED] if (p := self.guide.search.product(h.product_id)) is not None]
        text = "; ".join(f"{p.title} ({_money(p)})" for p in named)
        return text + (f" and {len(hits) - len(named)} more" if len(hits) > len(named) else "")

    def _nothing(self, query: Query) -> str:
        """Say nothing matched, and which single constraint to drop to find something."""
        what = query.describe(self.guide.vocabulary.currency) or "that"
        relaxations = {
            "the size": query.updated(size=None),
            "the price limit": query.updated(price_min=None, price_max=None),
            "the colour": query.updated(colors=()),
            "the pattern": query.updated(patterns=()),
            "the material": query.updated(materials=()),
        }
        for name, relaxed in relaxations.items():
            if relaxed != query and (count := self.guide.search.count(relaxed)):
                return f"I found nothing for {what}. Without {name} there {'is' if count == 1 else 'are'} {count}."
        return f"I found nothing for {what}. Try fewer details."


def _clean(message: object) -> str:
    """Printable text, whitespace collapsed, cut to :data:`MAX_QUERY_CHARS`."""
    text = "".join(c for c in str(message or "")[: MAX_QUERY_CHARS * 4] if unicodedata.category(c)[0] != "C")
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def _reference(lowered: str, session: _Session) -> str | None:
    """The shown product a message points at ("the second one", "the last"), else the focus."""
    for word, index in _ORDINALS.items():
        if re.search(rf"\b{word}\b", lowered) and session.shown:
            return session.shown[index] if -len(session.shown) <= index < len(session.shown) else None
    number = re.search(r"(?:#|number |no\.? ?|\b)(\d)\b", lowered)
    if number and session.shown:
        index = int(number.group(1)) - 1
        return session.shown[index] if 0 <= index < len(session.shown) else None
    return session.focus or (session.shown[0] if session.shown else None)


def _is_rejection(lowered: str, parsed: Query) -> bool:
    """ "not that one", "don't like the second": a rejection that names no attribute."""
    named = parsed.colors or parsed.patterns or parsed.materials or parsed.product_types
    named = named or parsed.exclude_colors or parsed.exclude_patterns or parsed.exclude_materials
    return bool(_REJECT.search(lowered) and _REFERENCE.search(lowered)) and not named


def _is_refinement(parsed: Query) -> bool:
    """Attributes without a category ("in blue", "size M", "under 50"): a change to the last request."""
    changes = (parsed.colors, parsed.patterns, parsed.materials, parsed.gender, parsed.age_group, parsed.size,
               parsed.price_min, parsed.price_max, parsed.occasions, parsed.seasons, parsed.exclude_colors,
               parsed.exclude_patterns, parsed.exclude_materials)  # fmt: skip
    return (
        not parsed.product_types
        and any(v not in (None, ()) for v in changes)
        and len(parsed.text.split()) <= 3
    )


def _merge(previous: Query, change: Query) -> Query:
    """The previous request with every attribute the change names replaced (exclusions added)."""
    updates: dict[str, object] = {}
    for name in ("colors", "patterns", "materials", "occasions", "seasons"):
        if getattr(change, name):
            updates[name] = getattr(change, name)
    for name in ("gender", "age_group", "size"):
        if getattr(change, name) is not None:
            updates[name] = getattr(change, name)
    if change.price_min is not None or change.price_max is not None:
        updates |= {"price_min": change.price_min, "price_max": change.price_max}
    for name in ("exclude_colors", "exclude_patterns", "exclude_materials"):
        updates[name] = tuple(dict.fromkeys((*getattr(previous, name), *getattr(change, name))))
    if change.colors:  # "in blue" after "not black": the new colour wins
        updates["exclude_colors"] = tuple(c for c in updates["exclude_colors"] if c not in change.colors)  # type: ignore[attr-defined]
    raw = f"{previous.raw} {change.raw}".strip()
    return previous.updated(**updates, raw=raw[-MAX_QUERY_CHARS:])


def _understood(parsed: Query, search: ProductSearch) -> bool:
    """Whether a request names anything the catalog knows, or is semantically close to some product."""
    structured = parsed.updated(text="", raw="")
    if not structured.is_empty:
        return True
    if any(search.knows(word) for word in parsed.text.split()):
        return True
    return bool(parsed.raw) and search.best_similarity(parsed.raw) >= MIN_SIMILARITY


def _money(product: GuideProduct) -> str:
    return money(product.price, product.currency) or "price on request"
