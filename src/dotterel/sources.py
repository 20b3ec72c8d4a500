"""Readers: files, folders and JSONL into Articles, with one clear error per bad input.

``read_paths`` yields ``Article`` or ``SourceProblem`` in input order, so a caller
can report a bad file and go on with the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dotterel.errors import InputError
from dotterel.records import Article

__all__ = ["SourceProblem", "parse_date", "read_paths"]

TEXT_SUFFIXES = {".txt", ".text", ".md"}


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """An input that could not be read as an article, and why."""

    ref: str
    message: str


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


def read_paths(
    paths: Iterable[Path | str], published: date | None = None
) -> Iterator[Article | SourceProblem]:
    """Articles from .txt files, folders of them, and .jsonl files (``--published`` wins)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _readable(p))
            if not files:
                yield SourceProblem(str(path), "folder holds no .txt or .jsonl files")
            for file in files:
                yield from _read_file(file, published)
        elif path.exists():
            yield from _read_file(path, published)
        else:
            yield SourceProblem(str(path), "no such file or folder")


def _readable(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES | {".jsonl"}


def _read_file(path: Path, published: date | None) -> Iterator[Article | SourceProblem]:
    if path.suffix.lower() == ".jsonl":
        yield from _read_jsonl(path, published)
        return
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        yield SourceProblem(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return
    except OSError as exc:
        yield SourceProblem(str(path), f"cannot read: {exc.strerror}")
        return
    if not text.strip():
        yield SourceProblem(str(path), "empty text")
        return
    yield Article(text=text, ref=str(path), published=published)


def _read_jsonl(path: Path, published: date | None) -> Iterator[Article | SourceProblem]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        yield SourceProblem(str(path), f"cannot read: {exc.strerror}")
        return
    with handle:
        line_no = 0
        while True:
            line_no += 1
            try:
                line = handle.readline()
            except UnicodeDecodeError as exc:
                yield SourceProblem(f"{path}:{line_no}", f"not UTF-8 text ({exc.reason})")
                return
            if not line:
                return
            if not line.strip():
                continue
            yield _article_from_line(line, f"{path}:{line_no}", published)


def _article_from_line(line: str, where: str, published: date | None) -> Article | SourceProblem:
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return SourceProblem(where, f"not JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return SourceProblem(where, "each line must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return SourceProblem(where, "missing or empty 'text'")
    try:
        when = published or parse_date(record.get("published"), f"{where}: published")
    except InputError as exc:
        return SourceProblem(where, str(exc).removeprefix(f"{where}: "))
    ref = record.get("id")
    return Article(
        text=text,
        ref=str(ref) if ref is not None else where,
        url=record.get("url"),
        title=record.get("title"),
        published=when,
        outlet=record.get("outlet"),
    )
