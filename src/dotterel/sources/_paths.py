"""From what the user named (files, folders, URLs) to articles, in input order.

``read_items`` yields articles, pages not yet extracted and problems; ``read_paths``
extracts the pages as it goes, so it yields only articles and problems.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import date
from os import PathLike
from pathlib import Path

from dotterel.records import Article
from dotterel.sources._common import Columns, SourceProblem, file_kind
from dotterel.sources.feeds import FeedError, looks_like_feed, pages_of, parse_feed, read_feed_file
from dotterel.sources.fetch import Fetcher, FetchError
from dotterel.sources.html import HtmlPage, read_html
from dotterel.sources.tabular import read_csv, read_jsonl
from dotterel.sources.text import read_text
from dotterel.sources.warc import read_warc

__all__ = ["Item", "is_url", "read_items", "read_paths"]

Item = Article | HtmlPage | SourceProblem
Input = str | PathLike[str]


def is_url(value: Input) -> bool:
    """Whether an input names a web page or feed rather than a file."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def read_paths(
    paths: Iterable[Input],
    published: date | None = None,
    columns: Columns | None = None,
    fetcher: Fetcher | None = None,
) -> Iterator[Article | SourceProblem]:
    """Articles from files, folders and URLs (pages extracted here); ``published`` wins.

    Files: .txt/.md, .jsonl, .csv, .html, .warc, .rss/.atom/.xml feeds, each also
    gzipped (.gz). Folders: every such file inside (not .xml). URLs: a page, or a feed
    whose items' pages are fetched.
    """
    for item in read_items(paths, published, columns, fetcher):
        yield item.to_article() if isinstance(item, HtmlPage) else item


def read_items(
    paths: Iterable[Input],
    published: date | None = None,
    columns: Columns | None = None,
    fetcher: Fetcher | None = None,
) -> Iterator[Item]:
    """Like ``read_paths``, but HTML pages come out unextracted (for batch workers)."""
    with ExitStack() as stack:

        def get_fetcher() -> Fetcher:
            nonlocal fetcher
            if fetcher is None:
                fetcher = stack.enter_context(Fetcher())
            return fetcher

        for raw in paths:
            if is_url(raw):
                yield from _read_url(str(raw), get_fetcher(), published)
            else:
                yield from _read_path(Path(raw), published, columns or Columns(), get_fetcher)


def _read_path(
    path: Path, published: date | None, columns: Columns, fetcher: Callable[[], Fetcher]
) -> Iterator[Item]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and file_kind(p, named=False))
        if not files:
            yield SourceProblem(str(path), "folder holds no file dotterel reads (.txt, .jsonl, …)")
        for file in files:
            yield from _read_file(file, published, columns, fetcher)
    elif path.exists():
        yield from _read_file(path, published, columns, fetcher)
    else:
        yield SourceProblem(str(path), "no such file or folder")


def _read_file(
    path: Path, published: date | None, columns: Columns, fetcher: Callable[[], Fetcher]
) -> Iterator[Item]:
    kind = file_kind(path)
    if kind is None:
        yield SourceProblem(
            str(path),
            "unknown file type; use .txt, .md, .jsonl, .csv, .html, .warc, .rss, .atom "
            "or .xml (each may be gzipped: .gz)",
        )
        return
    name, gzipped = kind
    if name == "text":
        yield from read_text(path, published, gzipped)
    elif name == "jsonl":
        yield from read_jsonl(path, published, columns, gzipped)
    elif name == "csv":
        yield from read_csv(path, published, columns, gzipped)
    elif name == "html":
        yield from read_html(path, published, gzipped)
    elif name == "warc":
        yield from read_warc(path, published)
    else:
        yield from read_feed_file(path, fetcher(), published, gzipped)


def _read_url(url: str, fetcher: Fetcher, published: date | None) -> Iterator[Item]:
    try:
        fetched = fetcher.get(url)
    except FetchError as exc:
        yield SourceProblem(url, exc.reason)
        return
    if not looks_like_feed(fetched.content, fetched.content_type):
        yield HtmlPage(ref=url, html=fetched.content, url=fetched.url, published=published)
        return
    try:
        feed = parse_feed(fetched.content, fetched.url, fetched.content_type)
    except FeedError as exc:
        yield SourceProblem(url, str(exc))
        return
    yield from pages_of(feed.items, fetcher, published)
