"""HTML pages to articles with trafilatura: the main text, title, date, outlet and URL.

Navigation, comments, tables and other boilerplate are dropped. The publication date
comes from the page's markup (meta tags, JSON-LD, ``<time>``, the URL), never guessed
from the body text; it anchors relative dates unless ``--published`` overrides it.

An ``HtmlPage`` is a page not yet extracted: batch ships pages to its workers so the
extraction runs there too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

from dotterel.records import Article, normalise_text
from dotterel.sources._common import READ_ERRORS, SourceProblem, open_binary, read_error

__all__ = ["HtmlPage", "article_from_html", "read_html"]

MIN_WORDS = 10  # fewer extracted words than this is a menu, not an article
# Dates from markup only: a date in the body may be any date the story mentions.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """A fetched or archived page, with what its source already told about it.

    ``published`` overrides the page's own date; ``hint_title`` and ``hint_published``
    (say, from a feed item) are used only when the page has none.
    """

    ref: str
    html: bytes
    url: str | None = None
    published: date | None = None
    hint_title: str | None = None
    hint_published: date | None = None

    def to_article(self) -> Article | SourceProblem:
        return article_from_html(
            self.html,
            ref=self.ref,
            url=self.url,
            published=self.published,
            hint_title=self.hint_title,
            hint_published=self.hint_published,
        )


def read_html(
    path: Path, published: date | None = None, gzipped: bool = False
) -> Iterator[HtmlPage | SourceProblem]:
    """The page in an .html file (gzipped when ``gzipped``); the path is its ref."""
    try:
        with open_binary(path, gzipped) as handle:
            content = handle.read()
    except READ_ERRORS as exc:
        yield SourceProblem(str(path), read_error(exc))
        return
    yield HtmlPage(ref=str(path), html=content, published=published)


def article_from_html(
    html: bytes | str,
    *,
    ref: str,
    url: str | None = None,
    published: date | None = None,
    hint_title: str | None = None,
    hint_published: date | None = None,
) -> Article | SourceProblem:
    """The article in one HTML page, or a problem saying why there is none."""
    if not html.strip():
        return SourceProblem(ref, "empty page")
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=dict(_DATE_PARAMS),
        )
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken markup
        return SourceProblem(ref, f"cannot parse the page as HTML: {type(exc).__name__}: {exc}")
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not _is_prose(text):
        return SourceProblem(ref, "no article text found in the page (only menus or boilerplate)")
    title = _clean(getattr(doc, "title", None)) or hint_title
    page_url = _clean(getattr(doc, "url", None)) or url  # the page's canonical link first
    return Article(
        text=_without_headline(text, title),
        ref=ref,
        url=page_url,
        title=title,
        published=published or _day(getattr(doc, "date", None)) or hint_published,
        outlet=_clean(getattr(doc, "sitename", None)) or _host(page_url),
    )


def _is_prose(text: str) -> bool:
    """At least one sentence's worth: what is left of a page of menus is a few words."""
    return len(text.split()) >= MIN_WORDS and any(mark in text for mark in ".!?")


def _without_headline(text: str, title: str | None) -> str:
    """The body without a first line that repeats the title (the page's <h1>)."""
    first, sep, rest = text.partition("\n")
    if title and sep and normalise_text(first) == normalise_text(title):
        return rest.lstrip("\n")
    return text


def _day(value: object) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None
