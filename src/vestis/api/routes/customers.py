"""Customers' personal data over HTTP: shopper tokens, the right of access and the right to erasure.

``POST /customers/{id}/token`` (API key) issues the signed token the shop hands to a
signed-in shopper; ``GET /customers/{id}/data`` and ``DELETE /customers/{id}`` answer an
API key or that customer's own token, so shoppers can see and erase their data themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from vestis.api.deps import ApiAccess, CustomerAccess, EngineDep, SettingsDep
from vestis.privacy.access import export_customer
from vestis.privacy.erasure import erase_customer
from vestis.signing import SHOPPER_TOKEN_SECONDS, issue_shopper_token

router = APIRouter(prefix="/customers", tags=["customers"])
"""Each route carries its own access rule: a key to issue tokens, a key or the customer's token for their data."""

CustomerId = Annotated[str, Path(min_length=1, max_length=128, description="The customer.")]


class ErasurePublic(BaseModel):
    """What an erasure removed, as counts (read from an erasure report)."""

    model_config = ConfigDict(from_attributes=True)

    customer_id: str
    customers: int = Field(description="Customer rows deleted (profile and measurements): 0 or 1.")
    events: int = Field(description="Events deleted.")
    kept_try_ons: int = Field(description="Kept try-on photos (with their results) deleted.")
    model_files: int = Field(description="Saved model files rewritten without the customer's id.")
    erased_at: datetime
    database_compacted: bool = Field(
        description="Whether the SQLite write-ahead log was emptied of the deleted rows at once "
        "(false on other databases, or while a long read held it; a later checkpoint does it)."
    )


class TokenIn(BaseModel):
    """How long the token should work."""

    seconds: int = Field(
        SHOPPER_TOKEN_SECONDS, ge=60, le=90 * 24 * 3600, description="Lifetime: 1 minute to 90 days."
    )


class TokenPublic(BaseModel):
    """A shopper token: send it as the ``vestis_shopper`` cookie or the ``X-Shopper-Token`` header."""

    customer_id: str
    token: str
    expires_at: datetime


class CustomerDataPublic(BaseModel):
    """Everything held about a customer: profile as stored, events, ids of kept try-on photos."""

    model_config = ConfigDict(from_attributes=True)

    customer_id: str
    profile: dict[str, Any] | None = Field(description="Null when only events or photos are held.")
    events: list[dict[str, Any]]
    kept_try_ons: list[str] = Field(description="Ids of kept try-on photos; DELETE /tryon/{id} removes one.")
    exported_at: datetime


@router.post("/{customer_id}/token", response_model=TokenPublic, dependencies=[ApiAccess])
def issue_token(settings: SettingsDep, customer_id: CustomerId, body: TokenIn | None = None) -> TokenPublic:
    """Issue a signed shopper token for a signed-in customer (API key required).

    The shop's backend calls this after its own sign-in and hands the token to the browser
    (as the ``vestis_shopper`` cookie, HttpOnly) or the app; it opens that customer's
    recommendations, size advice, personalised search and chat, their data and its erasure.
    """
    token = issue_shopper_token(settings, customer_id, seconds=(body or TokenIn()).seconds)
    return TokenPublic(
        customer_id=customer_id, token=token.token, expires_at=datetime.fromtimestamp(token.expires_at, UTC)
    )


@router.get(
    "/{customer_id}/data",
    response_model=CustomerDataPublic,
    dependencies=[CustomerAccess],
    responses={404: {"description": "Nothing is held about this customer."}},
)
def customer_data(settings: SettingsDep, engine: EngineDep, customer_id: CustomerId) -> CustomerDataPublic:
    """Everything held about a customer (right of access): an API key or the customer's own token."""
    return CustomerDataPublic.model_validate(export_customer(engine, settings, customer_id))


@router.delete(
    "/{customer_id}",
    response_model=ErasurePublic,
    dependencies=[CustomerAccess],
    responses={404: {"description": "Nothing is held about this customer (never known, or already erased)."}},
)
def erase(
    settings: SettingsDep,
    engine: EngineDep,
    customer_id: CustomerId,
) -> ErasurePublic:
    """Erase a customer: their profile, events, kept try-on photos and their id in the saved models.

    Models trained before stop answering for them at once (they get what an anonymous
    shopper gets) and forget them at the next ``vestis train``. Needs an API key or the
    customer's own shopper token. Repeat a request that failed: every step is idempotent.
    """
    return ErasurePublic.model_validate(erase_customer(engine, settings, customer_id))
