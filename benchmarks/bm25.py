"""The shopping guide's BM25 scorer alone against ``bm25s``, on the same token lists of real products.

``benchmarks/guide_search.py`` compares whole search systems by nDCG; this isolates the scorer
behind the guide's lexical search (``vestis.guide.bm25.bm25_matrix`` and
``bm25_scores``) to decide whether the dependency could replace it. Both get the same
documents — every Myntra product (``../shared/data/fashion-product-images``) read with the
``vestis import myntra`` converter, as the index sees it (``GuideProduct.text()``), split by
the index's tokeniser ``vestis.text.tokens.terms`` — and the same k1 and b (the guide's
defaults). ``bm25s`` runs ``method="lucene"``: its IDF ``log(1 + (N − df + 0.5)/(df + 0.5))``
is ours (never negative, so no floor is needed); its term weight lacks the constant factor
``k1 + 1`` ours has, so its scores are compared after multiplying by ``k1 + 1`` (rankings do
not depend on it). ``bm25s`` scores in float64 here, as ours does.

Measured, one thread:

* agreement on held-out products' titles and on 2–3 consecutive title terms (short queries):
  the largest absolute score difference and the mean top-10 overlap;
* index build time (median of repeats);
* scoring latency per query — the full score vector over every document, which the guide
  needs because it applies hard-constraint filters afterwards (``bm25s``: ``get_scores``) —
  p50/p99, for ours as the guide scores now (adding up the query terms' columns), ours as
  it scored before (one sparse mat-vec over the whole matrix) and ``bm25s``.

Results are printed and written as the "## BM25 scorer vs bm25s" section of docs/benchmarks.md.

Run: ``.venv/bin/python -m benchmarks.bm25``
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.report import write_section
from vestis.catalog.models import Product
from vestis.data.myntra import REQUIRED_COLUMNS, myntra_products
from vestis.data.tables import open_table
from vestis.guide.bm25 import bm25_matrix, bm25_scores
from vestis.guide.search import ProductSearch
from vestis.guide.vocabulary import GuideProduct
from vestis.text.tokens import terms

REPOSITORY = Path(__file__).resolve().parents[1]
STYLES = REPOSITORY.parent / "shared" / "data" / "fashion-product-images" / "styles_merged.csv"
SECTION = "## BM25 scorer vs bm25s"
OURS = "ours: add up the query terms' columns"
MATVEC = "ours before: one sparse mat-vec over all terms"
PEER = "bm25s `get_scores`"
K = 10

T = TypeVar("T")


@dataclass(frozen=True)
class Agreement:
    """How closely two scorers agree on one query set."""

    queries: int
    max_abs_diff: float
    top_overlap: float
    same_order: float


def myntra_documents(styles: Path = STYLES) -> list[GuideProduct]:
    """Every titled product of the Myntra styles CSV as the guide reads it (no catalog database needed)."""
    required = tuple(c.lower() for c in REQUIRED_COLUMNS)
    with open_table(styles, required=required, lower_header=True, progress=False) as (_header, rows):
        return [
            GuideProduct.from_product(Product(**fields))
            for _line, fields in myntra_products(rows, styles.parent)
            if fields["title"]
        ]


def main(argv: Sequence[str] | None = None) -> None:
    """Tokenise the catalog, hold out query products, measure both scorers and write the report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--styles", type=Path, default=STYLES, help="The Myntra styles CSV.")
    parser.add_argument("--queries", type=int, default=300, help="Held-out products per query set.")
    parser.add_argument("--repeats", type=int, default=5, help="Index builds timed per scorer.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the held-out split.")
    parser.add_argument(
        "--no-report", action="store_true", help="Print only; do not write docs/benchmarks.md."
    )
    args = parser.parse_args(argv)
    if not args.styles.is_file():
        raise SystemExit(f"{args.styles}: not found (the shared data sets live in ../shared/data)")
    import bm25s

    defaults = ProductSearch.__init__.__kwdefaults__
    k1, b = float(defaults["k1"]), float(defaults["b"])
    products = myntra_documents(args.styles)
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(products))
    held_out, indexed = order[: args.queries], order[args.queries :]
    documents = [terms(products[i].text()) for i in indexed]
    titles = [q for q in (terms(products[i].title) for i in held_out) if q]
    short = [_window(q, rng) for q in titles]

    with threadpool_limits(1):
        ours_s, (matrix, vocabulary) = _timed_build(lambda: bm25_matrix(documents, k1=k1, b=b), args.repeats)
        peer_s, peer = _timed_build(lambda: _bm25s_index(bm25s, documents, k1, b), args.repeats)

        def ours(query: list[str]) -> np.ndarray:  # what Snapshot.lexical does after tokenising
            return bm25_scores(matrix, [vocabulary[t] for t in query if t in vocabulary])

        def matvec(query: list[str]) -> np.ndarray:  # the scoring Snapshot.lexical used before
            columns = [vocabulary[t] for t in query if t in vocabulary]
            counts = np.bincount(columns, minlength=matrix.shape[1]).astype(float)
            return np.asarray(matrix @ counts).ravel()

        def theirs(query: list[str]) -> np.ndarray:
            return peer.get_scores(query) * (k1 + 1)

        agreement = {
            name: _agreement(ours, theirs, qs) for name, qs in (("titles", titles), ("short", short))
        }
        scorers = {OURS: ours, MATVEC: matvec, PEER: theirs}
        latency = {name: _latencies(score, [*titles, *short]) for name, score in scorers.items()}
    text = report(agreement, latency, ours_s, peer_s, args.repeats, len(documents), k1, b, bm25s.__version__)
    print(text)
    if not args.no_report:
        write_section(text)


def report(
    agreement: dict[str, Agreement],
    latency: dict[str, np.ndarray],
    ours_s: float,
    peer_s: float,
    repeats: int,
    documents: int,
    k1: float,
    b: float,
    version: str,
) -> str:
    """The Markdown section."""
    p50 = {name: float(np.percentile(times, 50)) for name, times in latency.items()}
    p99 = {name: float(np.percentile(times, 99)) for name, times in latency.items()}
    lines = [
        SECTION,
        "",
        f"The guide's lexical scorer (`bm25_matrix` + `bm25_scores`) against `bm25s` {version} "
        f'(`method="lucene"`, float64, numpy backend) on the same token lists: {documents} Myntra products '
        f"(`GuideProduct.text()` split by `vestis.text.tokens.terms`), k1 = {k1}, b = {b}. Queries are held-out "
        "products' titles and 2–3 consecutive terms of them; `bm25s` scores are multiplied by k1 + 1, the "
        "constant its term weight leaves out.",
        "",
        "| queries | n | max abs score difference | top-10 overlap | same top-10 order |",
        "| --- | ---: | ---: | ---: | ---: |",
        *[
            f"| {name} | {a.queries} | {a.max_abs_diff:.1e} | {a.top_overlap:.3f} | {a.same_order:.3f} |"
            for name, a in agreement.items()
        ],
        "",
        "| one thread | ours | bm25s | ours / bm25s |",
        "| --- | ---: | ---: | ---: |",
        f"| index build, s (median of {repeats}) | {ours_s:.2f} | {peer_s:.2f} | {ours_s / peer_s:.2f}× |",
        "",
        "| full score vector per query, one thread | p50 ms | p99 ms | p50 vs bm25s |",
        "| --- | ---: | ---: | ---: |",
        *[
            f"| {name} | {p50[name]:.3f} | {p99[name]:.3f} | {p50[name] / p50[PEER]:.2f}× |"
            for name in latency
        ],
        "",
        _decision(ours_s <= peer_s and p50[OURS] <= p50[PEER]),
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        "",
        "Reproduce: `.venv/bin/python -m benchmarks.bm25` (needs ../shared/data).",
    ]
    return "\n".join(lines) + "\n"


def _decision(ours_wins: bool) -> str:
    """What the numbers above decide: keep our scorer only while it is at least as fast as the peer."""
    if not ours_wins:
        return "Decision to revisit: `bm25s` is faster here, and it gives the same scores."
    return (
        "Decision: keep ours. It gives the same scores, builds faster and, adding up only the query "
        "terms' postings, scores at least as fast; `bm25s` would add a runtime dependency (and it imports "
        "jax where that is installed). The guide rebuilds the matrix whole on every refresh, so neither "
        "has an incremental update to offer."
    )


def _bm25s_index(bm25s: object, documents: Sequence[list[str]], k1: float, b: float) -> object:
    index = bm25s.BM25(k1=k1, b=b, method="lucene", dtype="float64")  # type: ignore[attr-defined]
    index.index(list(documents), show_progress=False)
    return index


def _timed_build(build: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The median wall time of ``repeats`` calls of ``build`` and the last result."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = build()
        times.append(time.perf_counter() - started)
    return float(np.median(times)), result


def _window(query: list[str], rng: np.random.Generator) -> list[str]:
    """2 or 3 consecutive terms of ``query`` (all of it when shorter)."""
    size = min(len(query), int(rng.integers(2, 4)))
    start = int(rng.integers(0, len(query) - size + 1))
    return query[start : start + size]


def _agreement(
    ours: Callable[[list[str]], np.ndarray],
    theirs: Callable[[list[str]], np.ndarray],
    queries: Sequence[list[str]],
) -> Agreement:
    diffs, overlaps, same = [], [], []
    for query in queries:
        a, b = ours(query), theirs(query)
        diffs.append(float(np.abs(a - b).max()))
        top_a, top_b = _top(a), _top(b)
        overlaps.append(len(set(top_a) & set(top_b)) / K)
        same.append(top_a == top_b)
    return Agreement(len(queries), max(diffs), float(np.mean(overlaps)), float(np.mean(same)))


def _top(scores: np.ndarray) -> list[int]:
    """The best ``K`` rows, ties by row (as the guide's ``_top``)."""
    return np.argsort(-scores, kind="stable")[:K].tolist()


def _latencies(score: Callable[[list[str]], np.ndarray], queries: Sequence[list[str]]) -> np.ndarray:
    """Milliseconds per full score vector, each query scored twice (the first pass warms up)."""
    for query in queries:
        score(query)
    times = []
    for query in queries:
        started = time.perf_counter()
        score(query)
        times.append((time.perf_counter() - started) * 1000)
    return np.array(times)


if __name__ == "__main__":
    main()
