"""Cross-article fusion on the real pipeline: near-copies, incidents, claims, any order.

The corpus in ``tests/data/fusion/articles.jsonl`` tells five happenings (four of them by
several outlets, with different figures and wording, one wire story syndicated with a
line added) in twelve articles; the real ``Pipeline`` codes them and a real store
(SQLite file, and PostgreSQL when one answers) fuses them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dotterel.errors import StoreError
from dotterel.fusion import Regions, Trace, compatible, fusable, incident_id_for
from dotterel.pipeline import Pipeline, Result
from dotterel.records import Article, Claim, Event, Incident
from dotterel.store import Store
from dotterel.store._dedupe import Sketcher
from dotterel.store._store import incidents_query
from dotterel.store.models import ArticleSketchRow
from test_store import backend_url, make_article, make_event

CORPUS = Path(__file__).parent / "data" / "fusion" / "articles.jsonl"


def read_corpus() -> list[Article]:
    articles = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        articles.append(
            Article(
                text=row["text"],
                ref=row["id"],
                title=row["title"],
                outlet=row["outlet"],
                published=date.fromisoformat(row["published"]),
            )
        )
    return articles


@pytest.fixture(scope="module")
def coded(pipeline: Pipeline) -> list[Result]:
    results = list(pipeline.pipe(read_corpus()))
    assert [r.error for r in results if r.error] == []
    return results


@pytest.fixture(scope="module")
def ids(coded: list[Result]) -> dict[str, str]:
    """Article ref -> article id."""
    return {r.article.ref or "": r.article.id for r in coded}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with backend_url(request.param, tmp_path) as url, Store(url) as opened:
        yield opened


def _items(results: list[Result]) -> list[tuple[Article, list[Event]]]:
    return [(r.article, r.events) for r in results]


# --- the corpus ----------------------------------------------------------------------


def _summary(incident: Incident, refs: dict[str, str]) -> dict[str, object]:
    """An incident in corpus terms: article refs instead of hashes."""
    deaths, hurt, when, place = incident.fatalities, incident.injured, incident.date, incident.place
    return {
        "type": incident.type,
        "mode": incident.mode,
        "actors": (
            incident.source.country if incident.source else None,
            incident.target.country if incident.target else None,
        ),
        "place": (place.name, place.country, place.precision) if place else None,
        "date": (when.start, when.end, when.precision) if when else None,
        "fatalities": (deaths.low, deaths.best, deaths.high) if deaths else None,
        "injured": (hurt.low, hurt.best, hurt.high) if hurt else None,
        "sources": incident.sources,
        "articles": sorted(refs[a] for a in incident.articles),
        "claims": [(c.field, c.value, refs[c.article], c.claimant) for c in incident.claims],
    }


MARCH_15, MARCH_16, MARCH_25 = date(2024, 3, 15), date(2024, 3, 16), date(2024, 3, 25)
MAY_6, JUNE_11 = date(2024, 5, 6), date(2024, 6, 11)

EXPECTED = [
    {
        "type": "ASSAULT",
        "mode": "missile",
        "actors": ("RUS", "UKR"),
        "place": ("Odesa", "UKR", 1),
        "date": (MARCH_15, MARCH_15, 1),
        "fatalities": (14, 14, 20),  # 14 per the governor (twice, syndicated), 20 later
        "injured": (46, 46, 46),
        "sources": 3,  # the Daily Courier copy of the Global Wire story counts once
        "articles": ["odesa-courier", "odesa-globalwire", "odesa-kyivpost", "odesa-moscowherald"],
        "claims": [
            ("fatalities", 14, "odesa-globalwire|odesa-courier", "regional governor Oleh Kiper"),
            ("fatalities", 20, "odesa-kyivpost", "Ukraine's emergency service"),
            ("injured", 46, "odesa-globalwire|odesa-courier", "regional governor Oleh Kiper"),
        ],
    },
    {
        "type": "ASSAULT",
        "mode": "drone",
        "actors": ("RUS", "UKR"),
        "place": ("Kharkiv", "UKR", 1),
        "date": (MARCH_16, MARCH_16, 1),
        "fatalities": (2, 2, 3),
        "injured": (11, 11, 11),
        "sources": 2,
        "articles": ["kharkiv-globalwire", "kharkiv-regional"],
        "claims": [
            ("fatalities", 2, "kharkiv-globalwire", "mayor Ihor Terekhov"),
            ("fatalities", 3, "kharkiv-regional", "the regional prosecutor's office"),
            ("injured", 11, "kharkiv-globalwire", "mayor Ihor Terekhov"),
        ],
    },
    {
        "type": "ASSAULT",
        "mode": "drone",
        "actors": ("RUS", "UKR"),
        "place": ("Odesa", "UKR", 1),
        "date": (MARCH_25, MARCH_25, 1),
        "fatalities": (1, 1, 1),
        "injured": None,
        "sources": 1,
        "articles": ["odesa-port-later"],
        "claims": [("fatalities", 1, "odesa-port-later", "the regional governor")],
    },
    {
        "type": "ASSAULT",
        "mode": "firearms",
        "actors": ("MLI", "MLI"),
        "place": ("Douentza", "MLI", 2),  # the town, not "the Mopti region" it lies in
        "date": (MAY_6, MAY_6, 1),
        "fatalities": (8, 8, 15),
        "injured": None,
        "sources": 3,
        "articles": ["mali-bamakotribune", "mali-sahelwire", "mali-westafricanews"],
        "claims": [
            ("fatalities", 8, "mali-sahelwire", "Sahel Wire"),  # no named source: the outlet
            ("fatalities", 12, "mali-bamakotribune", "local officials"),
            ("fatalities", 15, "mali-westafricanews", "JNIM"),
        ],
    },
    {
        "type": "CONSULT",
        "mode": None,
        "actors": ("TUR", "RUS"),  # told both ways round; the roles of a meeting may swap
        "place": ("Ankara", "TUR", 1),
        "date": (JUNE_11, JUNE_11, 1),
        "fatalities": None,
        "injured": None,
        "sources": 2,
        "articles": ["ankara-anadolu", "ankara-moscowherald"],
        "claims": [],
    },
]


def _expected(ids: dict[str, str]) -> list[dict[str, object]]:
    """EXPECTED with the syndicated pair's claim credited to its smaller article id."""
    pair = min(("odesa-globalwire", "odesa-courier"), key=lambda ref: ids[ref])
    out = []
    for incident in EXPECTED:
        claims = incident["claims"]
        assert isinstance(claims, list)
        fixed = [
            (f, v, pair if a == "odesa-globalwire|odesa-courier" else a, c) for f, v, a, c in claims
        ]
        out.append({**incident, "claims": fixed})
    return out


def test_the_corpus_fuses_into_its_happenings(
    store: Store, coded: list[Result], ids: dict[str, str]
) -> None:
    assert store.add_many(_items(coded)) == (12, 0)
    refs = {v: k for k, v in ids.items()}
    found = store.incidents()
    assert [_summary(i, refs) for i in found] == _expected(ids)
    assert store.counts() == {"articles": 12, "events": 12, "incidents": 5}
    events = {e.id: e for r in coded for e in r.events}
    for incident in found:
        assert sorted(incident.events) == incident.events
        assert {events[e].article_id for e in incident.events} == set(incident.articles)
        assert incident.id == incident_id_for(incident.events)
        assert store.incident(incident.id) == incident
        assert store.claims(incident.id) == incident.claims
    odesa = found[0]
    assert odesa.outlets == ["Daily Courier", "Global Wire", "Kyiv Evening Post", "Moscow Herald"]
    assert odesa.evidence is not None and "Odesa" in odesa.evidence.sentence


def test_the_syndicated_copy_is_linked_and_nothing_else(
    store: Store, coded: list[Result], ids: dict[str, str]
) -> None:
    store.add_many(_items(coded))
    with Session(store._engine) as session:
        rows = session.execute(select(ArticleSketchRow.article_id, ArticleSketchRow.cluster_id))
        clusters = {article: cluster for article, cluster in rows}
    copies = {ids["odesa-globalwire"], ids["odesa-courier"]}
    assert clusters[ids["odesa-globalwire"]] == clusters[ids["odesa-courier"]] == min(copies)
    others = {ref: article for ref, article in ids.items() if article not in copies}
    assert all(clusters[article] == article for article in others.values())


def _dump(store: Store) -> list[dict[str, object]]:
    return [i.to_dict() for i in store.incidents()]


ORDERS = [
    pytest.param(list(range(12)), 12, id="in-order-one-batch"),
    pytest.param(list(reversed(range(12))), 1, id="reversed-one-at-a-time"),
    pytest.param([5, 0, 9, 3, 11, 1, 7, 2, 10, 4, 8, 6], 4, id="shuffled-batches-of-4"),
    pytest.param([1, 4, 6, 8, 10, 0, 2, 3, 5, 7, 9, 11], 5, id="copy-first-batches-of-5"),
]


@pytest.mark.parametrize(("order", "batch"), ORDERS)
def test_any_arrival_order_gives_identical_incidents(
    tmp_path: Path, coded: list[Result], order: list[int], batch: int
) -> None:
    with Store(tmp_path / "reference.db") as reference:
        reference.add_many(_items(coded))
        wanted = _dump(reference)
    with Store(tmp_path / "shuffled.db") as shuffled:
        items = _items(coded)
        shuffled.add_many([items[i] for i in order], batch_size=batch)
        assert _dump(shuffled) == wanted


def test_order_independence_on_every_backend(store: Store, coded: list[Result]) -> None:
    items = _items(coded)
    for article, events in reversed(items):
        store.add(article, events)
    with Store(":memory:") as reference:
        reference.add_many(items)
        assert _dump(store) == _dump(reference)


def test_rerun_adds_nothing(store: Store, coded: list[Result]) -> None:
    store.add_many(_items(coded))
    before = _dump(store)
    assert store.add_many(_items(coded)) == (0, 12)
    assert _dump(store) == before


def test_fuse_pending_matches_fusing_on_arrival(store: Store, coded: list[Result]) -> None:
    store.add_many(_items(coded), fuse=False)
    assert store.counts() == {"articles": 12, "events": 12, "incidents": 0}
    assert store.fuse_pending(batch_size=5) == 12
    assert store.fuse_pending() == 0
    with Store(":memory:") as reference:
        reference.add_many(_items(coded))
        assert _dump(store) == _dump(reference)


# --- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "consult"}, ["ankara-anadolu"]),
        ({"country": "MLI"}, ["mali-sahelwire"]),
        (
            {"country": "RUS", "since": date(2024, 3, 16)},
            ["kharkiv-globalwire", "odesa-port-later", "ankara-anadolu"],
        ),
        ({"until": date(2024, 3, 15)}, ["odesa-globalwire"]),
        ({"bbox": (29.0, 45.0, 32.0, 47.5)}, ["odesa-globalwire", "odesa-port-later"]),  # Odesa
        ({"bbox": (170.0, -50.0, -170.0, 50.0)}, []),  # across the antimeridian
        ({"text": "DOCK WORKER"}, ["odesa-port-later"]),
        ({"text": "Iskander"}, ["odesa-globalwire"]),  # any member's evidence
        ({"text": "100%"}, []),
        ({"limit": 2, "offset": 1}, ["kharkiv-globalwire", "odesa-port-later"]),
    ],
)
def test_incident_filters(
    store: Store,
    coded: list[Result],
    ids: dict[str, str],
    query: dict[str, object],
    expected: list[str],
) -> None:
    store.add_many(_items(coded))
    found = store.incidents(**query)  # type: ignore[arg-type]
    assert [i.articles for i in found] == [
        next(i.articles for i in store.incidents() if ids[ref] in i.articles) for ref in expected
    ]


def test_bad_filters_are_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(ValueError, match="latitudes"):
            store.incidents(bbox=(0.0, 10.0, 1.0, 5.0))
        with pytest.raises(ValueError, match="empty"):
            store.incidents(text="  ")
        with pytest.raises(ValueError, match="offset"):
            store.incidents(offset=-1)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ({"text": "missiles"}, "events_text"),
        ({"bbox": (29.0, 45.0, 32.0, 47.5)}, "ix_incidents_lat_lon"),
        ({"country": "UKR", "since": date(2024, 1, 1)}, "ix_incidents_"),
        ({"type": "ASSAULT"}, "ix_incidents_type_date_start"),
    ],
)
def test_incident_queries_use_indexes(tmp_path: Path, query: dict[str, object], index: str) -> None:
    with Store(tmp_path / "s.db") as store, store._engine.connect() as conn:
        sql = incidents_query(**query).compile(conn, compile_kwargs={"literal_binds": True})  # type: ignore[arg-type]
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    assert any(index in step for step in plan), plan
    assert not any(step.startswith("SCAN incidents") for step in plan), plan
    if index == "ix_incidents_type_date_start":  # the index gives the order too
        assert not any("TEMP B-TREE" in step for step in plan), plan


def test_unknown_incident(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.incident("inc-nope") is None
        with pytest.raises(StoreError, match=r"no incident 'inc-nope'.*dotterel incidents"):
            store.claims("inc-nope")


# --- the rules, one by one -------------------------------------------------------------

REGIONS = Regions.load()
DAY = date(2024, 5, 6)


def trace(
    article: str = "a1",
    *,
    type: str = "ASSAULT",
    source: str | None = "MLI",
    target: str | None = "MLI",
    place: tuple[str, str | None, str | None, float | None, float | None, int] | None = (
        "Douentza",
        "MLI",
        "04",
        15.0061,
        -2.9517,
        1,
    ),
    start: date = DAY,
    end: date | None = None,
) -> Trace:
    name, country, admin1, lat, lon, precision = place or (None, None, None, None, None, None)
    return Trace(
        id=f"{article}-e",
        article_id=article,
        type=type,
        source=source,
        target=target,
        place_name=name,
        place_country=country,
        admin1=admin1,
        lat=lat,
        lon=lon,
        precision=precision,
        start=start,
        end=end or start,
    )


MOPTI_REGION = ("Mopti region", "MLI", "Mopti", 14.5512, -3.909, 4)
GAO_REGION = ("Gao region", "MLI", "Gao", 16.2717, -0.0447, 4)
BONI = ("Boni", "MLI", "04", 15.05, -1.9, 1)  # ~115 km east of Douentza, still Mopti
MOPTI_TOWN = ("Mopti", "MLI", "04", 14.4843, -4.1827, 1)
MOPTI_UNCODED = ("Mopti", "MLI", None, 14.4843, -4.1827, 1)
MALI = ("Mali", "MLI", None, 17.0, -4.0, 6)
SEA = ("Black Sea", None, None, 43.4, 34.3, 7)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (trace(), trace("a2"), True),
        (trace(), trace("a1"), False),  # one article's events are never fused together
        (trace(), trace("a2", type="PROTEST"), False),
        (trace(), trace("a2", source=None), True),  # attacker not named on one side
        (trace(), trace("a2", source="BFA"), False),
        (trace(source="TUR", target="RUS"), trace("a2", source="RUS", target="TUR"), False),
        (
            trace(type="CONSULT", source="TUR", target="RUS"),
            trace("a2", type="CONSULT", source="RUS", target="TUR"),
            True,
        ),
        (trace(), trace("a2", start=date(2024, 5, 7)), True),  # a day apart
        (trace(), trace("a2", start=date(2024, 5, 8)), False),  # two days apart
        (trace(), trace("a2", start=date(2024, 5, 1), end=date(2024, 5, 5)), True),
        (trace(), trace("a2", place=MOPTI_REGION), True),  # the region the town is in
        (trace(), trace("a2", place=GAO_REGION), False),
        (trace(place=BONI), trace("a2", place=MOPTI_REGION), True),
        (trace(), trace("a2", place=BONI), False),  # two towns 100 km apart
        (trace(place=MOPTI_TOWN), trace("a2", place=MOPTI_REGION), True),
        (trace(place=MOPTI_UNCODED), trace("a2", place=MOPTI_REGION), True),  # nearest centroid
        (
            trace(),
            trace("a2", place=("near Douentza", "MLI", "04", 15.1, -3.1, 2)),
            True,
        ),
        (trace(), trace("a2", place=MALI), False),  # country-level matches only its like
        (trace(place=MALI), trace("a2", place=MALI), True),
        (trace(), trace("a2", place=None), False),
        (trace(place=None), trace("a2", place=None), True),
        (trace(place=SEA), trace("a2", place=SEA), True),
        (trace(place=SEA), trace("a2"), False),
    ],
)
def test_compatibility_rules(a: Trace, b: Trace, same: bool) -> None:
    assert compatible(a, b, REGIONS) is same
    assert compatible(b, a, REGIONS) is same


def test_only_asserted_dated_happenings_fuse(coded: list[Result]) -> None:
    event = coded[0].events[0]
    assert fusable(event)
    assert not fusable(replace(event, modality="negated"))
    assert not fusable(replace(event, modality="future"))
    assert not fusable(replace(event, date=None))
    assert event.date is not None
    assert not fusable(replace(event, date=replace(event.date, precision=4)))


def test_a_bridging_article_merges_two_incidents_into_one(tmp_path: Path) -> None:
    days = {"day 1": date(2023, 7, 22), "day 2": date(2023, 7, 23), "day 3": date(2023, 7, 24)}
    articles = {k: make_article(f"Strike report, {k}.", ref=k) for k in days}
    events = {k: make_event(a, f"ev-{k[-1]}", day=days[k]) for k, a in articles.items()}
    with Store(tmp_path / "s.db") as store:
        store.add(articles["day 1"], [events["day 1"]])
        store.add(articles["day 3"], [events["day 3"]])
        assert [i.events for i in store.incidents()] == [["ev-1"], ["ev-3"]]
        store.add(articles["day 2"], [events["day 2"]])
        (merged,) = store.incidents()
    assert merged.events == ["ev-1", "ev-2", "ev-3"]
    assert merged.id == incident_id_for(["ev-1"])
    assert merged.date is not None
    assert (merged.date.start, merged.date.end, merged.date.precision) == (
        days["day 1"],
        days["day 3"],
        2,
    )
    assert merged.sources == 3


def test_non_happenings_stay_out_of_incidents(tmp_path: Path) -> None:
    article = make_article()
    denied = replace(make_event(article, "ev-denied"), modality="negated")
    with Store(tmp_path / "s.db") as store:
        store.add(article, [make_event(article, "ev-1"), denied])
        (incident,) = store.incidents()
    assert incident.events == ["ev-1"]


def test_claims_of_a_range_keep_their_high(tmp_path: Path) -> None:
    one, two = make_article("First report.", ref="one"), make_article("Second.", ref="two")
    low = make_event(one, "ev-1")
    ranged = replace(
        make_event(two, "ev-2"),
        fatalities=low.fatalities
        and replace(low.fatalities, low=3, best=3, high=5, claimed_by=["medics"]),
    )
    with Store(tmp_path / "s.db") as store:
        store.add(one, [low])
        store.add(two, [ranged])
        (incident,) = store.incidents()
    assert incident.claims == [
        Claim("fatalities", 2, one.id, "Ukrainian officials", "ev-1"),
        Claim("fatalities", 3, two.id, "medics", "ev-2", high=5),
    ]
    assert incident.fatalities is not None
    assert (incident.fatalities.low, incident.fatalities.best, incident.fatalities.high) == (
        2,
        2,
        5,
    )


# --- near-duplicates --------------------------------------------------------------------


def test_sketches_tell_copies_from_other_stories() -> None:
    sketcher = Sketcher()
    corpus = {a.ref: a for a in read_corpus()}
    wire, copy, later = (
        sketcher.sketch(corpus[ref].text)
        for ref in ("odesa-globalwire", "odesa-courier", "odesa-kyivpost")
    )
    assert sketcher.similarity(wire.signature, copy.signature) >= sketcher.threshold
    assert set(wire.bands) & set(copy.bands)  # LSH finds the copy
    assert sketcher.similarity(wire.signature, later.signature) < 0.2
    edited = corpus["odesa-globalwire"].text.replace("14 people", "15 people")
    assert sketcher.similarity(wire.signature, sketcher.sketch(edited).signature) >= 0.7


def test_incident_records_round_trip(store: Store, coded: list[Result]) -> None:
    store.add_many(_items(coded))
    for incident in store.incidents():
        assert Incident.from_dict(json.loads(json.dumps(incident.to_dict()))) == incident


def test_concurrent_writers_fuse_as_one_writer_would(store: Store, coded: list[Result]) -> None:
    items = _items(coded)
    errors: list[BaseException] = []

    def writer(share: list[tuple[Article, list[Event]]]) -> None:
        try:
            with Store(store.url) as mine:
                for article, events in share:
                    mine.add(article, events)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(items[n::3],)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(":memory:") as reference:
        reference.add_many(items)
        assert _dump(store) == _dump(reference)
