"""Issue 11's load test: 8 clients, mixed reads and writes, an import and a model reload in the middle.

A real ``vestis serve`` on loopback with a small catalog of its own. Eight client threads send
2,400 requests (catalog reads, product pages, searches, personal recommendations with the key,
event writes, health checks); after a third of them a ``vestis import merchant-feed`` runs in
another process against the same database and, after it, ``vestis train`` and ``POST
/models/reload``. It must end with no 5xx answer and with every event the server
acknowledged in the database once the server has stopped. Bounded in count and time; loopback only.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.e2e.shop import API_KEY, Server, run_server

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CLIENTS = 8
REQUESTS_PER_CLIENT = 300
PRODUCTS = 40
KEY = {"X-API-Key": API_KEY}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A served shop with 40 products (with photos), a few purchases, trained models and a built guide."""
    home = tmp_path_factory.mktemp("load-home")
    feed = write_feed(home / "feed", PRODUCTS, colour="red")
    events = home / "events.csv"
    events.write_text(
        "user_id,item_id,timestamp,event_type\n"
        + "".join(
            f"seed-{u},ld-{(u * 7 + j) % PRODUCTS:03d},{1714000000 + j},purchase\n"
            for u in range(30)
            for j in range(5)
        )
    )
    for command in (
        ["import", "merchant-feed", str(feed), "--strict", "--quiet"],
        ["import", "events", str(events), "--strict", "--quiet"],
        ["train", "--models", "popular,itemknn", "--quiet"],  # builds the guide too
    ):
        vestis(home, *command)
    with run_server(home, demo=False, startup_timeout=120) as server:
        yield server


def test_mixed_load_with_an_import_and_a_reload_loses_nothing(shop: Server) -> None:
    statuses: Counter[int] = Counter()
    acknowledged: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    progress = threading.Semaphore(0)
    deadline = time.monotonic() + 600

    def client(number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=shop.url, timeout=60) as http:
            for i in range(REQUESTS_PER_CLIENT):
                if time.monotonic() > deadline:
                    break
                user = f"load-{number}-{i}"
                response = one_request(http, rng, user)
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code >= 500:
                        failures.append(
                            f"{response.request.method} {response.request.url.path}: {response.text[:200]}"
                        )
                    elif response.request.url.path == "/events" and response.status_code == 200:
                        acknowledged.append(user)
                progress.release()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for _ in range(CLIENTS * REQUESTS_PER_CLIENT // 3):
        progress.acquire(timeout=120)
    feed = write_feed(shop.home / "feed-update", PRODUCTS + 20, colour="navy")
    vestis(shop.home, "import", "merchant-feed", str(feed), "--quiet")
    vestis(shop.home, "train", "--models", "popular,itemknn", "--quiet")  # the served guide reloads it
    reload = httpx.post(f"{shop.url}/models/reload", headers=KEY, timeout=120)
    assert reload.status_code == 200, reload.text
    for thread in threads:
        thread.join(timeout=600)

    total = sum(statuses.values())
    print(
        f"\n{total} requests by {CLIENTS} clients: {dict(sorted(statuses.items()))}; {len(acknowledged)} events acknowledged"
    )
    assert total >= 2000
    assert not failures, failures[:5]
    shop_stopped = shop.home / "vestis.db"
    with sqlite3.connect(shop_stopped) as database:
        stored = {
            row[0] for row in database.execute("SELECT user_id FROM events WHERE user_id LIKE 'load-%'")
        }
        products = database.execute("SELECT count(*) FROM products").fetchone()[0]
    missing = [user for user in acknowledged if user not in stored]
    assert not missing, f"{len(missing)} acknowledged events are missing, e.g. {missing[:3]}"
    assert products == PRODUCTS + 20


def one_request(http: httpx.Client, rng: random.Random, user: str) -> httpx.Response:
    """One request of the mix: 40 % writes, the rest reads of every kind."""
    product = f"ld-{rng.randrange(PRODUCTS):03d}"
    roll = rng.random()
    if roll < 0.4:
        body = {
            "events": [
                {
                    "user_id": user,
                    "item_id": product,
                    "timestamp": 1715000000 + rng.randrange(10**6),
                    "event_type": "view",
                }
            ]
        }
        return http.post("/events", json=body, headers=KEY)
    if roll < 0.55:
        return http.get("/products", params={"limit": 12, "offset": rng.randrange(40)})
    if roll < 0.65:
        return http.get(f"/products/{product}")
    if roll < 0.75:
        return http.get(
            "/guide/search", params={"q": rng.choice(["red shirt", "navy dress", "shirt under 30"])}
        )
    if roll < 0.85:
        return http.get(f"/customers/seed-{rng.randrange(30)}/recommendations", headers=KEY)
    if roll < 0.92:
        return http.get(f"/products/{product}/similar")
    if roll < 0.97:
        return http.get("/", params={"page": 1 + rng.randrange(2)})
    return http.get("/health")


def write_feed(folder: Path, count: int, *, colour: str) -> Path:
    """A Merchant Center feed of ``count`` shirts and dresses, each with a small photo beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["id\ttitle\tprice\tproduct_type\tcolor\tgender\timage_link"]
    for i in range(count):
        kind = ("Shirts", "Dresses")[i % 2]
        Image.new("RGB", (64, 80), ((i * 37) % 255, 90, 160)).save(folder / f"{i}.png")
        rows.append(
            f"ld-{i:03d}\t{colour.title()} {kind[:-1].lower()} {i}\t{20 + i}.00 EUR\t{kind}\t{colour}\tfemale\t{i}.png"
        )
    feed = folder / "feed.tsv"
    feed.write_text("\n".join(rows) + "\n")
    return feed


def vestis(home: Path, *arguments: str) -> None:
    """Run the CLI against ``home`` in its own process, as an operator would beside the server."""
    result = subprocess.run(
        [sys.executable, "-m", "vestis", "--home", str(home), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"vestis {' '.join(arguments)}:\n{result.stdout}\n{result.stderr}"
