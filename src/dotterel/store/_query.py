"""Read-side queries for the API: filters, keyset (cursor) pages, one row, counts.

Everything here reads the existing indexed columns of ``events`` and ``incidents``;
nothing writes. Pages follow the order of ``Store.events`` and ``Store.incidents``: by
start date (undated last), then article id and event id, or incident id. A cursor is
the sort key of the last row a page returned, so a page never repeats or skips a row
when rows are added between requests.
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
from dotterel.store._filters import check_bbox, evidence_contains, in_bbox
from dotterel.store._store import Store
from dotterel.store.models import EventRow, IncidentRow

__all__ = ["Cursor", "DayCount", "EventFilter", "EventQueries", "IncidentQueries", "Page"]

_Table = type[EventRow] | type[IncidentRow]

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
            check_bbox(self.bbox)

    def conditions(self, table: _Table = EventRow) -> list[ColumnElement[bool]]:
        """The WHERE conditions on ``events`` or ``incidents``, ANDed by the caller.

        On incidents, ``modality``, ``text`` and ``article_id`` ask for a member event
        that matches them.
        """
        found: list[ColumnElement[bool]] = []
        if self.types:
            found.append(table.type.in_(sorted({t.upper() for t in self.types})))
        if self.mode:
            found.append(table.mode == self.mode)
        if self.country:
            code = self.country.upper()
            found.append(
                or_(
                    table.source_country == code,
                    table.target_country == code,
                    table.place_country == code,
                )
            )
        for column, value in (
            (table.source_country, self.source_country),
            (table.target_country, self.target_country),
            (table.place_country, self.place_country),
        ):
            if value:
                found.append(column == value.upper())
        if self.since is not None:
            found.append(table.date_start >= self.since)
        if self.until is not None:
            found.append(table.date_start <= self.until)
        if self.bbox is not None:
            found.append(in_bbox(table.lat, table.lon, self.bbox))
        members = self._member_conditions()
        if members and table is EventRow:
            found.extend(members)
        elif members:
            found.append(IncidentRow.id.in_(select(EventRow.incident_id).where(*members)))
        return found

    def _member_conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.modality:
            found.append(EventRow.modality == self.modality)
        if self.text and self.text.strip():
            found.append(evidence_contains(self.text))
        if self.article_id:
            found.append(EventRow.article_id == self.article_id)
        return found


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the previous page stopped: the sort key of its last row (start date, then
    the tie-breaking ids: article and event id for events, incident id for incidents)."""

    date: date | None
    keys: tuple[str, ...]

    def encode(self) -> str:
        """An opaque URL-safe token."""
        day = self.date.isoformat() if self.date else None
        raw = json.dumps([day, *self.keys], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str, size: int = 2) -> Cursor:
        """The cursor a ``next`` token stands for, with ``size`` keys; ValueError when it
        is not one."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            day, *keys = json.loads(raw.decode("utf-8"))
            if len(keys) != size or not all(isinstance(k, str) for k in keys):
                raise TypeError(f"expected {size} string keys")
            return cls(date.fromisoformat(day) if day is not None else None, tuple(keys))
        except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as exc:
            raise ValueError(
                "not a cursor this server gave out; pass the `next` value of the previous page"
            ) from exc


@dataclass(frozen=True, slots=True)
class Page:
    """One page of records and the cursor of the next page (None on the last)."""

    records: list[dict[str, Any]]
    next: Cursor | None


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many events of one type start on one day."""

    date: date
    type: str
    count: int


@dataclass(frozen=True, slots=True)
class _Order:
    """How a table pages: its record, its start date and the ids that break ties."""

    what: str
    record: Any
    date: Any
    keys: tuple[Any, ...]

    def dated(self, conditions: Sequence[ColumnElement[bool]], after: Cursor | None) -> Select[Any]:
        query = select(self.record, self.date, *self.keys).where(
            self.date.is_not(None), *conditions
        )
        if after is not None and after.date is not None:
            day = after.date
            query = query.where(
                self.date >= day,  # lets the date index bound the scan
                or_(self.date > day, and_(self.date == day, self._after(after.keys))),
            )
        return query.order_by(self.date, *self.keys)

    def undated(
        self, conditions: Sequence[ColumnElement[bool]], after: Cursor | None
    ) -> Select[Any]:
        query = select(self.record, self.date, *self.keys).where(self.date.is_(None), *conditions)
        if after is not None:
            query = query.where(self._after(after.keys))
        return query.order_by(*self.keys)

    def _after(self, values: tuple[str, ...]) -> ColumnElement[bool]:
        """Rows whose keys sort after ``values`` (lexicographically)."""
        column, *rest = self.keys
        if not rest:
            first: ColumnElement[bool] = column > values[0]
            return first
        deeper = _Order(self.what, self.record, self.date, tuple(rest))._after(values[1:])
        return or_(column > values[0], and_(column == values[0], deeper))


_EVENTS = _Order("events", EventRow.record, EventRow.date_start, (EventRow.article_id, EventRow.id))
_INCIDENTS = _Order("incidents", IncidentRow.record, IncidentRow.date_start, (IncidentRow.id,))


class _Reader:
    def __init__(self, store: Store) -> None:
        self._engine = store._engine
        self._url = store._url

    def _read(self, action: str, work: Callable[[Session], _T]) -> _T:
        try:
            with Session(self._engine) as session:
                return work(session)
        except SQLAlchemyError as exc:
            raise store_error(action, self._url, exc) from exc

    def _page(
        self,
        order: _Order,
        conditions: list[ColumnElement[bool]],
        limit: int,
        after: Cursor | None,
    ) -> Page:
        """Up to ``limit`` rows after ``after``: dated rows by date, then undated rows."""
        if limit < 1:
            raise ValueError(f"limit must be 1 or more, got {limit}")

        def run(session: Session) -> list[Any]:
            rows: list[Any] = []
            if after is None or after.date is not None:
                rows = list(session.execute(order.dated(conditions, after).limit(limit + 1)))
            if len(rows) <= limit:
                undated_after = after if after is not None and after.date is None else None
                query = order.undated(conditions, undated_after).limit(limit + 1 - len(rows))
                rows += list(session.execute(query))
            return rows

        rows = self._read(f"read {order.what}", run)
        last = rows[limit - 1] if len(rows) > limit else None
        cursor = None if last is None else Cursor(last[1], tuple(str(k) for k in last[2:]))
        return Page([row[0] for row in rows[:limit]], cursor)


class EventQueries(_Reader):
    """Filtered, paged reads of one Store's events."""

    def page(self, where: EventFilter, limit: int, after: Cursor | None = None) -> Page:
        """Up to ``limit`` events matching ``where``, after ``after`` in the store's order:
        start date (undated last), article id, event id."""
        return self._page(_EVENTS, where.conditions(EventRow), limit, after)

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


class IncidentQueries(_Reader):
    """Filtered, paged reads of one Store's incidents."""

    def page(self, where: EventFilter, limit: int, after: Cursor | None = None) -> Page:
        """Up to ``limit`` incidents matching ``where``, after ``after``: start date
        (undated last), then incident id."""
        return self._page(_INCIDENTS, where.conditions(IncidentRow), limit, after)

    def incident(self, incident_id: str) -> dict[str, Any] | None:
        """The record of one incident (with its claims), or None."""
        query = select(IncidentRow.record).where(IncidentRow.id == incident_id)
        return self._read(f"read incident {incident_id!r}", lambda s: s.scalar(query))

    def members(self, incident_id: str) -> list[dict[str, Any]]:
        """The records of the events fused into one incident, by article and text order."""
        query = select(EventRow.record).where(EventRow.incident_id == incident_id)
        records = self._read(
            f"read the events of incident {incident_id!r}", lambda s: s.scalars(query).all()
        )
        return sorted(records, key=lambda r: (r["article_id"], r["evidence"]["start"], r["id"]))
