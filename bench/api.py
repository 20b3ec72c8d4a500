"""Latency of ``GET /events`` with filters, at a fixed request rate, on loopback.

Fills a store with synthetic events (SQLite file by default, or PostgreSQL with
``--pg URL``), starts the real ``dotterel serve`` in a subprocess, then sends requests
open-loop at ``--rate`` per second for ``--seconds`` from one asyncio client: each
request leaves at its scheduled time whether or not earlier ones have answered, and its
latency is measured from that scheduled time (so a stalled server shows up as latency,
not as a lower rate). The queries mix the dashboard's filters (type, country, dates,
bounding box, text, modality; common ones, and rare and empty ones: a country with 0.1%
of the events, a country with none, an empty box) with first and later pages. Prints
requests/s, p50, p90, p99 and max latency (also per filter shape), errors, and the exact
command.

    .venv/bin/python bench/api.py [--events 100000] [--rate 200] [--seconds 30]
    .venv/bin/python bench/api.py --pg postgresql+psycopg://postgres@127.0.0.1/test --events 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shlex
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import psutil
from sqlalchemy import create_engine, make_url, text

from dotterel.records import (
    EVENT_TYPES,
    Actor,
    Article,
    Estimate,
    Event,
    Evidence,
    Place,
    When,
)
from dotterel.store import Store

# (ISO3, lat, lon) of places the synthetic events happen in.
PLACES = [
    ("UKR", 50.45, 30.52),
    ("UKR", 46.48, 30.73),
    ("UKR", 49.99, 36.23),
    ("RUS", 55.75, 37.62),
    ("RUS", 50.60, 36.59),
    ("SDN", 15.50, 32.56),
    ("SDN", 13.63, 25.35),
    ("MLI", 12.65, -8.00),
    ("BFA", 12.37, -1.53),
    ("NGA", 11.85, 13.16),
    ("SOM", 2.04, 45.34),
    ("ETH", 11.59, 37.39),
    ("YEM", 15.35, 44.21),
    ("YEM", 14.80, 42.95),
    ("LBN", 33.89, 35.50),
    ("ISR", 31.77, 35.21),
    ("PSE", 31.50, 34.47),
    ("SYR", 36.20, 37.16),
    ("IRQ", 33.31, 44.36),
    ("AFG", 34.53, 69.17),
    ("MMR", 16.87, 96.20),
    ("COD", -1.68, 29.22),
    ("HTI", 18.54, -72.34),
    ("COL", 4.71, -74.07),
    ("MEX", 19.43, -99.13),
    ("PAK", 33.68, 73.05),
    ("IND", 34.08, 74.80),
    ("FJI", -18.14, 178.44),
]
# A country with 0.1% of the events (added after the others, see ``fill``): analysts
# filter by rare countries as often as by busy ones.
RARE = ("ISL", 64.15, -21.94)
RARE_SHARE = 1000  # one rare event per this many others
COUNTRIES = sorted({p[0] for p in PLACES} | {"USA", "GBR", "FRA", "TUR", "CHN", "IRN", "UN"})
WORDS = [
    "forces",
    "struck",
    "drones",
    "missiles",
    "artillery",
    "convoy",
    "talks",
    "ceasefire",
    "sanctions",
    "protesters",
    "villagers",
    "officials",
    "shelling",
    "airstrike",
    "envoy",
    "summit",
    "aid",
    "refugees",
    "border",
    "clashes",
]
FIRST = date(2022, 1, 1)
DAYS = 3 * 365


def synthetic(
    n_events: int,
    seed: int,
    places: list[tuple[str, float, float]] = PLACES,
    name: str = "Report",
) -> Iterator[tuple[Article, list[Event]]]:
    """Articles of 1 to 9 events each, with every filtered field filled as real ones are,
    happening in ``places``."""
    rng = random.Random(seed)
    made = 0
    number = 0
    while made < n_events:
        number += 1
        count = min(rng.randint(1, 9), n_events - made)
        day = FIRST + timedelta(days=rng.randrange(DAYS))
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(count)
        ]
        body = f"{name} {number}. " + " ".join(sentences)
        ref = f"bench-{number}" if name == "Report" else f"bench-{name.lower()}-{number}"
        article = Article(text=body, ref=ref, published=day, outlet="Bench Wire")
        events = []
        at = len(f"{name} {number}. ")
        for i, sentence in enumerate(sentences):
            country, lat, lon = rng.choice(places)
            when = day - timedelta(days=rng.randint(0, 2))
            dead = rng.choice([None, None, None, rng.randint(1, 40)])
            events.append(
                Event(
                    id=f"{article.id}-{i}",
                    article_id=article.id,
                    type=rng.choice(EVENT_TYPES),
                    mode=rng.choice([None, "drone", "aerial", "heavy-weapons", "ground"]),
                    context=[],
                    modality=rng.choice(["asserted"] * 8 + ["negated", "future"]),  # type: ignore[arg-type]
                    source=Actor("forces", "forces", rng.choice(COUNTRIES), "MIL", None, (0, 0)),
                    target=Actor("people", "people", country, "CVL", None, (0, 0)),
                    place=Place(
                        "Town",
                        None,
                        lat + rng.uniform(-0.5, 0.5),
                        lon + rng.uniform(-0.5, 0.5),
                        country,
                        None,
                        1,
                        None,
                    ),
                    date=None if rng.random() < 0.02 else When(when, when, 1, None),
                    fatalities=None if dead is None else Estimate(dead, dead, dead, []),
                    injured=None,
                    quantities=[],
                    attribution=None,
                    acled=None,
                    cameo=None,
                    evidence=Evidence(sentence, at, at + len(sentence)),
                    confidence=0.8,
                    article_ref=article.ref,
                )
            )
            at += len(sentence) + 1
        made += count
        yield article, events


def fill(url: str, n_events: int, seed: int) -> float:
    """Store ``n_events`` synthetic events, then one in ``RARE_SHARE`` more in the rare
    country, unless the store already holds them; seconds. (A store filled before the
    rare country was added gets only the rare events.)"""
    rare = n_events // RARE_SHARE
    with Store(url) as store:
        held = store.counts()["events"]
        if held == n_events + rare:
            return 0.0
        if held not in (0, n_events):
            raise SystemExit(f"{url} holds {held} events, not {n_events}; use a fresh store")
        started = time.perf_counter()
        if not held:
            store.add_many(synthetic(n_events, seed), batch_size=1000, fuse=False)
        store.add_many(synthetic(rare, seed, [RARE], "Rare"), batch_size=1000, fuse=False)
        return time.perf_counter() - started


def _longitude(degrees: float) -> float:
    """``degrees`` east, brought into -180..180."""
    return (degrees + 180) % 360 - 180


def queries(rng: random.Random, n: int) -> list[tuple[str, dict[str, Any]]]:
    """A mix of the filters analysts and the dashboard send, each with its shape's name."""
    found: list[tuple[str, dict[str, Any]]] = []
    for _ in range(n):
        start = FIRST + timedelta(days=rng.randrange(DAYS - 30))
        window = {"since": start.isoformat(), "until": (start + timedelta(days=30)).isoformat()}
        country, lat, lon = rng.choice(PLACES)
        west, east = _longitude(lon - 3), _longitude(lon + 3)  # across the antimeridian
        box = f"{west:.2f},{lat - 3:.2f},{east:.2f},{lat + 3:.2f}"
        kind = rng.choice(EVENT_TYPES)
        rare_box = f"{RARE[2] - 3:.2f},{RARE[1] - 3:.2f},{RARE[2] + 3:.2f},{RARE[1] + 3:.2f}"
        found.append(
            rng.choice(
                [
                    ("type", {"type": kind}),
                    ("country", {"country": country}),
                    ("country+month", {"country": country, **window}),
                    ("type+country", {"type": kind, "country": country}),
                    ("2 types+month", {"type": f"{kind},ASSAULT", **window}),
                    ("bbox", {"bbox": box}),
                    ("bbox+month", {"bbox": box, **window}),
                    ("text", {"text": rng.choice(WORDS)}),
                    ("text+country", {"text": rng.choice(WORDS), "country": country}),
                    ("negated+country", {"modality": "negated", "country": country}),
                    ("place country+type", {"place_country": country, "type": kind}),
                    ("month", window),
                    ("none", {}),
                    # rare and empty filters: a country with 0.1% of the events, alone
                    # and with a type; a country with none; a type with a modality no
                    # event has; a box around the rare country; an empty box in the
                    # busy latitudes
                    ("rare country", {"country": RARE[0]}),
                    ("rare country+type", {"country": RARE[0], "type": kind}),
                    ("empty country+type", {"country": "NZL", "type": kind}),
                    ("empty type+modality", {"type": kind, "modality": "hypothetical"}),
                    ("rare bbox", {"bbox": rare_box}),
                    ("empty bbox", {"bbox": f"-40,{lat - 3:.2f},-34,{lat + 3:.2f}"}),
                ]
            )
        )
    return found


WARM_UP = 50  # requests sent one by one before the timed load


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its children (the workers)."""
    process = psutil.Process(pid)
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        times = each.cpu_times()
        total += times.user + times.system
    return total


def postgres_cpu_seconds() -> float:
    """User + system CPU seconds of every PostgreSQL server process on this machine (the
    backends serving the API and whatever else uses the server meanwhile), and of those
    that ended: a backend's time passes to the postmaster's children when it exits (as
    the pool's overflow connections do after a burst), so it still counts."""
    total = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "postgres":
            try:
                times = process.cpu_times()
            except psutil.Error:  # ended, or not ours to read
                continue
            total += times.user + times.system + times.children_user + times.children_system
    return total


def vacuum(url: str) -> None:
    """``VACUUM ANALYZE events`` on PostgreSQL, as after a bulk load: planner statistics,
    and the visibility map index-only scans rely on (autovacuum gets there too, later)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE events"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """``dotterel serve`` in a subprocess, once it answers; its log goes to ``log``."""
    command = [sys.executable, "-c", "from dotterel.cli import app; app()"]
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*command, "serve", "--db", url, "--port", str(port), "--workers", str(workers)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit(f"dotterel serve exited: {log.read_text()[-2000:]}")
    server.kill()
    raise SystemExit("dotterel serve did not answer within 60 s")


class Connections:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: the load generator shares
    the machine with the server, so it must cost little CPU per request (httpx's async
    client costs several times more)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.resent = 0  # requests sent again after a kept-alive connection was dropped

    async def get(self, path: str) -> tuple[int, bytes]:
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode()
        if self.idle:
            reused = self.idle.pop()
            try:
                return await self._exchange(reused, request)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                # the server dropped a kept-alive connection: send it anew, as clients do
                reused[1].close()
                self.resent += 1
        return await self._exchange(await self._open(), request)

    async def _exchange(
        self, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
    ) -> tuple[int, bytes]:
        reader, writer = connection
        writer.write(request)
        first = await reader.readline()
        if not first:
            raise ValueError("connection closed")
        status = int(first.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length)
        self.idle.append(connection)
        return status, body

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


def with_cursors(base: str, plain: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
    """The (shape, request path) pairs: the filters, and for a third of them their second
    page too (its shape marked "p2")."""
    paths: list[tuple[str, str]] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for n, (shape, params) in enumerate(plain):
            paths.append((shape, "/events?" + urlencode(params)))
            if n % 3 == 0:
                token = client.get("/events", params=params).json().get("next")
                if token:
                    paths.append(
                        (f"{shape} p2", "/events?" + urlencode({**params, "cursor": token}))
                    )
    return paths


def percentile(ordered: list[float], p: float) -> float:
    """The ``p`` quantile (0..1) of latencies in seconds, sorted, in milliseconds."""
    return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def load(
    port: int, paths: list[tuple[str, str]], rate: float, seconds: float
) -> dict[str, Any]:
    pool = Connections("127.0.0.1", port)
    for _, path in paths[:WARM_UP]:  # warm the server and the connection
        await pool.get(path)
    total = int(rate * seconds)
    latencies: list[float] = []
    by_shape: dict[str, list[float]] = {}
    errors: list[str] = []
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def one(i: int) -> None:
        scheduled = started + i / rate
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        shape, path = paths[i % len(paths)]
        try:
            status, body = await pool.get(path)
            if status != 200 or not body.startswith(b'{"events":['):
                errors.append(f"{status} {body[:200]!r}")
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(loop.time() - scheduled)
        by_shape.setdefault(shape.removesuffix(" p2"), []).append(latencies[-1])

    await asyncio.gather(*(one(i) for i in range(total)))
    elapsed = loop.time() - started
    pool.close()
    latencies.sort()

    def pct(p: float) -> float:
        return percentile(latencies, p)

    return {
        "requests": total,
        "elapsed": elapsed,
        "rate": total / elapsed,
        "p50": pct(0.50),
        "p90": pct(0.90),
        "p99": pct(0.99),
        "max": 1000 * latencies[-1],
        "mean": 1000 * statistics.fmean(latencies),
        "errors": errors,
        "distinct_queries": len(paths),
        "by_shape": by_shape,
        "resent": pool.resent,
    }


def pg_schema_url(base: str, schema: str) -> str:
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--workers", type=int, default=1, help="dotterel serve --workers")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (kept for reruns)")
    parser.add_argument("--pg", default=None, help="PostgreSQL URL: bench in a schema there")
    parser.add_argument("--pg-schema", default=None, help="schema name (kept for reruns)")
    args = parser.parse_args()

    if args.pg:
        schema = args.pg_schema or f"dotterel_bench_{args.events}"
        url = pg_schema_url(args.pg, schema)
        where = f"PostgreSQL schema {schema}"
    else:
        path = args.db or Path(f"bench-api-{args.events}.db")
        url = f"sqlite:///{path.resolve()}"
        where = f"SQLite {path}"
    fill_seconds = fill(url, args.events, args.seed)
    if args.pg:
        vacuum(url)
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    port = free_port()
    log = Path(f"bench-api-{port}.log")
    server = start_server(url, port, args.workers, log)
    try:
        paths = with_cursors(f"http://127.0.0.1:{port}", queries(random.Random(args.seed), 300))
        cpu_before, pg_before = cpu_seconds(server.pid), postgres_cpu_seconds()
        client_before = time.process_time()
        result = asyncio.run(load(port, paths, args.rate, args.seconds))
        client_cpu = time.process_time() - client_before
        sent = result["requests"] + WARM_UP
        cpu_ms = 1000 * (cpu_seconds(server.pid) - cpu_before) / sent
        pg_ms = 1000 * (postgres_cpu_seconds() - pg_before) / sent
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.unlink(missing_ok=True)

    print(
        f"store: {where}, {args.events} events"
        + (f" (filled in {fill_seconds:.0f} s)" if fill_seconds else " (reused)")
    )
    print(
        f"server: dotterel serve --workers {args.workers} (uvicorn) on 127.0.0.1; "
        f"{os.cpu_count()} CPUs, load average before the run {load_before}, "
        f"Python {platform.python_version()}"
    )
    print(
        f"load: GET /events, {result['distinct_queries']} filter mixes (type, country, dates, "
        f"bbox, text, modality; common, rare, empty; a third with a cursor), limit 100, open loop"
    )
    print(
        f"sent {result['requests']} requests at {args.rate:.0f}/s over {result['elapsed']:.1f} s: "
        f"{result['rate']:.1f} requests/s"
    )
    print(
        f"latency ms: p50 {result['p50']:.1f}  p90 {result['p90']:.1f}  "
        f"p99 {result['p99']:.1f}  max {result['max']:.1f}  mean {result['mean']:.1f}"
    )
    print(
        f"server CPU: {cpu_ms:.2f} ms per request (its processes' user + system time"
        + (", PostgreSQL's own not counted" if args.pg else "")
        + f"), so about {1000 / cpu_ms:.0f} requests/s per core it gets"
    )
    if args.pg:
        print(
            f"PostgreSQL CPU: {pg_ms:.2f} ms per request (all its server processes on this "
            "machine, so other users of the server count too)"
        )
    print(
        f"client CPU: {1000 * client_cpu / sent:.2f} ms per request, "
        f"{100 * client_cpu / result['elapsed']:.0f}% of one core over the run"
    )
    print("latency ms by filter shape (first and second pages together):")
    for shape, times in sorted(result["by_shape"].items()):
        times.sort()
        print(
            f"  {shape:20s} {len(times):5d} requests  p50 {percentile(times, 0.5):7.1f}  "
            f"p99 {percentile(times, 0.99):7.1f}  max {1000 * times[-1]:7.1f}"
        )
    print(
        f"errors: {len(result['errors'])}; sent again on a new connection after the server "
        f"dropped a kept-alive one: {result['resent']}"
        + (f" (first: {result['errors'][0]})" if result["errors"] else "")
    )
    print("command: " + shlex.join([sys.executable, *sys.argv]))
    if args.pg:
        print(
            f'(the schema {schema} is kept for reruns; drop it with DROP SCHEMA "{schema}" CASCADE)'
        )


if __name__ == "__main__":
    main()
