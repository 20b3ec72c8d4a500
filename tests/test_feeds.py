"""Fetching and feeds against a real HTTP server on 127.0.0.1 that the tests start:
redirects, slow, failing, oversized and malformed responses, conditional GET."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dotterel import cli
from dotterel.records import Article
from dotterel.sources import (
    FeedError,
    FeedItem,
    Fetcher,
    FetchError,
    SourceProblem,
    parse_feed,
    read_paths,
)
from web_server import ATOM, RSS, WebServer, closed_port_url, serving


@pytest.fixture
def web() -> Iterator[WebServer]:
    with serving() as server:
        yield server


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout=1.0, max_bytes=200_000) as client:
        yield client


def serve_gazette(web: WebServer) -> str:
    """The RSS feed and its three pages (one behind a redirect); returns the feed URL."""
    web.page("/world/odesa-strike", "odesa.html")
    web.page("/world/kharkiv-shelling", "kharkiv.html")
    web.page("/middle-east/gaza", "gaza.html")
    web.redirect("/go/gaza", "/middle-east/gaza")
    return web.page("/feed.rss", "feed.rss", content_type=RSS)


# --- fetching -----------------------------------------------------------------------------


def test_a_redirect_is_followed_to_the_final_url(web: WebServer, fetcher: Fetcher) -> None:
    web.page("/middle-east/gaza", "gaza.html")
    web.redirect("/go/gaza", "/middle-east/gaza", status=301)
    got = fetcher.get(web.base + "/go/gaza")
    assert (got.status, got.url) == (200, web.base + "/middle-east/gaza")
    assert got.content == web.fixture("gaza.html").encode("utf-8")
    assert got.content_type == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("status", "transient"),
    [(404, False), (410, False), (500, True), (503, True), (429, True)],
)
def test_http_errors_say_whether_to_retry(
    web: WebServer, fetcher: Fetcher, status: int, transient: bool
) -> None:
    url = web.set("/page", "nope", status=status)
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert caught.value.reason.startswith(f"HTTP {status}")
    assert caught.value.transient is transient
    assert str(caught.value).startswith(url)


def test_a_slow_server_times_out(web: WebServer, fetcher: Fetcher) -> None:
    url = web.page("/slow", "odesa.html", delay=2.5)
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert caught.value.reason == "timed out after 1 s"
    assert caught.value.transient


def test_a_body_over_the_cap_is_refused(web: WebServer, fetcher: Fetcher) -> None:
    url = web.set("/huge", b"<p>" + b"x" * 300_000 + b"</p>")
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert caught.value.reason.startswith("larger than 200,000 bytes")
    assert not caught.value.transient


def test_a_server_that_is_down_is_a_transient_error(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(closed_port_url())
    assert caught.value.reason.startswith("cannot connect")
    assert caught.value.transient


def test_a_redirect_loop_is_stopped(web: WebServer, fetcher: Fetcher) -> None:
    web.redirect("/a", "/b")
    web.redirect("/b", "/a")
    with pytest.raises(FetchError) as caught:
        fetcher.get(web.base + "/a")
    assert caught.value.reason == "too many redirects (more than 5)"
    assert len(web.requests_to("/a")) == 3


def test_conditional_get_returns_not_modified(web: WebServer, fetcher: Fetcher) -> None:
    url = web.page("/feed.rss", "feed.rss", content_type=RSS, etag='"v1"', last_modified="X")
    first = fetcher.get(url)
    assert (first.status, first.etag, first.last_modified) == (200, '"v1"', "X")
    again = fetcher.get(url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.content == b""
    sent = web.requests_to("/feed.rss")[1].headers
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"v1"', "X")


# --- parsing feeds --------------------------------------------------------------------------


def test_rss_items_have_keys_absolute_links_titles_and_dates(web: WebServer) -> None:
    feed = parse_feed(web.fixture("feed.rss").encode(), web.base + "/feed.rss", RSS)
    assert feed.title == "Harbour Gazette: World"
    assert feed.warning is None
    assert feed.items == [
        FeedItem(
            "gazette-odesa-2023-07-24",
            web.base + "/world/odesa-strike",
            "Missiles and drones hit Odesa, killing two",
            date(2023, 7, 24),
        ),
        FeedItem(
            "gazette-kharkiv-2024-05-06",
            web.base + "/world/kharkiv-shelling",
            "Shelling kills four civilians in Kharkiv",
            date(2024, 5, 6),
        ),
        FeedItem(
            "gazette-gaza-2024-01-10",
            web.base + "/go/gaza",
            "Air strike on Gaza kills seven",
            date(2024, 1, 10),
        ),
    ]


def test_atom_entries_are_items(web: WebServer) -> None:
    feed = parse_feed(web.fixture("feed.atom").encode(), web.base + "/feed.atom", ATOM)
    assert feed.items == [
        FeedItem(
            "urn:eastern-wire:bogota",
            web.base + "/americas/bogota-march",
            "Teachers march in Bogota",
            date(2024, 3, 8),
        )
    ]


def test_an_html_page_instead_of_a_feed_is_refused(web: WebServer) -> None:
    body = web.fixture("odesa.html").encode()
    with pytest.raises(FeedError) as caught:
        parse_feed(body, web.base + "/feed", "text/html; charset=utf-8")
    assert str(caught.value) == "is an HTML page (text/html), not an RSS or Atom feed"
    with pytest.raises(FeedError, match="is an HTML page"):
        parse_feed(body, web.base + "/feed", "application/xml")  # mislabelled: sniffed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"<?xml version='1.0'?><rss><channel><title>x</ti",
            "is malformed feed XML (SAXParseException: <unknown>:1:60: unclosed token), "
            "no item could be read",
        ),
        (
            b"just some words",
            "is not an RSS or Atom feed (SAXParseException: <unknown>:2:0: syntax error)",
        ),
    ],
)
def test_broken_xml_with_no_item_is_refused(web: WebServer, body: bytes, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(body, web.base, RSS)
    assert str(caught.value) == message


def test_truncated_xml_keeps_the_items_it_could_read_with_a_warning(web: WebServer) -> None:
    whole = web.fixture("feed.rss")
    cut = whole[: whole.index("<item>", whole.index("kharkiv"))]  # two items, no closing tags
    feed = parse_feed(cut.encode(), web.base + "/feed.rss", RSS)
    assert [item.key for item in feed.items] == [
        "gazette-odesa-2023-07-24",
        "gazette-kharkiv-2024-05-06",
    ]
    assert feed.warning is not None and feed.warning.startswith("malformed feed XML")


# --- feeds and pages as inputs ---------------------------------------------------------------


def test_a_feed_url_reads_each_items_page(web: WebServer) -> None:
    feed = serve_gazette(web)
    found = list(read_paths([feed]))
    assert all(isinstance(a, Article) for a in found), found
    odesa, kharkiv, gaza = found
    assert isinstance(odesa, Article) and isinstance(gaza, Article)
    assert isinstance(kharkiv, Article)
    assert (odesa.ref, odesa.published, odesa.outlet) == (
        web.base + "/world/odesa-strike",
        date(2023, 7, 24),
        "Harbour Gazette",
    )
    assert odesa.url == "https://gazette.example/world/odesa-strike"  # the canonical link
    assert (kharkiv.ref, kharkiv.url) == (
        web.base + "/world/kharkiv-shelling",
        web.base + "/world/kharkiv-shelling",
    )
    assert (gaza.ref, gaza.url, gaza.outlet) == (
        web.base + "/go/gaza",
        web.base + "/middle-east/gaza",
        web.base.removeprefix("http://"),  # no site name: trafilatura names the host
    )


def test_an_item_page_that_fails_is_a_problem_and_the_rest_are_read(web: WebServer) -> None:
    feed = serve_gazette(web)
    web.set("/world/kharkiv-shelling", "gone", status=404)
    found = list(read_paths([feed]))
    assert [type(a).__name__ for a in found] == ["Article", "SourceProblem", "Article"]
    assert found[1] == SourceProblem(web.base + "/world/kharkiv-shelling", "HTTP 404 Not Found")


def test_an_undated_page_takes_the_feed_items_date(web: WebServer) -> None:
    web.page("/americas/bogota-march", "undated.html")
    feed = web.page("/feed.atom", "feed.atom", content_type=ATOM)
    (bogota,) = read_paths([feed])
    assert isinstance(bogota, Article)
    assert (bogota.title, bogota.published) == ("Protest in Bogota", date(2024, 3, 8))


def test_a_feed_url_that_is_down_is_one_problem() -> None:
    url = closed_port_url()
    (found,) = read_paths([url])
    assert isinstance(found, SourceProblem) and found.ref == url
    assert found.message.startswith("cannot connect")


def test_extract_codes_a_page_by_url(web: WebServer, cache_dir: Path) -> None:
    url = web.page("/world/odesa-strike", "odesa.html")
    result = CliRunner().invoke(
        cli.app,
        ["extract", url, "--format", "jsonl"],
        env={"DOTTEREL_CACHE_DIR": str(cache_dir), "DOTTEREL_FETCH_TIMEOUT": "2"},
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assault = next(e for e in events if e["type"] == "ASSAULT")
    assert assault["article_ref"] == url
    assert (assault["source"]["country"], assault["source"]["sector"]) == ("RUS", "MIL")
    assert (assault["place"]["name"], assault["place"]["country"]) == ("Odesa", "UKR")
    assert assault["date"]["start"] == "2023-07-23"
    assert assault["fatalities"]["best"] == 2
