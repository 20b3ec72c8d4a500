"""Watching feeds: poll, fetch each new item's page, code it, store it.

``Watcher.run`` polls every feed each ``every`` seconds with a conditional GET
(ETag / Last-Modified). A feed that is down, slow, malformed or an HTML page is
logged in one line and retried after 2, 4, then 8 intervals. Items already stored
(or given up on) are remembered in a small SQLite state file beside the store, so
no item is ingested twice, across restarts too. Setting ``stop`` ends the run after
the article in hand.
"""

from __future__ import annotations

import hashlib
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import Literal, Self

from dotterel.errors import InputError, StoreError
from dotterel.pipeline import Pipeline
from dotterel.sources import FeedError, FeedItem, Fetcher, FetchError, HtmlPage, SourceProblem
from dotterel.sources.feeds import parse_feed
from dotterel.store import Store

__all__ = [
    "FeedState",
    "Poll",
    "WatchState",
    "Watcher",
    "parse_interval",
    "state_path_for",
    "stop_on_signals",
]

Report = Callable[[str], None]
ItemStatus = Literal["stored", "failed", "retry"]

ITEM_ATTEMPTS = 3  # transient failures of one item's page before it is given up
MAX_BACKOFF = 3  # a failing feed waits every * 2**failures, at most 8 intervals

_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    failures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    link TEXT NOT NULL,
    feed TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    article_id TEXT,
    message TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_link ON items (link);
"""


def parse_interval(value: str) -> float:
    """Seconds in an interval such as ``30s``, ``15m``, ``1h``, ``1d`` or ``90``."""
    match = _INTERVAL.match(value)
    if match is None or float(match.group(1)) <= 0:
        raise InputError(f"--every {value!r} is not a duration; use e.g. 30s, 15m or 1h")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def state_path_for(db: str, cache_dir: Path) -> Path:
    """The state file for a store: beside a SQLite file, else in the cache folder."""
    path = db.removeprefix("sqlite:///") if db.startswith("sqlite:///") else db
    if "://" not in path and path not in ("", ":memory:") and not path.startswith("file:"):
        return Path(path).expanduser().with_name(Path(path).name + ".watch.sqlite")
    digest = hashlib.sha256(db.encode("utf-8")).hexdigest()[:12]
    return cache_dir / f"watch-{digest}.sqlite"


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the last poll of a feed left: its cache validators and failures in a row."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0


class WatchState:
    """Feed validators and every item seen, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the watch state file {path}: {exc}") from exc
        self.path = path

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def feed(self, url: str) -> FeedState:
        row = self._db.execute(
            "SELECT etag, last_modified, failures FROM feeds WHERE url = ?", (url,)
        ).fetchone()
        return FeedState(url) if row is None else FeedState(url, row[0], row[1], row[2])

    def save_feed(self, state: FeedState) -> None:
        self._db.execute(
            "INSERT INTO feeds (url, etag, last_modified, failures) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, failures = excluded.failures",
            (state.url, state.etag, state.last_modified, state.failures),
        )

    def item(self, item: FeedItem) -> tuple[ItemStatus, int] | None:
        """(status, attempts) of an item seen before under its key or its link."""
        row = self._db.execute(
            "SELECT status, attempts FROM items WHERE key = ? OR link = ? "
            "ORDER BY status = 'retry' LIMIT 1",
            (item.key, item.link),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def record(
        self,
        item: FeedItem,
        feed: str,
        status: ItemStatus,
        attempts: int,
        article_id: str | None = None,
        message: str | None = None,
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO items "
            "(key, link, feed, status, attempts, article_id, message, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.key,
                item.link,
                feed,
                status,
                attempts,
                article_id,
                message,
                datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )

    def counts(self) -> dict[str, int]:
        """Items by status: {"stored": n, "failed": m, "retry": k}."""
        rows = self._db.execute("SELECT status, count(*) FROM items GROUP BY status").fetchall()
        return {"stored": 0, "failed": 0, "retry": 0} | {s: n for s, n in rows}


@dataclass(frozen=True, slots=True)
class Poll:
    """One poll of one feed: how it went and when to poll it next (seconds from now)."""

    url: str
    status: Literal["new", "not-modified", "error"]
    next_in: float
    new: int = 0
    stored: int = 0
    failed: int = 0
    complete: bool = True


class Watcher:
    """Polls feeds and ingests their new items; thread-safe to stop via ``stop``."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: Store,
        fetcher: Fetcher,
        state: WatchState,
        every: float,
        report: Report,
        stop: threading.Event | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.store = store
        self.fetcher = fetcher
        self.state = state
        self.every = every
        self.report = report
        self.stop = stop or threading.Event()

    def run(self, urls: Sequence[str], once: bool = False) -> None:
        """Poll each feed when due until ``stop`` is set (or once each with ``once``)."""
        due = dict.fromkeys(urls, 0.0)
        while not self.stop.is_set():
            for url in urls:
                if self.stop.is_set():
                    return
                if due[url] <= time.monotonic():
                    due[url] = time.monotonic() + self.poll(url).next_in
            if once:
                return
            self.stop.wait(max(0.0, min(due.values()) - time.monotonic()))

    def poll(self, url: str) -> Poll:
        """Fetch one feed (conditionally) and ingest its new items."""
        known = self.state.feed(url)
        try:
            fetched = self.fetcher.get(url, etag=known.etag, last_modified=known.last_modified)
            if fetched.not_modified:
                self.state.save_feed(FeedState(url, known.etag, known.last_modified))
                self.report(f"feed {url}: not modified")
                return Poll(url, "not-modified", self.every)
            feed = parse_feed(fetched.content, fetched.url, fetched.content_type)
        except (FetchError, FeedError) as exc:
            return self._failed(known, exc.reason if isinstance(exc, FetchError) else str(exc))
        if feed.warning:
            self.report(f"feed {url}: {feed.warning}")
        new = [item for item in feed.items if self._is_new(item)]
        self.report(f"feed {url}: {len(feed.items)} item(s), {len(new)} new")
        stored = failed = 0
        complete = True
        for item in new:
            if self.stop.is_set():
                complete = False
                break
            outcome = self.ingest(item, url)
            stored += outcome == "stored"
            failed += outcome == "failed"
            complete = complete and outcome != "retry"
        validators = (
            (fetched.etag, fetched.last_modified) if complete else (known.etag, known.last_modified)
        )
        self.state.save_feed(FeedState(url, *validators))
        return Poll(url, "new", self.every, len(new), stored, failed, complete)

    def ingest(self, item: FeedItem, feed: str) -> ItemStatus:
        """Fetch, extract, code and store one item; what became of it is recorded."""
        seen = self.state.item(item)
        attempts = (seen[1] if seen else 0) + 1
        try:
            page = self.fetcher.get(item.link)
        except FetchError as exc:
            if exc.transient and attempts < ITEM_ATTEMPTS:
                return self._item(item, feed, "retry", attempts, f"{exc.reason}; retried next poll")
            return self._item(item, feed, "failed", attempts, f"{exc.reason}; skipped")
        html = HtmlPage(item.link, page.content, page.url, None, item.title, item.published)
        article = html.to_article()
        if isinstance(article, SourceProblem):
            return self._item(item, feed, "failed", attempts, f"{article.message}; skipped")
        result = self.pipeline.process(article)
        if result.error is not None:
            return self._item(item, feed, "failed", attempts, f"{result.error}; skipped")
        try:
            added = self.store.add(article, result.events)
        except StoreError as exc:
            return self._item(item, feed, "retry", attempts - 1, f"{exc}; retried next poll")
        note = f"{len(result.events)} event(s) stored" if added else "already in the store"
        return self._item(item, feed, "stored", attempts, note, article.id)

    def _is_new(self, item: FeedItem) -> bool:
        seen = self.state.item(item)
        return seen is None or seen[0] == "retry"

    def _item(
        self,
        item: FeedItem,
        feed: str,
        status: ItemStatus,
        attempts: int,
        message: str,
        article_id: str | None = None,
    ) -> ItemStatus:
        self.state.record(item, feed, status, attempts, article_id, message)
        self.report(f"item {item.link}: {message}")
        return status

    def _failed(self, known: FeedState, reason: str) -> Poll:
        failures = known.failures + 1
        self.state.save_feed(FeedState(known.url, known.etag, known.last_modified, failures))
        wait = self.every * 2 ** min(failures, MAX_BACKOFF)
        sep = ":" if not reason.startswith("is ") else ""
        self.report(f"feed {known.url}{sep} {reason}; next try in {_duration(wait)}")
        return Poll(known.url, "error", wait)


def _duration(seconds: float) -> str:
    for unit, size in (("h", 3600.0), ("m", 60.0)):
        if seconds >= size:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


@contextmanager
def stop_on_signals(stop: threading.Event, report: Report) -> Iterator[None]:
    """While inside, Ctrl-C (or SIGTERM) sets ``stop``; a second Ctrl-C quits at once."""

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        report("stopping after the current article (Ctrl-C again to quit now)")

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
