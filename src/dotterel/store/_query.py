"""Read-side queries for the API: filters, keyset (cursor) pages, one row, counts.

Everything here reads the existing indexed columns of ``events`` and ``incidents``;
nothing writes. Pages follow the order of ``Store.events`` and ``Store.incidents``: by
start date (undated last), then article id and event id, or incident id. A cursor is
the sort key of the last row a page returned, so a page never repeats or skips a row
when rows are added between requests.

An events page is one ordered walk of ``ix_events_page`` (page order, then every
filtered column), checking the filters on index entries and reading only the page's
rows; incidents are paged window by window of start dates.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, or_, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from dotterel.records import EVENT_TYPES, MODALITIES
from dotterel.store._engine import store_error
from dotterel.store._filters import EvidenceContains, check_bbox, evidence_contains, in_bbox
from dotterel.store._store import Store
from dotterel.store.models import EventRow, IncidentRow

__all__ = ["Cursor", "DayCount", "EventFilter", "EventQueries", "IncidentQueries", "Page"]

_Table = type[EventRow] | type[IncidentRow]

_T = TypeVar("_T")


class _NotIndexed(ColumnElement[Any]):
    """A column no index may serve: ``+column`` on SQLite, ``(column || '')`` or
    ``(column + 0)`` on PostgreSQL; plain elsewhere."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(_NotIndexed, "sqlite")
def _sqlite_not_indexed(element: _NotIndexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


@compiles(_NotIndexed, "postgresql")
def _postgresql_not_indexed(element: _NotIndexed, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    neutral = "0" if element.type.python_type in (int, float) else "''"
    return f"({column} {'+' if neutral == '0' else '||'} {neutral})"


@compiles(_NotIndexed)
def _not_indexed(element: _NotIndexed, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


# The filtered columns of events and incidents.
_FILTERED = frozenset(
    {"type", "mode", "source_country", "target_country", "place_country", "lat", "lon"}
)


class _DateBounded:
    """A table's columns, those whose indexes do not lead to the start date hidden from
    SQLite, so that a query bounded by a range of dates uses only indexes the range
    bounds: the start date's own, and the (country, start date) and (type, place
    country, start date) composites."""

    def __init__(self, table: _Table, hidden: frozenset[str]) -> None:
        self._table = table
        self._hidden = hidden

    def __getattr__(self, name: str) -> Any:
        column = getattr(self._table, name)
        return _NotIndexed(column) if name in self._hidden else column


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

    def conditions(
        self,
        table: _Table = EventRow,
        *,
        scan_text: bool = False,
        date_index: bool = False,
        walk: bool = False,
    ) -> list[ColumnElement[bool]]:
        """The WHERE conditions on ``events`` or ``incidents``, ANDed by the caller.

        On incidents, ``modality``, ``text`` and ``article_id`` ask for a member event
        that matches them. The text is looked up in the store's text index, or with
        ``scan_text`` matched on each row (cheaper when other conditions leave few rows).
        With ``date_index``, SQLite is kept to indexes that a range of start dates
        bounds (for the windowed page queries). With ``walk``, no backend may use the
        index of a filtered column but the type's: the caller walks ``ix_events_page``,
        or ``ix_events_type_page`` for one type, in page order instead.
        """
        hidden = self._walked() if walk else self._unbounded() if date_index else frozenset()
        cols: Any = _DateBounded(table, hidden) if hidden else table
        found: list[ColumnElement[bool]] = []
        types = sorted({t.upper() for t in self.types})
        if len(types) == 1:
            found.append(cols.type == types[0])
        elif types:
            found.append(cols.type.in_(types))
        if self.mode:
            found.append(cols.mode == self.mode)
        if self.country:
            code = self.country.upper()
            found.append(
                or_(
                    cols.source_country == code,
                    cols.target_country == code,
                    cols.place_country == code,
                )
            )
        for column, value in (
            (cols.source_country, self.source_country),
            (cols.target_country, self.target_country),
            (cols.place_country, self.place_country),
        ):
            if value:
                found.append(column == value.upper())
        if self.since is not None:
            found.append(table.date_start >= self.since)
        if self.until is not None:
            found.append(table.date_start <= self.until)
        if self.bbox is not None:
            found.append(in_bbox(cols.lat, cols.lon, self.bbox))
        members = self._member_conditions(scan_text)
        if members and table is EventRow:
            found.extend(members)
        elif members:
            found.append(IncidentRow.id.in_(select(EventRow.incident_id).where(*members)))
        return found

    def _walked(self) -> frozenset[str]:
        """Columns whose index a page walk must not use: all filtered ones, but the type
        when there is one (``ix_events_type_page`` has that type's events in order)."""
        one_type = len({t.upper() for t in self.types}) == 1
        return _FILTERED - {"type"} if one_type else _FILTERED

    def _unbounded(self) -> frozenset[str]:
        """Columns whose index a date-bounded query must not use for these filters."""
        composite = len(self.types) == 1 and bool(self.place_country)
        return frozenset({"lat", "lon"} if composite else {"type", "lat", "lon"})

    def _member_conditions(self, scan_text: bool) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.modality:
            found.append(EventRow.modality == self.modality)
        if self.text and self.text.strip() and scan_text:
            found.append(_text_matched(self.text))
        elif self.text and self.text.strip():
            found.append(evidence_contains(self.text))
        if self.article_id:
            found.append(EventRow.article_id == self.article_id)
        return found


def _text_matched(text: str) -> ColumnElement[bool]:
    """The text filter matched on each row: lower() LIKE, which no index serves."""
    pattern = EvidenceContains(text.strip()).pattern.lower()
    return func.lower(EventRow.evidence).like(pattern, escape="\\")


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
    """One page of records (as the JSON text the store holds) and the cursor of the next
    page (None on the last)."""

    texts: list[str]
    next: Cursor | None

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.texts]


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many events of one type start on one day."""

    date: date
    type: str
    count: int


# The first window of start dates a page reads, in days; each next one is _GROWTH times
# wider. Windows up to _SCAN_TEXT_DAYS wide match text row by row, wider ones use the
# store's text index.
_FIRST_WINDOW = 1
_GROWTH = 4
_SCAN_TEXT_DAYS = 64


@dataclass(frozen=True, slots=True)
class _Order:
    """How a table pages: its record, its start date and the ids that break ties (the
    last of which is the primary key)."""

    what: str
    record: Any
    date: Any
    keys: tuple[Any, ...]

    @property
    def id(self) -> Any:
        return self.keys[-1]

    def span(self) -> Select[Any]:
        """The first and last start date in the table (two index lookups)."""
        first = select(func.min(self.date)).scalar_subquery()
        last = select(func.max(self.date)).scalar_subquery()
        return select(first, last)

    def window(
        self,
        conditions: Sequence[ColumnElement[bool]],
        start: date,
        stop: date,
        after: Cursor | None,
    ) -> Select[Any]:
        """Sort keys of the rows starting in [start, stop), after ``after``, in order."""
        query = select(self.date, *self.keys).where(
            self.date >= start, self.date < stop, *conditions
        )
        if after is not None and after.date is not None and start <= after.date:
            day = after.date
            query = query.where(
                or_(self.date > day, and_(self.date == day, self._after(after.keys)))
            )
        return query.order_by(self.date, *self.keys)

    def undated(
        self, conditions: Sequence[ColumnElement[bool]], after: Cursor | None
    ) -> Select[Any]:
        query = select(self.date, *self.keys).where(self.date.is_(None), *conditions)
        if after is not None:
            query = query.where(self._after(after.keys))
        return query.order_by(*self.keys)

    def texts(self, ids: list[str]) -> Select[Any]:
        """The stored JSON text of the records with these ids."""
        return select(self.id, cast(self.record, Text)).where(self.id.in_(ids))

    def _after(self, values: tuple[str, ...]) -> ColumnElement[bool]:
        """Rows whose keys sort after ``values`` (lexicographically)."""
        column, *rest = self.keys
        if not rest:
            first: ColumnElement[bool] = column > values[0]
            return first
        deeper = _Order(self.what, self.record, self.date, tuple(rest))._after(values[1:])
        return or_(column > values[0], and_(column == values[0], deeper))


_INCIDENTS = _Order("incidents", IncidentRow.record, IncidentRow.date_start, (IncidentRow.id,))


class _Reader:
    def __init__(self, store: Store) -> None:
        self._engine = store._engine
        self._url = store._url

    def _read(self, action: str, work: Callable[[Connection], _T]) -> _T:
        try:
            with self._engine.connect() as connection:
                return work(connection)
        except SQLAlchemyError as exc:
            raise store_error(action, self._url, exc) from exc

    def _page(
        self,
        order: _Order,
        table: _Table,
        where: EventFilter,
        limit: int,
        after: Cursor | None,
    ) -> Page:
        """Up to ``limit`` rows after ``after``: dated rows by date, then undated rows.

        Dated rows are found window by window of start dates (a day, then 4 times
        wider each time) until the page is full: every query is bounded by a date range
        that an index serves, whether the filters keep many rows or few. Only the sort
        keys are sorted; the page's records are read by id afterwards.
        """
        if limit < 1:
            raise ValueError(f"limit must be 1 or more, got {limit}")
        want = limit + 1

        def run(connection: Connection) -> Page:
            rows: list[Any] = []
            if after is None or after.date is not None:
                rows = _walk(connection, order, table, where, after, want)
            if len(rows) < want:
                undated_after = after if after is not None and after.date is None else None
                query = order.undated(where.conditions(table), undated_after)
                rows += connection.execute(query.limit(want - len(rows))).all()
            shown = rows[:limit]
            ids = [str(row[-1]) for row in shown]
            found: dict[str, str] = dict(connection.execute(order.texts(ids)).all()) if ids else {}
            last = shown[-1] if len(rows) > limit else None
            cursor = None if last is None else Cursor(last[0], tuple(str(k) for k in last[1:]))
            return Page([found[i] for i in ids], cursor)

        return self._read(f"read {order.what}", run)


def _walk(
    connection: Connection,
    order: _Order,
    table: _Table,
    where: EventFilter,
    after: Cursor | None,
    want: int,
) -> list[Any]:
    """Sort keys of up to ``want`` dated rows, window by window of start dates.

    Each window (a day, then 4 times wider each time) is read through the start-date
    index, so every query is bounded and in order whether the filters keep many rows or
    few. Text is matched on each row in the short windows and looked up in the text
    index in the wide ones (where a common word would already have filled the page).
    """
    first, last = connection.execute(order.span()).one()
    if first is None:
        return []
    start = max(d for d in (first, where.since, after.date if after else None) if d is not None)
    end = min(last, where.until) if where.until is not None else last
    rows: list[Any] = []
    days = _FIRST_WINDOW
    while start <= end and len(rows) < want:
        stop = min(start + timedelta(days=days), end + timedelta(days=1))
        conditions = where.conditions(table, scan_text=days <= _SCAN_TEXT_DAYS, date_index=True)
        query = order.window(conditions, start, stop, after)
        rows += connection.execute(query.limit(want - len(rows))).all()
        start, days = stop, days * _GROWTH
    return rows


# A text filter is matched row by row on the first _TEXT_SCAN_ROWS events that the other
# filters keep, in page order; only if those hold too few matches to fill the page (a
# rare text) is the rest looked up in the store's text index. A common word would make
# that index return, and the page sort, a large part of the store.
_TEXT_SCAN_ROWS = 2000

_PAGE_KEY = (EventRow.date_start, EventRow.article_id, EventRow.id)


def _dated(where: EventFilter, after: Cursor | None) -> list[ColumnElement[bool]]:
    """Bounds of the dated events a page may hold: within the filter's dates, after
    ``after``."""
    found: list[ColumnElement[bool]] = []
    since = where.since
    if after is not None and after.date is not None:
        since = after.date if since is None else max(since, after.date)
        found.append(tuple_(*_PAGE_KEY) > tuple_(after.date, *after.keys))
    found.append(
        EventRow.date_start.is_not(None) if since is None else EventRow.date_start >= since
    )
    if where.until is not None:
        found.append(EventRow.date_start <= where.until)
    return found


def _undated(after: Cursor | None) -> list[ColumnElement[bool]]:
    """Bounds of the undated events a page may hold: after ``after``."""
    found: list[ColumnElement[bool]] = [EventRow.date_start.is_(None)]
    if after is not None:
        found.append(tuple_(EventRow.article_id, EventRow.id) > tuple_(*after.keys))
    return found


def _in_page_order(
    conditions: Sequence[ColumnElement[bool]], size: int
) -> Select[date | None, str, str, str]:
    """The first ``size`` events matching ``conditions`` in page order, with their stored
    JSON: their ids are chosen first, then only their records are read."""
    ids = select(EventRow.id).where(*conditions).order_by(*_PAGE_KEY).limit(size)
    return (
        select(*_PAGE_KEY, cast(EventRow.record, Text))
        .where(EventRow.id.in_(ids.correlate(None)))
        .order_by(*_PAGE_KEY)
    )


def _event_rows(
    connection: Connection, where: EventFilter, bounds: list[ColumnElement[bool]], want: int
) -> list[Any]:
    """(date, article id, id, record JSON) of up to ``want`` events within ``bounds``
    matching ``where``, in page order.

    Without a text filter, one ordered walk of ``ix_events_page``: each entry is checked
    against the filters until ``want`` match. With one, the text is matched row by row on
    the first ``_TEXT_SCAN_ROWS`` rows within ``bounds``, and looked up in the text index
    for the rest (a common word fills the page long before; a rare one is found fast).
    """
    if not (where.text and where.text.strip()):
        return list(
            connection.execute(_in_page_order([*bounds, *where.conditions(walk=True)], want))
        )
    others = replace(where, text=None).conditions(walk=True)
    candidates = select(*_PAGE_KEY).where(*bounds, *others).order_by(*_PAGE_KEY)
    edge_query = candidates.offset(_TEXT_SCAN_ROWS - 1).limit(1)
    if connection.dialect.name == "postgresql":
        # PostgreSQL joins the candidates in order and stops when the page is full
        scan_query = _with_text(candidates.limit(_TEXT_SCAN_ROWS).subquery(), where, want)
        rows = list(connection.execute(scan_query))
        edge = None if len(rows) == want else connection.execute(edge_query).first()
    else:
        # SQLite would read every candidate's row: the text is matched on a walk up to
        # the last candidate, which stops when the page is full
        edge = connection.execute(edge_query).first()
        scanned = [*bounds, tuple_(*_PAGE_KEY) <= tuple_(*edge)] if edge is not None else bounds
        scan_query = _in_page_order([*scanned, *where.conditions(scan_text=True, walk=True)], want)
        rows = list(connection.execute(scan_query))
    if len(rows) < want and edge is not None:
        rest = [*bounds, tuple_(*_PAGE_KEY) > tuple_(*edge), *where.conditions()]
        rows += connection.execute(_in_page_order(rest, want - len(rows)))
    return rows


def _with_text(
    candidates: Any, where: EventFilter, size: int
) -> Select[date | None, str, str, str]:
    """The first ``size`` of ``candidates`` (keys in page order) whose evidence holds
    the filter's text, with their stored JSON."""
    keys = (candidates.c.date_start, candidates.c.article_id, candidates.c.id)
    return (
        select(*keys, cast(EventRow.record, Text))
        .join_from(candidates, EventRow, EventRow.id == candidates.c.id)
        .where(_text_matched(where.text or ""))
        .order_by(*keys)
        .limit(size)
    )


class EventQueries(_Reader):
    """Filtered, paged reads of one Store's events."""

    def page(self, where: EventFilter, limit: int, after: Cursor | None = None) -> Page:
        """Up to ``limit`` events matching ``where``, after ``after`` in the store's order:
        start date (undated last), article id, event id.

        Dated events, then (when no date bound excludes them) undated ones, are read in
        that order from ``ix_events_page``, whose entries carry every filtered column: a
        page is one ordered walk that stops when it is full, and only the page's events
        are read from the table (see ``_event_rows``).
        """
        if limit < 1:
            raise ValueError(f"limit must be 1 or more, got {limit}")
        want = limit + 1

        def run(connection: Connection) -> Page:
            if connection.dialect.name == "postgresql":
                # parallel workers cost more to start than a page walk takes
                connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            rows: list[Any] = []
            if after is None or after.date is not None:
                rows = _event_rows(connection, where, _dated(where, after), want)
            if len(rows) < want and where.since is None and where.until is None:
                undated_after = after if after is not None and after.date is None else None
                rows += _event_rows(connection, where, _undated(undated_after), want - len(rows))
            shown = rows[:limit]
            last = shown[-1] if len(rows) > limit else None
            cursor = None if last is None else Cursor(last[0], (str(last[1]), str(last[2])))
            return Page([str(row[3]) for row in shown], cursor)

        return self._read("read events", run)

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
        return self._page(_INCIDENTS, IncidentRow, where, limit, after)

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
