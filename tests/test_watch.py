"""Watching feeds served by a real HTTP server on 127.0.0.1, into a real SQLite store:
conditional GET, no item twice (across restarts too), feeds that are down, malformed
or HTML, backoff, retries, and a clean stop (Ctrl-C on the real command)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from dotterel.errors import InputError
from dotterel.pipeline import Pipeline
from dotterel.sources import Fetcher
from dotterel.store import Store
from dotterel.watch import Watcher, WatchState, parse_interval, state_path_for
from web_server import ATOM, RSS, WebServer, closed_port_url, serving

EVERY = 0.2


@pytest.fixture
def web() -> Iterator[WebServer]:
    with serving() as server:
        yield server


class Rig:
    """A watcher over a fresh store and state file, with the lines it reported."""

    def __init__(self, pipeline: Pipeline, folder: Path) -> None:
        self.pipeline = pipeline
        self.db = folder / "events.db"
        self.lines: list[str] = []
        self.stop = threading.Event()
        self.store = Store(self.db)
        self.fetcher = Fetcher(timeout=1.0)
        self.state = WatchState(state_path_for(str(self.db), folder))
        self.watcher = self._watcher()

    def _watcher(self) -> Watcher:
        return Watcher(
            self.pipeline, self.store, self.fetcher, self.state, EVERY, self.lines.append, self.stop
        )

    def restart(self) -> None:
        """A new process: the state file is opened again, nothing is kept in memory."""
        self.state.close()
        self.state = WatchState(state_path_for(str(self.db), self.db.parent))
        self.stop = threading.Event()
        self.watcher = self._watcher()
        self.lines.clear()

    def close(self) -> None:
        self.state.close()
        self.fetcher.close()
        self.store.close()


@pytest.fixture
def rig(pipeline: Pipeline, tmp_path: Path) -> Iterator[Rig]:
    made = Rig(pipeline, tmp_path)
    yield made
    made.close()


PAGES = {
    "/world/odesa-strike": "odesa.html",
    "/world/kharkiv-shelling": "kharkiv.html",
    "/middle-east/gaza": "gaza.html",
}


def serve_gazette(web: WebServer, etag: str | None = '"v1"') -> str:
    for path, fixture in PAGES.items():
        web.page(path, fixture)
    web.redirect("/go/gaza", "/middle-east/gaza")
    return web.page("/feed.rss", "feed.rss", content_type=RSS, etag=etag)


def item_lines(rig: Rig) -> list[str]:
    return [line for line in rig.lines if line.startswith("item ")]


def stored_refs(rig: Rig) -> dict[str, date | None]:
    found = {}
    for event in rig.store.events():
        article = rig.store.article(event.article_id)
        assert article is not None
        found[article.ref or ""] = article.published
    return found


# --- polling ------------------------------------------------------------------------------


def test_a_poll_stores_every_item_then_asks_conditionally(web: WebServer, rig: Rig) -> None:
    feed = serve_gazette(web)
    poll = rig.watcher.poll(feed)
    assert (poll.status, poll.new, poll.stored, poll.failed, poll.complete) == (
        "new",
        3,
        3,
        0,
        True,
    )
    assert rig.lines[0] == f"feed {feed}: 3 item(s), 3 new"
    links = [web.base + p for p in ("/world/odesa-strike", "/world/kharkiv-shelling", "/go/gaza")]
    for line, link in zip(item_lines(rig), links, strict=True):
        assert re.fullmatch(rf"item {re.escape(link)}: [1-9]\d* event\(s\) stored", line), line
    assert rig.store.counts()["articles"] == 3
    assert stored_refs(rig) == {
        links[0]: date(2023, 7, 24),
        links[1]: date(2024, 5, 6),
        links[2]: date(2024, 1, 10),
    }
    odesa = next(e for e in rig.store.events(type="ASSAULT") if e.place and e.place.name == "Odesa")
    assert odesa.date is not None and odesa.date.start == date(2023, 7, 23)
    assert odesa.fatalities is not None and odesa.fatalities.best == 2

    rig.lines.clear()
    again = rig.watcher.poll(feed)
    assert (again.status, rig.lines) == ("not-modified", [f"feed {feed}: not modified"])
    assert web.requests_to("/feed.rss")[1].headers["if-none-match"] == '"v1"'
    assert rig.store.counts()["articles"] == 3


def test_only_a_new_item_is_ingested_when_the_feed_changes(web: WebServer, rig: Rig) -> None:
    feed = serve_gazette(web)
    rig.watcher.poll(feed)
    web.page("/americas/bogota-march", "undated.html")
    grown = web.fixture("feed.rss").replace(
        "</channel>",
        f"<item><title>Teachers march</title><link>{web.base}/americas/bogota-march</link>"
        "<pubDate>Fri, 08 Mar 2024 18:00:00 GMT</pubDate></item></channel>",
    )
    web.set("/feed.rss", grown, content_type=RSS, etag='"v2"')
    rig.lines.clear()
    poll = rig.watcher.poll(feed)
    assert (poll.new, poll.stored) == (1, 1)
    assert rig.lines[0] == f"feed {feed}: 4 item(s), 1 new"
    assert stored_refs(rig)[web.base + "/americas/bogota-march"] == date(2024, 3, 8)
    for path in PAGES:
        assert len(web.requests_to(path)) == 1, path  # no page fetched twice


def test_a_restart_never_ingests_an_item_twice(web: WebServer, rig: Rig) -> None:
    feed = serve_gazette(web)
    rig.watcher.poll(feed)
    rig.restart()
    web.set("/feed.rss", web.fixture("feed.rss"), content_type=RSS, etag='"v2"')  # a 200 again
    poll = rig.watcher.poll(feed)
    assert (poll.status, poll.new, rig.lines) == ("new", 0, [f"feed {feed}: 3 item(s), 0 new"])
    assert rig.store.counts()["articles"] == 3
    assert rig.state.counts() == {"stored": 3, "failed": 0, "retry": 0}


def test_an_item_seen_in_another_feed_is_not_fetched_again(web: WebServer, rig: Rig) -> None:
    feed = serve_gazette(web)
    rig.watcher.poll(feed)
    copy = web.fixture("feed.rss").replace("gazette-", "mirror-")  # other guids, same links
    mirror = web.set("/mirror.rss", copy, content_type=RSS)
    rig.lines.clear()
    assert rig.watcher.poll(mirror).new == 0
    assert len(web.requests_to("/world/odesa-strike")) == 1


# --- feeds that misbehave ----------------------------------------------------------------


def test_bad_feeds_are_logged_in_one_line_each_and_the_good_one_is_read(
    web: WebServer, rig: Rig
) -> None:
    good = serve_gazette(web)
    down = closed_port_url("/down.rss")
    html = web.page("/news.rss", "odesa.html")  # an HTML page where the feed should be
    broken = web.set(
        "/broken.rss", "<?xml version='1.0'?><rss><channel><title>x</ti", content_type=RSS
    )
    slow = web.set("/slow.rss", web.fixture("feed.rss"), content_type=RSS, delay=2.0)
    missing = web.base + "/nowhere.rss"
    rig.watcher.run([down, html, broken, slow, missing, good], once=True)
    feed_lines = [line for line in rig.lines if line.startswith("feed ")]
    assert feed_lines[0].startswith(f"feed {down}: cannot connect (")
    assert feed_lines[0].endswith("; next try in 0.4s")
    assert feed_lines[1:] == [
        f"feed {html} is an HTML page (text/html), not an RSS or Atom feed; next try in 0.4s",
        f"feed {broken} is malformed feed XML (SAXParseException: <unknown>:1:60: unclosed "
        "token), no item could be read; next try in 0.4s",
        f"feed {slow}: timed out after 1 s; next try in 0.4s",
        f"feed {missing}: HTTP 404 Not Found; next try in 0.4s",
        f"feed {good}: 3 item(s), 3 new",
    ]
    assert rig.store.counts()["articles"] == 3


def test_a_failing_feed_backs_off_and_recovers(web: WebServer, rig: Rig) -> None:
    feed = web.set("/feed.rss", "busy", status=503)
    waits = [rig.watcher.poll(feed).next_in for _ in range(5)]
    assert waits == pytest.approx([EVERY * 2, EVERY * 4, EVERY * 8, EVERY * 8, EVERY * 8])
    assert rig.state.feed(feed).failures == 5
    serve_gazette(web)
    poll = rig.watcher.poll(feed)
    assert (poll.status, poll.next_in, rig.state.feed(feed).failures) == ("new", EVERY, 0)


def test_a_malformed_feed_with_readable_items_is_read_with_a_warning(
    web: WebServer, rig: Rig
) -> None:
    serve_gazette(web)
    whole = web.fixture("feed.rss")
    cut = whole[: whole.index("<item>", whole.index("kharkiv"))]
    feed = web.set("/cut.rss", cut, content_type=RSS)
    poll = rig.watcher.poll(feed)
    assert (poll.new, poll.stored) == (2, 2)
    assert rig.lines[0].startswith(f"feed {feed}: malformed feed XML (")
    assert rig.lines[0].endswith("read 2 item(s) leniently")


# --- items that misbehave ------------------------------------------------------------------


def test_an_item_page_that_fails_for_now_is_retried_on_the_next_poll(
    web: WebServer, rig: Rig
) -> None:
    feed = serve_gazette(web)
    kharkiv = web.base + "/world/kharkiv-shelling"
    web.set("/world/kharkiv-shelling", "busy", status=503)
    poll = rig.watcher.poll(feed)
    assert (poll.new, poll.stored, poll.complete) == (3, 2, False)
    assert f"item {kharkiv}: HTTP 503 Service Unavailable; retried next poll" in rig.lines
    assert rig.state.feed(feed).etag is None  # validators kept back: the next GET is a 200
    web.page("/world/kharkiv-shelling", "kharkiv.html")
    rig.lines.clear()
    again = rig.watcher.poll(feed)
    assert (again.status, again.new, again.stored, again.complete) == ("new", 1, 1, True)
    assert rig.state.feed(feed).etag == '"v1"'
    assert kharkiv in stored_refs(rig)


def test_an_item_is_given_up_after_three_transient_failures(web: WebServer, rig: Rig) -> None:
    feed = serve_gazette(web)
    web.set("/world/kharkiv-shelling", "busy", status=503)
    for _ in range(3):
        rig.watcher.poll(feed)
    kharkiv = web.base + "/world/kharkiv-shelling"
    assert item_lines(rig)[-1] == f"item {kharkiv}: HTTP 503 Service Unavailable; skipped"
    assert rig.state.counts() == {"stored": 2, "failed": 1, "retry": 0}
    rig.lines.clear()
    assert rig.watcher.poll(feed).status == "not-modified"


@pytest.mark.parametrize(
    ("fixture", "status", "message"),
    [
        ("boilerplate.html", 200, "no article text found in the page (only menus or boilerplate)"),
        ("odesa.html", 404, "HTTP 404 Not Found"),
    ],
)
def test_an_item_that_cannot_be_read_is_given_up_at_once(
    web: WebServer, rig: Rig, fixture: str, status: int, message: str
) -> None:
    feed = serve_gazette(web)
    web.page("/world/kharkiv-shelling", fixture, status=status)
    poll = rig.watcher.poll(feed)
    assert (poll.stored, poll.failed, poll.complete) == (2, 1, True)
    kharkiv = web.base + "/world/kharkiv-shelling"
    assert f"item {kharkiv}: {message}; skipped" in rig.lines
    web.page("/world/kharkiv-shelling", "kharkiv.html")
    web.set("/feed.rss", web.fixture("feed.rss"), content_type=RSS, etag='"v2"')
    assert rig.watcher.poll(feed).new == 0


# --- stopping -----------------------------------------------------------------------------


def test_stop_ends_the_run_after_the_current_article(web: WebServer, rig: Rig) -> None:
    feed = serve_gazette(web)

    def report(line: str) -> None:
        rig.lines.append(line)
        if line.startswith("item "):
            rig.stop.set()  # as Ctrl-C would, while the first article is being stored

    rig.watcher.report = report
    rig.watcher.run([feed])
    assert len(item_lines(rig)) == 1
    assert rig.store.counts()["articles"] == 1
    assert rig.state.feed(feed).etag is None  # unfinished: the next run reads the feed again
    rig.restart()
    rig.watcher.run([feed], once=True)
    assert rig.lines[0] == f"feed {feed}: 3 item(s), 2 new"
    assert rig.store.counts()["articles"] == 3


def test_run_polls_again_after_the_interval(web: WebServer, rig: Rig) -> None:
    feed = serve_gazette(web)
    timer = threading.Timer(EVERY * 5, rig.stop.set)
    timer.start()
    rig.watcher.run([feed])
    timer.join()
    assert 3 <= len(web.requests_to("/feed.rss")) <= 6  # every 0.2 s for 1 s
    assert rig.lines.count(f"feed {feed}: not modified") >= 2


def test_the_watch_command_stops_cleanly_on_ctrl_c(
    web: WebServer, tmp_path: Path, cache_dir: Path
) -> None:
    web.page("/americas/bogota-march", "undated.html", delay=1.0)  # Ctrl-C lands mid-article
    feed = web.page("/feed.atom", "feed.atom", content_type=ATOM)
    db = tmp_path / "watched.db"
    env = {**os.environ, "DOTTEREL_CACHE_DIR": str(cache_dir), "COLUMNS": "200"}
    command = [sys.executable, "-c", "from dotterel.cli import app; app()"]
    args = ["watch", feed, "--every", "1s", "--db", str(db)]
    proc = subprocess.Popen(
        [*command, *args], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert proc.stderr is not None
    killer = threading.Timer(60, proc.kill)
    killer.start()

    def interrupt_mid_article() -> None:
        while not web.requests_to("/americas/bogota-march") and proc.poll() is None:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)  # the page is still loading (it takes 1 s)

    interrupter = threading.Thread(target=interrupt_mid_article)
    interrupter.start()
    lines = [line.rstrip("\n") for line in proc.stderr]
    proc.wait()
    interrupter.join()
    killer.cancel()
    text = "\n".join(lines)
    assert proc.returncode == 0, text
    assert "stopping after the current article (Ctrl-C again to quit now)" in text
    assert "event(s) stored" in text, text
    assert "stopped; items stored 1, given up 0, to retry 0" in text
    with Store(db) as store:
        assert store.counts()["articles"] == 1
        (article,) = {store.article(e.article_id) for e in store.events()}
    assert article is not None and article.published == date(2024, 3, 8)


# --- settings of the loop -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15m", 900.0),
        ("30s", 30.0),
        ("1h", 3600.0),
        ("1.5h", 5400.0),
        ("90", 90.0),
        ("2d", 172800.0),
    ],
)
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "15x", "-1m", "m"])
def test_bad_intervals_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="is not a duration"):
        parse_interval(text)


def test_the_state_file_sits_beside_a_sqlite_store(tmp_path: Path) -> None:
    assert state_path_for("sqlite:///data/events.db", tmp_path) == Path(
        "data/events.db.watch.sqlite"
    )
    assert state_path_for("events.db", tmp_path) == Path("events.db.watch.sqlite")
    pg = state_path_for("postgresql+psycopg://u@h/db", tmp_path)
    assert pg.parent == tmp_path and pg.name.startswith("watch-")
    assert pg == state_path_for("postgresql+psycopg://u@h/db", tmp_path)
    assert pg != state_path_for("postgresql+psycopg://u@h/other", tmp_path)
