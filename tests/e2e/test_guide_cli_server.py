"""``vestis guide search --server``: the CLI asks a running server instead of loading the index itself."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from tests.e2e.shop import Server
from vestis.cli import app

pytestmark = pytest.mark.e2e


def test_the_cli_answers_from_the_server_as_the_api_does(server: Server) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(server.home),
            "guide",
            "search",
            "red dress",
            "--k",
            "4",
            "--json",
            "--server",
            server.url,
        ],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    api = httpx.get(f"{server.url}/guide/search", params={"q": "red dress", "k": 4}, timeout=60).json()
    assert [card["id"] for card in answer["data"]] == [card["id"] for card in api["data"]]
    assert answer["count"] == 4


def test_an_unreachable_server_is_named(server: Server) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(server.home), "guide", "search", "red dress", "--server", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 1 and "cannot reach http://127.0.0.1:9" in result.output
