"""What every reader shares: the problem record, strict dates, column names, file kinds."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, cast

from dotterel.errors import InputError

__all__ = [
    "READ_ERRORS",
    "Columns",
    "SourceProblem",
    "file_kind",
    "open_binary",
    "parse_date",
    "read_error",
]

# File kinds by suffix (after an optional .gz): what a folder scan picks up.
KINDS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".warc": "warc",
    ".rss": "feed",
    ".atom": "feed",
}
# Read when named, not picked up from folders (a folder's .xml may be anything).
NAMED_ONLY: dict[str, str] = {".xml": "feed"}


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """An input that could not be read as an article, and why."""

    ref: str
    message: str


@dataclass(frozen=True, slots=True)
class Columns:
    """Which CSV column or JSONL field holds each article field."""

    text: str = "text"
    date: str = "published"
    url: str = "url"
    title: str = "title"
    id: str = "id"
    outlet: str = "outlet"


def parse_date(value: str | None, where: str = "date") -> date | None:
    """An ISO date (YYYY-MM-DD, or the date part of a datetime), or None."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise InputError(f"{where}: {value!r} is not a date (expected YYYY-MM-DD)") from exc


def file_kind(path: Path, named: bool = True) -> tuple[str, bool] | None:
    """(kind, gzipped) of a file by its suffixes, or None when dotterel does not read it.

    ``named`` is True for a file given by name, False for one found in a folder.
    """
    name = path.name.lower()
    gzipped = name.endswith(".gz")
    if gzipped:
        name = name[:-3]
    suffix = Path(name).suffix
    kind = KINDS.get(suffix) or (NAMED_ONLY.get(suffix) if named else None)
    return None if kind is None else (kind, gzipped)


def open_binary(path: Path, gzipped: bool) -> BinaryIO:
    """The file's bytes, decompressed on the fly when it is gzipped."""
    if gzipped:
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def read_error(exc: Exception) -> str:
    """One line on why a (possibly gzipped) file could not be read."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    if isinstance(exc, gzip.BadGzipFile):
        return "not a gzip file (its name ends in .gz)"
    if isinstance(exc, EOFError | zlib.error):
        return f"damaged or truncated gzip data ({exc})"
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc}"
    return f"cannot read: {exc}"


READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError)
