"""Readers: files, folders, web pages, feeds and web archives into Articles.

Each reader yields ``Article`` (or, for HTML, an ``HtmlPage`` still to extract) or a
``SourceProblem`` in input order, so a caller reports a bad input in one line and goes
on with the rest.

- ``text``: .txt/.md files, one article each.
- ``tabular``: JSONL lines and CSV rows, with a ``Columns`` mapping.
- ``html``: pages through trafilatura (main text, title, date, outlet, URL).
- ``feeds``: RSS/Atom with feedparser; each item's page is fetched.
- ``warc``: archived HTML responses with warcio.
- ``fetch``: HTTP with timeouts, a size cap, redirects and conditional GET.

Any file may be gzipped (``.gz``); folders are read recursively.
"""

from __future__ import annotations

from dotterel.sources._common import Columns, SourceProblem, parse_date
from dotterel.sources._paths import Item, is_url, read_items, read_paths
from dotterel.sources.feeds import Feed, FeedError, FeedItem, parse_feed
from dotterel.sources.fetch import Fetched, Fetcher, FetchError
from dotterel.sources.html import HtmlPage, article_from_html

__all__ = [
    "Columns",
    "Feed",
    "FeedError",
    "FeedItem",
    "FetchError",
    "Fetched",
    "Fetcher",
    "HtmlPage",
    "Item",
    "SourceProblem",
    "article_from_html",
    "is_url",
    "parse_date",
    "parse_feed",
    "read_items",
    "read_paths",
]
