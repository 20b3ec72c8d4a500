"""Query parameters shared by the list endpoints, parsed into an EventFilter.

The dependencies are ``async`` though they do no I/O: FastAPI then runs them in the
event loop instead of handing each to the thread pool.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import Query

from dotterel.api._errors import invalid
from dotterel.records import EVENT_TYPES, Modality
from dotterel.store._query import Cursor, EventFilter

__all__ = ["Format", "event_cursor", "event_filter", "incident_cursor"]


class Format(StrEnum):
    """How a list is returned."""

    json = "json"
    geojson = "geojson"
    csv = "csv"


Code = Annotated[str | None, Query(max_length=16, pattern=r"^[A-Za-z]{2,16}$")]


def _types(values: list[str] | None) -> tuple[str, ...]:
    found = tuple(t.strip().upper() for v in values or [] for t in v.split(",") if t.strip())
    unknown = [t for t in found if t not in EVENT_TYPES]
    if unknown:
        raise invalid(
            ("query", "type"), f"{unknown[0]!r} is not a PLOVER type; use {', '.join(EVENT_TYPES)}"
        )
    return found


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None or not text.strip():
        return None
    parts = text.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise invalid(
            ("query", "bbox"), f"{text!r} is not four numbers west,south,east,north"
        ) from None
    if not all(-180.0 <= lon <= 180.0 for lon in (west, east)):
        raise invalid(("query", "bbox"), "longitudes (west, east) must lie in -180..180")
    if not all(-90.0 <= lat <= 90.0 for lat in (south, north)) or south > north:
        raise invalid(("query", "bbox"), "latitudes must lie in -90..90 with south <= north")
    return west, south, east, north


async def event_filter(
    type: Annotated[
        list[str] | None,
        Query(description="PLOVER type(s), repeated or comma-separated, e.g. ASSAULT,COERCE."),
    ] = None,
    mode: Annotated[
        str | None, Query(max_length=64, description="PLOVER mode, e.g. drone, aerial.")
    ] = None,
    modality: Annotated[Modality | None, Query(description="asserted, negated, …")] = None,
    country: Annotated[
        Code, Query(description="ISO3 (or UN, EU, NATO…) of the source, target or place.")
    ] = None,
    source_country: Annotated[Code, Query(description="ISO3 of the source actor.")] = None,
    target_country: Annotated[Code, Query(description="ISO3 of the target actor.")] = None,
    place_country: Annotated[Code, Query(description="ISO3 of the place.")] = None,
    since: Annotated[date | None, Query(description="Earliest start date, inclusive.")] = None,
    until: Annotated[date | None, Query(description="Latest start date, inclusive.")] = None,
    bbox: Annotated[
        str | None,
        Query(
            description="west,south,east,north in degrees (west > east crosses 180°).",
            examples=["22,44,41,53"],
        ),
    ] = None,
    text: Annotated[
        str | None,
        Query(max_length=200, description="Case-insensitive text in the evidence sentence."),
    ] = None,
) -> EventFilter:
    """FastAPI dependency: the filter the query string asks for (422 naming a bad field)."""
    if since is not None and until is not None and since > until:
        raise invalid(("query", "until"), f"until {until} is before since {since}")
    return EventFilter(
        types=_types(type),
        mode=mode or None,
        modality=modality,
        country=country or None,
        source_country=source_country or None,
        target_country=target_country or None,
        place_country=place_country or None,
        since=since,
        until=until,
        bbox=_bbox(bbox),
        text=text or None,
    )


def _cursor(token: str | None, size: int) -> Cursor | None:
    if not token:
        return None
    try:
        return Cursor.decode(token, size)
    except ValueError as exc:
        raise invalid(("query", "cursor"), str(exc)) from None


CursorQuery = Annotated[
    str | None, Query(max_length=1000, description="The `next` value of the previous page.")
]


async def event_cursor(cursor: CursorQuery = None) -> Cursor | None:
    """FastAPI dependency: the decoded events cursor (422 when it is not one of ours)."""
    return _cursor(cursor, 2)


async def incident_cursor(cursor: CursorQuery = None) -> Cursor | None:
    """FastAPI dependency: the decoded incidents cursor (422 when it is not one of ours)."""
    return _cursor(cursor, 1)
