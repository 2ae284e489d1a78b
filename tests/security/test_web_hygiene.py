"""Issue 11, item 8: CSRF, the Host header, security headers and dependency floors."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from packaging.requirements import Requirement

from tests.unit.test_api_support import KEY, event, png_bytes, shop_client

ROOT = Path(__file__).resolve().parents[2]
FORMS = [
    ("/studio", {"tool": "recipe", "recipe": "enhance"}, "image"),
    ("/shop/p01/try-on", {}, "person"),
]


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return shop_client(tmp_path, products=3)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/page.html"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
        {"Origin": "http://testserver.evil.example"},
    ],
    ids=["foreign-origin", "opaque-origin", "foreign-referer", "fetch-metadata", "look-alike-host"],
)
@pytest.mark.parametrize(("path", "fields", "file_field"), FORMS, ids=["studio", "try-on"])
def test_web_forms_refuse_cross_site_posts(
    client: TestClient, headers: dict[str, str], path: str, fields: dict[str, str], file_field: str
) -> None:
    response = client.post(
        path, data=fields, files={file_field: ("a.png", png_bytes(), "image/png")}, headers=headers
    )
    assert response.status_code == 403
    assert "cross-site request refused" in response.json()["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://testserver"},
        {"Referer": "http://testserver/studio"},
        {"Sec-Fetch-Site": "same-origin"},
    ],
    ids=["no-browser-headers", "same-origin", "same-referer", "fetch-metadata"],
)
def test_same_origin_posts_and_scripts_pass(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/studio",
        data={"tool": "recipe", "recipe": "enhance"},
        files={"image": ("a.png", png_bytes(size=(64, 64)), "image/png")},
        headers=headers,
    )
    assert response.status_code == 200, response.text


def test_api_clients_with_a_key_are_not_cross_site(client: TestClient) -> None:
    response = client.post(
        "/events", json={"events": [event()]}, headers={"X-API-Key": KEY, "Origin": "http://partner.example"}
    )
    assert response.status_code == 200


def test_a_trusted_public_host_counts_as_this_shop_behind_a_proxy(tmp_path: Path) -> None:
    proxied = shop_client(tmp_path, products=1, allowed_hosts="testserver,shop.example")
    response = proxied.post(
        "/studio",
        data={"tool": "recipe", "recipe": "enhance"},
        files={"image": ("a.png", png_bytes(size=(64, 64)), "image/png")},
        headers={"Origin": "https://shop.example"},
    )
    assert response.status_code == 200


def test_a_forged_host_is_refused(client: TestClient) -> None:
    for path in ("/", "/products", "/products/", "/static/shop.js"):
        response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert response.status_code == 400, path
        assert "evil.example" not in response.text and "evil.example" not in response.headers.get(
            "location", ""
        )


def test_pages_use_relative_urls_whatever_the_host(tmp_path: Path) -> None:
    anything = shop_client(tmp_path, products=2, allowed_hosts="*")
    for path in ("/", "/studio", "/shop/p01"):
        page = anything.get(path, headers={"Host": "evil.example"})
        assert page.status_code == 200
        assert "evil.example" not in page.text
        assert '<script src="/static/shop.js"' in page.text


@pytest.mark.parametrize(
    "path", ["/", "/shop/p01", "/studio", "/products", "/health", "/shop/nope", "/openapi.json"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path, headers={"Accept": "text/html"}).headers
    policy = headers["content-security-policy"]
    assert (
        "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "object-src 'none'" in policy
    )
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_the_pages_need_no_inline_script_or_style(client: TestClient) -> None:
    """The CSP forbids inline code, so the pages must work without any."""
    for path in ("/", "/shop/p01", "/studio"):
        page = client.get(path).text
        assert (
            "<script>" not in page
            and "<style" not in page
            and " style=" not in page
            and " onclick=" not in page
        )


@pytest.mark.parametrize(
    ("package", "vulnerable"),
    [("python-multipart", "0.0.17"), ("starlette", "0.39.2"), ("fastapi", "0.115.2"), ("jinja2", "3.1.5")],
)
def test_dependency_floors_are_past_known_advisories(package: str, vulnerable: str) -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    requirement = next(Requirement(d) for d in declared if Requirement(d).name.lower() == package)
    assert not requirement.specifier.contains(vulnerable), f"{requirement} still admits {vulnerable}"
    assert requirement.specifier.contains(version(package)), f"installed {package} {version(package)}"
