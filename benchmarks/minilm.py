"""The NumPy MiniLM (``vestis.text.minilm``) beside sentence-transformers, the peer it stands in for.

Both run the offline all-MiniLM-L6-v2 files. Measured in one run, each cold start in a fresh
Python process (what a CLI call or a server start pays):

* cold start: import, load the model and embed one request, in a new process;
* one request at a time: p50/p99 over shopper requests (the guide's labelled ones), warm;
* a batch: seconds for ``--batch`` product texts (what a guide build embeds);
* agreement: the largest absolute difference between the two embeddings of every text.

``vestis.text.encoders.MiniLMEncoder`` uses NumPy for up to ``SMALL_BATCH`` texts and
sentence-transformers above: this benchmark is the evidence for that split.

Run: ``.venv/bin/python -m benchmarks.minilm``
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date

import numpy as np

from benchmarks.catalog_scale import _queries
from benchmarks.report import write_section
from vestis.data.demo.products import make_catalog

SECTION = "## Sentence embeddings: NumPy MiniLM vs sentence-transformers"
COLD = {
    "numpy (vestis.text.minilm)": "from vestis.text.minilm import MiniLM; MiniLM().encode([{text!r}])",
    "sentence-transformers": (
        "from sentence_transformers import SentenceTransformer; from vestis.text.minilm import model_path; "
        "SentenceTransformer(str(model_path()), device='cpu').encode([{text!r}], normalize_embeddings=True)"
    ),
}


def main(argv: Sequence[str] | None = None) -> None:
    """Measure both, print the section and write it to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batch", type=int, default=2000, help="Product texts in the batch measurement.")
    parser.add_argument(
        "--cold-runs", type=int, default=3, help="Fresh processes per cold-start measurement."
    )
    parser.add_argument(
        "--no-report", action="store_true", help="Print only; do not write docs/benchmarks.md."
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    from vestis.text.minilm import MiniLM, model_path

    requests = _queries()
    products = [
        p.title for p in make_catalog(np.random.default_rng(0), args.batch, days=365, start=date(2026, 1, 1))
    ]
    ours = MiniLM()
    peer = SentenceTransformer(str(model_path()), device="cpu")

    def peer_encode(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(
            peer.encode(list(texts), batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
        )

    rows = []
    for name, encode in (("numpy (vestis.text.minilm)", ours.encode), ("sentence-transformers", peer_encode)):
        cold = _cold_start(COLD[name].format(text=requests[0]), args.cold_runs)
        single = _per_request(encode, requests)
        started = time.perf_counter()
        encode(products)
        batch = time.perf_counter() - started
        rows.append((name, cold, single, batch))
        print(f"{name}: cold {np.median(cold):.2f} s, one request p50 {np.percentile(single, 50):.1f} ms, "
              f"batch {batch:.1f} s", flush=True)  # fmt: skip
    difference = max(
        float(np.abs(ours.encode(texts) - peer_encode(texts)).max()) for texts in (requests, products[:500])
    )
    text = report(rows, difference, len(requests), args)
    print(text)
    if not args.no_report:
        write_section(text)


def report(
    rows: Sequence[tuple[str, list[float], np.ndarray, float]],
    difference: float,
    requests: int,
    args: argparse.Namespace,
) -> str:
    """The Markdown section, with ratios to sentence-transformers."""
    peer = rows[-1]
    lines = [
        SECTION,
        "",
        "The guide embeds each shopper request with all-MiniLM-L6-v2. `vestis.text.minilm` runs the model's "
        "own files with NumPy; the peer is sentence-transformers on PyTorch (CPU), as used for batches. "
        f"Cold start: a fresh Python process imports, loads and embeds one request (median of {args.cold_runs}). "
        f"One request: p50 / p99 over {requests} shopper requests, warm. Batch: {args.batch:,} product titles.",
        "",
        "| encoder | cold start s | one request ms p50 / p99 | batch s | cold start vs peer | batch vs peer |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *[
            f"| {name} | {np.median(cold):.2f} | {np.percentile(single, 50):.1f} / {np.percentile(single, 99):.1f} "
            f"| {batch:.1f} | {np.median(cold) / np.median(peer[1]):.2f}× | {batch / peer[3]:.2f}× |"
            for name, cold, single, batch in rows
        ],
        "",
        f"Largest absolute difference between the two embeddings (unit vectors, 384 values) over the requests "
        f"and 500 titles: {difference:.1e}. So `MiniLMEncoder` embeds up to `SMALL_BATCH` texts (a request) "
        "with NumPy and larger batches (a build) with sentence-transformers: a request never waits for PyTorch "
        "to import, and a build keeps the faster batch path.",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "Reproduce: `.venv/bin/python -m benchmarks.minilm`",
    ]
    return "\n".join(lines) + "\n"


def _cold_start(code: str, runs: int) -> list[float]:
    """Wall seconds of ``runs`` fresh interpreters running ``code``."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return seconds


def _per_request(encode: Callable[[Sequence[str]], np.ndarray], requests: Sequence[str]) -> np.ndarray:
    """Milliseconds per request, one at a time, after one warm-up call."""
    encode([requests[0]])
    times = []
    for text in requests:
        started = time.perf_counter()
        encode([text])
        times.append((time.perf_counter() - started) * 1000)
    return np.array(times)


if __name__ == "__main__":
    main()
