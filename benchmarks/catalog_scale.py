"""A retailer's own catalog at scale: import, guide build, search latency and quality, through the CLI.

Three catalogs go through the documented path, each into its own ``VESTIS_HOME``:

* **generated**: ``--products`` (default 100,000) demo-vocabulary products written as a
  Merchant Center feed, then ``vestis import merchant-feed``;
* **myntra**: the real "Fashion Product Images" styles (44k) with ``vestis import myntra``;
* **hm**: the real H&M articles (``hm-articles-images``) with ``vestis import hm``.

For each: the import's and ``vestis guide build``'s wall time (the build's own step times from
the registry's metadata), the in-process search latency p50/p99 (``GuideService.search``, the
call the API makes, one request at a time), the same over HTTP against ``vestis serve``
(client-side), one cold ``vestis guide search`` CLI call, and nDCG@10 where labelled requests
exist (Myntra: ``tests/data/myntra_queries.jsonl``; generated: ``tests/data/guide_queries.jsonl``,
whose attribute rules fit any demo-vocabulary catalog). The named peer, measured in the same
run on the same catalog and requests: ``bm25s`` over the product titles (its nDCG, and its
latency for scoring every product).

Run: ``.venv/bin/python -m benchmarks.catalog_scale`` (about half an hour on 2 cores);
``--products 10000 --catalogs generated`` for a quick check.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import Engine

from benchmarks.guide_search import LABELLED as DEMO_LABELLED
from benchmarks.guide_search import Labelled, bm25s_ranker, judged, load_labelled, mean_ndcg
from benchmarks.report import write_section
from vestis.catalog.db import open_catalog, transaction
from vestis.catalog.models import Product
from vestis.config import Settings
from vestis.data.demo.products import FEED_COLUMNS, feed_row, make_catalog
from vestis.guide.search import ProductSearch
from vestis.guide.service import GUIDE, GuideService
from vestis.models import ModelRegistry

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared" / "data"
MYNTRA = SHARED / "fashion-product-images" / "styles_merged.csv"
HM = SHARED / "hm-articles-images"
MYNTRA_LABELLED = REPOSITORY / "tests" / "data" / "myntra_queries.jsonl"
SECTION = "## A retailer's own catalog at scale (import, build, search latency)"
VESTIS = [sys.executable, "-m", "vestis"]
K = 10
TARGETS = "p99 < 50 ms in-process and < 100 ms over HTTP at 100k products; guide build < 5 min"


@dataclass
class Result:
    """What one catalog measured."""

    name: str
    products: int = 0
    import_s: float = 0.0
    build_s: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    in_process: np.ndarray = field(default_factory=lambda: np.zeros(0))
    http: np.ndarray = field(default_factory=lambda: np.zeros(0))
    peer: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cli_s: float = 0.0
    cli_changed_s: float = 0.0
    cli_next_s: float = 0.0
    during: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cli_server_s: float = 0.0
    ndcg: float | None = None
    peer_ndcg: float | None = None
    requests: int = 0


def main(argv: Sequence[str] | None = None) -> None:
    """Run every catalog asked for, print the section and write it to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000, help="Size of the generated catalog.")
    parser.add_argument("--catalogs", default="generated,myntra,hm", help="Which catalogs (comma-separated).")
    parser.add_argument("--port", type=int, default=8791, help="Port for the HTTP measurement.")
    parser.add_argument(
        "--no-report", action="store_true", help="Print only; do not write docs/benchmarks.md."
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    queries = _queries()
    results = []
    with tempfile.TemporaryDirectory(prefix="vestis-scale-") as scratch:
        for name in args.catalogs.split(","):
            home = Path(scratch) / name
            print(f"== {name}", flush=True)
            results.append(measure(name, home, queries, args))
            shutil.rmtree(home, ignore_errors=True)
    text = report(results, args)
    print(text)
    if not args.no_report:
        write_section(text)


def measure(name: str, home: Path, queries: Sequence[str], args: argparse.Namespace) -> Result:
    """Import, build, and measure one catalog in ``home``."""
    result = Result(name)
    source, command = _source(name, home, args.products)
    started = time.perf_counter()
    _vestis(home, "import", *command, str(source), "--quiet")
    result.import_s = time.perf_counter() - started
    started = time.perf_counter()
    _vestis(home, "guide", "build")
    result.build_s = time.perf_counter() - started
    settings = Settings(home=home)
    version = ModelRegistry(settings.models_dir).active(GUIDE)
    result.steps = dict(version.metadata.get("build_seconds", {})) if version else {}

    engine = open_catalog(settings)
    guide = GuideService(settings, engine)
    guide.reload()
    products = ProductSearch.load(guide.path / "search", engine).products  # type: ignore[operator]
    result.products = len(products)
    result.in_process = _timed(lambda text: guide.search(text, k=12), queries)
    ids = [p.id for p in products]
    peer = bm25s_ranker(ids, [p.title for p in products])
    result.peer = _timed(peer, queries)
    labelled = _labelled(name, products)
    if labelled:
        result.requests = len(labelled)
        result.ndcg = mean_ndcg(lambda text: [hit.product_id for hit in guide.search(text, k=K)], labelled)
        result.peer_ndcg = mean_ndcg(peer, labelled)

    result.cli_s = _timed_cli(home, queries[0])
    with transaction(engine) as session:  # one product edited, as a merchandiser would
        product = session.get(Product, ids[len(ids) // 2])
        assert product is not None
        product.title = f"{product.title} (new season)"
    result.cli_changed_s = _timed_cli(home, queries[0])  # re-reads the catalog, embeds one product, saves
    result.cli_next_s = _timed_cli(home, queries[0])  # starts from the snapshot saved after the change
    result.during = _during_a_reindex(settings, engine, ids[len(ids) // 3], queries)
    result.http, result.cli_server_s = _through_a_server(home, queries, args.port)
    print(
        f"{name}: {result.products:,} products, import {result.import_s:.1f} s, build {result.build_s:.1f} s, "
        f"in-process p50 {_p(result.in_process, 50):.1f} p99 {_p(result.in_process, 99):.1f} ms, "
        f"HTTP p50 {_p(result.http, 50):.1f} p99 {_p(result.http, 99):.1f} ms, CLI {result.cli_s:.1f} s "
        f"(after a change {result.cli_changed_s:.1f} s, next {result.cli_next_s:.1f} s, with --server {result.cli_server_s:.1f} s), "
        f"searches after an edit {_during(result.during)}",
        flush=True,
    )
    return result


def report(results: Sequence[Result], args: argparse.Namespace) -> str:
    """The Markdown section."""
    rows = []
    for r in results:
        quality = (
            f"{r.ndcg:.3f} ({r.ndcg / r.peer_ndcg:.2f}× bm25s, {r.requests} requests)"
            if r.ndcg is not None and r.peer_ndcg
            else "no labels"
        )
        rows.append(
            f"| {r.name} | {r.products:,} | {r.import_s:.0f} | {r.build_s:.0f} "
            f"({', '.join(f'{step} {seconds:.0f}' for step, seconds in r.steps.items())}) | "
            f"{_p(r.in_process, 50):.1f} / {_p(r.in_process, 99):.1f} | {_p(r.http, 50):.1f} / {_p(r.http, 99):.1f} | "
            f"{_p(r.peer, 50):.1f} / {_p(r.peer, 99):.1f} | {r.cli_s:.1f} / {r.cli_changed_s:.1f} / {r.cli_next_s:.1f} / {r.cli_server_s:.1f} | "
            f"{_during(r.during)} | {quality} |"
        )
    command = (
        "`.venv/bin/python -m benchmarks.catalog_scale"
        + (f" --products {args.products}" if args.products != 100_000 else "")
        + (f" --catalogs {args.catalogs}" if args.catalogs != "generated,myntra,hm" else "")
        + "`"
    )
    lines = [
        SECTION,
        "",
        "Each catalog imported and built through the CLI into its own home (`vestis import …`, "
        "`vestis guide build`), then searched with the catalog-independent requests of "
        "`tests/data/guide_queries.jsonl` and `tests/data/myntra_queries.jsonl` "
        f"({len(results[0].in_process) // 2 if results else 0} requests, one at a time, cold for the encoder's cache). "
        f"Goals: {TARGETS}.",
        "",
        "| catalog | products | import s | guide build s (steps) | in-process ms p50 / p99 | HTTP ms p50 / p99 "
        "| peer bm25s on titles ms p50 / p99 | CLI search s: alone / after a change / next / with `--server` "
        "| searches after a product edit: first ms / worst ms (count) | hybrid nDCG@10 |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
        "",
        "In-process is `GuideService.search` (parse, filter, BM25, MiniLM query embedding, HNSW, fusion), "
        "what `GET /guide/search` calls; HTTP is measured by a client on the same machine against "
        "`vestis serve`; the peer scores every product's title with bm25s (lexical only, no filters). "
        "The CLI times are one `vestis guide search` process from start to answer: loading the saved index "
        "and catalog snapshot itself; the same after one product's title was edited (the catalog is read "
        "again, one product embedded, the snapshot saved); the next call, "
        "which starts from that snapshot; and asking the running server (`--server URL`). "
        "Searches after a product edit: a service that checks the catalog on every search, from the search "
        "that notices the edit until the re-index is done; from `BACKGROUND_REFRESH_FROM` products the "
        "re-index runs on a background thread and the previous snapshot answers meanwhile (the worst "
        "search is one that shared the CPU and the GIL with it), below it the first search waits for it.",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        f"Reproduce: {command}",
    ]
    return "\n".join(lines) + "\n"


def _source(name: str, home: Path, products: int) -> tuple[Path, list[str]]:
    """The file or folder to import and the ``vestis import`` subcommand for catalog ``name``."""
    if name == "generated":
        return _generated_feed(home / "feed.tsv", products), ["merchant-feed"]
    if name == "myntra":
        return MYNTRA, ["myntra"]
    if name == "hm":
        return HM, ["hm"]
    raise SystemExit(f"unknown catalog {name!r}; choose from generated, myntra, hm")


def _generated_feed(path: Path, count: int) -> Path:
    """A Merchant Center feed of ``count`` demo-vocabulary products (no images)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    start = date(2025, 1, 1)
    products = make_catalog(np.random.default_rng(11), count, days=365, start=start)
    columns = [column for column in FEED_COLUMNS if column not in ("image_link", "additional_image_link")]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, delimiter="\t", extrasaction="ignore")
        writer.writeheader()
        for product in products:
            writer.writerow(feed_row(product, start=start))
    return path


def _during_a_reindex(
    settings: Settings, engine: Engine, product_id: str, queries: Sequence[str]
) -> np.ndarray:
    """Milliseconds of each search from the one that notices an edited product until the re-index is done.

    A large catalog re-indexes on a background thread (``BACKGROUND_REFRESH_FROM``): the first
    search answers from the previous snapshot, later ones share the CPU with the re-index. A
    smaller one re-indexes before answering: then there is one search, and it waits.
    """
    guide = GuideService(settings, engine, check_interval=0.0)
    guide.search(queries[0], k=12)
    with transaction(engine) as session:
        product = session.get(Product, product_id)
        assert product is not None
        product.title = f"{product.title} (restocked)"
    times = []
    for text in itertools.cycle(queries):
        started = time.perf_counter()
        guide.search(text, k=12)
        times.append((time.perf_counter() - started) * 1000)
        if not guide.reindexing:
            break
    return np.array(times)


def _timed_cli(home: Path, query: str) -> float:
    """Seconds one ``vestis guide search`` process takes from start to answer."""
    started = time.perf_counter()
    _vestis(home, "guide", "search", query, "--k", "5")
    return time.perf_counter() - started


def _vestis(home: Path, *command: str) -> None:
    """Run the CLI in ``home``; a failure stops the benchmark with its output."""
    done = subprocess.run(
        [*VESTIS, "--home", str(home), *command], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(
            f"vestis {' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )


def _queries() -> list[str]:
    """Every labelled request's text, both files, in order, without repeats."""
    texts = [item.query for path in (DEMO_LABELLED, MYNTRA_LABELLED) for item in load_labelled(path)]
    return list(dict.fromkeys(texts))


def _labelled(name: str, products: Sequence[object]) -> list[Labelled]:
    path = {"generated": DEMO_LABELLED, "myntra": MYNTRA_LABELLED}.get(name)
    if path is None:
        return []
    return [item for item in judged(load_labelled(path), products) if item.relevant]  # type: ignore[arg-type]


def _timed(search: Callable[[str], object], queries: Sequence[str]) -> np.ndarray:
    """Milliseconds per request, each request made new to the encoder's cache by a suffix."""
    search(queries[0])  # loads whatever loads on first use
    times = []
    for suffix in ("please", "thanks"):
        for text in queries:
            started = time.perf_counter()
            search(f"{text} {suffix}")
            times.append((time.perf_counter() - started) * 1000)
    return np.array(times)


def _through_a_server(home: Path, queries: Sequence[str], port: int) -> tuple[np.ndarray, float]:
    """Client-side ms per ``GET /guide/search`` against a real ``vestis serve``, and one CLI call through it."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use; pass --port")
    server = subprocess.Popen(
        [*VESTIS, "--home", str(home), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            _wait_ready(client)
            latencies = _timed(
                lambda text: client.get("/guide/search", params={"q": text, "k": 12}).raise_for_status(),
                queries,
            )
        started = time.perf_counter()
        _vestis(home, "guide", "search", queries[0], "--k", "5", "--server", f"http://127.0.0.1:{port}")
        return latencies, time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def _wait_ready(client: httpx.Client, seconds: float = 600) -> None:
    """Until ``/health`` says the guide is loaded."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.get("/health").json()["guide"]["status"] == "ready":
                return
        except (httpx.HTTPError, KeyError, ValueError):
            pass
        time.sleep(1)
    raise SystemExit("the server's guide was not ready in time")


def _during(times: np.ndarray) -> str:
    return f"{times[0]:.0f} / {times.max():.0f} ({len(times)})" if len(times) else "–"


def _p(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


if __name__ == "__main__":
    main()
