"""``vestis guide …``: build, search, ask, outfits and size advice from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tests.unit.test_api_support import shop_client
from vestis.cli import app
from vestis.guide.service import GUIDE
from vestis.models import ModelRegistry

pytestmark = pytest.mark.slow  # one small search index with sentence embeddings per module

runner = CliRunner()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30-product shop whose guide ``vestis guide build`` has built."""
    folder = tmp_path_factory.mktemp("guide-cli")
    shop_client(folder)
    result = runner.invoke(app, ["--home", str(folder), "guide", "build", "--quiet"])
    assert result.exit_code == 0, result.output
    assert ModelRegistry(folder / "models").active(GUIDE) is not None
    return folder


def invoke(home: Path, *args: str) -> tuple[int, str]:
    """Run ``vestis --home HOME ARGS…``; its exit code and what it printed."""
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("name", ["ask", "search", "outfits", "size", "build"])
def test_every_guide_command_explains_itself_with_an_example(name: str) -> None:
    command = get_command(app).commands["guide"].commands[name]  # type: ignore[attr-defined]
    assert "Example:" in (command.help or "")


def test_search_prints_json_that_keeps_the_constraints(home: Path) -> None:
    code, output = invoke(home, "guide", "search", "blue shirt under 25", "--k", "5", "--json")
    assert code == 0, output
    body = json.loads(output)
    assert 0 < body["count"] == len(body["data"]) <= 5
    for card in body["data"]:
        assert card["color"] == "blue" and card["product_type"] == "Shirts" and card["price"] <= 25


def test_ask_answers_as_json_and_as_a_table(home: Path) -> None:
    code, output = invoke(home, "guide", "ask", "a black dress", "--json")
    assert code == 0, output
    reply = json.loads(output)
    assert reply["session_id"] and reply["text"] and reply["items"]
    assert all(card["color"] == "black" and card["link"] == f"/shop/{card['id']}" for card in reply["items"])
    code, output = invoke(home, "guide", "ask", "a black dress")
    assert code == 0 and reply["items"][0]["id"] in output


def test_outfits_and_size_name_an_unknown_product(home: Path) -> None:
    for args in (("outfits", "nope"), ("size", "nope", "--user", "u1")):
        code, output = invoke(home, "guide", *args)
        assert code == 2 and "no product with id 'nope'" in output
    code, output = invoke(home, "guide", "size", "p01", "--user", "u1", "--json")
    assert code == 0 and json.loads(output)["product_id"] == "p01"
