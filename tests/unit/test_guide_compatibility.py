"""Outfit compatibility on tiny outfits built here: duplicates and gaps score low, FITB, back-off, bad input."""

from __future__ import annotations

import doctest

import pytest

import vestis.guide.compatibility
from vestis.guide.compatibility import CompatibilityModel, Piece, role_score


def piece(category: str, group: str, colour: str | None = None) -> Piece:
    return Piece(category=category, group=group, colour=colour)


TEE, SHIRT = piece("t-shirt", "tops"), piece("shirt", "tops")
JEANS, SKIRT = piece("jeans", "bottoms"), piece("skirt", "bottoms")
SNEAKERS, HEELS, BOOTS = piece("sneakers", "shoes"), piece("heels", "shoes"), piece("boots", "shoes")
DRESS, BAG, COAT = piece("dress", "all-body"), piece("tote", "bags"), piece("coat", "outerwear")
OUTFITS = [
    [TEE, JEANS, SNEAKERS, BAG],
    [SHIRT, SKIRT, HEELS, BAG],
    [TEE, SKIRT, SNEAKERS],
    [SHIRT, JEANS, BOOTS, COAT],
    [DRESS, HEELS, BAG],
    [DRESS, BOOTS, COAT],
] * 4


@pytest.fixture
def model() -> CompatibilityModel:
    return CompatibilityModel().fit(OUTFITS)


def test_doctests() -> None:
    failures, attempted = doctest.testmod(vestis.guide.compatibility)
    assert attempted > 0 and failures == 0


def test_a_real_looking_outfit_beats_two_pairs_of_shoes_and_no_bottoms(model: CompatibilityModel) -> None:
    good = model.score([TEE, JEANS, SNEAKERS, BAG])
    assert good > model.score([TEE, SNEAKERS, HEELS, BAG])
    assert good > model.score([TEE, SHIRT, SNEAKERS, BAG])
    assert good > model.score([DRESS, JEANS, SNEAKERS, BAG])


def test_two_shoes_score_low_without_the_rules() -> None:
    learned = CompatibilityModel(rules=0.0).fit(OUTFITS)
    assert learned.pair_score(SNEAKERS, HEELS) < 0 < learned.pair_score(TEE, JEANS)
    assert learned.score([TEE, JEANS, SNEAKERS]) > learned.score([TEE, SNEAKERS, HEELS])


def test_fill_in_the_blank_picks_the_missing_role(model: CompatibilityModel) -> None:
    candidates = [HEELS, SKIRT, TEE, BAG]
    assert model.fill_in_blank([SHIRT, HEELS, BAG], candidates)[0] == 1
    assert model.fill_in_blank([TEE, JEANS, BAG], [JEANS, SHIRT, SNEAKERS])[0] == 2
    scores = model.candidate_scores([SHIRT, HEELS, BAG], candidates)
    assert scores.shape == (4,) and scores.argmax() == 1


def test_an_unseen_category_borrows_from_its_group(model: CompatibilityModel) -> None:
    shorts = piece("shorts", "bottoms")
    assert model.pair_score(shorts, TEE) == pytest.approx(model.pair_score(piece("culottes", "bottoms"), TEE))
    assert model.pair_score(shorts, TEE) > 0 > model.pair_score(shorts, DRESS)
    assert model.pair_score(piece("loafers", "shoes"), SNEAKERS) < 0
    assert model.score([Piece(), Piece()]) == model.score([]) == 0.0
    assert model.score([TEE, Piece(), JEANS]) == model.score([TEE, JEANS])


def test_colour_rules_break_ties_between_same_kinds(model: CompatibilityModel) -> None:
    navy_white = [piece("t-shirt", "tops", "white"), piece("jeans", "bottoms", "navy")]
    clash = [piece("t-shirt", "tops", "red"), piece("jeans", "bottoms", "orange")]
    assert model.score(navy_white) > model.score(clash)
    assert CompatibilityModel(colour=0.0).fit(OUTFITS).score(navy_white) == pytest.approx(
        CompatibilityModel(colour=0.0).fit(OUTFITS).score(clash)
    )


def test_pieces_from_mappings_and_roles() -> None:
    assert Piece.of({"category": " Flat Sandals ", "group": "shoes"}) == Piece(
        category="flat sandals", group="shoes"
    )
    assert Piece(category="gown").role == "dress"
    assert Piece(category="thing", role="Top").role == "top"
    assert role_score(["dress", "shoes"]) == 1.0
    assert role_score(["dress", "top", "shoes"]) < role_score(["top", "bottom", "shoes"])
    fitted = CompatibilityModel().fit([[{"category": "jeans"}, {"category": "t-shirt"}]] * 3)
    assert fitted.n_outfits_ == 3 and fitted.kind_counts_["role"] == {"bottom": 3, "top": 3}


def test_bad_input_is_named(model: CompatibilityModel) -> None:
    with pytest.raises(ValueError, match="no outfits"):
        CompatibilityModel().fit([])
    with pytest.raises(ValueError, match=r"outfit 1, item 0: unknown piece field\(s\) \['size'\]"):
        CompatibilityModel().fit([[TEE], [{"size": "M"}]])
    with pytest.raises(TypeError, match="Piece.colour must be a string or None; got int"):
        Piece(colour=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="outfit: expected a sequence of pieces; got str"):
        model.score("jeans")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="candidates, item 1: a piece must be a Piece or a mapping; got int"):
        model.fill_in_blank([TEE], [JEANS, 7])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="no candidates"):
        model.fill_in_blank([TEE], [])
    with pytest.raises(ValueError, match="prior must be > 0; got 0"):
        CompatibilityModel(prior=0).fit(OUTFITS)
    with pytest.raises(RuntimeError, match="not fitted"):
        CompatibilityModel().score([TEE])
