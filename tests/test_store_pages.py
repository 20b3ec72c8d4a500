"""Events pages for rare and empty filters, through the real store on both backends.

A page first walks a bounded number of index entries in page order; filters that keep
too few of them (a rare country, an empty box) are looked up through their own indexes
past the walked entries. The walk is shrunk here so that a few hundred events exercise
both ways; the pages must be exactly those the filters keep, in the store's order.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, event, select

from dotterel.records import Actor, Article, Event, Evidence, Place, When
from dotterel.store import Store, _query, _statements
from dotterel.store._query import Cursor, EventFilter, EventQueries
from dotterel.store.models import EventRow
from synthetic import bare_event
from test_store import backend_url

# (country, lat, lon, weight): three busy countries, and Iceland in one event in 60
PLACES = [("UKR", 50.4, 30.5, 20), ("RUS", 55.7, 37.6, 20), ("TUR", 39.9, 32.8, 19)]
RARE = ("ISL", 64.1, -21.9, 1)
SHORT_WALK = {"_WALK_FIRST": 10, "_WALK_MOST": 60}  # entries walked before a lookup


def spread(count: int) -> list[tuple[Article, list[Event]]]:
    """``count`` events over six years (one in 13 undated), two per article; the rare
    country turns up about once in 60 events, dated and undated alike."""
    rng = random.Random(7)
    places = [p for p in [*PLACES, RARE] for _ in range(p[3])]
    items = []
    for n in range(count // 2):
        day = None if n % 13 == 0 else date(2018, 1, 1) + timedelta(days=rng.randrange(2190))
        sentences = [f"Report {n}.{i}: shelling near the border." for i in range(2)]
        article = Article(text=" ".join(sentences), ref=f"spread-{n}", published=day)
        events, at = [], 0
        for i, sentence in enumerate(sentences):
            country, lat, lon, _ = rng.choice(places)
            events.append(
                bare_event(
                    f"e{n:04d}{'ab'[i]}",
                    article,
                    sentence,
                    at,
                    type=rng.choice(["ASSAULT", "AID", "CONSULT"]),
                    mode=rng.choice([None, "drone"]),
                    modality=rng.choice(["asserted"] * 9 + ["negated"]),
                    source=Actor(
                        "forces", "forces", rng.choice(["UKR", "RUS"]), "MIL", None, (0, 0)
                    ),
                    day=day,
                    place=Place("Town", None, lat, lon, country, None, 1, None),
                )
            )
            at += len(sentence) + 1
        items.append((article, events))
    return items


ITEMS = spread(2400)


def kept(where: EventFilter) -> list[str]:
    """The ids a filter keeps, in the store's order, worked out here, not by the store."""
    found = []
    for _, events in ITEMS:
        for e in events:
            assert e.place is not None and e.source is not None
            countries = {e.source.country, e.place.country}
            country = where.country.upper() if where.country else None
            day = e.date.start if e.date else None
            if (
                (not where.types or e.type in where.types)
                and (country is None or country in countries)
                and (where.place_country is None or where.place_country == e.place.country)
                and (where.modality is None or where.modality == e.modality)
                and (where.mode is None or where.mode == e.mode)
                and (where.since is None or (day is not None and day >= where.since))
                and (where.until is None or (day is not None and day <= where.until))
                and (
                    where.bbox is None
                    or (
                        where.bbox[1] <= e.place.lat <= where.bbox[3]  # type: ignore[operator]
                        and where.bbox[0] <= e.place.lon <= where.bbox[2]  # type: ignore[operator]
                    )
                )
            ):
                found.append(e)
    found.sort(
        key=lambda e: (e.date is None, e.date.start if e.date else date.min, e.article_id, e.id)
    )
    return [e.id for e in found]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with backend_url(request.param, tmp_path_factory.mktemp("pages")) as url, Store(url) as store:
        store.add_many(ITEMS, fuse=False)
        yield store


@pytest.fixture(autouse=True)
def short_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SHORT_WALK.items():
        monkeypatch.setattr(_query, name, value)


def walk(store: Store, where: EventFilter, limit: int) -> tuple[list[str], list[Cursor | None]]:
    """Every page's ids, in order, and the cursors handed out, following ``next``."""
    queries = EventQueries(store)
    ids: list[str] = []
    cursors: list[Cursor | None] = []
    cursor = None
    while True:
        page = queries.page(where, limit, cursor)
        ids += [r["id"] for r in page.records]
        cursors.append(page.next)
        assert len(page.texts) == limit or page.next is None
        if (cursor := page.next) is None:
            return ids, cursors


ISL_BOX = (-25.0, 62.0, -18.0, 66.0)
RARE_FILTERS = [
    EventFilter(country="ISL"),  # rare: looked up past the walk, dated and undated
    EventFilter(country="isl", types=("AID",)),  # rare, within one type's index
    EventFilter(country="ISL", types=("AID", "CONSULT")),
    EventFilter(place_country="ISL", since=date(2020, 1, 1)),
    EventFilter(country="ISL", until=date(2019, 6, 30)),
    EventFilter(bbox=ISL_BOX),  # a rare box
    EventFilter(modality="negated", country="ISL"),
]
EMPTY_FILTERS = [
    EventFilter(country="NZL"),  # no such country
    EventFilter(country="ISL", types=("REJECT",)),  # a country with none of a type
    EventFilter(bbox=(-40.0, 45.0, -30.0, 56.0)),  # an empty box in the busy latitudes
    EventFilter(types=("AID",), modality="hypothetical"),
    EventFilter(country="ISL", mode="ground"),
]
COMMON_FILTERS = [
    EventFilter(),
    EventFilter(country="UKR"),  # fills its pages within the walk
    EventFilter(types=("ASSAULT",), modality="negated"),  # walks on past the first walk
    EventFilter(modality="negated", place_country="RUS", mode="drone"),  # then looks up
    EventFilter(mode="drone", place_country="TUR", modality="negated"),
]


@pytest.mark.parametrize("where", RARE_FILTERS + COMMON_FILTERS, ids=repr)
def test_pages_of_a_filter_are_exactly_its_events(store: Store, where: EventFilter) -> None:
    expected = kept(where)
    assert len(expected) > 3  # more than a page
    ids, cursors = walk(store, where, 3)
    assert ids == expected
    assert cursors[-1] is None and len(cursors) == -(-len(expected) // 3)


@pytest.mark.parametrize("where", EMPTY_FILTERS, ids=repr)
def test_an_empty_filter_gives_one_empty_page(store: Store, where: EventFilter) -> None:
    assert kept(where) == []
    page = EventQueries(store).page(where, 20)
    assert page.texts == [] and page.next is None


def test_the_rare_country_exactly(store: Store) -> None:
    """The rare country's first page and cursor, spelled out: past the walked entries,
    and through the undated events after the dated ones."""
    expected = kept(EventFilter(country="ISL"))
    assert 20 < len(expected) < 80
    undated = [i for _, events in ITEMS for e in events if e.date is None for i in [e.id]]
    assert set(expected) & set(undated)  # some rare events are undated
    queries = EventQueries(store)
    first = queries.page(EventFilter(country="ISL"), 5)
    assert [r["id"] for r in first.records] == expected[:5]
    assert first.next is not None and first.next.keys[1] == expected[4]
    last = queries.page(EventFilter(country="ISL"), len(expected), first.next)
    assert [r["id"] for r in last.records] == expected[5:] and last.next is None


def test_a_rare_filters_undated_events_are_looked_up_at_once(store: Store) -> None:
    """Too rare to walk the dated events for, the rare country is looked up among the
    undated ones straight after, without walking them first."""
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store._engine, "before_cursor_execute", seen)
    try:
        page = EventQueries(store).page(EventFilter(country="ISL"), 100)
    finally:
        event.remove(store._engine, "before_cursor_execute", seen)
    assert [r["id"] for r in page.records] == kept(EventFilter(country="ISL"))
    looked_up = [n for n, s in enumerate(statements) if "+ 0" in s or "+events.date_start" in s]
    assert looked_up == [len(statements) - 2, len(statements) - 1], statements


def test_a_page_of_a_rare_modality_walks_that_modalitys_index(store: Store) -> None:
    """On PostgreSQL a negated page walks ``ix_events_modality_page`` (only the events
    not told as having happened, in page order), not the whole page index; SQLite
    cannot tell that a bound modality is in that partial index, and walks as before."""
    leads: list[Any] = []

    def seen(*args: Any) -> None:
        leads.append(args[3].get("lead_value") if isinstance(args[3], dict) else None)

    where = EventFilter(modality="negated", country="RUS")
    event.listen(store._engine, "before_cursor_execute", seen)
    try:
        ids, _ = walk(store, where, 50)
    finally:
        event.remove(store._engine, "before_cursor_execute", seen)
    assert ids == kept(where)
    postgresql = store._engine.dialect.name == "postgresql"
    assert ("negated" in leads) == postgresql


def test_a_rare_filter_does_not_walk_the_whole_index(store: Store) -> None:
    """After the bounded walk, the rare country is looked up, not walked: no query of
    its page asks for the index entries in page order past the walk."""
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store._engine, "before_cursor_execute", seen)
    try:
        EventQueries(store).page(EventFilter(country="ISL"), 100)
    finally:
        event.remove(store._engine, "before_cursor_execute", seen)
    looked_up = [s for s in statements if "+ 0" in s or "+events.date_start" in s]
    assert len(looked_up) == 2, statements  # dated, then undated events


# --- incidents: the same bounded walk over ix_incidents_page, then the lookup ----------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fused(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with (
        backend_url(request.param, tmp_path_factory.mktemp("incidents")) as url,
        Store(url) as store,
    ):
        store.add_many(ITEMS)
        yield store


INCIDENT_FILTERS = [
    {},
    {"country": "ISL"},  # rare: looked up past the walk
    {"country": "ISL", "type": "AID"},
    {"type": "CONSULT", "country": "TUR"},
    {"bbox": ISL_BOX},
    {"country": "NZL"},  # empty
    {"country": "ISL", "type": "REJECT"},
    {"bbox": (-40.0, 45.0, -30.0, 56.0)},
    {"country": "ISL", "since": date(2020, 1, 1), "until": date(2022, 6, 30)},
]


@pytest.mark.parametrize("params", INCIDENT_FILTERS, ids=repr)
def test_incident_pages_are_exactly_the_filters_incidents(
    fused: Store, params: dict[str, Any]
) -> None:
    expected = [i.id for i in fused.incidents(**params)]
    types = (params["type"],) if "type" in params else ()
    where = EventFilter(**{**{k: v for k, v in params.items() if k != "type"}, "types": types})
    queries = _query.IncidentQueries(fused)
    ids: list[str] = []
    cursor = None
    while True:
        page = queries.page(where, 3, cursor)
        ids += [r["id"] for r in page.records]
        assert len(page.texts) == 3 or page.next is None
        if (cursor := page.next) is None:
            break
    assert ids == expected
    if params == {"country": "ISL"}:
        assert 10 < len(expected) < 80  # rare among 2,000-odd incidents, more than a page


# --- a rare country told in whole articles -------------------------------------------------


def nauru(articles: int, per_article: int) -> list[tuple[Article, list[Event]]]:
    """Articles whose every event happens in Nauru, the first one dated before any event
    of ``ITEMS`` (so the first walk meets it whole), the others a year apart."""
    items = []
    for n in range(articles):
        day = date(2017, 12, 31) + timedelta(days=365 * n)
        sentences = [f"Nauru {n}.{i}: a protest at the port." for i in range(per_article)]
        article = Article(text=" ".join(sentences), ref=f"nauru-{n}", published=day)
        (template,) = spread(2)[0][1][:1]
        events, at = [], 0
        for i, sentence in enumerate(sentences):
            events.append(
                replace(
                    template,
                    id=f"nru{n}-{i}",
                    article_id=article.id,
                    place=Place("Yaren", None, -0.55, 166.92, "NRU", None, 1, None),
                    date=When(day, day, 1, None),
                    evidence=Evidence(sentence, at, at + len(sentence)),
                    article_ref=article.ref,
                )
            )
            at += len(sentence) + 1
        items.append((article, events))
    return items


NAURU = nauru(4, 6)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clumped(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with backend_url(request.param, tmp_path_factory.mktemp("clumped")) as url, Store(url) as store:
        store.add_many([*ITEMS[:300], *NAURU], fuse=False)
        yield store


def test_matches_of_one_article_count_once(clumped: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first walk meets six Nauru events, all of one article: as one match, they
    promise too little to walk on (the rest is looked up at once), where six
    independent ones would send the page on a longer walk first. The rows are the
    same either way, exactly Nauru's events in the store's order."""
    expected = sorted(
        (e for _, events in NAURU for e in events),
        key=lambda e: (e.date.start if e.date else None, e.article_id, e.id),
    )
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    def first_page() -> tuple[list[str], int]:
        statements.clear()
        event.listen(clumped._engine, "before_cursor_execute", seen)
        try:
            page = EventQueries(clumped).page(EventFilter(country="NRU"), 12)
        finally:
            event.remove(clumped._engine, "before_cursor_execute", seen)
        return [r["id"] for r in page.records], len(statements)

    grouped, grouped_statements = first_page()
    monkeypatch.setattr(_query, "_EVENTS", replace(_query._EVENTS, grouped=False))
    ungrouped, ungrouped_statements = first_page()
    assert grouped == ungrouped == [e.id for e in expected[:12]]
    assert grouped_statements < ungrouped_statements


def test_events_of_one_article_are_one_hit_and_incidents_one_each() -> None:
    day = date(2024, 1, 1)
    events = [(day, "a", "a-0", "{}"), (day, "a", "a-1", "{}"), (day, "b", "b-0", "{}")]
    assert _query._EVENTS.hits(events) == 2
    assert _query._INCIDENTS.hits([(day, "i1", "{}"), (day, "i2", "{}")]) == 2


# --- statements built once per shape ------------------------------------------------------

ACROSS = (170.0, -30.0, -170.0, 10.0)  # a box across the antimeridian: Fiji's side
SHAPES = [
    *RARE_FILTERS,
    *EMPTY_FILTERS,
    *COMMON_FILTERS,
    EventFilter(bbox=ACROSS),
    EventFilter(text="border", country="RUS"),
    EventFilter(text="no such words"),
    EventFilter(types=("assault", "ASSAULT")),  # one type, however written
]


def test_one_reader_gives_every_filter_its_own_events(store: Store) -> None:
    """One reader keeps one statement per shape: filters of one shape (ISL then UKR,
    one box then another) must each get exactly their events, page after page."""
    queries = EventQueries(store)
    built = []
    for _ in range(2):
        for where in [*SHAPES, EventFilter(country="UKR"), EventFilter(country="TUR")]:
            ids: list[str] = []
            cursor = None
            while True:
                page = queries.page(where, 7, cursor)
                ids += [r["id"] for r in page.records]
                if (cursor := page.next) is None:
                    break
            assert ids == (texts(where) if where.text else kept(where)), where
        built.append(len(queries._statements))
    assert built[0] == built[1] > 0  # the second time round, every statement was reused


def texts(where: EventFilter) -> list[str]:
    """What a filter with a text keeps: the others' events whose sentence holds it."""
    text = (where.text or "").lower()
    sentences = {e.id: e.evidence.sentence.lower() for _, events in ITEMS for e in events}
    return [i for i in kept(replace(where, text=None)) if text in sentences[i]]


def test_a_statement_from_the_cache_is_the_one_a_fresh_build_gives(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shape key tells apart every form a statement takes: whatever filter, cursor
    or part of a page reuses a statement, building it afresh gives the same SQL."""
    dialect = store._engine.dialect
    reused: list[str] = []
    get = _statements.Statements.get

    def checked(self: _statements.Statements, key: Any, build: Any, values: Any) -> Any:
        statement = get(self, key, build, values)
        fresh = str(build().compile(dialect=dialect))
        assert str(statement.compile(dialect=dialect)) == fresh, key
        reused.append(fresh)
        return statement

    monkeypatch.setattr(_statements.Statements, "get", checked)
    queries = EventQueries(store)
    for where in [*SHAPES, EventFilter(bbox=(-25.0, 60.0, -20.0, 70.0), types=("AID",))]:
        page = queries.page(where, 5)
        if page.next is not None:
            queries.page(where, 5, page.next)
    assert len(reused) > len(set(reused))  # statements were reused


def test_a_statement_binds_every_value_by_name() -> None:
    """A value baked into a statement (not bound by name) would be run again with the
    next call's values: such a statement is refused; so is a call missing a value."""
    statements = _statements.Statements()
    baked = select(EventRow.id).where(EventRow.type == "AID")
    with pytest.raises(ValueError, match="without a name"):
        statements.get(("baked",), lambda: baked, {})
    named = select(EventRow.id).where(EventRow.type == bindparam("f_type"))
    with pytest.raises(LookupError, match="f_type"):
        statements.get(("named",), lambda: named, {"f_mode": "drone"})
    assert statements.get(("named",), lambda: named, {"f_type": "AID"}) is named
