"""From a store URL (or a bare SQLite path) to a configured SQLAlchemy engine.

SQLite connections get WAL, a busy timeout and foreign keys, and SQLAlchemy (not the
``sqlite3`` module) emits BEGIN, so every transaction, DDL included, is real.
Connections with the ``WRITE`` execution option begin with ``BEGIN IMMEDIATE``:
writers queue on the busy timeout instead of failing on a lock upgrade.

PostgreSQL connections run no parallel workers (they cost more to start than the
store's reads take) and plan every statement for its values, set once when the
connection opens. A pooled connection is pinged
before use only when it has lain idle ``PING_IDLE_SECONDS`` or more (the server may
have restarted meanwhile): a busy pool spends no round trip on it.
"""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, NoSuchModuleError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from dotterel.errors import StoreError

__all__ = [
    "BUSY_TIMEOUT_MS",
    "PING_IDLE_SECONDS",
    "WRITE",
    "is_sqlite",
    "open_engine",
    "parse_url",
    "store_error",
]

BUSY_TIMEOUT_MS = 5000
PING_IDLE_SECONDS = 10.0

# Connections a store keeps open, and how many more it may open for a burst (closed
# again after use). The API serves up to 40 requests at once from its thread pool;
# opening a connection costs far more than a page read (a PostgreSQL backend starts
# with cold caches), so a burst should find the connections it needs already open.
POOL: dict[str, Any] = {"pool_size": 20, "max_overflow": 20}
WRITE: dict[str, Any] = {"dotterel_write": True}


def parse_url(url: str | os.PathLike[str]) -> URL:
    """A SQLAlchemy URL from a URL string or a bare path (a path means SQLite)."""
    text = os.fspath(url).strip() if isinstance(url, os.PathLike) else url.strip()
    if not text:
        raise StoreError("the store URL is empty; give a path such as events.db or a URL")
    if text == ":memory:":
        return URL.create("sqlite")
    if isinstance(url, os.PathLike) or "://" not in text:
        return URL.create("sqlite", database=text)
    try:
        return make_url(text)
    except ArgumentError as exc:
        raise StoreError(
            f"cannot read the store URL {text!r}: {exc}; give a SQLAlchemy URL such as "
            "sqlite:///events.db or postgresql+psycopg://user@host/db, or a file path"
        ) from exc


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _in_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or "mode=memory" in database


def open_engine(url: URL) -> Engine:
    """An engine for ``url``; SQLite files (and their folder) are created if missing."""
    shown = url.render_as_string(hide_password=True)
    try:
        if not is_sqlite(url):
            return _postgresql(create_engine(url, **POOL))
        if _in_memory(url):
            engine = create_engine(
                url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            database = url.database or ""
            if not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, **POOL)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"cannot open store {shown}: no database driver for {url.drivername!r} ({exc}); "
            "use sqlite:///PATH, or install the driver (for PostgreSQL: pip install psycopg)"
        ) from exc
    except OSError as exc:
        raise StoreError(
            f"cannot create the folder for store {shown}: {exc}; "
            "choose a path in a folder you can write to"
        ) from exc
    except ArgumentError as exc:
        raise StoreError(f"cannot open store {shown}: {exc}") from exc
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _postgresql(engine: Engine) -> Engine:
    event.listen(engine, "connect", _postgresql_connect)
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    return engine


def _postgresql_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        # psycopg prepares a statement once a connection has run it five times, and
        # PostgreSQL may then plan it once for all values (a generic plan), blind to a
        # country being rare or busy: a lookup of a rare country went from 1 to 14 ms.
        # Each run is planned for its own values; preparing still saves the parsing.
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    finally:
        cursor.close()
    dbapi_connection.commit()  # a session setting: it outlives this transaction


_IDLE_SINCE = "dotterel_idle_since"


def _checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dialect: Dialect, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Checkout hook: a connection idle long enough is pinged, and replaced (the pool
    retries) if the server does not answer on it."""
    since = record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since < PING_IDLE_SECONDS:
        return
    try:
        alive = dialect.do_ping(dbapi_connection)
    except Exception as exc:  # any driver error: the connection is not usable
        raise DisconnectionError(f"an idle pooled connection is gone: {exc}") from exc
    if not alive:
        raise DisconnectionError("an idle pooled connection did not answer")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN: see _sqlite_begin
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    write = bool(conn.get_execution_options().get("dotterel_write"))
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_DUPLICATE = "an event id repeats within the article or already belongs to another article"
_HINTS: tuple[tuple[str, str], ...] = (
    ("database is locked", "another process holds the write lock; retry when it is done"),
    ("unable to open", "check that the path exists and that you can write to its folder"),
    ("readonly", "the file or its folder is read-only; choose a writable path"),
    ("not a database", "the file is not a SQLite database; choose a new file or a store file"),
    ("connection refused", "is the database server running, and is the URL's host right?"),
    ("does not exist", "create the database first, or fix the name in the URL"),
    ("unique", _DUPLICATE),
    ("duplicate key", _DUPLICATE),
)


def store_error(action: str, url: URL, exc: BaseException) -> StoreError:
    """A StoreError saying what failed, why (the driver's words, not the SQL) and what to do."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    reason = " ".join(str(cause).split()) or type(cause).__name__
    hint = next((h for key, h in _HINTS if key in reason.lower()), "")
    shown = url.render_as_string(hide_password=True)
    message = f"cannot {action} (store {shown}): {reason}"
    return StoreError(f"{message}; {hint}" if hint else message)
