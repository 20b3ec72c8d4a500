"""Read-side queries for the API: filters, keyset (cursor) pages, one row, counts.

Everything here reads the existing indexed columns of ``events`` and ``incidents``;
nothing writes. Pages follow the order of ``Store.events`` and ``Store.incidents``: by
start date (undated last), then article id and event id, or incident id. A cursor is
the sort key of the last row a page returned, so a page never repeats or skips a row
when rows are added between requests.

An events page walks ``ix_events_page`` (page order, then every filtered column) for a
bounded number of entries, checking the filters on index entries and reading only the
page's rows; filters too rare to fill the page within that walk are looked up through
their own indexes instead. Incidents are paged the same way over ``ix_incidents_page``.

A reader builds each page statement once per shape (which filters are set, which kind
of cursor) and runs it again with the values of each call (``_statements``): every value
is a named bind parameter, ``EventFilter.values`` and the ``values`` of the bounds and
edges below giving them, ``shape`` telling the forms apart.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    cast,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import InternalTraversal

from dotterel.records import EVENT_TYPES, MODALITIES
from dotterel.store._engine import store_error
from dotterel.store._filters import (
    bbox_values,
    check_bbox,
    evidence_contains,
    in_bbox,
    like_pattern,
)
from dotterel.store._statements import Run, Statements
from dotterel.store._store import Store
from dotterel.store.models import EventRow, IncidentRow

__all__ = ["Cursor", "DayCount", "EventFilter", "EventQueries", "IncidentQueries", "Page"]

_T = TypeVar("_T")


class _NotIndexed(ColumnElement[Any]):
    """A column no index may serve: ``+column`` on SQLite, ``(column || '')`` or
    ``(column + 0)`` (numbers, dates) on PostgreSQL; plain elsewhere."""

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
    neutral = "0" if element.type.python_type in (int, float, date) else "''"
    return f"({column} {'+' if neutral == '0' else '||'} {neutral})"


@compiles(_NotIndexed)
def _not_indexed(element: _NotIndexed, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


# The filtered columns of events and incidents.
_FILTERED = frozenset(
    {"type", "mode", "source_country", "target_country", "place_country", "lat", "lon"}
)


class _Hidden:
    """A table's columns, some of them hidden from the indexes that would serve them (so
    that a page walks its index in page order instead)."""

    def __init__(self, table: Any, hidden: frozenset[str]) -> None:
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
        table: Any = EventRow,
        *,
        scan_text: bool = False,
        walk: bool = False,
        incidents: bool = False,
    ) -> list[ColumnElement[bool]]:
        """The WHERE conditions on ``events`` or ``incidents`` (or on the columns of a
        subquery over either: ``incidents`` says which), ANDed by the caller. Their
        values are bound by the names ``values`` gives; their form depends only on
        ``shape``.

        On incidents, ``modality``, ``text`` and ``article_id`` ask for a member event
        that matches them. The text is looked up in the store's text index, or with
        ``scan_text`` matched on each row (cheaper when other conditions leave few rows).
        With ``walk``, no backend may use the index of a filtered column but the type's:
        the caller walks the table's page index (or the type's) in page order instead.
        """
        hidden = self._walked() if walk else frozenset()
        cols: Any = _Hidden(table, hidden) if hidden else table
        found: list[ColumnElement[bool]] = []
        value = self.values()
        if "f_type" in value:
            found.append(cols.type == bindparam("f_type", value["f_type"]))
        elif "f_types" in value:
            found.append(cols.type.in_(bindparam("f_types", value["f_types"], expanding=True)))
        if self.mode:
            found.append(cols.mode == bindparam("f_mode", value["f_mode"]))
        if self.country:
            code: BindParameter[str] = bindparam("f_country", value["f_country"])
            found.append(
                or_(
                    cols.source_country == code,
                    cols.target_country == code,
                    cols.place_country == code,
                )
            )
        for name in _COUNTRIES:
            if getattr(self, name):
                found.append(getattr(cols, name) == bindparam(f"f_{name}", value[f"f_{name}"]))
        if self.since is not None:
            found.append(table.date_start >= bindparam("f_since", self.since))
        if self.until is not None:
            found.append(table.date_start <= bindparam("f_until", self.until))
        if self.bbox is not None:
            found.append(in_bbox(cols.lat, cols.lon, self.bbox, "f_bbox"))
        incidents = incidents or table is IncidentRow
        members = self._member_conditions(scan_text, EventRow if incidents else table)
        if members and not incidents:
            found.extend(members)
        elif members:
            found.append(table.id.in_(select(EventRow.incident_id).where(*members)))
        return found

    def shape(self) -> tuple[Hashable, ...]:
        """The form of ``conditions``, apart from the values they bind: filters of one
        shape give the same SQL (how many types, which filters are set, whether the box
        crosses the antimeridian)."""
        set_ = tuple(bool(getattr(self, name)) for name in _SET_OR_NOT)
        across = None if self.bbox is None else self.bbox[0] > self.bbox[2]
        dates = (self.since is not None, self.until is not None)
        return (min(len(self._types()), 2), *set_, *dates, across, bool(self._text()))

    def values(self) -> dict[str, Any]:
        """The values ``conditions`` binds, by name (``f_`` and the filter's name)."""
        found: dict[str, Any] = {}
        types = self._types()
        if len(types) == 1:
            found["f_type"] = types[0]
        elif types:
            found["f_types"] = list(types)
        for name in ("mode", "modality", "article_id"):
            if getattr(self, name):
                found[f"f_{name}"] = getattr(self, name)
        for name in ("country", *_COUNTRIES):
            if getattr(self, name):
                found[f"f_{name}"] = getattr(self, name).upper()
        if self.since is not None:
            found["f_since"] = self.since
        if self.until is not None:
            found["f_until"] = self.until
        if self.bbox is not None:
            found.update(bbox_values(self.bbox, "f_bbox"))
        if text := self._text():
            found["f_text"] = like_pattern(text)
            found["f_text_lower"] = like_pattern(text).lower()
        return found

    def columns(self) -> frozenset[str]:
        """The filtered columns of ``events`` these filters read (dates and text aside)."""
        found = {c for c in ("mode", "modality", *_COUNTRIES) if getattr(self, c)}
        found |= {"type"} if self.types else set()
        found |= set(_COUNTRIES) if self.country else set()
        return frozenset(found | ({"lat", "lon"} if self.bbox else set()))

    def _types(self) -> list[str]:
        return sorted({t.upper() for t in self.types})

    def _text(self) -> str:
        return (self.text or "").strip()

    def _walked(self) -> frozenset[str]:
        """Columns whose index a page walk must not use: all filtered ones, but the type
        when there is one (``ix_events_type_page`` has that type's events in order)."""
        one_type = len(self._types()) == 1
        return _FILTERED - {"type"} if one_type else _FILTERED

    def _member_conditions(self, scan_text: bool, events: Any) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.modality:
            found.append(events.modality == bindparam("f_modality", self.modality))
        if self._text() and scan_text:
            found.append(_text_matched(self._text()))
        elif self._text():
            found.append(evidence_contains(self._text(), "f_text"))
        if self.article_id:
            found.append(events.article_id == bindparam("f_article_id", self.article_id))
        return found


_COUNTRIES = ("source_country", "target_country", "place_country")
# The filters whose conditions are there or not, whatever their value.
_SET_OR_NOT = ("mode", "modality", "country", *_COUNTRIES, "article_id")


def _text_matched(text: str) -> ColumnElement[bool]:
    """The text filter matched on each row: lower() LIKE, which no index serves."""
    pattern: BindParameter[str] = bindparam("f_text_lower", like_pattern(text.strip()).lower())
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


# A text filter is matched row by row on the first _TEXT_SCAN_ROWS events that the other
# filters keep, in page order; only if those hold too few matches to fill the page (a
# rare text) is the rest looked up in the store's text index. A common word would make
# that index return, and the page sort, a large part of the store.
_TEXT_SCAN_ROWS = 2000

# A page walks its table's page index (at 0.1-0.3 us an entry) in at most _WALK_PARTS
# parts: the first of _WALK_FIRST entries, each next twice as long as the matches of the
# last promise the page needs, if that is at most _WALK_MOST; otherwise the rest is looked
# up through the filters' own indexes (see _Paging.rows).
_WALK_FIRST = 2_000
_WALK_MOST = 40_000
_WALK_PARTS = 3


@dataclass(frozen=True, slots=True)
class _Bounds:
    """Where one part of a page lies: among the dated rows (from ``since``, up to
    ``until``) or the undated ones, in either case after the page key ``after`` when a
    cursor gives one (a whole key for dated rows, its ids for undated ones). Bound as
    ``b_since``, ``b_until``, ``b_after_0``..."""

    dated: bool
    since: date | None = None
    until: date | None = None
    after: tuple[Any, ...] | None = None

    def shape(self) -> tuple[Hashable, ...]:
        return (self.dated, self.since is not None, self.until is not None, bool(self.after))

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {"b_since": self.since, "b_until": self.until}
        found.update(_key_values("b_after", self.after or ()))
        return {name: value for name, value in found.items() if value is not None}

    def conditions(self, paging: _Paging) -> list[ColumnElement[bool]]:
        day = paging.row.date_start
        if not self.dated:
            found: list[ColumnElement[bool]] = [day.is_(None)]
            if self.after:
                found.append(tuple_(*paging.key[1:]) > _bound_key("b_after", self.after))
            return found
        found = []
        if self.after:
            found.append(tuple_(*paging.key) > _bound_key("b_after", self.after))
        since: BindParameter[date] | None = None
        if self.since is not None:
            since = bindparam("b_since", self.since)
        found.append(day.is_not(None) if since is None else day >= since)
        if self.until is not None:
            found.append(day <= bindparam("b_until", self.until))
        return found


def _key_values(name: str, key: Sequence[Any]) -> dict[str, Any]:
    """A page key's parts, by the names ``_bound_key`` binds them under."""
    return {f"{name}_{n}": part for n, part in enumerate(key)}


def _bound_key(name: str, key: Sequence[Any]) -> Any:
    """A page key (or its ids) as a tuple of parameters ``{name}_0``, ``{name}_1``..."""
    return tuple_(*(bindparam(part, value) for part, value in _key_values(name, key).items()))


@dataclass(frozen=True, slots=True)
class _Edge:
    """A page key that a part of a page starts after (``past``) or ends at
    (``through``); an undated row's key is compared by its ids alone. Bound as
    ``{name}_0``...: the date, then the ids (or the ids alone, undated)."""

    key: tuple[Any, ...]
    name: str

    @property
    def undated(self) -> bool:
        return self.key[0] is None

    def shape(self) -> tuple[Hashable, ...]:
        return (self.name, self.undated)

    def values(self) -> dict[str, Any]:
        return _key_values(self.name, self.key[1:] if self.undated else self.key)

    def bound(self) -> Any:
        return _bound_key(self.name, self.key[1:] if self.undated else self.key)

    def day(self) -> Any:
        return bindparam(f"{self.name}_0", self.key[0])


def _edge_shape(edge: _Edge | None) -> tuple[Hashable, ...] | None:
    return None if edge is None else edge.shape()


def _edge_values(*edges: _Edge | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for edge in edges:
        if edge is not None:
            found.update(edge.values())
    return found


class _Part(NamedTuple):
    """The rows of one part of a page (dated or undated), and whether its filters were
    too rare to walk for (the rest was looked up through their own indexes)."""

    rows: list[Any]
    looked_up: bool


# A walk's leading column and its value: its index has that value's rows in page order.
_Lead = tuple[str, str]


def _lead_shape(lead: _Lead | None) -> str | None:
    return None if lead is None else lead[0]


def _lead_values(lead: _Lead | None) -> dict[str, Any]:
    return {} if lead is None else {"lead_value": lead[1]}


@dataclass(frozen=True, slots=True)
class _Paging:
    """How a table pages: its rows, its page order (start date, then the ids that break
    ties, the last of which is the primary key), and the filtered columns its page index
    holds after that order (``ix_events_page``, ``ix_incidents_page``). ``leads``: the
    columns an index leads with, then the same (``ix_events_type_page``,
    ``ix_events_modality_page``). ``grouped``: the
    rows group into articles, by the second part of the key (see ``hits``).

    Its statements are built once per shape (``dotterel.store._statements``): limits are
    bound as ``n_want`` (rows a statement returns) and ``n_size`` (entries a walk reads).
    """

    what: str
    row: Any
    key: tuple[Any, ...]
    walked: tuple[str, ...]
    leads: tuple[str, ...]
    grouped: bool = False

    def hits(self, found: Sequence[Any]) -> int:
        """How many independent matches ``found`` (rows in page order) holds, to tell how
        far a walk must go: events of one article count once, since an article tells of
        one country, place or kind of happening several times (a walk that met one
        article of seven events in a rare country is no likelier to meet another soon)."""
        return len({row[1] for row in found}) if self.grouped else len(found)

    def dated(self, where: EventFilter, after: Cursor | None) -> _Bounds:
        """Bounds of the dated rows a page may hold: within the filter's dates, after
        ``after``."""
        if after is None or after.date is None:
            return _Bounds(True, where.since, where.until)
        since = after.date if where.since is None else max(where.since, after.date)
        return _Bounds(True, since, where.until, (after.date, *after.keys))

    def undated(self, after: Cursor | None) -> _Bounds:
        """Bounds of the undated rows a page may hold: after ``after``."""
        return _Bounds(False, after=None if after is None else after.keys)

    def rows(
        self, run: Run, where: EventFilter, bounds: _Bounds, want: int, walk: bool = True
    ) -> _Part:
        """(page key..., record JSON) of up to ``want`` rows within ``bounds`` matching
        ``where`` (no text filter on events), in page order; without ``walk``, looked up
        at once (the undated part of a page whose dated part had to be).

        The page index (the type-led one for one type) is walked in order, the filters
        checked on the entries, until the page is full: first ``_WALK_FIRST`` entries,
        then (at most ``_WALK_PARTS`` parts in all) twice as many as the matches so far
        promise the page needs (see ``hits``), while that is at most ``_WALK_MOST``.
        Otherwise (a rare country, an empty box) the rest is looked up past the walked
        entries through the filters' own indexes (countries, type, coordinates) and the
        few rows found are sorted. No filter walks more than a bounded part of the index,
        and one common enough to make the lookup large fills its page by walking.
        """
        if not walk:
            return _Part(self._look_up(run, bounds, None, where, want), looked_up=True)
        told = run.dialect == "postgresql"
        lead, checked = self._lead(where, told)
        rows: list[Any] = []
        edge: _Edge | None = None  # the key past which this part starts
        size = _WALK_FIRST
        for _ in range(_WALK_PARTS):
            if told:
                # the walk stops at the page's last row, or after `size` entries; no
                # entry it read past its last match matched, so the next part starts there
                found = self._walk(run, bounds, edge, lead, checked, want, size)
                after = _Edge(tuple(found[-1][:-1]), "p") if found else edge
            else:
                # SQLite walks an index faster than it hands entries over from a
                # subquery: the last entry the walk may read is found first
                last = self._edge(run, bounds, edge, lead, size)
                after = None if last is None else _Edge(tuple(last), "p")
                found = self._walk_to(run, bounds, edge, after, where, want)
                if after is None:  # every entry within the bounds walked
                    return _Part(rows + found, looked_up=False)
            rows += found
            want -= len(found)
            if not want:
                return _Part(rows, looked_up=False)
            edge = after
            hits = self.hits(found)
            needed = want * size // hits if hits else _WALK_MOST + 1
            if needed > _WALK_MOST:
                break  # walking would not fill the page soon: look the rest up
            size = max(_WALK_FIRST, 2 * needed)
        return _Part(rows + self._look_up(run, bounds, edge, where, want), looked_up=True)

    def _walk(
        self,
        run: Run,
        bounds: _Bounds,
        edge: _Edge | None,
        lead: _Lead | None,
        where: EventFilter,
        want: int,
        size: int,
    ) -> list[Any]:
        """The first ``want`` of the first ``size`` index entries within ``bounds``, past
        ``edge`` (and with the ``lead`` value), that match ``where``, with their JSON
        (PostgreSQL: it walks the index in the subquery, checking the filtered columns
        the entries hold, and stops at the ``want``-th match)."""

        def build() -> Select[Any]:
            within = [*bounds.conditions(self), *self.past(edge), *self._leading(lead)]
            read = where.columns()
            entries = select(*self.key, *(getattr(self.row, c) for c in self.walked if c in read))
            walk = entries.where(*within).order_by(*self.key).limit(_SIZE).subquery()
            checked = where.conditions(walk.c, incidents=self.row is IncidentRow)
            keys = [walk.c[k.key] for k in self.key]
            return self.by_ids(select(*keys).where(*checked).order_by(*keys).limit(_WANT))

        shape = (bounds.shape(), _edge_shape(edge), _lead_shape(lead), where.shape())
        values = {**bounds.values(), **_edge_values(edge), **where.values(), **_lead_values(lead)}
        values.update(n_want=want, n_size=size)
        return run.all(("walk", self.what, *shape), build, values)

    def _edge(
        self, run: Run, bounds: _Bounds, edge: _Edge | None, lead: _Lead | None, size: int
    ) -> Any:
        """(SQLite) The key of the ``size``-th entry within ``bounds`` past ``edge`` (with
        the ``lead`` value), or None when there are fewer."""

        def build() -> Select[Any]:
            within = [*bounds.conditions(self), *self.past(edge), *self._leading(lead)]
            return select(*self.key).where(*within).order_by(*self.key).offset(_LAST).limit(_ONE)

        shape = (bounds.shape(), _edge_shape(edge), _lead_shape(lead))
        values = {**bounds.values(), **_edge_values(edge), **_lead_values(lead), "n_last": size - 1}
        values["n_one"] = 1
        return run.first(("edge", self.what, *shape), build, values)

    def _walk_to(
        self,
        run: Run,
        bounds: _Bounds,
        edge: _Edge | None,
        last: _Edge | None,
        where: EventFilter,
        want: int,
    ) -> list[Any]:
        """(SQLite) The first ``want`` rows within ``bounds``, past ``edge`` and up to
        ``last`` (the entry a walk stops at), matching ``where``."""
        through = None if last is None else _Edge(last.key, "t")

        def build() -> Select[Any]:
            walked = [*bounds.conditions(self), *self.past(edge), *self.through(through)]
            return self.in_page_order([*walked, *where.conditions(self.row, walk=True)])

        shape = (bounds.shape(), _edge_shape(edge), _edge_shape(through), where.shape())
        values = {**bounds.values(), **_edge_values(edge, through), **where.values()}
        return run.all(("walk to", self.what, *shape), build, {**values, "n_want": want})

    def _look_up(
        self, run: Run, bounds: _Bounds, edge: _Edge | None, where: EventFilter, want: int
    ) -> list[Any]:
        """The first ``want`` rows within ``bounds`` past ``edge`` matching ``where``,
        found through the filters' own indexes and sorted."""

        def build() -> Select[Any]:
            looked_up = [*bounds.conditions(self), *where.conditions(self.row)]
            return self.in_page_order([*looked_up, *self.past(edge, walkable=False)], sort=True)

        shape = (bounds.shape(), _edge_shape(edge), where.shape())
        values = {**bounds.values(), **_edge_values(edge), **where.values(), "n_want": want}
        return run.all(("look up", self.what, *shape), build, values)

    def _lead(self, where: EventFilter, postgresql: bool) -> tuple[_Lead | None, EventFilter]:
        """The column whose index leads a walk, with its value, and the filters left to
        check on the entries: a modality other than asserted (only PostgreSQL can tell
        that the partial ``ix_events_modality_page`` holds a bound modality's events),
        else one type."""
        modality = where.modality
        if "modality" in self.leads and postgresql and modality and modality != "asserted":
            return ("modality", modality), replace(where, modality=None)
        one = where._types()
        if "type" in self.leads and len(one) == 1:
            return ("type", one[0]), replace(where, types=())
        return None, where

    def _leading(self, lead: _Lead | None) -> list[ColumnElement[bool]]:
        if lead is None:
            return []
        return [getattr(self.row, lead[0]) == bindparam("lead_value", lead[1])]

    def past(self, edge: _Edge | None, *, walkable: bool = True) -> list[ColumnElement[bool]]:
        """Rows after ``edge`` (a page key) in page order; unless ``walkable``, stated so
        that no index in page order serves it (but the start date's bound still does)."""
        if edge is None:
            return []
        if edge.undated:  # undated rows, by their ids
            return [tuple_(*self.key[1:]) > edge.bound()]
        first = self.key[0] if walkable else _NotIndexed(self.key[0])
        after = tuple_(first, *self.key[1:]) > edge.bound()
        return [after] if walkable else [self.key[0] >= edge.day(), after]

    def through(self, edge: _Edge | None) -> list[ColumnElement[bool]]:
        """Rows up to ``edge`` (a page key) in page order, ``edge`` included."""
        if edge is None:
            return []
        if edge.undated:  # undated rows, by their ids
            return [tuple_(*self.key[1:]) <= edge.bound()]
        return [tuple_(*self.key) <= edge.bound()]

    def in_page_order(
        self, conditions: Sequence[ColumnElement[bool]], *, sort: bool = False
    ) -> Select[Any]:
        """The first ``n_want`` rows matching ``conditions`` in page order, with their
        stored JSON: their ids are chosen first, then only their records are read. With
        ``sort``, the ids are found through the filters' indexes and sorted, never by
        walking an index in page order."""
        first, *rest = self.key
        order = (_NotIndexed(first), *rest) if sort else self.key
        return self.by_ids(select(*self.key).where(*conditions).order_by(*order).limit(_WANT))

    def by_ids(self, keys: Select[Any]) -> Select[Any]:
        """The page key and stored JSON of the rows whose page keys ``keys`` selects in
        page order: joined in that order, so that no sort of the records follows."""
        found = keys.subquery()
        order = [found.c[column.key] for column in self.key]
        return (
            select(*order, cast(self.row.record, Text))
            .join_from(found, self.row, self.row.id == found.c.id)
            .order_by(*order)
        )


# The limits of the statements above, bound per call.
_WANT = bindparam("n_want", type_=Integer)
_SIZE = bindparam("n_size", type_=Integer)
_LAST = bindparam("n_last", type_=Integer)
_ONE = bindparam("n_one", type_=Integer)

_EVENTS = _Paging(
    "events",
    EventRow,
    (EventRow.date_start, EventRow.article_id, EventRow.id),
    ("type", "mode", "modality", "source_country", "target_country", "place_country", "lat", "lon"),
    leads=("modality", "type"),
    grouped=True,
)
_INCIDENTS = _Paging(
    "incidents",
    IncidentRow,
    (IncidentRow.date_start, IncidentRow.id),
    ("type", "mode", "source_country", "target_country", "place_country", "lat", "lon"),
    leads=(),
)


def _event_rows(
    run: Run, where: EventFilter, bounds: _Bounds, want: int, walk: bool = True
) -> _Part:
    """(date, article id, id, record JSON) of up to ``want`` events within ``bounds``
    matching ``where``, in page order.

    Without a text filter, a bounded ordered walk of ``ix_events_page``, each entry
    checked against the filters until ``want`` match, then a lookup for rare filters
    (see ``_Paging.rows``). With one, the text is matched row by row on
    the first ``_TEXT_SCAN_ROWS`` rows within ``bounds``, and looked up in the text index
    for the rest (a common word fills the page long before; a rare one is found fast).
    """
    if not where._text():
        return _EVENTS.rows(run, where, bounds, want, walk)
    shape = (bounds.shape(), where.shape())
    values = {**bounds.values(), **where.values(), "n_last": _TEXT_SCAN_ROWS - 1, "n_one": 1}

    def candidates() -> Select[Any]:
        others = replace(where, text=None).conditions(walk=True)
        keys = select(*_EVENTS.key).where(*bounds.conditions(_EVENTS), *others)
        return keys.order_by(*_EVENTS.key)

    def edge_query() -> Select[Any]:
        return candidates().offset(_LAST).limit(_ONE)

    if run.dialect == "postgresql":
        # PostgreSQL joins the candidates in order and stops when the page is full
        def scan_query() -> Select[Any]:
            return _with_text(candidates().limit(_SIZE).subquery())

        scan = {**values, "n_size": _TEXT_SCAN_ROWS, "n_want": want}
        rows = run.all(("text scan", *shape), scan_query, scan)
        last = None if len(rows) == want else run.first(("text edge", *shape), edge_query, values)
        edge = None if last is None else _Edge(tuple(last), "p")
    else:
        # SQLite would read every candidate's row: the text is matched on a walk up to
        # the last candidate, which stops when the page is full
        last = run.first(("text edge", *shape), edge_query, values)
        edge = None if last is None else _Edge(tuple(last), "p")
        through = None if last is None else _Edge(tuple(last), "t")

        def sqlite_scan() -> Select[Any]:
            scanned = [*bounds.conditions(_EVENTS), *_EVENTS.through(through)]
            scanned += where.conditions(scan_text=True, walk=True)
            return _EVENTS.in_page_order(scanned)

        scan = {**values, **_edge_values(through), "n_want": want}
        rows = run.all(("text scan", *shape, _edge_shape(through)), sqlite_scan, scan)
    if len(rows) < want and edge is not None:

        def rest_query() -> Select[Any]:
            rest = [*bounds.conditions(_EVENTS), *_EVENTS.past(edge), *where.conditions()]
            return _EVENTS.in_page_order(rest)

        rest = {**values, **_edge_values(edge), "n_want": want - len(rows)}
        rows += run.all(("text rest", *shape, _edge_shape(edge)), rest_query, rest)
    return _Part(rows, looked_up=False)


def _with_text(candidates: Any) -> Select[Any]:
    """The first ``n_want`` of ``candidates`` (keys in page order) whose evidence holds
    the filter's text (``f_text_lower``), with their stored JSON."""
    keys = (candidates.c.date_start, candidates.c.article_id, candidates.c.id)
    matched = func.lower(EventRow.evidence).like(_TEXT_LOWER, escape="\\")
    return (
        select(*keys, cast(EventRow.record, Text))
        .join_from(candidates, EventRow, EventRow.id == candidates.c.id)
        .where(matched)
        .order_by(*keys)
        .limit(_WANT)
    )


_TEXT_LOWER = bindparam("f_text_lower", type_=String)


class _Reader:
    """Reads on PostgreSQL run outside any transaction (autocommit): each statement sees
    its own snapshot there anyway (READ COMMITTED), and neither BEGIN nor ROLLBACK costs
    a round trip. On SQLite a read is one transaction, so its statements agree."""

    def __init__(self, store: Store) -> None:
        engine = store._engine
        sqlite = engine.dialect.name == "sqlite"
        self._engine = engine if sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")
        self._url = store._url
        self._statements = Statements()

    def _read(self, action: str, work: Callable[[Connection], _T]) -> _T:
        """``work`` on a pooled connection; once more on a fresh one if that one was
        found dead (the server restarted while it lay in the pool)."""
        try:
            try:
                return self._run(work)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
            return self._run(work)
        except SQLAlchemyError as exc:
            raise store_error(action, self._url, exc) from exc

    def _run(self, work: Callable[[Connection], _T]) -> _T:
        with self._engine.connect() as connection:
            return work(connection)

    def _page(
        self,
        paging: _Paging,
        where: EventFilter,
        limit: int,
        after: Cursor | None,
        rows: Callable[[Run, EventFilter, _Bounds, int, bool], _Part],
    ) -> Page:
        """Up to ``limit`` rows after ``after`` in page order: dated rows by date, then
        (when no date bound excludes them) undated ones, each part found by ``rows``
        (within some bounds, up to a number of rows: page key and record JSON). Filters
        too rare to walk the dated rows for are looked up at once among the undated."""
        if limit < 1:
            raise ValueError(f"limit must be 1 or more, got {limit}")
        want = limit + 1

        def read(connection: Connection) -> Page:
            run = Run(connection, self._statements)
            dated = _Part([], looked_up=False)
            if after is None or after.date is not None:
                dated = rows(run, where, paging.dated(where, after), want, True)
            found = dated.rows
            if len(found) < want and where.since is None and where.until is None:
                undated_after = after if after is not None and after.date is None else None
                undated = paging.undated(undated_after)
                found += rows(run, where, undated, want - len(found), not dated.looked_up).rows
            shown = found[:limit]
            last = shown[-1] if len(found) > limit else None
            cursor = None if last is None else Cursor(last[0], tuple(str(k) for k in last[1:-1]))
            return Page([str(row[-1]) for row in shown], cursor)

        return self._read(f"read {paging.what}", read)


class EventQueries(_Reader):
    """Filtered, paged reads of one Store's events."""

    def page(self, where: EventFilter, limit: int, after: Cursor | None = None) -> Page:
        """Up to ``limit`` events matching ``where``, after ``after`` in the store's order:
        start date (undated last), article id, event id.

        Dated events, then (when no date bound excludes them) undated ones, are read in
        that order from ``ix_events_page``, whose entries carry every filtered column: a
        page is an ordered walk that stops when it is full, or, for filters too rare to
        fill it within a bounded walk, a lookup through their own indexes; only the
        page's events are read from the table (see ``_event_rows``).
        """
        return self._page(_EVENTS, where, limit, after, _event_rows)

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
        (undated last), then incident id.

        Read like events pages: a bounded ordered walk of ``ix_incidents_page``, whose
        entries carry every filtered column, then a lookup for rare filters (see
        ``_Paging.rows``); only the page's incidents are read from the table.
        """
        return self._page(_INCIDENTS, where, limit, after, _INCIDENTS.rows)

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
