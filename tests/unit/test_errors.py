"""One error family: every capability's errors are of one kind, and the API answers each kind alike."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

from vestis.api.errors import validation_error_handler, vestis_error_handler
from vestis.data.importing import ImportFailed, RowRejected
from vestis.errors import InvalidInput, NotFound, Unavailable, UnknownCustomer, UnknownProduct, VestisError
from vestis.generate.base import GenerationRequestError
from vestis.generate.service import GeneratorUnavailable
from vestis.guide import service as guide_service
from vestis.guide.service import GuideUnavailable
from vestis.models.registry import ModelLoadError, RegistryError
from vestis.privacy import erasure
from vestis.privacy.tombstones import TombstoneError
from vestis.recommend import serving
from vestis.recommend.base import NotFittedError
from vestis.recommend.serving import ModelUnavailable
from vestis.studio.errors import StudioError
from vestis.tryon.errors import TryOnError
from vestis.vision.io import ImageError


@pytest.mark.parametrize(
    ("error", "kind", "python_kind"),
    [
        (ImageError("photo.jpg: not an image"), InvalidInput, ValueError),
        (StudioError("step 'blur': unknown"), InvalidInput, ValueError),
        (TryOnError("no person found"), InvalidInput, ValueError),
        (GenerationRequestError("n", "too many"), InvalidInput, ValueError),
        (RowRejected("price", "not a number"), InvalidInput, ValueError),
        (ImportFailed("missing column id"), InvalidInput, ValueError),
        (UnknownProduct("p1"), NotFound, LookupError),
        (UnknownCustomer("c1"), NotFound, LookupError),
        (RegistryError("no model 'als'"), NotFound, LookupError),
        (ModelUnavailable("train first"), Unavailable, RuntimeError),
        (GuideUnavailable("no products"), Unavailable, RuntimeError),
        (GeneratorUnavailable("no generator"), Unavailable, RuntimeError),
        (NotFittedError("fit first"), Unavailable, RuntimeError),
    ],
)
def test_every_capability_raises_one_of_three_kinds(
    error: VestisError, kind: type[VestisError], python_kind: type[Exception]
) -> None:
    assert isinstance(error, kind) and isinstance(error, python_kind)


def test_one_unknown_product_and_one_unknown_customer() -> None:
    assert serving.UnknownProduct is guide_service.UnknownProduct is UnknownProduct
    assert erasure.UnknownCustomer is UnknownCustomer


def test_errors_that_name_a_field_keep_it() -> None:
    assert GenerationRequestError("colour", "unknown").field == "colour"
    assert RowRejected("price", "not a number").field == "price"
    assert ImageError("x").field is None


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(VestisError, vestis_error_handler)
    raised = {
        "invalid": InvalidInput("the photo is too dark"),
        "field": GenerationRequestError("colour", "unknown colour 'teal'"),
        "missing": UnknownProduct("no product 'p9'"),
        "registry": RegistryError("no versions of 'als' under /srv/vestis/models"),
        "unloadable": ModelLoadError(
            "als", "v3", "its files cannot be read", "/srv/vestis/models/als/v3: EIO"
        ),
        "unavailable": GuideUnavailable("the catalog has no products yet"),
        "tombstone": TombstoneError("/srv/vestis/tombstones.json: permission denied"),
    }

    @app.get("/{name}")
    def fail(name: str) -> None:
        raise raised[name]

    return TestClient(app)


@pytest.mark.parametrize(
    ("name", "status", "detail"),
    [
        ("invalid", 422, "the photo is too dark"),
        ("missing", 404, "no product 'p9'"),
        ("registry", 404, "no such model or version"),
        ("unloadable", 503, "cannot load als@v3: its files cannot be read"),
        ("unavailable", 503, "the catalog has no products yet"),
        ("tombstone", 500, "internal error"),
    ],
)
def test_the_api_answers_each_kind_with_its_status_and_no_server_path(
    client: TestClient, name: str, status: int, detail: str
) -> None:
    response = client.get(f"/{name}")
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert "/srv" not in response.text


def test_bad_input_naming_a_field_is_the_standard_422(client: TestClient) -> None:
    response = client.get("/field")
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "colour: unknown colour 'teal'"
    assert body["detail"][0]["field"] == "colour" and body["detail"][0]["msg"] == "unknown colour 'teal'"
