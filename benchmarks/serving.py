"""Latency and throughput of ``GET /customers/{id}/recommendations`` against the in-process call.

Prepares a demo home (generated, loaded and trained once; reused with ``--home``), starts the
real server (``python -m vestis serve``) on a free loopback port, and measures:

* the in-process ``RecommendationService.for_customer`` call (one thread);
* the same requests over HTTP from one client (latency the API adds on top of the model);
* the same requests from ``--concurrency`` clients (requests per second).

Every phase is bounded by a request count and a time limit. Results are printed and written
as the "## Serving" section of ``docs/benchmarks.md`` (other sections are left alone).

Run: ``.venv/bin/python -m benchmarks.serving --requests 2000 --concurrency 8``
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
from tests.e2e.shop import _free_port, _wait_until_healthy

from benchmarks.demo_shop import demo_shop
from benchmarks.report import write_section
from vestis.catalog.db import open_catalog
from vestis.config import Settings
from vestis.models import ModelRegistry
from vestis.recommend.serving import RecommendationService
from vestis.recommend.training import ensure_trained

REPOSITORY = Path(__file__).resolve().parents[1]
REPORT = REPOSITORY / "docs" / "benchmarks.md"
SECTION = "## Serving"
K = 12


@dataclass(frozen=True)
class Timing:
    """Latencies (ms) of one phase and its throughput."""

    name: str
    latencies_ms: np.ndarray
    seconds: float

    @property
    def p50(self) -> float:
        """Median latency in milliseconds."""
        return float(np.percentile(self.latencies_ms, 50))

    @property
    def p99(self) -> float:
        """99th-percentile latency in milliseconds."""
        return float(np.percentile(self.latencies_ms, 99))

    @property
    def rps(self) -> float:
        """Completed calls per second of wall time."""
        return len(self.latencies_ms) / self.seconds

    def row(self) -> str:
        """A Markdown table row."""
        return (
            f"| {self.name} | {len(self.latencies_ms)} | {self.p50:.2f} | {self.p99:.2f} | {self.rps:,.0f} |"
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, prepare the shop, measure every phase and write the report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--home", type=Path, help="Reuse (or create) this demo home instead of a temporary one."
    )
    parser.add_argument("--requests", type=int, default=2000, help="Requests per phase (default 2000).")
    parser.add_argument("--concurrency", type=int, default=8, help="Clients in the throughput phase.")
    parser.add_argument("--time-limit", type=float, default=60.0, help="Seconds per phase at most.")
    parser.add_argument("--no-report", action="store_true", help=f"Do not write {REPORT.name}.")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="vestis-bench-") as scratch:
        home = args.home or Path(scratch)
        settings = prepare(home)
        engine = open_catalog(settings)
        service = RecommendationService(ModelRegistry(settings.models_dir), engine)
        customers = sample_customers(args.requests)
        local = measure(
            "in-process `for_customer`", lambda c: service.for_customer(c, K), customers, 1, args.time_limit
        )
        with serve(settings) as url, httpx.Client(base_url=url, timeout=10) as client:
            get = _getter(client)
            get(customers[0])  # warm up the connection
            sequential = measure("HTTP, 1 client", get, customers, 1, args.time_limit)
            concurrent = measure(
                f"HTTP, {args.concurrency} clients", get, customers, args.concurrency, args.time_limit
            )
    timings = [local, sequential, concurrent]
    text = report(timings, service.for_customer(customers[1], K)[0].model, args)
    print(text)
    if not args.no_report:
        write_section(text, REPORT)
        print(f"written to {REPORT}")


def prepare(home: Path) -> Settings:
    """A home holding the loaded demo shop and trained, active models (each step done once)."""
    ensure_trained(demo_shop(home), Settings(home=home))
    return Settings(home=home)


def sample_customers(count: int, seed: int = 0) -> list[str]:
    """Demo customer ids, mostly known shoppers and one in ten unknown (cold start)."""
    rng = np.random.default_rng(seed)
    known = rng.integers(1, 2001, size=count)
    return [f"cu-{n:06d}" if i % 10 else f"visitor-{n}" for i, n in enumerate(known)]


def measure(
    name: str, call: Callable[[str], object], customers: list[str], workers: int, time_limit: float
) -> Timing:
    """Run ``call`` for each customer on ``workers`` threads until done or ``time_limit`` passes."""
    deadline = time.perf_counter() + time_limit

    def timed(customer: str) -> float | None:
        if time.perf_counter() > deadline:
            return None
        started = time.perf_counter()
        call(customer)
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    if workers == 1:
        results = [timed(c) for c in customers]
    else:
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(timed, customers))
    seconds = time.perf_counter() - started
    return Timing(name, np.array([r for r in results if r is not None]), seconds)


class serve:  # noqa: N801 - used as a context manager, like open()
    """``python -m vestis serve`` on a free loopback port for the duration of a ``with`` block."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __enter__(self) -> str:
        port = _free_port()
        env = {**os.environ, "VESTIS_HOME": str(self.settings.home), "VESTIS_HOST": "127.0.0.1",
               "VESTIS_PORT": str(port)}  # fmt: skip
        self.log = (self.settings.home / "bench-server.log").open("ab")
        command = [sys.executable, "-m", "vestis", "serve"]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, self.process, self.settings.home / "bench-server.log", timeout=120)
        return url

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def report(timings: list[Timing], model: str, args: argparse.Namespace) -> str:
    """The "## Serving" section as Markdown."""
    local, sequential, concurrent = timings
    overhead = sequential.p99 - local.p99
    lines = [
        SECTION,
        "",
        f"`GET /customers/{{id}}/recommendations?k={K}` against the real server (`python -m vestis serve`,"
        " one uvicorn worker, loopback) next to the in-process `RecommendationService.for_customer` call,"
        f" on the demo shop (2,000 shoppers, 360 products; one request in ten is an unknown shopper)."
        f" Model answering known shoppers: `{model}`.",
        "",
        "| phase | requests | p50 ms | p99 ms | requests/s |",
        "|---|---:|---:|---:|---:|",
        *(t.row() for t in timings),
        "",
        f"HTTP adds {sequential.p50 - local.p50:.2f} ms at p50 and {overhead:.2f} ms at p99 to the in-process"
        f" call (ratio {sequential.p50 / local.p50:.1f}× at p50); goal: under 5 ms at p99"
        f" — {'met' if overhead < 5 else 'not met'}. {concurrent.rps:,.0f} requests/s with"
        f" {args.concurrency} clients.",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python"
        f" {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d}; load average {os.getloadavg()[0]:.1f} when"
        " measured (the load generator and any other work share the cores, which widens p99).",
        "",
        "Reproduce: `.venv/bin/python -m benchmarks.serving"
        f" --requests {args.requests} --concurrency {args.concurrency}`",
        "",
    ]
    return "\n".join(lines)


def _getter(client: httpx.Client) -> Callable[[str], object]:
    def get(customer: str) -> object:
        response = client.get(f"/customers/{customer}/recommendations", params={"k": K})
        response.raise_for_status()
        return response

    return get


if __name__ == "__main__":
    main()
