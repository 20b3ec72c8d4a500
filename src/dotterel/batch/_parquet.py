"""Batch output as partitioned Parquet: ``DIR/events/`` and ``DIR/articles/``.

The worker that coded a chunk writes one part file into each folder, named by a hash of
the chunk's keys: ``events/part-<hash>.parquet`` first, then ``articles/part-<hash>.parquet``,
each through a hidden temporary file and an atomic rename. The articles parts are the
record of what is done: a rerun reads their ``key`` column and skips those items, and
an events part left without its articles part (a crash between the two) is removed.
Read the output with ``pyarrow.dataset.dataset(DIR / "events")``, pandas or Dask.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dotterel.records import Article, Event, to_dict

__all__ = ["ARTICLE_SCHEMA", "EVENT_SCHEMA", "Coded", "ParquetOutput", "event_row", "write_parts"]

EVENT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("article_id", pa.string()),
        ("article_ref", pa.string()),
        ("type", pa.string()),
        ("mode", pa.string()),
        ("modality", pa.string()),
        ("source_name", pa.string()),
        ("source_country", pa.string()),
        ("source_sector", pa.string()),
        ("target_name", pa.string()),
        ("target_country", pa.string()),
        ("target_sector", pa.string()),
        ("place_name", pa.string()),
        ("place_country", pa.string()),
        ("admin1", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("geonames_id", pa.int64()),
        ("where_precision", pa.int8()),
        ("date_start", pa.date32()),
        ("date_end", pa.date32()),
        ("date_precision", pa.int8()),
        ("fatalities_low", pa.int64()),
        ("fatalities_best", pa.int64()),
        ("fatalities_high", pa.int64()),
        ("injured_best", pa.int64()),
        ("cameo", pa.string()),
        ("evidence", pa.string()),
        ("confidence", pa.float64()),
        ("record", pa.string()),  # the full event as JSON, as --format jsonl prints it
    ]
)

ARTICLE_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("id", pa.string()),
        ("ref", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("published", pa.date32()),
        ("outlet", pa.string()),
        ("language", pa.string()),
        ("events", pa.int32()),
    ]
)


@dataclass(frozen=True, slots=True)
class Coded:
    """One coded article: the key resuming tracks, its ref, the article and its events."""

    key: str
    ref: str
    article: Article
    events: list[Event]


def write_parts(out: Path, coded: Sequence[Coded]) -> str:
    """Write one chunk's events part, then its articles part; returns the part name."""
    name = _part_name(c.key for c in coded)
    events = [event_row(e, c.ref) for c in coded for e in c.events]
    _write(pa.Table.from_pylist(events, schema=EVENT_SCHEMA), out / "events" / name)
    rows = [_article_row(c) for c in coded]
    _write(pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA), out / "articles" / name)
    return name


class ParquetOutput:
    """The output folder as the client sees it: ``done`` holds the keys finished in any
    run; opening it removes what a crashed run left half-written."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.events_dir = out / "events"
        self.articles_dir = out / "articles"
        self.events_dir.mkdir(parents=True, exist_ok=True)
        self.articles_dir.mkdir(parents=True, exist_ok=True)
        self._drop_orphans()
        self.done: set[str] = self._read_done()

    def _read_done(self) -> set[str]:
        done: set[str] = set()
        for part in sorted(self.articles_dir.glob("part-*.parquet")):
            done.update(pq.read_table(part, columns=["key"]).column("key").to_pylist())
        return done

    def _drop_orphans(self) -> None:
        for leftover in (*self.events_dir.glob(".*.tmp"), *self.articles_dir.glob(".*.tmp")):
            leftover.unlink(missing_ok=True)
        finished = {p.name for p in self.articles_dir.glob("part-*.parquet")}
        for part in self.events_dir.glob("part-*.parquet"):
            if part.name not in finished:
                part.unlink()


def event_row(event: Event, article_ref: str | None) -> dict[str, Any]:
    """One flat Parquet row of an event, with the full record as JSON."""
    src, tgt, place, when = event.source, event.target, event.place, event.date
    deaths, hurt = event.fatalities, event.injured
    return {
        "id": event.id,
        "article_id": event.article_id,
        "article_ref": article_ref,
        "type": event.type,
        "mode": event.mode,
        "modality": event.modality,
        "source_name": src.name if src else None,
        "source_country": src.country if src else None,
        "source_sector": src.sector if src else None,
        "target_name": tgt.name if tgt else None,
        "target_country": tgt.country if tgt else None,
        "target_sector": tgt.sector if tgt else None,
        "place_name": place.name if place else None,
        "place_country": place.country if place else None,
        "admin1": place.admin1 if place else None,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "geonames_id": place.geonames_id if place else None,
        "where_precision": place.precision if place else None,
        "date_start": when.start if when else None,
        "date_end": when.end if when else None,
        "date_precision": when.precision if when else None,
        "fatalities_low": deaths.low if deaths else None,
        "fatalities_best": deaths.best if deaths else None,
        "fatalities_high": deaths.high if deaths else None,
        "injured_best": hurt.best if hurt else None,
        "cameo": event.cameo,
        "evidence": event.evidence.sentence,
        "confidence": event.confidence,
        "record": json.dumps(to_dict(event), ensure_ascii=False),
    }


def _article_row(coded: Coded) -> dict[str, Any]:
    article = coded.article
    published = article.published
    return {
        "key": coded.key,
        "id": article.id,
        "ref": coded.ref,
        "url": article.url,
        "title": article.title,
        "published": published.date() if isinstance(published, datetime) else published,
        "outlet": article.outlet,
        "language": article.language,
        "events": len(coded.events),
    }


def _part_name(keys: Iterable[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()[:20]
    return f"part-{digest}.parquet"


def _write(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)
