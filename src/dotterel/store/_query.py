"""Read-side queries for the API: filters, keyset (cursor) pages, one event, counts.

Everything here reads the existing indexed columns of ``events``; nothing writes.
Pages follow the order of ``Store.events``: by start date (undated last), then article
id, then event id. A cursor is the sort key of the last row a page returned, so a page
never repeats or skips a row when rows are added between requests.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dotterel.records import EVENT_TYPES, MODALITIES
from dotterel.store._engine import store_error
from dotterel.store._store import Store
from dotterel.store.models import EventRow

__all__ = ["Cursor", "DayCount", "EventFilter", "EventQueries", "Page"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What a reader asks for; every field left empty matches everything.

    ``types`` matches any of the PLOVER types; ``country`` any of the source's, the
    target's or the place's country; ``bbox`` is (west, south, east, north) in degrees,
    west > east meaning a box across the antimeridian; ``text`` is a case-insensitive
    substring of the evidence sentence; ``since``/``until`` bound the start date, both
    inclusive. Codes are matched case-insensitively.
    """

    types: tuple[str, ...] = ()
    mode: str | None = None
    modality: str | None = None
    country: str | None = None
    source_country: str | None = None
    target_country: str | None = None
    place_country: str | None = None
    since: date | None = None
    until: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    text: str | None = None
    article_id: str | None = None

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t.upper() not in EVENT_TYPES]
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)} is not a PLOVER type; use one of {', '.join(EVENT_TYPES)}"
            )
        if self.modality is not None and self.modality not in MODALITIES:
            raise ValueError(f"modality must be one of {', '.join(MODALITIES)}")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}")
        if self.bbox is not None:
            _check_bbox(self.bbox)

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE conditions, ANDed by the caller."""
        found: list[ColumnElement[bool]] = []
        if self.types:
            found.append(EventRow.type.in_(sorted({t.upper() for t in self.types})))
        if self.mode:
            found.append(EventRow.mode == self.mode)
        if self.modality:
            found.append(EventRow.modality == self.modality)
        if self.country:
            code = self.country.upper()
            found.append(
                or_(
                    EventRow.source_country == code,
                    EventRow.target_country == code,
                    EventRow.place_country == code,
                )
            )
        for column, value in (
            (EventRow.source_country, self.source_country),
            (EventRow.target_country, self.target_country),
            (EventRow.place_country, self.place_country),
        ):
            if value:
                found.append(column == value.upper())
        if self.since is not None:
            found.append(EventRow.date_start >= self.since)
        if self.until is not None:
            found.append(EventRow.date_start <= self.until)
        if self.bbox is not None:
            found.append(_in_box(self.bbox))
        if self.text:
            found.append(EventRow.evidence.icontains(self.text, autoescape=True))
        if self.article_id:
            found.append(EventRow.article_id == self.article_id)
        return found


def _check_bbox(bbox: tuple[float, float, float, float]) -> None:
    west, south, east, north = bbox
    if not all(-180.0 <= lon <= 180.0 for lon in (west, east)):
        raise ValueError("bbox longitudes must lie in -180..180")
    if not all(-90.0 <= lat <= 90.0 for lat in (south, north)):
        raise ValueError("bbox latitudes must lie in -90..90")
    if south > north:
        raise ValueError(f"bbox south {south} is north of north {north}")


def _in_box(bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
    west, south, east, north = bbox
    lat = EventRow.lat.between(south, north)
    if west <= east:
        return and_(lat, EventRow.lon.between(west, east))
    return and_(lat, or_(EventRow.lon >= west, EventRow.lon <= east))  # across 180°


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the previous page stopped: the sort key of its last event."""

    date: date | None
    article_id: str
    id: str

    def encode(self) -> str:
        """An opaque URL-safe token."""
        day = self.date.isoformat() if self.date else None
        raw = json.dumps([day, self.article_id, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """The cursor a ``next`` token stands for; ValueError when it is not one."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            day, article_id, event_id = json.loads(raw.decode("utf-8"))
            if not (isinstance(article_id, str) and isinstance(event_id, str)):
                raise TypeError("ids must be strings")
            return cls(date.fromisoformat(day) if day is not None else None, article_id, event_id)
        except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as exc:
            raise ValueError(
                "not a cursor this server gave out; pass the `next` value of the previous page"
            ) from exc


@dataclass(frozen=True, slots=True)
class Page:
    """One page of event records and the cursor of the next page (None on the last)."""

    records: list[dict[str, Any]]
    next: Cursor | None


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many events of one type start on one day."""

    date: date
    type: str
    count: int


_Row = tuple[dict[str, Any], date | None, str, str]


class EventQueries:
    """Filtered, paged reads of one Store's events."""

    def __init__(self, store: Store) -> None:
        self._engine = store._engine
        self._url = store._url

    def page(self, where: EventFilter, limit: int, after: Cursor | None = None) -> Page:
        """Up to ``limit`` events matching ``where``, after ``after`` in the store's order."""
        if limit < 1:
            raise ValueError(f"limit must be 1 or more, got {limit}")
        conditions = where.conditions()

        def run(session: Session) -> list[_Row]:
            rows: list[_Row] = []
            if after is None or after.date is not None:
                rows = _fetch(session, _dated(conditions, after), limit + 1)
            if len(rows) <= limit:
                undated_after = after if after is not None and after.date is None else None
                rows += _fetch(session, _undated(conditions, undated_after), limit + 1 - len(rows))
            return rows

        rows = self._read("read events", run)
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if more else None
        cursor = Cursor(last[1], last[2], last[3]) if last is not None else None
        return Page([row[0] for row in rows], cursor)

    def event(self, event_id: str) -> dict[str, Any] | None:
        """The record of one event, or None."""
        query = select(EventRow.record).where(EventRow.id == event_id)
        return self._read(f"read event {event_id!r}", lambda s: s.scalar(query))

    def of_article(self, article_id: str) -> list[dict[str, Any]]:
        """Every event of one article, in text order."""
        query = select(EventRow.record).where(EventRow.article_id == article_id)
        records = self._read(f"read the events of {article_id!r}", lambda s: s.scalars(query).all())
        return sorted(records, key=lambda r: (r["evidence"]["start"], r["id"]))

    def count(self, where: EventFilter) -> tuple[int, int]:
        """(events matching, of which undated)."""
        undated = func.count().filter(EventRow.date_start.is_(None))
        query = select(func.count(), undated).where(*where.conditions())
        total, none = self._read("count events", lambda s: s.execute(query).one())
        return int(total), int(none)

    def by_day(self, where: EventFilter) -> list[DayCount]:
        """Counts per start day and type of the dated events matching ``where``."""
        query = (
            select(EventRow.date_start, EventRow.type, func.count())
            .where(EventRow.date_start.is_not(None), *where.conditions())
            .group_by(EventRow.date_start, EventRow.type)
            .order_by(EventRow.date_start, EventRow.type)
        )
        rows = self._read("count events by day", lambda s: s.execute(query).all())
        return [DayCount(day, kind, int(n)) for day, kind, n in rows if day is not None]

    def by_type(self, where: EventFilter) -> dict[str, int]:
        """Counts per type of the events matching ``where`` (dated or not)."""
        query = (
            select(EventRow.type, func.count())
            .where(*where.conditions())
            .group_by(EventRow.type)
            .order_by(EventRow.type)
        )
        rows = self._read("count events by type", lambda s: s.execute(query).all())
        return {kind: int(n) for kind, n in rows}

    def _read(self, action: str, work: Callable[[Session], _T]) -> _T:
        try:
            with Session(self._engine) as session:
                return work(session)
        except SQLAlchemyError as exc:
            raise store_error(action, self._url, exc) from exc


_COLUMNS = (EventRow.record, EventRow.date_start, EventRow.article_id, EventRow.id)


def _dated(conditions: Sequence[ColumnElement[bool]], after: Cursor | None) -> Select[Any]:
    query = select(*_COLUMNS).where(EventRow.date_start.is_not(None), *conditions)
    if after is not None and after.date is not None:
        day = after.date
        query = query.where(
            EventRow.date_start >= day,  # lets the date index bound the scan
            or_(EventRow.date_start > day, and_(EventRow.date_start == day, _after_ids(after))),
        )
    return query.order_by(EventRow.date_start, EventRow.article_id, EventRow.id)


def _undated(conditions: Sequence[ColumnElement[bool]], after: Cursor | None) -> Select[Any]:
    query = select(*_COLUMNS).where(EventRow.date_start.is_(None), *conditions)
    if after is not None:
        query = query.where(_after_ids(after))
    return query.order_by(EventRow.article_id, EventRow.id)


def _after_ids(after: Cursor) -> ColumnElement[bool]:
    return or_(
        EventRow.article_id > after.article_id,
        and_(EventRow.article_id == after.article_id, EventRow.id > after.id),
    )


def _fetch(session: Session, query: Select[Any], limit: int) -> list[_Row]:
    if limit <= 0:
        return []
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query.limit(limit))]
