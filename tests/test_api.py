"""The HTTP API through a real uvicorn server on loopback, over SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import csv
import importlib.util
import io
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

import test_store_pages as pages
from dotterel.api import BackgroundServer, create_app
from dotterel.api._formats import COLUMNS, INCIDENT_COLUMNS
from dotterel.errors import SettingsError
from dotterel.pipeline import Pipeline
from dotterel.records import (
    Actor,
    Article,
    Attribution,
    Estimate,
    Event,
    Evidence,
    Place,
    Quantity,
    Span,
    When,
    to_dict,
)
from dotterel.settings import Settings
from dotterel.store import Store, _query
from dotterel.store._query import Cursor, EventFilter
from synthetic import bare_event

PG_URL = os.environ.get("DOTTEREL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TOKEN = "s3cret-token"

# --- a small store whose every event is known -------------------------------------------

TEXTS = {
    "odesa": "Russian forces struck Odesa with drones overnight, killing two people. "
    "Kyiv accused Moscow of terror.",
    "istanbul": "Turkish and Russian envoys met in Istanbul on Monday. "
    "They will meet again next week.",
    "paris": "Thousands marched in Paris against the war.",
    "pacific": "Fiji sent soldiers to Suva on Saturday. Samoa did not send troops to Apia.",
}
PUBLISHED = {
    "odesa": date(2023, 7, 23),
    "istanbul": date(2023, 8, 1),
    "paris": None,
    "pacific": date(2023, 7, 3),
}


def article(key: str) -> Article:
    return Article(
        text=TEXTS[key],
        ref=f"{key}.txt",
        url=f"https://news.example/{key}",
        title=f"News from {key}",
        published=PUBLISHED[key],
        outlet="Example News",
    )


def actor(name: str, country: str | None, sector: str | None, at: tuple[int, int]) -> Actor:
    return Actor(name, name, country, sector, None, at)


def evidence(key: str, number: int) -> Evidence:
    """The ``number``-th sentence of an article, with its offsets."""
    body = TEXTS[key]
    start = 0
    for _ in range(number):
        start = body.index(". ", start) + 2
    end = body.index(".", start) + 1
    return Evidence(body[start:end], start, end)


def event(
    key: str,
    name: str,
    type: str,
    *,
    sentence: int = 0,
    source: Actor | None = None,
    target: Actor | None = None,
    place: tuple[str, str, float, float] | None = None,
    day: tuple[date, date] | None = None,
    mode: str | None = None,
    modality: str = "asserted",
    deaths: int | None = None,
) -> Event:
    a = article(key)
    where = None
    if place is not None:
        place_name, country, lat, lon = place
        at = TEXTS[key].index(place_name)
        where = Place(place_name, None, lat, lon, country, None, 1, (at, at + len(place_name)))
    return Event(
        id=f"{key}-{name}",
        article_id=a.id,
        type=type,
        mode=mode,
        context=[],
        modality=modality,  # type: ignore[arg-type]
        source=source,
        target=target,
        place=where,
        date=None if day is None else When(day[0], day[1], 1 if day[0] == day[1] else 2, None),
        fatalities=None if deaths is None else Estimate(deaths, deaths, deaths, ["officials"]),
        injured=None,
        quantities=[]
        if deaths is None
        else [Quantity(deaths, "exact", "person", (58, 61), role="killed")],
        attribution=Attribution("officials", (0, 0), None) if deaths else None,
        acled=None,
        cameo=None,
        evidence=evidence(key, sentence),
        confidence=0.9,
        trigger=Span(15, 21, "struck") if type == "ASSAULT" else None,
        article_ref=a.ref,
    )


D = date
EVENTS: dict[str, list[Event]] = {
    "odesa": [
        event(
            "odesa",
            "strike",
            "ASSAULT",
            source=actor("Russian forces", "RUS", "MIL", (0, 14)),
            target=actor("Odesa", "UKR", "CVL", (22, 27)),
            place=("Odesa", "UKR", 46.4857, 30.7438),
            day=(D(2023, 7, 23), D(2023, 7, 23)),
            mode="drone",
            deaths=2,
        ),
        event(
            "odesa",
            "accuse",
            "ACCUSE",
            sentence=1,
            source=actor("Kyiv", "UKR", "GOV", (71, 75)),
            target=actor("Moscow", "RUS", "GOV", (84, 90)),
            day=(D(2023, 7, 23), D(2023, 7, 23)),
        ),
    ],
    "istanbul": [
        event(
            "istanbul",
            "met",
            "CONSULT",
            source=actor("Turkish envoys", "TUR", "GOV", (0, 7)),
            target=actor("Russian envoys", "RUS", "GOV", (12, 19)),
            place=("Istanbul", "TUR", 41.0138, 28.9497),
            day=(D(2023, 7, 31), D(2023, 7, 31)),
        ),
        event(
            "istanbul",
            "again",
            "CONSULT",
            sentence=1,
            source=actor("Turkish envoys", "TUR", "GOV", (0, 7)),
            target=actor("Russian envoys", "RUS", "GOV", (12, 19)),
            day=(D(2023, 8, 7), D(2023, 8, 13)),
            modality="future",
        ),
    ],
    "paris": [
        event(
            "paris",
            "march",
            "PROTEST",
            source=actor("Thousands", "FRA", "CVL", (0, 9)),
            place=("Paris", "FRA", 48.8534, 2.3488),
        ),
    ],
    "pacific": [
        event(
            "pacific",
            "suva",
            "MOBILIZE",
            source=actor("Fiji", "FJI", "GOV", (0, 4)),
            place=("Suva", "FJI", -18.1416, 178.4415),
            day=(D(2023, 7, 1), D(2023, 7, 1)),
        ),
        event(
            "pacific",
            "apia",
            "MOBILIZE",
            sentence=1,
            source=actor("Samoa", "WSM", "GOV", (40, 45)),
            place=("Apia", "WSM", -13.8333, -171.7667),
            day=(D(2023, 7, 3), D(2023, 7, 3)),
            modality="negated",
        ),
    ],
}
ALL = [e for events in EVENTS.values() for e in events]
BY_ID = {e.id: e for e in ALL}


def ordered(*ids: str) -> list[str]:
    """Event ids in the store's order: start date (undated last), article id, id."""
    chosen = [BY_ID[i] for i in ids]

    def key(e: Event) -> tuple[bool, date, str, str]:
        return (e.date is None, e.date.start if e.date else date.min, e.article_id, e.id)

    return [e.id for e in sorted(chosen, key=key)]


def fill(store: Store) -> None:
    for key, events in EVENTS.items():
        store.add(article(key), events)


# --- backends and live servers -------------------------------------------------------------


def _pg_base_url() -> str:
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip("psycopg is not installed; pip install 'psycopg[binary]' to test PostgreSQL")
    url = make_url(PG_URL)
    host, port = url.host or "127.0.0.1", url.port or 5432
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        pytest.skip(f"no PostgreSQL answers at {host}:{port} (set DOTTEREL_TEST_PG to a URL)")
    return PG_URL


@contextmanager
def backend_url(kind: str, folder: Path) -> Iterator[str]:
    """A URL to a fresh, empty store: a SQLite file, or a new PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'api-{uuid.uuid4().hex[:8]}.db'}"
        return
    base = _pg_base_url()
    schema = f"dotterel_api_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Live:
    url: str
    store: Store
    client: httpx.Client

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params)


@contextmanager
def live(store: Store, settings: Settings, pipeline: Pipeline | None = None) -> Iterator[Live]:
    with (
        BackgroundServer(create_app(store, settings, pipeline=pipeline)) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        yield Live(server.url, store, client)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A read-only server over the known events (one per backend, shared by the module)."""
    with backend_url(request.param, tmp_path_factory.mktemp("api")) as url:
        store = Store(url)
        fill(store)
        try:
            with live(store, Settings(db=url)) as server:
                yield server
        finally:
            store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def writable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL for tests that write."""
    with backend_url(request.param, tmp_path) as url:
        yield url


def stored(store: Store) -> tuple[int, int]:
    """(articles, events) in the store."""
    counts = store.counts()
    return counts["articles"], counts["events"]


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()["events"]]


# --- GET /events -----------------------------------------------------------------------------


def test_events_lists_every_event_in_store_order(api: Live) -> None:
    response = api.get("/events")
    assert response.headers["content-type"] == "application/json"
    assert ids(response) == [
        "pacific-suva",
        "pacific-apia",
        *ordered("odesa-strike", "odesa-accuse"),
        "istanbul-met",
        "istanbul-again",
        "paris-march",
    ]
    assert response.json()["next"] is None


def test_event_records_come_back_whole(api: Live) -> None:
    found = {e["id"]: e for e in api.get("/events").json()["events"]}
    assert found == {e.id: to_dict(e) for e in ALL}
    strike = found["odesa-strike"]
    assert strike["type"] == "ASSAULT" and strike["mode"] == "drone"
    assert strike["source"]["country"] == "RUS" and strike["target"]["country"] == "UKR"
    assert strike["place"]["name"] == "Odesa" and strike["place"]["lat"] == 46.4857
    assert strike["date"]["start"] == "2023-07-23"
    assert strike["fatalities"] == {"low": 2, "best": 2, "high": 2, "claimed_by": ["officials"]}


FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"type": "ASSAULT"}, ["odesa-strike"]),
    ({"type": "consult,accuse"}, ordered("odesa-accuse", "istanbul-met", "istanbul-again")),
    ({"type": ["CONSULT", "ACCUSE"]}, ordered("odesa-accuse", "istanbul-met", "istanbul-again")),
    ({"mode": "drone"}, ["odesa-strike"]),
    ({"modality": "future"}, ["istanbul-again"]),
    ({"modality": "negated"}, ["pacific-apia"]),
    (
        {"country": "rus"},
        ordered("odesa-strike", "odesa-accuse", "istanbul-met", "istanbul-again"),
    ),
    ({"source_country": "TUR"}, ["istanbul-met", "istanbul-again"]),
    ({"target_country": "RUS"}, ordered("odesa-accuse", "istanbul-met", "istanbul-again")),
    ({"place_country": "FRA"}, ["paris-march"]),
    (
        {"since": "2023-07-23"},
        ordered("odesa-strike", "odesa-accuse", "istanbul-met", "istanbul-again"),
    ),
    ({"until": "2023-07-03"}, ["pacific-suva", "pacific-apia"]),
    ({"since": "2023-07-24", "until": "2023-07-31"}, ["istanbul-met"]),
    ({"bbox": "22,40,35,50"}, ordered("odesa-strike", "istanbul-met")),
    ({"bbox": "170,-20,-170,-10"}, ["pacific-suva", "pacific-apia"]),  # across 180°
    ({"text": "TERROR"}, ["odesa-accuse"]),
    ({"text": "met in istanbul"}, ["istanbul-met"]),
    ({"text": "_"}, []),  # LIKE wildcards are literal
    ({"text": "%"}, []),
    ({"type": "ASSAULT", "country": "TUR"}, []),
    ({"country": "UKR", "type": "ACCUSE", "since": "2023-07-01"}, ["odesa-accuse"]),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_filters(api: Live, params: dict[str, Any], expected: list[str]) -> None:
    assert ids(api.get("/events", **params)) == expected


@pytest.mark.parametrize("limit", [1, 2, 3, 6])
def test_cursor_pages_walk_every_event_once(api: Live, limit: int) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/events", **params).json()
        assert 0 < len(body["events"]) <= limit
        seen += [e["id"] for e in body["events"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == ids(api.get("/events"))
    assert pages == -(-len(ALL) // limit)


def test_cursor_pages_keep_the_filter(api: Live) -> None:
    first = api.get("/events", country="RUS", limit=3).json()
    assert len(first["events"]) == 3
    rest = api.get("/events", country="RUS", limit=3, cursor=first["next"]).json()
    assert [e["id"] for e in first["events"] + rest["events"]] == ids(
        api.get("/events", country="RUS")
    )
    assert rest["next"] is None


BAD: list[tuple[dict[str, Any], list[str | int], str]] = [
    ({"type": "BOMBING"}, ["query", "type"], "'BOMBING' is not a PLOVER type"),
    ({"bbox": "1,2,3"}, ["query", "bbox"], "is not four numbers"),
    ({"bbox": "0,10,5,5"}, ["query", "bbox"], "south <= north"),
    ({"bbox": "-200,0,5,5"}, ["query", "bbox"], "longitudes"),
    ({"since": "2023-13-01"}, ["query", "since"], ""),
    ({"since": "2023-08-01", "until": "2023-07-01"}, ["query", "until"], "is before since"),
    ({"limit": 0}, ["query", "limit"], ""),
    ({"limit": 5000}, ["query", "limit"], ""),
    ({"cursor": "not-a-cursor"}, ["query", "cursor"], "not a cursor this server gave out"),
    ({"modality": "maybe"}, ["query", "modality"], ""),
    ({"country": "U K"}, ["query", "country"], ""),
    ({"format": "xml"}, ["query", "format"], ""),
]


@pytest.mark.parametrize(("params", "loc", "message"), BAD)
def test_bad_filters_are_422_naming_the_field(
    api: Live, params: dict[str, Any], loc: list[str | int], message: str
) -> None:
    response = api.get("/events", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"][0]["loc"] == loc
    assert body["error"].startswith(".".join(map(str, loc)) + ": ")
    assert message in body["error"]
    assert "\n" not in body["error"]


def test_geojson(api: Live) -> None:
    response = api.get("/events", format="geojson", limit=3)
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == ids(api.get("/events", limit=3))
    suva = body["features"][0]
    assert suva["geometry"] == {"type": "Point", "coordinates": [178.4415, -18.1416]}
    assert suva["properties"]["type"] == "MOBILIZE"
    assert suva["properties"]["place_name"] == "Suva"
    assert suva["properties"]["source_country"] == "FJI"
    assert suva["properties"]["date_start"] == "2023-07-01"
    accuse = api.get("/events", format="geojson", type="ACCUSE").json()["features"][0]
    assert accuse["geometry"] is None
    assert body["next"] == api.get("/events", limit=3).json()["next"]


def test_csv(api: Live) -> None:
    response = api.get("/events", format="csv", type="ASSAULT,PROTEST")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(COLUMNS)
    assert [r["id"] for r in rows] == ["odesa-strike", "paris-march"]
    strike, march = rows
    assert strike["type"] == "ASSAULT" and strike["mode"] == "drone"
    assert (strike["source_name"], strike["source_country"], strike["source_sector"]) == (
        "Russian forces",
        "RUS",
        "MIL",
    )
    assert (strike["lat"], strike["lon"], strike["place_name"]) == ("46.4857", "30.7438", "Odesa")
    assert (strike["date_start"], strike["fatalities_best"]) == ("2023-07-23", "2")
    assert strike["evidence"] == EVENTS["odesa"][0].evidence.sentence
    assert march["date_start"] == "" and march["target_country"] == ""
    assert "link" not in response.headers


def test_next_page_link_header(api: Live) -> None:
    response = api.get("/events", format="csv", limit=2)
    token = Cursor.decode(response.headers["link"].split("cursor=")[1].split(">")[0])
    assert token.keys[-1] == ids(api.get("/events", limit=2))[-1]
    assert response.headers["link"].endswith('; rel="next"')


# --- one event, one article, stats -------------------------------------------------------------


def test_one_event(api: Live) -> None:
    response = api.get("/events/istanbul-again")
    assert response.json() == to_dict(BY_ID["istanbul-again"])
    missing = api.get("/events/no-such-event")
    assert missing.status_code == 404
    assert missing.json()["error"] == "no event 'no-such-event' in this store"


def test_article_with_text_and_evidence_spans(api: Live) -> None:
    odesa = article("odesa")
    body = api.get(f"/articles/{odesa.id}").json()
    assert body["text"] == TEXTS["odesa"]
    assert (body["title"], body["published"], body["ref"]) == (
        "News from odesa",
        "2023-07-23",
        "odesa.txt",
    )
    assert [e["id"] for e in body["events"]] == ["odesa-strike", "odesa-accuse"]
    spans = [(e["evidence"]["start"], e["evidence"]["end"]) for e in body["events"]]
    assert spans == [(0, 70), (71, 101)]
    for e in body["events"]:
        start, end = e["evidence"]["start"], e["evidence"]["end"]
        assert body["text"][start:end] == e["evidence"]["sentence"]
    assert api.get("/articles/0000").status_code == 404


def test_stats(api: Live) -> None:
    body = api.get("/stats").json()
    assert body["total"] == 7 and body["undated"] == 1
    assert body["types"] == {
        "ACCUSE": 1,
        "ASSAULT": 1,
        "CONSULT": 2,
        "MOBILIZE": 2,
        "PROTEST": 1,
    }
    assert body["days"] == [
        {"date": "2023-07-01", "type": "MOBILIZE", "count": 1},
        {"date": "2023-07-03", "type": "MOBILIZE", "count": 1},
        {"date": "2023-07-23", "type": "ACCUSE", "count": 1},
        {"date": "2023-07-23", "type": "ASSAULT", "count": 1},
        {"date": "2023-07-31", "type": "CONSULT", "count": 1},
        {"date": "2023-08-07", "type": "CONSULT", "count": 1},
    ]
    filtered = api.get("/stats", country="RUS", text="moscow").json()
    assert filtered == {
        "total": 1,
        "undated": 0,
        "types": {"ACCUSE": 1},
        "days": [{"date": "2023-07-23", "type": "ACCUSE", "count": 1}],
    }
    assert api.get("/stats", type="NOPE").status_code == 422


# --- docs and the dashboard's files --------------------------------------------------------------


def test_openapi_and_offline_docs(api: Live) -> None:
    spec = api.get("/openapi.json").json()
    assert {
        "/events",
        "/events/{event_id}",
        "/articles",
        "/articles/{article_id}",
        "/stats",
    } <= set(spec["paths"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    docs = api.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert api.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_dashboard_and_vendored_files_are_served(api: Live) -> None:
    page = api.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere
    for path in (
        "/static/dashboard.js",
        "/static/dashboard.css",
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet/leaflet.css",
        "/static/vendor/topojson-client/topojson-client.min.js",
    ):
        assert api.get(path).status_code == 200, path
    atlas = api.get("/static/vendor/world-atlas/countries-50m.json").json()
    assert atlas["type"] == "Topology" and len(atlas["objects"]["countries"]["geometries"]) > 200


# --- reads behind the token when the settings say so --------------------------------------------


def test_reads_need_the_token_only_when_configured(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'closed.db'}"
    with Store(url) as store:
        fill(store)
        closed = Settings(db=url, api_token=TOKEN, api_read_auth=True)
        with live(store, closed) as server:
            assert server.get("/events").status_code == 401
            assert server.get("/stats").status_code == 401
            auth = {"Authorization": f"Bearer {TOKEN}"}
            response = server.client.get("/events", headers=auth)
            assert response.status_code == 200 and len(response.json()["events"]) == 7
            assert server.get("/").status_code == 200  # the page itself is static


# --- POST /articles ------------------------------------------------------------------------------

JEDDAH_LIKE = (
    "Russian forces struck Odesa with drones overnight, killing two people, Ukrainian "
    "officials said on Sunday. Kyiv accused Moscow of terror."
)


def post(server: Live, body: Any, token: str | None = TOKEN, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return server.client.post("/articles", json=body, headers=headers, **kw)


def test_post_codes_and_stores_an_article(writable: str, pipeline: Pipeline) -> None:
    with Store(writable) as store, live(store, Settings(api_token=TOKEN), pipeline) as server:
        posted = {"text": JEDDAH_LIKE, "id": "odesa-1", "published": "2023-07-23", "title": "T"}
        response = post(server, posted)
        assert response.status_code == 200, response.text
        article_id = Article(text=JEDDAH_LIKE).id
        assert response.json() == {
            "added": 1,
            "present": 0,
            "failed": 0,
            "articles": [
                {"id": article_id, "ref": "odesa-1", "stored": True, "events": 2, "error": None}
            ],
        }
        events = server.get("/events").json()["events"]
        assert sorted(e["type"] for e in events) == ["ACCUSE", "ASSAULT"]
        strike, accuse = sorted(events, key=lambda e: str(e["type"]), reverse=True)
        assert (strike["type"], strike["mode"], strike["modality"]) == (
            "ASSAULT",
            "drone",
            "asserted",
        )
        assert (strike["source"]["country"], strike["target"]["country"]) == ("RUS", "UKR")
        assert (strike["place"]["name"], strike["place"]["country"]) == ("Odesa", "UKR")
        assert strike["date"]["start"] == "2023-07-23"
        assert strike["fatalities"]["best"] == 2
        assert strike["fatalities"]["claimed_by"] == ["Ukrainian officials"]
        assert strike["article_ref"] == "odesa-1"
        assert (accuse["type"], accuse["source"]["country"], accuse["target"]["country"]) == (
            "ACCUSE",
            "UKR",
            "RUS",
        )
        kept = server.get(f"/articles/{article_id}").json()
        assert kept["text"] == JEDDAH_LIKE and kept["ref"] == "odesa-1"
        assert kept["published"] == "2023-07-23"

        again = post(server, [posted])  # a rerun neither loses nor duplicates
        assert again.json()["added"] == 0 and again.json()["present"] == 1
        assert again.json()["articles"][0]["stored"] is False
        assert stored(store) == (1, 2)


def test_post_many_skips_the_one_the_pipeline_refuses(writable: str, pipeline: Pipeline) -> None:
    short = copy.copy(pipeline)
    short.settings = replace(pipeline.settings, max_chars=200)
    with Store(writable) as store, live(store, Settings(api_token=TOKEN), short) as server:
        long_text = "Protesters marched in Paris. " * 10
        response = post(server, [{"text": long_text}, {"text": JEDDAH_LIKE, "ref": "ok"}])
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["added"], body["present"], body["failed"]) == (1, 0, 1)
        refused, accepted = body["articles"]
        assert refused["stored"] is False and refused["events"] == 0
        assert "longer than max_chars=200" in refused["error"]
        assert accepted == {
            "id": Article(text=JEDDAH_LIKE).id,
            "ref": "ok",
            "stored": True,
            "events": 2,
            "error": None,
        }
        assert stored(store) == (1, 2)

        alone = post(server, {"text": long_text})
        assert alone.status_code == 422
        assert alone.json()["detail"][0]["loc"] == ["body", "text"]
        assert "longer than max_chars=200" in alone.json()["error"]
        assert stored(store) == (1, 2)


def test_post_needs_the_bearer_token(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with Store(url) as store:
        with live(store, Settings(api_token=TOKEN)) as server:
            for token in (None, "wrong"):
                response = post(server, {"text": JEDDAH_LIKE}, token=token)
                assert response.status_code == 401
                assert response.headers["www-authenticate"] == "Bearer"
            assert "Authorization: Bearer" in post(server, {}, token=None).json()["error"]
            assert "not this server's api_token" in post(server, {}, token="x").json()["error"]
            basic = server.client.post(
                "/articles", json={"text": "x"}, headers={"Authorization": "Basic abc"}
            )
            assert basic.status_code == 401
        with live(store, Settings(api_token="")) as server:
            response = post(server, {"text": JEDDAH_LIKE}, token="anything")
            assert response.status_code == 401
            assert "has no api_token" in response.json()["error"]
        assert stored(store) == (0, 0)


def test_post_refuses_a_body_too_large(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with Store(url) as store, live(store, Settings(api_token=TOKEN, api_max_body=2000)) as server:
        response = post(server, {"text": "x" * 3000})
        assert response.status_code == 413
        assert "api_max_body=2000" in response.json()["error"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            yield b'{"text": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}'

        streamed = server.client.post(
            "/articles",
            content=chunks(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        assert streamed.status_code == 413
        assert stored(store) == (0, 0)


NOT_ARTICLES: list[tuple[Any, list[str | int], str]] = [
    ({"title": "no text"}, ["body", "text"], "Field required"),
    ({"text": "   "}, ["body", "text"], "text is blank"),
    ({"text": 5}, ["body", "text"], "valid string"),
    ({"text": "ok", "colour": "red"}, ["body", "colour"], "Extra inputs are not permitted"),
    ({"text": "ok", "published": "2025-13-01"}, ["body", "published"], ""),
    ([{"text": "ok"}, {"txt": "typo"}], ["body", 1, "text"], "Field required"),
    ([], ["body"], "an empty list"),
    ("just a string", ["body"], "must be an article object or a list"),
]


@pytest.mark.parametrize(("body", "loc", "message"), NOT_ARTICLES)
def test_post_not_an_article_is_422_naming_the_field(
    tmp_path: Path, body: Any, loc: list[str | int], message: str
) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with Store(url) as store, live(store, Settings(api_token=TOKEN)) as server:
        response = post(server, body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == loc
        assert message in response.json()["error"]
        assert stored(store) == (0, 0)


def test_post_malformed_json_is_422(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with Store(url) as store, live(store, Settings(api_token=TOKEN)) as server:
        response = server.client.post(
            "/articles",
            content=b'{"text": "unterminated',
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["error"].startswith("body: not JSON")


def test_store_failure_is_a_503_with_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gone.db'}"
    store = Store(url)
    with live(store, Settings()) as server:
        with store._engine.begin() as conn:  # the table vanishes under a running server
            conn.execute(text("DROP TABLE events"))
        response = server.get("/events")
        assert response.status_code == 503
        assert response.json()["error"].startswith("cannot read events")
        assert "\n" not in response.json()["error"]
    store.close()


def test_cli_serve_is_documented_in_help() -> None:
    from typer.testing import CliRunner

    from dotterel.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--db", "--host", "--port"):
        assert option in result.output


def test_settings_read_the_api_settings_from_the_environment() -> None:
    env = {
        "DOTTEREL_API_TOKEN": "t0k",
        "DOTTEREL_API_READ_AUTH": "true",
        "DOTTEREL_API_MAX_BODY": "1234",
    }
    settings = Settings.load(env=env)
    assert (settings.api_token, settings.api_read_auth, settings.api_max_body) == (
        "t0k",
        True,
        1234,
    )
    assert "t0k" not in repr(settings)
    assert Settings.load(env={"DOTTEREL_API_READ_AUTH": "0"}).api_read_auth is False
    with pytest.raises(SettingsError, match="api_read_auth' must be true or false"):
        Settings.load(env={"DOTTEREL_API_READ_AUTH": "maybe"})


# --- incidents: events fused across articles, every claim kept ------------------------------

SECOND_ODESA = "A drone strike hit Odesa overnight, killing three people, the mayor said."


def second_odesa() -> tuple[Article, list[Event]]:
    a = Article(
        text=SECOND_ODESA,
        ref="odesa-2.txt",
        title="Odesa hit again",
        published=date(2023, 7, 23),
        outlet="Other Wire",
    )
    e = replace(
        EVENTS["odesa"][0],
        id="odesa2-strike",
        article_id=a.id,
        source=actor("Russian forces", "RUS", "MIL", (0, 0)),
        place=Place("Odesa", None, 46.4857, 30.7438, "UKR", None, 1, (20, 25)),
        fatalities=Estimate(3, 3, 3, ["the mayor"]),
        quantities=[Quantity(3, "exact", "person", (45, 50), role="killed")],
        attribution=Attribution("the mayor", (59, 68), None),
        evidence=Evidence(SECOND_ODESA, 0, len(SECOND_ODESA)),
        article_ref=a.ref,
    )
    return a, [e]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fused(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """A server over the known events plus a second report of the Odesa strike."""
    with backend_url(request.param, tmp_path_factory.mktemp("fused")) as url:
        store = Store(url)
        fill(store)
        store.add(*second_odesa())
        try:
            with live(store, Settings(db=url)) as server:
                yield server
        finally:
            store.close()


def incident_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["incidents"]]


def strike_incident(server: Live) -> dict[str, Any]:
    found = server.get("/incidents", type="ASSAULT").json()["incidents"]
    assert len(found) == 1
    return dict(found[0])


def test_incidents_list_matches_the_store(fused: Live) -> None:
    body = fused.get("/incidents").json()
    assert body["incidents"] == [i.to_dict() for i in fused.store.incidents()]
    assert body["next"] is None
    assert len(body["incidents"]) == 4  # future and negated events are not happenings


def test_two_reports_fuse_into_one_incident_with_both_claims(fused: Live) -> None:
    strike = strike_incident(fused)
    assert sorted(strike["events"]) == ["odesa-strike", "odesa2-strike"]
    assert strike["sources"] == 2
    assert (strike["source"]["country"], strike["target"]["country"]) == ("RUS", "UKR")
    assert strike["place"]["name"] == "Odesa" and strike["date"]["start"] == "2023-07-23"
    fatalities = strike["fatalities"]
    assert (fatalities["low"], fatalities["best"], fatalities["high"]) == (2, 2, 3)
    claims = sorted((c["value"], c["claimant"], c["event"]) for c in strike["claims"])
    assert claims == [(2, "officials", "odesa-strike"), (3, "the mayor", "odesa2-strike")]


def test_one_incident_with_claims_and_member_evidence(fused: Live) -> None:
    strike = strike_incident(fused)
    body = fused.get(f"/incidents/{strike['id']}").json()
    members = body.pop("members")
    assert body == strike
    assert sorted(m["id"] for m in members) == ["odesa-strike", "odesa2-strike"]
    for member in members:
        text_of = fused.get(f"/articles/{member['article_id']}").json()["text"]
        span = member["evidence"]
        assert text_of[span["start"] : span["end"]] == span["sentence"]
    missing = fused.get("/incidents/inc-nothing")
    assert missing.status_code == 404
    assert missing.json()["error"] == "no incident 'inc-nothing' in this store"


INCIDENT_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"type": "ASSAULT"}, ["ASSAULT"]),
    ({"country": "TUR"}, ["CONSULT"]),
    ({"text": "MAYOR"}, ["ASSAULT"]),  # any member's evidence
    ({"modality": "negated"}, []),
    ({"bbox": "170,-20,-170,-10"}, ["MOBILIZE"]),
    ({"since": "2023-07-23", "until": "2023-07-23"}, ["ACCUSE", "ASSAULT"]),
    ({"target_country": "RUS"}, ["ACCUSE", "CONSULT"]),
]


@pytest.mark.parametrize(("params", "types"), INCIDENT_FILTERS)
def test_incident_filters(fused: Live, params: dict[str, Any], types: list[str]) -> None:
    found = fused.get("/incidents", **params).json()["incidents"]
    assert sorted(i["type"] for i in found) == types


def test_incident_pages_walk_every_incident_once(fused: Live) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        body = fused.get("/incidents", **params).json()
        seen += [i["id"] for i in body["incidents"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == incident_ids(fused.get("/incidents"))
    events_cursor = fused.get("/events", limit=1).json()["next"]
    wrong = fused.get("/incidents", cursor=events_cursor)
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_incidents_as_csv_and_geojson(fused: Live) -> None:
    response = fused.get("/incidents", format="csv", type="ASSAULT")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(INCIDENT_COLUMNS)
    (row,) = rows
    assert (row["type"], row["place_name"], row["sources"], row["events"], row["claims"]) == (
        "ASSAULT",
        "Odesa",
        "2",
        "2",
        "2",
    )
    assert (row["fatalities_low"], row["fatalities_best"], row["fatalities_high"]) == (
        "2",
        "2",
        "3",
    )
    assert sorted(row["outlets"].split(";")) == ["Example News", "Other Wire"]
    geo = fused.get("/incidents", format="geojson", country="FJI").json()
    (suva,) = geo["features"]
    assert suva["geometry"] == {"type": "Point", "coordinates": [178.4415, -18.1416]}
    assert suva["properties"]["type"] == "MOBILIZE"


# --- pages over years of events: windows of dates, every filter, same rows as Store.events --


def spread_events(count: int) -> list[tuple[Article, list[Event]]]:
    """Events over ten years (some undated), varied enough for every filter to bite."""
    rng = random.Random(6)
    items = []
    words = ["shelling", "drones", "talks", "Bakhmut", "aid", "convoy"]
    places = [("Odesa", "UKR", 46.48, 30.73), ("Suva", "FJI", -18.14, 178.44)]
    for n in range(count):
        sentence = f"Report {n}: {rng.choice(words)} near {rng.choice(words)}."
        a = Article(text=sentence, ref=f"spread-{n}")
        name, country, lat, lon = rng.choice(places)
        day = None if n % 17 == 0 else date(2014, 1, 1) + timedelta(days=rng.randrange(3650))
        e = bare_event(
            f"s{n:04d}",
            a,
            sentence,
            0,
            type=rng.choice(["ASSAULT", "CONSULT", "AID"]),
            source=actor("side", rng.choice(["RUS", "UKR", "TUR"]), "GOV", (0, 0)),
            day=day,
            place=Place(name, None, lat, lon, country, None, 1, None),
        )
        items.append((a, [e]))
    return items


SPREAD_FILTERS: list[dict[str, Any]] = [
    {},
    {"type": "ASSAULT"},
    {"country": "TUR"},
    {"country": "FJI", "type": "AID"},
    {"text": "bakhmut"},
    {"text": "Bakhmut", "country": "RUS"},
    {"bbox": "170,-20,-170,-10", "since": "2016-01-01"},
    {"since": "2019-06-01", "until": "2020-06-01"},
]


def walk_events(server: Live, limit: int, params: dict[str, Any]) -> list[str]:
    """Every event id of a filter, page by page through the cursors."""
    walked: list[str] = []
    cursor = None
    while True:
        page = server.get(
            "/events", limit=limit, **params, **({"cursor": cursor} if cursor else {})
        ).json()
        walked += [e["id"] for e in page["events"]]
        if (cursor := page["next"]) is None:
            return walked


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_pages_over_years_match_store_events(tmp_path: Path, backend: str) -> None:
    with backend_url(backend, tmp_path) as url, Store(url) as store:
        store.add_many(spread_events(300), fuse=False)
        with live(store, Settings(db=url)) as server:
            for params in SPREAD_FILTERS:
                walked = walk_events(server, 13, params)
                bbox = params.get("bbox")
                expected = store.events(
                    type=params.get("type"),
                    country=params.get("country"),
                    since=date.fromisoformat(params["since"]) if "since" in params else None,
                    until=date.fromisoformat(params["until"]) if "until" in params else None,
                    bbox=tuple(float(x) for x in bbox.split(",")) if bbox else None,  # type: ignore[arg-type]
                    text=params.get("text"),
                )
                assert walked == [e.id for e in expected], params
                assert len(walked) > 0, params


# --- text pages past the rows matched one by one: the text index takes over ----------------

RARE = "Avdiivka"


def worded_events(count: int) -> list[tuple[Article, list[Event]]]:
    """Events over ten years (some undated), two per article: common words in most
    evidence, the rare word in one sentence in 150, in dated and undated events alike."""
    rng = random.Random(61)
    items = []
    common = ["shelling", "convoy", "talks"]
    for n in range(count // 2):
        day = None if n % 23 == 0 else date(2014, 1, 1) + timedelta(days=rng.randrange(3650))
        sentences = [
            f"Report {n}.{i}: {RARE if rng.random() < 1 / 150 else rng.choice(common)} "
            f"near {rng.choice(common)}."
            for i in range(2)
        ]
        a = Article(text=" ".join(sentences), ref=f"worded-{n}", published=day)
        events, at = [], 0
        for i, sentence in enumerate(sentences):
            country = rng.choice(["UKR", "FJI", "TUR"])
            events.append(
                bare_event(
                    f"w{n:04d}{'ab'[i]}",
                    a,
                    sentence,
                    at,
                    type=rng.choice(["ASSAULT", "AID"]),
                    source=actor("side", country, "GOV", (0, 0)),
                    day=day,
                )
            )
            at += len(sentence) + 1
        items.append((a, events))
    return items


def _expected(items: list[tuple[Article, list[Event]]], params: dict[str, str]) -> list[str]:
    """The ids a filter keeps, in the store's order, worked out here, not by the store."""
    kept = [
        e
        for _, events in items
        for e in events
        if params.get("text", "").lower() in e.evidence.sentence.lower()
        and params.get("type", e.type) == e.type
        and params.get("country", e.source.country if e.source else None)
        == (e.source.country if e.source else None)
    ]
    kept.sort(
        key=lambda e: (e.date is None, e.date.start if e.date else date.min, e.article_id, e.id)
    )
    return [e.id for e in kept]


WORDED_FILTERS: list[dict[str, str]] = [
    {"text": RARE.lower()},  # rare: past the rows matched one by one, the text index
    {"text": RARE, "type": "AID"},
    {"text": "CONVOY", "country": "FJI"},  # common: found row by row
    {"text": "report 1"},
]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_text_pages_past_the_rows_matched_one_by_one(tmp_path: Path, backend: str) -> None:
    items = worded_events(4400)
    with backend_url(backend, tmp_path) as url, Store(url) as store:
        store.add_many(items, fuse=False)
        with live(store, Settings(db=url)) as server:
            for params in WORDED_FILTERS:
                walked = walk_events(server, 40, params)
                expected = _expected(items, params)
                assert walked == expected, params
                assert len(expected) > 0, params
    rare = _expected(items, {"text": RARE})
    assert 10 < len(rare) < 60  # sparse enough that 2,000 scanned rows cannot fill a page


# --- rare and empty filters: past a bounded walk, looked up through their own indexes ------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_rare_and_empty_filters_page_past_the_walk(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in pages.SHORT_WALK.items():  # a few hundred events walk past it
        monkeypatch.setattr(_query, name, value)
    with backend_url(backend, tmp_path) as url, Store(url) as store:
        store.add_many(pages.ITEMS, fuse=False)
        with live(store, Settings(db=url)) as server:
            for params in [
                {"country": "ISL"},
                {"country": "ISL", "type": "AID,CONSULT"},
                {"bbox": "-25,62,-18,66"},
                {"country": "NZL"},
                {"country": "ISL", "type": "REJECT"},
                {"bbox": "-40,45,-30,56"},
            ]:
                walked = walk_events(server, 4, params)
                box = params.get("bbox")
                where = EventFilter(
                    country=params.get("country"),
                    types=tuple(params["type"].split(",")) if "type" in params else (),
                    bbox=tuple(float(x) for x in box.split(",")) if box else None,  # type: ignore[arg-type]
                )
                assert walked == pages.kept(where), params


def test_serve_with_workers(tmp_path: Path) -> None:
    """`dotterel serve --workers 2`: the real command, in its own processes."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    with Store(url) as store:
        fill(store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from dotterel.cli import app; app()"]
    server = subprocess.Popen(
        [*command, "serve", "--db", url, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/events", params={"type": "MOBILIZE"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        assert [e["id"] for e in response.json()["events"]] == ["pacific-suva", "pacific-apia"]
    finally:
        server.terminate()
        server.wait(timeout=30)
