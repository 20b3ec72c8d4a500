"""The event store: real SQLite files in tmp_path (and PostgreSQL when one answers)."""

from __future__ import annotations

import importlib.util
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url, text

import dotterel.store
from dotterel.errors import StoreError
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
)
from dotterel.store import Store
from dotterel.store._query import EventFilter, EventQueries
from dotterel.store._store import events_query
from dotterel.store.models import Base, include_name

PG_URL = os.environ.get("DOTTEREL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MIGRATIONS = Path(dotterel.store.__file__).parent / "migrations"

ODESA_TEXT = (
    "Russian forces struck Odesa overnight with missiles and drones, killing two people, "
    "Ukrainian officials said on Sunday. At least 19 missiles were launched, the air force said."
)


# --- records -------------------------------------------------------------------------


def make_article(text: str = ODESA_TEXT, ref: str = "odesa.txt") -> Article:
    return Article(
        text=text,
        ref=ref,
        url=f"https://news.example/{ref}",
        title="Missiles hit Odesa",
        published=date(2023, 7, 23),
        outlet="Example News",
    )


def make_event(
    article: Article,
    event_id: str,
    *,
    type: str = "ASSAULT",
    source: str | None = "RUS",
    target: str | None = "UKR",
    place: tuple[str, str] | None = ("Odesa", "UKR"),
    day: date | None = date(2023, 7, 23),
) -> Event:
    """A realistic event from the Odesa strike; keywords vary what the filters look at."""
    text = article.text
    end = text.index(".") + 1
    return Event(
        id=event_id,
        article_id=article.id,
        type=type,
        mode="aerial",
        context=["military"],
        modality="asserted",
        source=None
        if source is None
        else Actor("Russian forces", "Russian Armed Forces", source, "MIL", "Q1", (0, 14)),
        target=None if target is None else Actor("Ukraine", "Ukraine", target, "GOV", None, (0, 0)),
        place=None
        if place is None
        else Place(place[0], 698740, 46.47747, 30.73262, place[1], "Odesa Oblast", 1, (22, 27)),
        date=None if day is None else When(day, day, 1, None),
        fatalities=Estimate(2, 2, 2, ["Ukrainian officials"]),
        injured=None,
        quantities=[
            Quantity(19, "at_least", "missile", (120, 140), claimed_by="the air force"),
            Quantity(2, "exact", "person", (72, 75), role="killed"),
        ],
        attribution=Attribution("Ukrainian officials", (84, 103), "UKR"),
        acled={"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike"},
        cameo="195",
        evidence=Evidence(text[:end], 0, end),
        confidence=0.87,
        trigger=Span(15, 21, "struck"),
        article_ref=article.ref,
    )


# --- backends --------------------------------------------------------------------------


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
        yield f"sqlite:///{folder / 'events.db'}"
        return
    base = _pg_base_url()
    schema = f"dotterel_test_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with backend_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


# --- round trip and idempotency (every backend) ------------------------------------------


def test_round_trip_gives_back_equal_records(store_url: str) -> None:
    article = make_article()
    events = [make_event(article, "ev-1"), make_event(article, "ev-2", type="ACCUSE")]
    with Store(store_url) as store:
        assert store.add(article, events) is True
        assert store.events() == events
        assert store.article(article.id) == article
        assert store.article(article.id).published == date(2023, 7, 23)  # type: ignore[union-attr]
        assert store.article("no-such-id") is None


def test_sparse_event_round_trips(store_url: str) -> None:
    article = make_article()
    bare = replace(
        make_event(article, "ev-bare", source=None, target=None, place=None, day=None),
        fatalities=None,
        quantities=[],
        attribution=None,
        acled=None,
        trigger=None,
        mode=None,
    )
    with Store(store_url) as store:
        store.add(replace(article, published=None, url=None, title=None), [bare])
        assert store.events() == [bare]
        assert store.article(article.id).published is None  # type: ignore[union-attr]


def test_article_without_events_and_with_a_datetime_published(store_url: str) -> None:
    article = replace(make_article(), published=datetime(2023, 7, 23, 6, 30, tzinfo=UTC))
    with Store(store_url) as store:
        assert store.add(article, []) is True
        assert store.counts() == {"articles": 1, "events": 0, "incidents": 0}
        assert store.article(article.id) == replace(article, published=date(2023, 7, 23))


def test_adding_the_same_article_twice_changes_nothing(store_url: str) -> None:
    article = make_article()
    events = [make_event(article, "ev-1"), make_event(article, "ev-2")]
    with Store(store_url) as store:
        assert store.add(article, events) is True
        assert store.add(article, events) is False
        assert store.add(article, [make_event(article, "ev-3")]) is False
        assert store.counts() == {"articles": 1, "events": 2, "incidents": 2}
    with Store(store_url) as reopened:
        assert reopened.add(article, events) is False
        assert reopened.counts() == {"articles": 1, "events": 2, "incidents": 2}
        assert reopened.events() == events


def test_failed_add_leaves_the_store_as_it_was(store_url: str) -> None:
    kept = make_article()
    broken = make_article("Kyiv was shelled again on Monday.", ref="kyiv.txt")
    twins = [make_event(broken, "ev-same"), make_event(broken, "ev-same")]
    with Store(store_url) as store:
        store.add(kept, [make_event(kept, "ev-1")])
        with pytest.raises(StoreError, match="event id repeats"):
            store.add(broken, twins)
        assert store.counts() == {"articles": 1, "events": 1, "incidents": 1}
        assert store.article(broken.id) is None
        assert store.add(broken, twins[:1]) is True  # still usable, and nothing was left over


def test_add_many_counts_added_and_present(store_url: str) -> None:
    articles = [make_article(f"Report number {n}.", ref=f"r{n}") for n in range(5)]
    items = [(a, [make_event(a, f"ev-{n}")]) for n, a in enumerate(articles)]
    with Store(store_url) as store:
        store.add(*items[0])
        stream = iter([*items, items[3]])  # a generator-like stream with a repeat
        assert store.add_many(stream, batch_size=2) == (4, 2)
        assert store.counts() == {"articles": 5, "events": 5, "incidents": 1}
        assert store.add_many(items) == (0, 5)


def test_add_many_stops_at_a_bad_item_keeping_those_before(store_url: str) -> None:
    articles = [make_article(f"Report number {n}.", ref=f"r{n}") for n in range(5)]
    items = [(a, [make_event(a, f"ev-{n}")]) for n, a in enumerate(articles)]
    bad = items[2][0]
    items[2] = (bad, [make_event(bad, "ev-x"), make_event(bad, "ev-x")])
    with Store(store_url) as store, pytest.raises(StoreError, match=bad.id):
        store.add_many(items, batch_size=2)
    with Store(store_url) as store:
        assert store.counts() == {"articles": 2, "events": 2, "incidents": 1}
        assert store.article(items[3][0].id) is None


def test_migrations_match_the_models(store_url: str) -> None:
    Store(store_url).close()
    engine = create_engine(store_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


# --- filters -----------------------------------------------------------------------------

FILTER_ARTICLES = {
    "a1": "Russian forces struck Odesa; Kyiv accused Moscow of terror.",
    "a2": "Washington sent aid to Kyiv. Turkish and Russian envoys met in Istanbul.",
    "a3": "Thousands marched in Paris.",
}
FILTER_EVENTS = [  # (article, id, type, source, target, place, day)
    ("a1", "a1-0", "ASSAULT", "RUS", "UKR", ("Odesa", "UKR"), date(2023, 7, 23)),
    ("a1", "a1-1", "ACCUSE", "UKR", "RUS", None, date(2023, 7, 23)),
    ("a2", "a2-0", "AID", "USA", "UKR", None, date(2023, 8, 1)),
    ("a2", "a2-1", "CONSULT", "TUR", "RUS", ("Istanbul", "TUR"), date(2023, 7, 10)),
    ("a3", "a3-0", "PROTEST", None, None, ("Paris", "FRA"), None),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with backend_url(request.param, tmp_path_factory.mktemp("filters")) as url:
        articles = {key: make_article(body, ref=key) for key, body in FILTER_ARTICLES.items()}
        with Store(url) as store:
            for key, article in articles.items():
                store.add(
                    article,
                    [
                        make_event(article, eid, type=kind, source=src, target=tgt, place=pl, day=d)
                        for art, eid, kind, src, tgt, pl, d in FILTER_EVENTS
                        if art == key
                    ],
                )
            yield store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["a2-1", "a1-0", "a1-1", "a2-0", "a3-0"]),
        ({"type": "ASSAULT"}, ["a1-0"]),
        ({"type": "accuse"}, ["a1-1"]),
        ({"type": "SANCTION"}, []),
        ({"country": "UKR"}, ["a1-0", "a1-1", "a2-0"]),
        ({"country": "RUS"}, ["a2-1", "a1-0", "a1-1"]),
        ({"country": "USA"}, ["a2-0"]),  # source only
        ({"country": "FRA"}, ["a3-0"]),  # place only
        ({"country": "tur"}, ["a2-1"]),
        ({"since": date(2023, 7, 23)}, ["a1-0", "a1-1", "a2-0"]),
        ({"until": date(2023, 7, 23)}, ["a2-1", "a1-0", "a1-1"]),
        ({"since": date(2023, 7, 23), "until": date(2023, 7, 23)}, ["a1-0", "a1-1"]),
        ({"country": "UKR", "since": date(2023, 7, 24)}, ["a2-0"]),
        ({"type": "ASSAULT", "country": "TUR"}, []),
        ({"limit": 2}, ["a2-1", "a1-0"]),
        ({"country": "RUS", "limit": 1}, ["a2-1"]),
        ({"limit": 0}, []),
    ],
)
def test_event_filters(filled_store: Store, query: dict[str, object], expected: list[str]) -> None:
    assert [e.id for e in filled_store.events(**query)] == expected  # type: ignore[arg-type]


def test_negative_limit_is_refused(filled_store: Store) -> None:
    with pytest.raises(ValueError, match="limit"):
        filled_store.events(limit=-1)


# --- SQLite files ------------------------------------------------------------------------


def test_sqlite_file_is_wal_and_at_the_head_revision(db_path: Path) -> None:
    Store(f"sqlite:///{db_path}").close()
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
    assert head == "0006"
    with Store(f"sqlite:///{db_path}") as again:  # an already-migrated file opens as is
        assert again.counts() == {"articles": 0, "events": 0, "incidents": 0}


@pytest.mark.parametrize(
    "query",
    [
        {"country": "UKR", "since": date(2023, 1, 1)},
        {"country": "UKR"},
        {"type": "ASSAULT"},
        {"since": date(2023, 1, 1), "until": date(2023, 12, 31)},
    ],
)
def test_filtered_queries_use_indexes_not_a_table_scan(
    db_path: Path, query: dict[str, object]
) -> None:
    with Store(db_path) as store, store._engine.connect() as conn:
        select_sql = events_query(**query).compile(conn, compile_kwargs={"literal_binds": True})  # type: ignore[arg-type]
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {select_sql}")]
    assert any("USING INDEX ix_events_" in step for step in plan), plan
    assert not any(step.startswith("SCAN events") for step in plan), plan


def test_every_connection_gets_the_pragmas(db_path: Path) -> None:
    with Store(db_path) as store:
        engine = store._engine
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_bare_path_creates_the_file_and_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "events.db"
    with Store(str(path)) as store:
        store.add(make_article(), [make_event(make_article(), "ev-1")])
    assert path.is_file()
    with Store(path) as store:
        assert store.counts() == {"articles": 1, "events": 1, "incidents": 1}


def test_in_memory_store(tmp_path: Path) -> None:
    with Store(":memory:") as store:
        article = make_article()
        assert store.add(article, [make_event(article, "ev-1")])
        assert [e.id for e in store.events(country="UKR")] == ["ev-1"]


def test_event_of_another_article_is_refused(db_path: Path) -> None:
    one, other = make_article(), make_article("Another story.", ref="other.txt")
    with Store(db_path) as store:
        with pytest.raises(StoreError, match="belongs to article"):
            store.add(one, [make_event(other, "ev-1")])
        assert store.counts() == {"articles": 0, "events": 0, "incidents": 0}


def _not_a_database(tmp_path: Path) -> str:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    return str(path)


def _under_a_file(tmp_path: Path) -> str:
    (tmp_path / "plain-file").write_text("x")
    return f"sqlite:///{tmp_path / 'plain-file' / 'events.db'}"


@pytest.mark.parametrize(
    ("make_url_for", "message"),
    [
        (lambda tmp: "nosuchdb://user@host/db", "no database driver for 'nosuchdb'"),
        (lambda tmp: "", "empty"),
        (_under_a_file, "cannot create the folder"),
        (_not_a_database, "not a SQLite database"),
        (lambda tmp: str(tmp), "unable to open database file"),  # a folder, not a file
        (lambda tmp: "postgresql+psycopg://postgres@127.0.0.1:1/test", "cannot open"),
    ],
    ids=["unknown-scheme", "empty", "under-a-file", "not-a-database", "a-folder", "no-server"],
)
def test_bad_urls_raise_a_readable_store_error(
    tmp_path: Path, make_url_for: object, message: str
) -> None:
    url = make_url_for(tmp_path)  # type: ignore[operator]
    with pytest.raises(StoreError, match=message) as caught:
        Store(url)
    text = str(caught.value)
    assert "\n" not in text and "[SQL:" not in text and len(text) < 400


# --- concurrency -------------------------------------------------------------------------


def test_concurrent_writers_on_one_file_store_each_article_once(db_path: Path) -> None:
    Store(db_path).close()
    articles = [make_article(f"Dispatch {n} from the front.", ref=f"d{n}") for n in range(15)]
    outcomes: list[bool] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with Store(db_path) as store:
                for article in articles:
                    outcomes.append(store.add(article, [make_event(article, f"{article.id}-0")]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcomes.count(True) == len(articles)
    with Store(db_path) as store:
        assert store.counts() == {"articles": 15, "events": 15, "incidents": 1}


# --- public surface ----------------------------------------------------------------------


def test_public_names() -> None:
    assert dotterel.store.__all__ == ["Store"]
    assert repr(Store(":memory:")) == "Store('sqlite://')"


# --- upgrading a store made before fusion (revision 0001 -> 0002) ---------------------------


def test_a_0001_store_upgrades_and_fuses_its_old_articles(store_url: str) -> None:
    from alembic import command

    from dotterel.store._migrate import alembic_config
    from dotterel.store._rows import article_row, event_row

    article = make_article()
    event = make_event(article, "ev-old")
    engine = create_engine(store_url)
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        old_columns = set(event_row(event)) - {"place_precision", "place_admin1", "incident_id"}
        row = {k: v for k, v in event_row(event).items() if k in old_columns}
        tables = Base.metadata.tables
        conn.execute(tables["articles"].insert(), [article_row(article, datetime.now(UTC))])
        conn.execute(tables["events"].insert(), [row])  # only the columns 0001 has
    engine.dispose()
    with Store(store_url) as store:
        assert store.counts() == {"articles": 1, "events": 1, "incidents": 0}
        assert [e.id for e in store.events(text="odesa overnight")] == ["ev-old"]
        assert store.fuse_pending() == 1
        (incident,) = store.incidents()
        assert incident.events == ["ev-old"]
        with store._engine.connect() as conn:
            backfilled = conn.execute(
                text("SELECT place_precision, place_admin1, incident_id FROM events")
            ).one()
    assert tuple(backfilled) == (1, "Odesa Oblast", incident.id)


# --- upgrading a store made before the lookup indexes (revision 0005 -> 0006) -------------


def test_a_0005_store_upgrades_to_the_lookup_indexes(store_url: str) -> None:
    from alembic import command

    from dotterel.store._migrate import alembic_config
    from dotterel.store._rows import article_row, event_row

    article = make_article()
    told = make_event(article, "ev-told")
    denied = replace(make_event(article, "ev-denied"), modality="negated")
    engine = create_engine(store_url)
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
        tables = Base.metadata.tables  # 0006 adds indexes only: the columns are the same
        conn.execute(tables["articles"].insert(), [article_row(article, datetime.now(UTC))])
        conn.execute(tables["events"].insert(), [event_row(told), event_row(denied)])
    engine.dispose()
    with Store(store_url) as store:
        with store._engine.connect() as conn:
            reflected = {i["name"]: i for i in inspect(conn).get_indexes("events")}
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        queries = EventQueries(store)
        negated = queries.page(EventFilter(modality="negated"), 10)
        boxed = queries.page(EventFilter(bbox=(30.0, 46.0, 31.0, 47.0)), 10)
    assert head == "0006"
    assert reflected["ix_events_lon_lat"]["column_names"] == ["lon", "lat"]
    modality = reflected["ix_events_modality_page"]
    assert modality["column_names"][:4] == ["modality", "date_start", "article_id", "id"]
    (partial,) = [str(v) for k, v in modality.get("dialect_options", {}).items() if "where" in k]
    assert "asserted" in partial  # only the events not told as having happened
    assert [r["id"] for r in negated.records] == ["ev-denied"]
    assert [r["id"] for r in boxed.records] == ["ev-denied", "ev-told"]


# --- PostgreSQL connections: set up once, pinged only after lying idle ---------------------


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    with backend_url("postgresql", tmp_path) as url, Store(url) as store:
        article = make_article()
        store.add(article, [make_event(article, "ev-1")])
        yield store


def _kill_backends_of(store: Store) -> None:
    """End, on the server, every connection the store's pool holds."""
    with store._engine.connect() as conn:
        pids = {conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()}
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_postgresql_connections_run_no_parallel_workers(pg_store: Store) -> None:
    with pg_store._engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"
        plans = conn.exec_driver_sql("SHOW plan_cache_mode").scalar()
        assert plans == "force_custom_plan"  # never one plan for a rare and a busy country
    queries = EventQueries(pg_store)
    with queries._engine.connect() as conn:  # reads: outside any transaction
        assert conn.connection.driver_connection.autocommit is True  # type: ignore[union-attr]
        assert conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"


@pytest.mark.parametrize("ping_after", [0.0, 3600.0], ids=["pinged", "retried"])
def test_a_read_survives_a_pooled_connection_the_server_closed(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch, ping_after: float
) -> None:
    """Idle long enough, the connection is pinged and replaced before use; otherwise
    the read fails on it and runs once more on a fresh connection."""
    from dotterel.store import _engine

    monkeypatch.setattr(_engine, "PING_IDLE_SECONDS", ping_after)
    dialect = pg_store._engine.dialect
    pings: list[bool] = []
    ping = dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(True)
        return ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    queries = EventQueries(pg_store)
    assert [r["id"] for r in queries.page(EventFilter(), 10).records] == ["ev-1"]
    _kill_backends_of(pg_store)
    pings.clear()
    assert [r["id"] for r in queries.page(EventFilter(), 10).records] == ["ev-1"]
    assert queries.event("ev-1") is not None
    assert bool(pings) == (ping_after == 0.0)


def test_a_busy_pool_is_not_pinged(pg_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    pings: list[object] = []
    monkeypatch.setattr(pg_store._engine.dialect, "do_ping", pings.append)
    queries = EventQueries(pg_store)
    for _ in range(5):
        queries.page(EventFilter(country="UKR"), 10)
    assert pings == []
