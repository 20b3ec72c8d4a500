"""Plain-text articles: one file, one article; its path is the article's ref."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from dotterel.records import Article
from dotterel.sources._common import READ_ERRORS, SourceProblem, open_binary, read_error

__all__ = ["read_text"]


def read_text(
    path: Path, published: date | None = None, gzipped: bool = False
) -> Iterator[Article | SourceProblem]:
    """The article in a UTF-8 text file (gzipped when ``gzipped``)."""
    try:
        with open_binary(path, gzipped) as handle:
            raw = handle.read().decode("utf-8")
    except READ_ERRORS as exc:
        yield SourceProblem(str(path), read_error(exc))
        return
    text = raw.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it
    if not text.strip():
        yield SourceProblem(str(path), "empty text")
        return
    yield Article(text=text, ref=str(path), published=published)
