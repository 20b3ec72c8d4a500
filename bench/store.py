"""The store at scale: ingest rate, query latency, fusion cost as the store grows.

Builds a store of N synthetic events (default 1,000,000) through ``Store.add_many`` (the
path ``dotterel ingest`` takes: batched inserts, near-duplicate sketches and fusion in
each transaction), on SQLite and/or PostgreSQL, and prints:

* ingest rate, events/s and articles/s, over the whole build;
* fusion cost per new article at each tenth of the build: 200 probe articles (half of
  them retelling stored happenings) stored with ``fuse=False``, then fused with
  ``fuse_pending``, timed apart;
* query latency p50/p95 (ms) of 40 random queries per filter, 100 rows a page, on
  events and incidents: type, country + month, one week, a 2 x 2 degree box, a text.

The synthetic world: 60 countries with their first-level regions (knowledge files),
happenings spread over 2019-2024, each told by one to three articles (a tenth of the
retellings a syndicated copy of another article), three events an article.

    .venv/bin/python bench/store.py [--events N] [--backend sqlite|postgresql|both]
        [--pg URL] [--seed S] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from dotterel.fusion import first_level_regions
from dotterel.records import (
    Actor,
    Article,
    Estimate,
    Event,
    Evidence,
    Place,
    When,
)
from dotterel.store import Store

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
EVENTS_PER_ARTICLE = 3
BATCH = 500
PROBE = 200
QUERIES = 40
FIRST_DAY, DAYS = date(2019, 1, 1), 6 * 365
TYPES = [("ASSAULT", 40), ("COERCE", 10), ("PROTEST", 10), ("ACCUSE", 10), ("CONSULT", 8)]
TYPES += [("MOBILIZE", 6), ("SANCTION", 4), ("AID", 4), ("AGREE", 4), ("THREATEN", 4)]
MODES = {"ASSAULT": ["aerial", "drone", "firearms", "heavy-weapons"], "COERCE": ["arrest"]}
SECTORS = ["GOV", "MIL", "REB", "CVL"]
WORDS = [
    "army",
    "police",
    "rebels",
    "militia",
    "village",
    "town",
    "market",
    "convoy",
    "checkpoint",
    "border",
    "camp",
    "school",
    "hospital",
    "bridge",
    "road",
    "port",
    "airfield",
    "base",
    "district",
    "province",
    "capital",
    "residents",
    "officials",
    "witnesses",
    "ministry",
    "statement",
    "spokesman",
    "governor",
    "mayor",
    "talks",
    "envoy",
    "delegation",
    "protest",
    "crowd",
    "strike",
    "shelling",
    "raid",
    "ambush",
    "clashes",
    "drone",
    "missile",
    "rocket",
    "artillery",
    "curfew",
    "arrest",
]


@dataclass(frozen=True, slots=True)
class Happening:
    type: str
    mode: str | None
    source: str
    target: str
    place: Place | None
    day: date
    dead: int


class World:
    """Deterministic synthetic happenings and the articles that tell them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        regions = first_level_regions()
        countries = sorted(c for c, found in regions.items() if len(found) >= 4)
        self.countries = self.rng.sample(countries, 60)
        self.regions = {c: regions[c] for c in self.countries}
        self.types = [t for t, w in TYPES for _ in range(w)]
        self.told: list[Happening] = []
        self.articles = 0

    def happening(self) -> Happening:
        rng = self.rng
        kind = rng.choice(self.types)
        country = rng.choice(self.countries)
        foreign = rng.random() < 0.3
        target = rng.choice(self.countries) if foreign else country
        return Happening(
            type=kind,
            mode=rng.choice(MODES[kind]) if kind in MODES else None,
            source=country,
            target=target,
            place=self.place(target),
            day=FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
            dead=rng.choice([0, 0, 1, 2, 3, 5, 8, 13, 20]) if kind == "ASSAULT" else 0,
        )

    def place(self, country: str) -> Place | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            return None
        region = rng.choice(self.regions[country])
        assert region.lat is not None and region.lon is not None
        if roll < 0.2:
            return Place(region.name, None, region.lat, region.lon, country, region.name, 4, None)
        lat = region.lat + rng.uniform(-0.5, 0.5)
        lon = region.lon + rng.uniform(-0.5, 0.5)
        town = f"{rng.choice(WORDS).title()}{rng.randrange(1000)}"
        return Place(
            town, rng.randrange(10**7), round(lat, 4), round(lon, 4), country, None, 1, None
        )

    def sentence(self, happening: Happening) -> str:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(8, 16)))
        where = happening.place.name if happening.place else "the area"
        return f"{happening.type.title()} by {happening.source} in {where}: {words}."

    def article(self, retell: float = 0.4) -> tuple[Article, list[Event]]:
        """An article with EVENTS_PER_ARTICLE events, some retelling earlier happenings."""
        rng = self.rng
        told = []
        for _ in range(EVENTS_PER_ARTICLE):
            if self.told and rng.random() < retell:
                told.append(rng.choice(self.told))
            else:
                fresh = self.happening()
                self.told.append(fresh)
                told.append(fresh)
        sentences = [self.sentence(h) for h in told]
        self.articles += 1
        body = " ".join(sentences) + f" Dispatch {self.articles}."
        article = Article(
            text=body, ref=f"synthetic-{self.articles}", outlet=f"Outlet {rng.randrange(40)}"
        )
        return article, self.events(article, told, sentences)

    def copy_of(self, original: tuple[Article, list[Event]]) -> tuple[Article, list[Event]]:
        """A syndicated copy: the same text with a line added, the same happenings."""
        article, events = original
        self.articles += 1
        copy = Article(
            text=article.text + " Distributed by a wire service.",
            ref=f"synthetic-{self.articles}",
            outlet=f"Outlet {self.rng.randrange(40)}",
        )
        return copy, [
            Event(**{**_fields(e), "id": f"{copy.id}-{n}", "article_id": copy.id})
            for n, e in enumerate(events)
        ]

    def events(self, article: Article, told: list[Happening], sentences: list[str]) -> list[Event]:
        out, offset = [], 0
        for n, (h, sentence) in enumerate(zip(told, sentences, strict=True)):
            day = h.day + timedelta(days=self.rng.choice([0, 0, 0, 1]))
            dead = max(0, h.dead + self.rng.choice([0, 0, 1, -1])) if h.dead else None
            out.append(
                Event(
                    id=f"{article.id}-{n}",
                    article_id=article.id,
                    type=h.type,
                    mode=h.mode,
                    context=[],
                    modality="asserted",
                    source=Actor(
                        h.source, h.source, h.source, self.rng.choice(SECTORS), None, (0, 0)
                    ),
                    target=Actor(
                        h.target, h.target, h.target, self.rng.choice(SECTORS), None, (0, 0)
                    ),
                    place=h.place,
                    date=When(day, day, 1, None),
                    fatalities=None if dead is None else Estimate(dead, dead, dead, ["officials"]),
                    injured=None,
                    quantities=[],
                    attribution=None,
                    acled=None,
                    cameo=None,
                    evidence=Evidence(sentence, offset, offset + len(sentence)),
                    confidence=0.8,
                    article_ref=article.ref,
                )
            )
            offset += len(sentence) + 1
        return out

    def stream(self, count: int) -> Iterator[tuple[Article, list[Event]]]:
        """``count`` articles; one in thirty is a syndicated copy of the one before."""
        last: tuple[Article, list[Event]] | None = None
        for _ in range(count):
            if last is not None and self.rng.random() < 1 / 30:
                yield self.copy_of(last)
                continue
            last = self.article()
            yield last


def _fields(event: Event) -> dict[str, Any]:
    return {name: getattr(event, name) for name in Event.__slots__}  # type: ignore[attr-defined]


# --- measuring -------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build(store: Store, world: World, articles: int) -> list[str]:
    """Ingest ``articles``; returns the report lines (rate, fusion cost by store size)."""
    lines = []
    tenth = max(1, -(-articles // 10))  # ten steps, the last one shorter
    ingest_seconds = 0.0
    stored = 0
    while stored < articles:
        chunk = min(tenth, articles - stored)
        start = time.perf_counter()
        store.add_many(world.stream(chunk), batch_size=BATCH)
        ingest_seconds += time.perf_counter() - start
        stored += chunk
        lines.append(probe(store, world))
    events = stored * EVENTS_PER_ARTICLE
    head = (
        f"  ingest with fusion: {stored:,} articles, {events:,} events in {ingest_seconds:.1f} s"
        f" = {events / ingest_seconds:,.0f} events/s ({stored / ingest_seconds:,.0f} articles/s)"
    )
    return [head, "  fusion cost per new article as the store grows:", *lines]


def probe(store: Store, world: World) -> str:
    counts = store.counts()
    items = [world.article(retell=0.5) for _ in range(PROBE)]
    start = time.perf_counter()
    store.add_many(items, batch_size=PROBE, fuse=False)
    insert = time.perf_counter() - start
    start = time.perf_counter()
    fused = store.fuse_pending(batch_size=PROBE)
    fuse = time.perf_counter() - start
    assert fused == PROBE, fused
    return (
        f"    store of {counts['events']:>9,} events, {counts['incidents']:>9,} incidents: "
        f"insert {1000 * insert / PROBE:.2f} ms/article, fuse {1000 * fuse / PROBE:.2f} ms/article"
    )


def queries(store: Store, world: World) -> list[str]:
    rng = random.Random(7)
    pick_day = lambda: FIRST_DAY + timedelta(days=rng.randrange(DAYS))  # noqa: E731

    def box() -> tuple[float, float, float, float]:
        region = rng.choice(world.regions[rng.choice(world.countries)])
        lat, lon = region.lat or 0.0, region.lon or 0.0
        return (lon - 1, lat - 1, lon + 1, lat + 1)

    def month() -> dict[str, Any]:
        day = pick_day()
        return {"country": rng.choice(world.countries), "since": day, "until": day + timedelta(30)}

    def week() -> dict[str, Any]:
        day = pick_day()
        return {"since": day, "until": day + timedelta(6)}

    filters: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("type", lambda: {"type": rng.choice(world.types)}),
        ("country + month", month),
        ("one week", week),
        ("2x2 degree box", lambda: {"bbox": box()}),
        ("text", lambda: {"text": f"{rng.choice(WORDS)} {rng.choice(WORDS)}"}),
    ]
    lines = []
    for what, read in (("events", store.events), ("incidents", store.incidents)):
        for name, make in filters:
            times, sizes = [], []
            for _ in range(QUERIES):
                args = make()
                start = time.perf_counter()
                found = read(**args, limit=100)
                times.append(1000 * (time.perf_counter() - start))
                sizes.append(len(found))
            lines.append(
                f"  {what:9} {name:16} p50 {percentile(times, 0.5):8.1f} ms  "
                f"p95 {percentile(times, 0.95):8.1f} ms  (rows/page {statistics.mean(sizes):.0f})"
            )
    return lines


def run_backend(name: str, url: str, articles: int, seed: int) -> None:
    print(f"\n{name}: {make_url(url).render_as_string(hide_password=True)}", flush=True)
    world = World(seed)
    with Store(url) as store:
        for line in build(store, world, articles):
            print(line, flush=True)
        for line in queries(store, world):
            print(line, flush=True)
        counts = store.counts()
        print(f"  final store: {counts}", flush=True)


def pg_schema_url(base: str) -> tuple[str, Callable[[], None]]:
    """A URL to a fresh schema on ``base`` and the function that drops it."""
    schema = f"dotterel_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to store")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default=os.environ.get("DOTTEREL_TEST_PG", DEFAULT_PG))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="folder for the SQLite file")
    args = parser.parse_args(argv)
    articles = max(10, args.events // EVENTS_PER_ARTICLE)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    events = articles * EVENTS_PER_ARTICLE
    print(f"{articles:,} synthetic articles, {events:,} events, seed {args.seed}")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(dir=args.dir) as folder:
            run_backend("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", articles, args.seed)
    if args.backend in ("postgresql", "both"):
        url, drop = pg_schema_url(args.pg)
        try:
            run_backend("PostgreSQL", url, articles, args.seed)
        finally:
            drop()


if __name__ == "__main__":
    main()
