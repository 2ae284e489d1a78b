"""Shop pages: the catalog with filters and the product page.

Pages read through the same store functions and dependencies as the JSON API. The
navigation and the product page's extra sections are data, so later features (studio,
shopping guide, try-on, similar items, outfits, size advice) add an entry instead of
editing templates.
"""

from __future__ import annotations

import base64
import time
from dataclasses import asdict, dataclass, field
from math import ceil
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from PIL import Image
from sqlalchemy.orm import Session

from vestis.api.deps import (
    SHOPPER_COOKIE,
    ProductFilterDep,
    SessionDep,
    SettingsDep,
    mark_personal,
    read_image_upload,
    shopper_of,
)
from vestis.api.render_slots import RenderSlot
from vestis.api.routes.generate import GeneratorServiceDep
from vestis.api.routes.guide import GuideDep, OutfitPublic, outfit_public
from vestis.api.routes.recommendations import ServiceDep
from vestis.api.schemas import ProductPublic, RecommendedItem
from vestis.catalog import store
from vestis.catalog.currency import money
from vestis.catalog.images import product_image_file
from vestis.catalog.models import Product
from vestis.catalog.store import ProductFilter
from vestis.catalog.taxonomy import tryon_category
from vestis.config import Settings
from vestis.errors import InvalidInput
from vestis.guide.service import GuideService, GuideUnavailable
from vestis.recommend.serving import (
    ModelUnavailable,
    RecommendationService,
    Shopper,
    SimilarKind,
    UnknownProduct,
)
from vestis.signing import issue_shopper_token
from vestis.tryon.pipeline import WORK_PIXELS, working_copy
from vestis.tryon.service import KEPT_TRY_ONS, can_try_on, forget, render_try_on
from vestis.vision.io import image_bytes, load_image
from vestis.web.studio import (
    GenerateChoice,
    PreviewChoice,
    StudioChoice,
    StudioOutcome,
    Tool,
    generate_panel,
    preview_panel,
    studio_context,
    studio_outcome,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
SHOP_NAME = "Vestis"
PAGE_SIZE = 24
HOME_ROW_SIZE = 8
PRODUCT_ROW_SIZE = 6
LOOKS = 2
FACETS = {"product_type": "Category", "color": "Colour", "gender": "Gender", "brand": "Brand"}

templates = Jinja2Templates(directory=TEMPLATES_DIR)
router = APIRouter(include_in_schema=False, tags=["web"])


@dataclass(frozen=True)
class NavLink:
    """One entry of the header navigation; ``sections`` are path prefixes that also belong to it."""

    label: str
    href: str
    sections: tuple[str, ...] = ()

    def is_current(self, path: str) -> bool:
        """Whether ``path`` is this entry's page or lies in one of its sections."""
        return path == self.href or any(path.startswith(prefix) for prefix in self.sections)


NAV: list[NavLink] = [NavLink("Shop", "/", sections=("/shop/",)), NavLink("Studio", "/studio")]
"""Header navigation; the studio and shopping-guide features append their pages here."""


@dataclass
class ProductSections:
    """Optional sections of the product page, each shown only when it has content."""

    size_advice: str | None = None
    try_on: bool = False
    similar: list[RecommendedItem] = field(default_factory=list)
    looks_like: list[RecommendedItem] = field(default_factory=list)
    complete_the_look: list[OutfitPublic] = field(default_factory=list)


@dataclass(frozen=True)
class TryOnOutcome:
    """What the try-on section shows after an upload: both images as data URIs, or why it failed.

    ``kept_id`` is the id the photo and result were kept under, when the shopper asked to keep them.
    """

    before: str | None = None
    after: str | None = None
    error: str | None = None
    kept_id: str | None = None


@dataclass(frozen=True)
class ShopperRow:
    """The home page's "Recommended for you" row: the picker's shoppers, the chosen one and their items."""

    shoppers: list[Shopper]
    chosen: str
    items: list[RecommendedItem]


@router.get("/", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    service: ServiceDep,
    where: ProductFilterDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    shopper: Annotated[
        str | None, Query(max_length=128, description="Demo mode only: the demo shopper to shop as.")
    ] = None,
) -> HTMLResponse:
    """The catalog: "Recommended for you", filter sidebar, product grid, pages.

    The row is for the shopper whose token the browser holds. In demo mode a picker lists
    demo shoppers and ``?shopper=`` switches to one (the page hands the browser that
    shopper's token); elsewhere ``?shopper=`` is ignored and no customer is ever listed.
    """
    products, count = store.list_products(
        session, where=where, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    facets = {name: (label, store.facet_values(session, name)) for name, label in FACETS.items()}
    pages = max(1, ceil(count / PAGE_SIZE))
    picked = shopper if settings.demo_mode and shopper else None
    row = shopper_row(service, picked or shopper_of(request, settings), demo=settings.demo_mode)
    response = _render(
        request,
        "catalog.html",
        products=[ProductPublic.of(p) for p in products],
        count=count,
        facets=facets,
        where=where,
        page=page,
        pages=pages,
        page_url=lambda number: _page_url(where, number, picked),
        shopper=picked,
        current_shopper=row.chosen if row else None,
        recommended=row if page == 1 else None,
    )
    if settings.demo_mode and row is not None and row.chosen != shopper_of(request, settings):
        _hand_shopper_token(request, response, settings, row.chosen)
    return response


@router.get("/shop/{product_id}", response_class=HTMLResponse)
def product_page(
    request: Request, session: SessionDep, service: ServiceDep, guide: GuideDep, product_id: str
) -> HTMLResponse:
    """One product: large image, details, sizes, and the optional sections below."""
    product = store.get_product(session, product_id)
    if product is None:
        raise _no_product(product_id)
    return _render(
        request,
        "product.html",
        product=ProductPublic.of(product),
        sections=_all_sections(session, product, service, guide),
    )


@router.post("/shop/{product_id}/try-on", response_class=HTMLResponse, dependencies=[RenderSlot])
async def try_on_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    service: ServiceDep,
    guide: GuideDep,
    product_id: str,
    person: Annotated[UploadFile, File()],
    keep: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """The product page again, with the shopper's photo and the try-on result side by side.

    Both images are sent back inline and nothing is stored unless the shopper ticked "keep";
    a kept photo's id is shown with a button that deletes it, and a signed-in shopper is
    recorded as its owner, so that erasing them deletes it too.
    """
    product = store.get_product(session, product_id)
    garment = product_image_file(settings.images_dir, product.image_path) if product else None
    if product is None or garment is None:
        raise _no_product(product_id)
    photo = await read_image_upload(
        person, settings, max_pixels=settings.max_form_image_pixels, reduce_to=WORK_PIXELS
    )
    try:
        rendered = await run_in_threadpool(
            render_try_on,
            photo,
            load_image(garment, name=f"product {product.id}'s image", reduce_to=WORK_PIXELS),
            category=tryon_category(product.product_type),
            keep_in=settings.home / KEPT_TRY_ONS if keep else None,
            owner=shopper_of(request, settings),
        )
        before = await run_in_threadpool(lambda: image_bytes(working_copy(photo), fmt="PNG"))
        outcome = TryOnOutcome(
            before=_data_uri(before), after=_data_uri(rendered.png), kept_id=rendered.kept_id
        )
    except InvalidInput as error:  # TryOnError: no person, several people, seen from the back …
        outcome = TryOnOutcome(error=str(error))
    return _render(
        request,
        "product.html",
        status_code=200 if outcome.error is None else 422,
        product=ProductPublic.of(product),
        sections=_all_sections(session, product, service, guide),
        try_on=outcome,
    )


@router.post("/kept/{kept_id}/delete", response_class=HTMLResponse)
def delete_kept_page(request: Request, settings: SettingsDep, kept_id: str) -> HTMLResponse:
    """Delete a kept try-on photo and its result; knowing the 128-bit random id is the permission."""
    if not forget(settings.home / KEPT_TRY_ONS, kept_id):
        return not_found(request, "Nothing is kept under this id: it was deleted already, or never kept.")
    return _render(request, "kept_deleted.html")


@router.get("/studio", response_class=HTMLResponse)
def studio_page(request: Request, generators: GeneratorServiceDep) -> HTMLResponse:
    """The image studio for merchandisers: upload a photo, pick a recipe, colour or style; or generate previews."""
    return _render(
        request, "studio.html", **studio_context(StudioChoice(), generation=generate_panel(generators))
    )


@router.post("/studio", response_class=HTMLResponse, dependencies=[RenderSlot])
async def studio_result_page(
    request: Request,
    settings: SettingsDep,
    generators: GeneratorServiceDep,
    image: Annotated[UploadFile, File()],
    tool: Annotated[Tool, Form()] = "recipe",
    recipe: Annotated[str, Form(max_length=64)] = "marketplace-white",
    to: Annotated[str, Form(max_length=64)] = "#1f3a93",
    style: Annotated[str, Form(max_length=64)] = "watercolour",
) -> HTMLResponse:
    """The studio page again with the photo before and after, and a download link; nothing is stored."""
    choice = StudioChoice(tool, recipe, to, style)
    photo, upload_error = await _form_photo(image, settings)
    if photo is None:
        outcome = StudioOutcome(error=upload_error)
    else:
        outcome = await run_in_threadpool(
            studio_outcome, photo, choice, image.filename, max_pixels=settings.max_form_image_pixels
        )
    generation = await run_in_threadpool(generate_panel, generators)
    return _render(
        request,
        "studio.html",
        status_code=200 if outcome.error is None else 422,
        **studio_context(choice, outcome, generation=generation),
    )


@router.post("/studio/generate/previews", response_class=HTMLResponse, dependencies=[RenderSlot])
async def studio_previews_page(
    request: Request,
    settings: SettingsDep,
    generators: GeneratorServiceDep,
    image: Annotated[UploadFile, File()],
    product_type: Annotated[str, Form(max_length=128)] = "",
    colour: Annotated[str, Form(max_length=128)] = "",
    to: Annotated[list[str] | None, Form()] = None,
    variations: Annotated[int, Form()] = PreviewChoice.variations,
    seed: Annotated[int, Form()] = PreviewChoice.seed,
) -> HTMLResponse:
    """The studio page with a product photo re-drawn in new colours and as variations; nothing is stored."""
    choice = PreviewChoice(product_type, colour, tuple(name[:128] for name in to or []), variations, seed)
    photo, upload_error = await _form_photo(image, settings)
    panel = await run_in_threadpool(
        preview_panel, generators, photo, choice, upload_error=upload_error and f"image: {upload_error}"
    )
    failed = panel.unavailable or (panel.previews is not None and panel.previews.error)
    return _render(
        request,
        "studio.html",
        status_code=503 if panel.unavailable else 422 if failed else 200,
        **studio_context(StudioChoice(), generation=panel),
    )


@router.get("/studio/generate", response_class=HTMLResponse, dependencies=[RenderSlot])
async def studio_generate_page(
    request: Request,
    generators: GeneratorServiceDep,
    product_type: Annotated[str, Query(max_length=128)] = "",
    colour: Annotated[str, Query(max_length=128)] = "",
    n: Annotated[int, Query()] = GenerateChoice.n,
    seed: Annotated[int, Query()] = GenerateChoice.seed,
) -> HTMLResponse:
    """The studio page with generated previews, each marked as generated; nothing is stored.

    A GET, since the same choice always draws the same previews (a link to it is a bookmark);
    it holds a render slot like every image job. (``POST /studio/…`` belongs to the API's recipes.)
    """
    panel = await run_in_threadpool(generate_panel, generators, GenerateChoice(product_type, colour, n, seed))
    return _render(
        request,
        "studio.html",
        status_code=422 if panel.error else 503 if panel.unavailable else 200,
        **studio_context(StudioChoice(), generation=panel),
    )


def product_sections(session: Session, product: Product) -> ProductSections:
    """The optional sections for ``product`` that catalog data decides; the page hides every empty one.

    Try-on is offered for garments whose category the try-on knows and that have a photo;
    the recommendation rows are added by :func:`with_recommendations`.
    """
    return ProductSections(try_on=bool(product.image_path) and can_try_on(product.product_type))


def with_looks(
    sections: ProductSections, guide: GuideService, session: Session, product_id: str
) -> ProductSections:
    """Fill "Complete the look" with the shopping guide's outfits, each with its reason.

    Only once the guide is loaded (the server prepares it at start-up): a page view never waits for a build.
    """
    if not sections.complete_the_look and guide.is_ready:
        try:
            looks = guide.complete_the_look(product_id, k=LOOKS)
        except GuideUnavailable:
            looks = []
        sections.complete_the_look = [outfit_public(session, look) for look in looks]
    return sections


def with_recommendations(
    sections: ProductSections, service: RecommendationService, product_id: str
) -> ProductSections:
    """Fill "Similar items" (bought together) and "Looks like this" (visual) from the trained models.

    A slot another feature already filled is kept; a kind of model that is not trained leaves its row empty.
    """
    if not sections.similar:
        sections.similar = _similar(service, product_id, "behaviour")
    if not sections.looks_like:
        sections.looks_like = _similar(service, product_id, "visual")
    return sections


def shopper_row(
    service: RecommendationService, shopper: str | None, *, demo: bool = False
) -> ShopperRow | None:
    """Recommendations for ``shopper``, or ``None`` without a shopper or without models.

    In ``demo`` mode the row carries the picker's demo shoppers and defaults to the first;
    otherwise it lists nobody and needs a known ``shopper``.
    """
    shoppers = service.shoppers if demo else []
    chosen = shopper or (shoppers[0].id if shoppers else None)
    if chosen is None:
        return None
    if demo and all(s.id != chosen for s in shoppers):
        shoppers = [Shopper(chosen, "from the link"), *shoppers]
    try:
        items = [RecommendedItem.of(s) for s in service.for_customer(chosen, HOME_ROW_SIZE)]
    except ModelUnavailable:
        return None
    return ShopperRow(shoppers, chosen, items)


def not_found(request: Request, message: str) -> HTMLResponse:
    """The friendly 404 page, for any path a browser asks for that does not exist."""
    return _render(request, "404.html", message=message, status_code=status.HTTP_404_NOT_FOUND)


templates.env.filters["money"] = money


async def _form_photo(upload: UploadFile, settings: Settings) -> tuple[Image.Image | None, str | None]:
    """A web form's photo within the form limits, or None and why it cannot be used (a 413 still propagates)."""
    try:
        return await read_image_upload(upload, settings, max_pixels=settings.max_form_image_pixels), None
    except HTTPException as error:
        if error.status_code != status.HTTP_422_UNPROCESSABLE_CONTENT:
            raise
        return None, str(error.detail)


def _render(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page; one shown to a known shopper is marked personal (``private, no-store``)."""
    shopper = context.pop("current_shopper", None) or shopper_of(request, request.app.state.settings)
    if shopper:
        mark_personal(request)
    return templates.TemplateResponse(
        request,
        name,
        {"shop_name": SHOP_NAME, "nav": NAV, "path": request.url.path, "current_shopper": shopper, **context},
        status_code=status_code,
    )


def _hand_shopper_token(
    request: Request, response: HTMLResponse, settings: Settings, customer_id: str
) -> None:
    """Give the browser ``customer_id``'s shopper token as an HttpOnly, same-site cookie (demo mode)."""
    token = issue_shopper_token(settings, customer_id)
    response.set_cookie(
        SHOPPER_COOKIE,
        token.token,
        max_age=token.expires_at - int(time.time()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _similar(service: RecommendationService, product_id: str, kind: SimilarKind) -> list[RecommendedItem]:
    """A row of similar products, or none when that kind of model is missing or does not know the product."""
    try:
        return [RecommendedItem.of(s) for s in service.similar(product_id, PRODUCT_ROW_SIZE, kind)]
    except (ModelUnavailable, UnknownProduct):
        return []


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _page_url(where: ProductFilter, page: int, shopper: str | None = None) -> str:
    """The catalog URL for ``page`` with the current filters (and chosen shopper) kept."""
    query: dict[str, Any] = {k: v for k, v in asdict(where).items() if v is not None}
    if shopper:
        query["shopper"] = shopper
    if page > 1:
        query["page"] = page
    return "/?" + urlencode(query) if query else "/"


def _all_sections(
    session: Session, product: Product, service: RecommendationService, guide: GuideService
) -> ProductSections:
    """The product page's sections: catalog rows, then recommendations, then complete-the-look."""
    sections = with_recommendations(product_sections(session, product), service, product.id)
    return with_looks(sections, guide, session, product.id)


def _no_product(product_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, detail=f"We could not find a product with id {product_id!r}."
    )
