"""Outfit compatibility and fill-in-the-blank on Polyvore Outfits (validation split, categories only).

Polyvore Outfits (Vasileva et al., ECCV 2018) ships 5,000 validation outfits, 10,000 labelled
compatibility questions and each item's category; this slice has no images and no text. The
compatibility model (:class:`vestis.guide.compatibility.CompatibilityModel`) reads only the item
categories (fine category, semantic group, outfit role), never an item id.

Protocol: the outfits are split at random (seed 0) into two disjoint folds; a model learns from
one fold and answers the questions of the other, then the folds swap, so every question is
answered by a model that never saw its outfit. In the same run:

* **published compatibility questions**: a positive is a real outfit; the i-th negative of the
  file is the i-th positive with every item swapped for an item *of the same category* from
  another outfit (checked below, position by position), and goes to its positive's fold;
* **constructed random negatives**: each test outfit against as many items drawn at random
  from the other test outfits (Han et al. 2017's easier protocol);
* **constructed fill in the blank** (the slice has no FITB file): in each test outfit one item
  with a known semantic group is hidden at random; three wrong candidates are other test items
  with a known group: of the answer's group (while there are three), or, in a second variant, of
  any group; the candidates are shuffled and ties count as a share of a hit (random tie-breaking's
  expectation).

Every task is answered by the model, by its learned pair lifts alone (``rules=0``), by the outfit
builder's template rules alone (:func:`vestis.guide.compatibility.role_score`) and by chance
(AUC 0.5, FITB 25 %); the model's AUC on the published questions comes with a bootstrap interval.
Anchor: Vasileva et al.'s type-aware embeddings (images + text): AUC 0.86, FITB 57.8 %. Replaces the
"## Outfit compatibility on Polyvore Outfits (real data)" section of docs/benchmarks.md.

    .venv/bin/python -m benchmarks.polyvore
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from benchmarks.report import write_section
from vestis.guide.compatibility import CompatibilityModel, Piece, role_score

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "polyvore-outfits-valid"
SECTION = "## Outfit compatibility on Polyvore Outfits (real data)"
PAPER_AUC = 0.86
PAPER_FITB = 0.578
CANDIDATES = 4
"""Candidates per fill-in-the-blank question: the answer and three wrong items."""
Scorer = Callable[[list[Piece]], float]
"""An outfit → its compatibility score."""
Ranker = Callable[[list[Piece], list[Piece]], np.ndarray]
"""(partial outfit, candidates) → each candidate's score as the blank."""
SCORERS = ("model", "lifts", "rules")
"""The model, its learned pair lifts alone (no template rules) and the template rules alone."""


@dataclass(frozen=True)
class Polyvore:
    """The slice: outfits as item ids, each item's piece and the published compatibility questions."""

    outfits: dict[str, list[str]]
    pieces: dict[str, Piece]
    categories: dict[str, str]
    questions: list[tuple[int, list[str]]]
    """(label, item tokens ``<set_id>_<index>``) in file order."""

    def item(self, token: str) -> str:
        """The item id behind a ``<set_id>_<index>`` token."""
        set_id, index = token.rsplit("_", 1)
        return self.outfits[set_id][int(index) - 1]

    def outfit_pieces(self, items: Sequence[str]) -> list[Piece]:
        """The pieces of the items, in order."""
        return [self.pieces[item] for item in items]


@dataclass(frozen=True)
class Results:
    """One fold-crossed run: AUCs and FITB accuracies per scorer, and the checks on the data."""

    auc_published: dict[str, float]
    auc_published_interval: tuple[float, float]
    """The model's 95 % bootstrap interval (questions resampled) on the published questions."""
    auc_random: dict[str, float]
    fitb_group: dict[str, float]
    fitb_any: dict[str, float]
    same_category_share: float
    negatives_from_learning: float
    positives_seen: float
    questions: int
    fitb_questions: int
    seconds: float


def load(folder: Path = DATA) -> Polyvore:
    """Read ``valid.json``, ``train_category.json``, ``categories.csv`` and ``compatibility_valid.txt``."""
    outfits: dict[str, list[str]] = {}
    for number, outfit in enumerate(json.loads((folder / "valid.json").read_text())):
        try:
            ordered = sorted(outfit["items"], key=lambda item: int(item["index"]))
            if [int(item["index"]) for item in ordered] != list(range(1, len(ordered) + 1)):
                raise ValueError("indexes are not 1 … n")
            outfits[str(outfit["set_id"])] = [str(item["item_id"]) for item in ordered]
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{folder / 'valid.json'}: outfit {number}: {error!r}") from None
    kinds = _category_pieces(folder / "categories.csv")
    categories = {str(k): str(v) for k, v in json.loads((folder / "train_category.json").read_text()).items()}
    pieces = {
        item: kinds.get(categories.get(item, ""), Piece()) for items in outfits.values() for item in items
    }
    questions = []
    lines = (folder / "compatibility_valid.txt").read_text().splitlines()
    for number, line in enumerate(lines, start=1):
        label, *tokens = line.split()
        if label not in ("0", "1") or not tokens:
            raise ValueError(f"{folder / 'compatibility_valid.txt'}:{number}: expected a 0/1 label and items")
        unknown = [token for token in tokens if not _resolves(outfits, token)]
        if unknown:
            raise ValueError(
                f"{folder / 'compatibility_valid.txt'}:{number}: items not in valid.json: {unknown}"
            )
        questions.append((int(label), tokens))
    return Polyvore(outfits=outfits, pieces=pieces, categories=categories, questions=questions)


def evaluate(
    data: Polyvore, *, seed: int = 0, model: Callable[[], CompatibilityModel] = CompatibilityModel
) -> Results:
    """Two-fold run of every task for the model, the template rules and chance."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    set_ids = sorted(data.outfits)
    fold_of = {
        set_id: int(fold)
        for set_id, fold in zip(rng.permutation(set_ids), np.arange(len(set_ids)) % 2, strict=True)
    }
    pairs = _paired_questions(data)
    scores: dict[str, dict[str, list[float]]] = {
        task: {name: [] for name in SCORERS} for task in ("published", "random")
    }
    labels: dict[str, list[int]] = {"published": [], "random": []}
    fitb: dict[str, dict[str, list[float]]] = {
        task: {name: [] for name in SCORERS} for task in ("group", "any")
    }
    from_learning = seen = negatives = positives = 0
    for fold in (0, 1):
        learn = [set_id for set_id in set_ids if fold_of[set_id] != fold]
        test = [set_id for set_id in set_ids if fold_of[set_id] == fold]
        learning = [data.outfit_pieces(data.outfits[set_id]) for set_id in learn]
        fitted = model().fit(learning)
        lifts = CompatibilityModel(**{**fitted.get_params(), "rules": 0.0}).fit(learning)
        scorers: dict[str, Scorer] = {"model": fitted.score, "lifts": lifts.score, "rules": _rules}
        rankers: dict[str, Ranker] = {
            "model": fitted.candidate_scores,
            "lifts": lifts.candidate_scores,
            "rules": _rule_candidates,
        }
        learned_items = {item for set_id in learn for item in data.outfits[set_id]}
        for positive, negative in pairs:
            if fold_of[positive[0].rsplit("_", 1)[0]] != fold:
                continue
            from_learning += sum(data.item(token) in learned_items for token in negative)
            seen += sum(data.item(token) in learned_items for token in positive)
            negatives += len(negative)
            positives += len(positive)
            for label, tokens in ((1, positive), (0, negative)):
                labels["published"].append(label)
                outfit = data.outfit_pieces([data.item(token) for token in tokens])
                for name, scorer in scorers.items():
                    scores["published"][name].append(scorer(outfit))
        test_items = list(dict.fromkeys(item for set_id in test for item in data.outfits[set_id]))
        for label, outfit in _random_negatives(data, test, test_items, rng):
            labels["random"].append(label)
            for name, scorer in scorers.items():
                scores["random"][name].append(scorer(outfit))
        for task, same_group in (("group", True), ("any", False)):
            for partial, options, answer in _blanks(data, test, test_items, rng, same_group=same_group):
                for name, ranker in rankers.items():
                    fitb[task][name].append(_hit(ranker(partial, options), answer))
    return Results(
        auc_published={
            name: _auc(labels["published"], values) for name, values in scores["published"].items()
        },
        auc_published_interval=_bootstrap_interval(labels["published"], scores["published"]["model"], rng),
        auc_random={name: _auc(labels["random"], values) for name, values in scores["random"].items()},
        fitb_group={name: float(np.mean(values)) for name, values in fitb["group"].items()},
        fitb_any={name: float(np.mean(values)) for name, values in fitb["any"].items()},
        same_category_share=_same_category_share(data, pairs),
        negatives_from_learning=from_learning / negatives,
        positives_seen=seen / positives,
        questions=len(labels["published"]),
        fitb_questions=len(fitb["group"]["model"]),
        seconds=time.perf_counter() - started,
    )


def main() -> None:
    """Run the two-fold evaluation, print the table and write the section."""
    data = load()
    known = sum(item in data.categories for items in data.outfits.values() for item in items)
    slots = sum(len(items) for items in data.outfits.values())
    results = evaluate(data)
    rows: list[tuple[str, dict[str, float], float, float | None]] = [
        (
            "compatibility AUC, published questions (same-category negatives)",
            results.auc_published,
            0.5,
            PAPER_AUC,
        ),
        ("compatibility AUC, constructed random negatives", results.auc_random, 0.5, None),
        ("FITB accuracy, constructed, same-group candidates", results.fitb_group, 0.25, PAPER_FITB),
        ("FITB accuracy, constructed, any-group candidates", results.fitb_any, 0.25, None),
    ]
    table = "\n".join(
        f"| {task} | {values['model']:.4f} | {values['lifts']:.4f} | {values['rules']:.4f} | {chance:.2f} | "
        f"{values['model'] / values['rules']:.2f}× | "
        f"{_paper_ratio(values['model'], paper)} |"
        for task, values, chance, paper in rows
    )
    print(table)
    write_section(
        f"{SECTION}\n\nPolyvore Outfits validation split (`../shared/data/polyvore-outfits-valid`): "
        f"{len(data.outfits):,} outfits, {slots:,} item slots of which {known / slots:.1%} have a category "
        f"(the others are unknown to every scorer); no images, no text. Outfits split at random into two "
        f"disjoint folds (seed 0): a model learns from one fold's outfits and answers the questions of the "
        f"other, then they swap. `CompatibilityModel` (vestis.guide.compatibility) learns pair lifts of fine "
        f"category, semantic group and role from co-occurrence and reads nothing else; *template rules* is "
        f"`role_score` alone (the outfit builder's templates: core roles filled, none doubled); *learned lifts "
        f"only* is the model without that term (`rules=0`). Default parameters throughout (prior 5, "
        f"rules 0.5), not tuned on these questions.\n\n"
        f"* Published questions: {results.questions:,} (all 5,000 positives and the 5,000 negatives, the i-th "
        f"negative paired with the i-th positive). The negatives keep their positive's categories position "
        f"by position ({results.same_category_share:.1%} of the positions where both categories are known), "
        f"so categories alone cannot tell them apart: chance is the honest ceiling of any category-only "
        f"model there (the model's AUC {results.auc_published['model']:.4f}, 95 % bootstrap interval "
        f"{results.auc_published_interval[0]:.3f}–{results.auc_published_interval[1]:.3f}). {results.negatives_from_learning:.1%} of the negatives' items are items of learning "
        f"outfits (their categories were counted, never their ids); {results.positives_seen:.1%} "
        f"of the positives' items also appear in a learning outfit (the split is non-disjoint in items).\n"
        f"* Constructed (this benchmark, seeded; not the paper's files): random negatives pair each test "
        f"outfit with as many items drawn at random from the other test outfits; fill in the blank hides "
        f"one item with a known semantic group in each test outfit ({results.fitb_questions:,} questions) "
        f"and offers it among three other test items of the same semantic group (or of any group; always "
        f"items with a known group, like the answer); the "
        f"candidates are shuffled and ties count as a share of a hit.\n\n"
        f"| task | CompatibilityModel | learned lifts only | template rules | chance | model / rules | "
        f"model / paper |\n|---|---|---|---|---|---|---|\n{table}\n\n"
        f"Published anchor: Vasileva et al., ECCV 2018 (type-aware embeddings from images and text, which "
        f"this slice lacks): AUC {PAPER_AUC}, FITB {PAPER_FITB:.1%}, on their own type-matched questions, which the "
        f"published questions and the same-group FITB follow; random negatives and any-group candidates "
        f"are easier, so no ratio to the paper is given for them. "
        f"CPU, 2 cores; the whole run took {results.seconds:.0f} s.\n\n"
        f"Reproduce: `.venv/bin/python -m benchmarks.polyvore` (needs ../shared/data).\n"
    )


def _category_pieces(path: Path) -> dict[str, Piece]:
    """Category id → piece: its fine names (the file repeats ids with synonyms) and its semantic group."""
    names: dict[str, list[str]] = {}
    groups: dict[str, Counter[str]] = {}
    with path.open(newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if len(row) != 3:
                raise ValueError(f"{path}:{number}: expected id, fine category, semantic category")
            category, name, group = (cell.strip() for cell in row)
            if name and name not in names.setdefault(category, []):
                names[category].append(name)
            groups.setdefault(category, Counter())[group] += bool(group)
    pieces = {}
    for category, fine in names.items():
        group = max(groups[category], key=groups[category].__getitem__) or None
        if fine != ["undefined"]:
            pieces[category] = Piece(category=" / ".join(fine), group=group)
    return pieces


def _resolves(outfits: dict[str, list[str]], token: str) -> bool:
    """Whether ``<set_id>_<index>`` names an item of a known outfit."""
    set_id, _, index = token.rpartition("_")
    return index.isdigit() and 1 <= int(index) <= len(outfits.get(set_id, ()))


def _paired_questions(data: Polyvore) -> list[tuple[list[str], list[str]]]:
    """The i-th positive question with the i-th negative one (the file builds one from the other)."""
    positives = [tokens for label, tokens in data.questions if label == 1]
    negatives = [tokens for label, tokens in data.questions if label == 0]
    if len(positives) != len(negatives):
        raise ValueError(
            f"expected as many negatives as positives; got {len(negatives)} and {len(positives)}"
        )
    return list(zip(positives, negatives, strict=True))


def _same_category_share(data: Polyvore, pairs: list[tuple[list[str], list[str]]]) -> float:
    same = both = 0
    for positive, negative in pairs:
        for a, b in zip(positive, negative, strict=False):
            first, second = data.categories.get(data.item(a)), data.categories.get(data.item(b))
            if first is not None and second is not None:
                both += 1
                same += first == second
    return same / max(both, 1)


def _random_negatives(
    data: Polyvore, test: list[str], items: list[str], rng: np.random.Generator
) -> list[tuple[int, list[Piece]]]:
    """Each test outfit (label 1) and one of its size made of random items of other test outfits (0)."""
    questions = []
    for set_id in test:
        own = data.outfits[set_id]
        questions.append((1, data.outfit_pieces(own)))
        questions.append((0, data.outfit_pieces(_draw(items, len(own), own, rng))))
    return questions


def _blanks(
    data: Polyvore, test: list[str], items: list[str], rng: np.random.Generator, *, same_group: bool
) -> list[tuple[list[Piece], list[Piece], int]]:
    """(partial outfit, shuffled candidates, position of the answer) for each test outfit that has one.

    The answer and the wrong candidates all have a known semantic group, so whether a candidate's
    category is known says nothing about whether it is the answer.
    """
    known_items = [item for item in items if data.pieces[item].group is not None]
    by_group: dict[str | None, list[str]] = {}
    for item in known_items:
        by_group.setdefault(data.pieces[item].group if same_group else None, []).append(item)
    questions = []
    for set_id in test:
        outfit = data.outfits[set_id]
        known = [i for i, item in enumerate(outfit) if data.pieces[item].group is not None]
        if len(outfit) < 2 or not known:
            continue
        hidden = int(rng.choice(known))
        answer = outfit[hidden]
        pool = by_group[data.pieces[answer].group if same_group else None]
        wrong = _draw(pool, CANDIDATES - 1, outfit, rng)
        wrong += _draw(known_items, CANDIDATES - 1 - len(wrong), [*outfit, *wrong], rng)
        options = [answer, *wrong]
        order = rng.permutation(CANDIDATES)
        partial = data.outfit_pieces([item for i, item in enumerate(outfit) if i != hidden])
        questions.append(
            (partial, [data.pieces[options[i]] for i in order], int(np.flatnonzero(order == 0)[0]))
        )
    return questions


def _draw(pool: Sequence[str], count: int, exclude: Sequence[str], rng: np.random.Generator) -> list[str]:
    """Up to ``count`` random items of ``pool`` (distinct items) outside ``exclude``; fewer when it lacks them.

    A large pool is sampled with rejection (most of it is allowed), a small one shuffled whole.
    """
    left = sorted(set(pool) - set(exclude)) if len(pool) < 8 * (count + len(exclude)) else None
    if left is not None:
        return [left[i] for i in rng.permutation(len(left))[:count]]
    drawn: list[str] = []
    while len(drawn) < count:
        item = pool[int(rng.integers(len(pool)))]
        if item not in exclude and item not in drawn:
            drawn.append(item)
    return drawn


def _paper_ratio(value: float, paper: float | None) -> str:
    return f"{value / paper:.2f}× (of {paper})" if paper else "not comparable (easier task)"


def _rules(outfit: list[Piece]) -> float:
    return role_score(piece.role for piece in outfit)


def _rule_candidates(partial: list[Piece], candidates: list[Piece]) -> np.ndarray:
    return np.array([_rules([*partial, candidate]) for candidate in candidates])


def _hit(scores: np.ndarray, answer: int) -> float:
    """1 when the answer scores best alone; 1/k when k candidates tie for best with it; else 0."""
    best = scores.max()
    return float(scores[answer] == best) / int(np.sum(scores == best))


def _bootstrap_interval(
    labels: list[int], scores: list[float], rng: np.random.Generator, *, rounds: int = 200
) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of the AUC over ``rounds`` resamplings of the questions."""
    truth, values = np.array(labels), np.array(scores)
    draws = [rng.integers(len(truth), size=len(truth)) for _ in range(rounds)]
    aucs = [roc_auc_score(truth[draw], values[draw]) for draw in draws]
    low, high = np.percentile(aucs, [2.5, 97.5])
    return float(low), float(high)


def _auc(labels: list[int], scores: list[float]) -> float:
    return float(roc_auc_score(labels, scores))


if __name__ == "__main__":
    main()
