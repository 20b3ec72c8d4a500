"""Web archives (WARC, plain or gzipped per record) with warcio: each archived HTML page.

Only successful (HTTP 200) HTML responses, and HTML ``resource`` records, are pages;
redirects, errors, requests, metadata and non-HTML captures are passed over. The
page's ref is its target URI.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from dotterel.sources._common import READ_ERRORS, SourceProblem, read_error
from dotterel.sources.html import HtmlPage

__all__ = ["read_warc"]


def read_warc(path: Path, published: date | None = None) -> Iterator[HtmlPage | SourceProblem]:
    """The HTML pages archived in a .warc or .warc.gz file."""
    pages = 0
    try:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                page = _page(record, path, published)
                if page is not None:
                    pages += 1
                    yield page
    except ArchiveLoadFailed as exc:
        yield SourceProblem(str(path), f"not a WARC file, or damaged: {_first_line(exc)}")
        return
    except READ_ERRORS as exc:
        yield SourceProblem(str(path), read_error(exc))
        return
    if pages == 0:
        yield SourceProblem(str(path), "holds no HTML page (no HTTP 200 text/html response)")


def _page(record: Any, path: Path, published: date | None) -> HtmlPage | None:
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or http.get_statuscode() != "200":
            return None
        content_type = http.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        return None
    if "html" not in content_type.lower():
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    ref = url or f"{path}#{record.rec_headers.get_header('WARC-Record-ID')}"
    return HtmlPage(ref=ref, html=record.content_stream().read(), url=url, published=published)


def _first_line(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
