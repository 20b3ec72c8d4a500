"""RSS and Atom feeds with feedparser: the items, then each item's page.

``parse_feed`` never lets feedparser fetch anything: it reads bytes we fetched. A
body that is an HTML page, or not a feed at all, is a ``FeedError``; a feed with
broken XML whose items could still be read comes back with a ``warning``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser

from dotterel.errors import InputError
from dotterel.sources._common import READ_ERRORS, SourceProblem, open_binary, read_error
from dotterel.sources.fetch import Fetcher, FetchError
from dotterel.sources.html import HtmlPage

__all__ = [
    "Feed",
    "FeedError",
    "FeedItem",
    "looks_like_feed",
    "pages_of",
    "parse_feed",
    "read_feed_file",
]

_FEED_TYPES = ("rss", "atom", "xml", "rdf")
_FEED_STARTS = (b"<?xml", b"<rss", b"<feed", b"<rdf")
_HTML_STARTS = (b"<!doctype html", b"<html")


class FeedError(InputError):
    """A body is not a readable RSS or Atom feed (an HTML page, or broken XML)."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One feed entry: a stable key (guid, else link), its link, title and date."""

    key: str
    link: str
    title: str | None = None
    published: date | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """The items of a feed, and a warning when its XML had to be read leniently."""

    url: str
    title: str | None
    items: list[FeedItem] = field(default_factory=list)
    warning: str | None = None


def looks_like_feed(content: bytes, content_type: str = "") -> bool:
    """Whether a fetched body should be read as a feed rather than a page."""
    kind = content_type.split(";")[0].strip().lower()
    if any(word in kind for word in _FEED_TYPES):
        return True
    if "html" in kind:
        return False
    return _head(content).startswith(_FEED_STARTS)


def parse_feed(content: bytes, url: str, content_type: str = "") -> Feed:
    """The items of an RSS/Atom body; raises FeedError when it is not a feed."""
    kind = content_type.split(";")[0].strip().lower()
    if "html" in kind or _head(content).startswith(_HTML_STARTS):
        shown = kind or "no Content-Type"
        raise FeedError(f"is an HTML page ({shown}), not an RSS or Atom feed")
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed: Any = feedparser.parse(content, response_headers=headers)
    problem = _xml_problem(parsed)
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(f"is not an RSS or Atom feed ({problem or 'no feed element'})")
    items = [item for entry in parsed.entries if (item := _item(entry, url)) is not None]
    if problem and not items:
        raise FeedError(f"is malformed feed XML ({problem}), no item could be read")
    warning = f"malformed feed XML ({problem}); read {len(items)} item(s) leniently"
    title = parsed.feed.get("title") if parsed.get("feed") else None
    return Feed(url=url, title=title, items=items, warning=warning if problem else None)


def pages_of(
    items: Iterable[FeedItem], fetcher: Fetcher, published: date | None = None
) -> Iterator[HtmlPage | SourceProblem]:
    """Fetch each item's page; an item whose page cannot be fetched is a problem."""
    for item in items:
        try:
            page = fetcher.get(item.link)
        except FetchError as exc:
            yield SourceProblem(item.link, exc.reason)
            continue
        yield HtmlPage(
            ref=item.link,
            html=page.content,
            url=page.url,
            published=published,
            hint_title=item.title,
            hint_published=item.published,
        )


def read_feed_file(
    path: Path, fetcher: Fetcher, published: date | None = None, gzipped: bool = False
) -> Iterator[HtmlPage | SourceProblem]:
    """The pages of the items of a feed saved in a file (each page is fetched)."""
    try:
        with open_binary(path, gzipped) as handle:
            content = handle.read()
        feed = parse_feed(content, path.resolve().as_uri())
    except READ_ERRORS as exc:
        yield SourceProblem(str(path), read_error(exc))
        return
    except FeedError as exc:
        yield SourceProblem(str(path), str(exc))
        return
    yield from pages_of(feed.items, fetcher, published)


def _item(entry: Any, feed_url: str) -> FeedItem | None:
    link = entry.get("link")
    if not link:
        return None
    link = urljoin(feed_url, str(link).strip())
    key = str(entry.get("id") or link)
    title = entry.get("title")
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    return FeedItem(
        key=key if len(key) <= 500 else hashlib.sha256(key.encode()).hexdigest(),
        link=link,
        title=str(title).strip() or None if title else None,
        published=date(*when[:3]) if isinstance(when, time.struct_time) else None,
    )


def _xml_problem(parsed: Any) -> str | None:
    """The XML error feedparser recovered from, ignoring content-type and charset notes."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    name = type(exc).__name__
    if name in ("NonXMLContentType", "CharacterEncodingOverride"):
        return None
    return f"{name}: {exc}" if str(exc) else name


def _head(content: bytes) -> bytes:
    return content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
