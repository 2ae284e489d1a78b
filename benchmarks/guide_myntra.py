"""The shopping guide on a real catalog: nDCG@10 on the Myntra product set vs bm25s on titles.

The Myntra "Fashion Product Images" styles CSV (``../shared/data/fashion-product-images``,
44k products) is imported with ``vestis import myntra``'s converter into a scratch catalog,
the guide's index is built on every imported product (images or not) and the labelled
requests of ``tests/data/myntra_queries.jsonl`` are judged by their attribute rules over the
whole catalog (grade 2 = exactly what was asked, 1 = acceptable; the rules were written
before any tuning). Measured in one run on the same catalog:

* the guide: lexical (BM25), semantic (MiniLM + HNSW) and hybrid, with the parsed query;
* hybrid on the raw text (no parsing), to show what query understanding adds;
* the named peer: plain ``bm25s`` on the product titles (``productDisplayName``), and
  ``bm25s`` on the same indexed text the guide uses;
* the index build time (import excluded) and in-process hybrid search latency p50/p99.

Embedding 44k titles with MiniLM takes minutes on a small machine: ``--index DIR`` saves
the built index there and a later run loads it (only changed products are re-embedded); the
build time reported is then the load time, and the section says so.

Run: ``.venv/bin/python -m benchmarks.guide_myntra``
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from benchmarks.guide_search import (
    K,
    Labelled,
    bm25s_ranker,
    graded_ndcg,
    judged,
    load_labelled,
    mean_ndcg,
    ranker,
)
from benchmarks.report import write_section
from vestis.catalog.db import make_engine, transaction, upgrade
from vestis.data.myntra import import_myntra
from vestis.guide.search import Mode, ProductSearch
from vestis.text.encoders import MiniLMEncoder

REPOSITORY = Path(__file__).resolve().parents[1]
STYLES = REPOSITORY.parent / "shared" / "data" / "fashion-product-images" / "styles_merged.csv"
LABELLED = REPOSITORY / "tests" / "data" / "myntra_queries.jsonl"
SECTION = "## Shopping guide on the Myntra catalog (real data)"
PEER = "peer: bm25s on titles (productDisplayName)"


def myntra_catalog(directory: Path, styles: Path = STYLES, *, rows: int | None = None) -> Engine:
    """A scratch catalog holding the Myntra products of ``styles`` (the first ``rows`` when given)."""
    directory.mkdir(parents=True, exist_ok=True)
    source = styles
    if rows is not None:
        source = directory / "styles.csv"
        with styles.open(encoding="utf-8") as handle:
            source.write_text(
                "".join(line for _, line in zip(range(rows + 1), handle, strict=False)), "utf-8"
            )
    engine = make_engine(f"sqlite:///{directory / 'catalog.db'}")
    upgrade(engine)
    with transaction(engine) as session:
        import_myntra(session, source, images_dir=directory / "images", progress=False)
    return engine


def main(argv: Sequence[str] | None = None) -> None:
    """Import the catalog, build or load the index, measure every ranker and write the report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--styles", type=Path, default=STYLES, help="The Myntra styles CSV.")
    parser.add_argument(
        "--rows", type=int, default=None, help="Only the first ROWS products (a quick check)."
    )
    parser.add_argument(
        "--index", type=Path, default=None, help="Save the index here, or load it when present."
    )
    parser.add_argument(
        "--no-report", action="store_true", help="Print only; do not write docs/benchmarks.md."
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not args.styles.is_file():
        raise SystemExit(f"{args.styles}: not found (the shared data sets live in ../shared/data)")
    with tempfile.TemporaryDirectory(prefix="vestis-myntra-") as scratch:
        started = time.perf_counter()
        engine = myntra_catalog(Path(scratch), args.styles, rows=args.rows)
        import_s = time.perf_counter() - started
        encoder = MiniLMEncoder(progress=True)
        cached = args.index is not None and args.index.is_dir()
        started = time.perf_counter()
        if cached:
            search = ProductSearch.load(args.index, engine, encoder=encoder)
        else:
            search = ProductSearch.build(engine, encoder=encoder, path=args.index)
        build_s = time.perf_counter() - started
        products = search.products
        labelled = [item for item in judged(load_labelled(LABELLED), products) if item.relevant]
        ids = [p.id for p in products]
        rows = [
            (f"{mode}, parsed query (ours)", mean_ndcg(ranker(search, mode), labelled))
            for mode in ("lexical", "semantic", "hybrid")
        ]
        rows.append(
            ("hybrid, raw text only (no parsing)", mean_ndcg(ranker(search, "hybrid", parse=False), labelled))
        )
        titles = bm25s_ranker(ids, [p.title for p in products])
        rows.append((PEER, mean_ndcg(titles, labelled)))
        rows.append(
            (
                "peer: bm25s on the guide's indexed text",
                mean_ndcg(bm25s_ranker(ids, [p.text() for p in products]), labelled),
            )
        )
        _print_worst(search, labelled)
        queries = [item.query for item in labelled]
        latencies = {mode: _latencies(search, queries, mode) for mode in ("hybrid", "lexical")}
        build = (
            f"loaded from a saved index (`--index`) in {build_s:.1f} s"
            if cached
            else f"built in {build_s:.1f} s"
        )
        text = report(rows, latencies, build, import_s, len(labelled), len(products), args)
    print(text)
    if not args.no_report:
        write_section(text)


def report(
    rows: Sequence[tuple[str, float]],
    latencies: Mapping[str, np.ndarray],
    build: str,
    import_s: float,
    queries: int,
    products: int,
    args: argparse.Namespace,
) -> str:
    """The Markdown section."""
    peer = dict(rows)[PEER]
    command = (
        "`.venv/bin/python -m benchmarks.guide_myntra" + (f" --rows {args.rows}" if args.rows else "") + "`"
    )
    lines = [
        SECTION,
        "",
        f"Graded nDCG@{K} (gain 2^grade − 1) over {queries} labelled shopper requests on the Myntra "
        f'"Fashion Product Images" catalog ({products:,} products imported with `vestis import myntra`; '
        "no prices). Relevance comes from attribute rules per request (`tests/data/myntra_queries.jsonl`: "
        "article type, colour, gender, kids/adult, usage, season), written before any tuning and judged "
        "over the whole catalog (a request nothing in the catalog satisfies would be left out).",
        "",
        "| ranker | nDCG@10 | vs bm25s on titles |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {value:.3f} | {value / peer:.2f}× |" for name, value in rows],
        "",
        f"Index: {build} (MiniLM embeddings of every product + BM25 + facets; the import took "
        f"{import_s:.1f} s before it). Search in-process, one thread, over "
        f"{len(latencies['hybrid'])} searches: hybrid p50 {np.percentile(latencies['hybrid'], 50):.1f} ms, "
        f"p99 {np.percentile(latencies['hybrid'], 99):.1f} ms; lexical (no query embedding) p50 "
        f"{np.percentile(latencies['lexical'], 50):.1f} ms, p99 {np.percentile(latencies['lexical'], 99):.1f} ms. "
        f"Hybrid time is mostly the MiniLM embedding of the request, which slows down sharply when "
        f"the machine's cores are busy (load average {os.getloadavg()[0]:.1f} at the end of this run).",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}.",
        "",
        f"Reproduce: {command} (add `--index DIR` to keep the embeddings for the next run)",
    ]
    return "\n".join(lines) + "\n"


def _print_worst(search: ProductSearch, labelled: Sequence[Labelled], count: int = 12) -> None:
    """The hybrid ranker's weakest requests, with its top three, to see where it goes wrong."""
    rank = ranker(search, "hybrid")
    scored = sorted(
        ((graded_ndcg(rank(item.query), item.relevant), item) for item in labelled), key=lambda pair: pair[0]
    )
    for value, item in scored[:count]:
        top = [search.product(i) for i in rank(item.query)[:3]]
        shown = "; ".join(f"{p.title} [{p.kind}, {p.gender}/{p.age_group}]" for p in top if p is not None)
        print(f"{value:.3f}  {item.query!r} → {shown}")


def _latencies(search: ProductSearch, queries: Sequence[str], mode: Mode) -> np.ndarray:
    search.search(queries[0], mode=mode)  # warm up the model
    times = []
    for text in [
        f"{query} {ending}" for ending in (f"please ({mode})", f"thanks ({mode})") for query in queries
    ]:
        started = time.perf_counter()
        search.search(text, mode=mode)  # a text the encoder's cache has not seen
        times.append((time.perf_counter() - started) * 1000)
    return np.array(times)


if __name__ == "__main__":
    main()
