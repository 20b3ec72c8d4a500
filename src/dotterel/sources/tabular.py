"""Records to articles: JSONL lines and CSV rows, with a column mapping.

Every line or row is one article; a bad one is a ``SourceProblem`` naming the file and
line, and the rest of the file is still read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from dotterel.errors import InputError
from dotterel.records import Article
from dotterel.sources._common import (
    READ_ERRORS,
    Columns,
    SourceProblem,
    open_binary,
    parse_date,
    read_error,
)

__all__ = ["article_from_record", "read_csv", "read_jsonl"]

_DEFAULT = Columns()


def read_jsonl(
    path: Path,
    published: date | None = None,
    columns: Columns = _DEFAULT,
    gzipped: bool = False,
) -> Iterator[Article | SourceProblem]:
    """One article per JSON object line; blank lines are skipped."""
    line_no = 0
    try:
        with open_binary(path, gzipped) as raw, io.TextIOWrapper(raw, encoding="utf-8") as lines:
            for line_no, line in enumerate(lines, start=1):
                if line.strip():
                    yield _from_line(line, f"{path}:{line_no}", published, columns)
    except READ_ERRORS as exc:
        yield SourceProblem(f"{path}:{line_no + 1}", read_error(exc))


def read_csv(
    path: Path,
    published: date | None = None,
    columns: Columns = _DEFAULT,
    gzipped: bool = False,
) -> Iterator[Article | SourceProblem]:
    """One article per CSV row (first row: column names)."""
    reader: Any = None
    try:
        with (
            open_binary(path, gzipped) as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
        ):
            reader = csv.DictReader(text)
            missing = _missing_columns(reader.fieldnames or [], columns)
            if missing:
                yield SourceProblem(str(path), missing)
                return
            for row in reader:
                yield article_from_record(row, f"{path}:{reader.line_num}", published, columns)
    except csv.Error as exc:
        yield SourceProblem(_at(path, reader), f"not valid CSV: {exc}")
    except READ_ERRORS as exc:
        yield SourceProblem(_at(path, reader), read_error(exc))


def _at(path: Path, reader: Any) -> str:
    return f"{path}:{reader.line_num}" if reader is not None and reader.line_num else str(path)


def _missing_columns(header: list[str], columns: Columns) -> str | None:
    if not header:
        return "no header row (expected column names such as text, published, url)"
    if columns.text not in header:
        shown = ", ".join(header[:12])
        return f"no column {columns.text!r} (columns: {shown}); name it with --text-col"
    for name, given, option in (
        ("date", columns.date, "--date-col"),
        ("url", columns.url, "--url-col"),
    ):
        if given != getattr(_DEFAULT, name) and given not in header:
            return f"no column {given!r} given by {option}"
    return None


def _from_line(
    line: str, where: str, published: date | None, columns: Columns
) -> Article | SourceProblem:
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return SourceProblem(where, f"not JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return SourceProblem(where, "each line must be a JSON object")
    return article_from_record(record, where, published, columns)


def article_from_record(
    record: Mapping[str, Any],
    where: str,
    published: date | None = None,
    columns: Columns = _DEFAULT,
) -> Article | SourceProblem:
    """The article in one record; ``published`` (``--published``) wins over its date."""
    text = record.get(columns.text)
    if not isinstance(text, str) or not text.strip():
        return SourceProblem(where, f"missing or empty {columns.text!r}")
    try:
        when = published or parse_date(_text(record.get(columns.date)), f"{where}: {columns.date}")
    except InputError as exc:
        return SourceProblem(where, str(exc).removeprefix(f"{where}: "))
    ref = _text(record.get(columns.id))
    return Article(
        text=text,
        ref=ref or where,
        url=_text(record.get(columns.url)),
        title=_text(record.get(columns.title)),
        published=when,
        outlet=_text(record.get(columns.outlet)),
    )


def _text(value: Any) -> str | None:
    """A field as text; None and "" (an empty CSV cell) are None."""
    if value is None or value == "":
        return None
    return str(value)
