"""Read routes over events: filtered pages (JSON, GeoJSON, CSV), one event, day counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dotterel.api._auth import require_reader
from dotterel.api._context import Context, context
from dotterel.api._formats import COLUMNS, csv_text, feature, flat
from dotterel.api._params import Format, event_cursor, event_filter
from dotterel.store._query import Cursor, EventFilter, Page

__all__ = ["LIST_RESPONSES", "Filter", "FormatQuery", "Limit", "page_response", "router"]

router = APIRouter(dependencies=[Depends(require_reader)], tags=["events"])

Ctx = Annotated[Context, Depends(context)]
Filter = Annotated[EventFilter, Depends(event_filter)]
After = Annotated[Cursor | None, Depends(event_cursor)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Events per page.")]
FormatQuery = Annotated[
    Format, Query(description="json (default), geojson (FeatureCollection) or csv.")
]
EventId = Annotated[str, Path(max_length=200, description="The event's id.")]


class EventsPage(BaseModel):
    """One page of events; pass ``next`` as ``cursor`` for the following page."""

    events: list[dict[str, Any]] = Field(description="Event records (see the record contract).")
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class DayCount(BaseModel):
    date: date
    type: str
    count: int


class Stats(BaseModel):
    """Counts of the events matching the filters: what the dashboard's timeline draws."""

    total: int
    undated: int = Field(description="Matching events without a date (not in `days`).")
    types: dict[str, int] = Field(description="Matching events per PLOVER type.")
    days: list[DayCount] = Field(description="Dated matching events per start day and type.")


LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/geo+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
        },
        "description": "JSON page by default; GeoJSON or CSV with `format`.",
    }
}


def _next_link(request: Request, cursor: str) -> str:
    return f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'


def page_response(
    request: Request,
    page: Page,
    fmt: Format,
    key: str = "events",
    flatten: Callable[[dict[str, Any]], dict[str, Any]] = flat,
    columns: tuple[str, ...] = COLUMNS,
) -> Response:
    """A page as ``{key: [...], "next": token}``, a GeoJSON FeatureCollection or CSV; the
    next page's URL also goes in a ``Link`` header."""
    token = page.next.encode() if page.next else None
    headers = {"Link": _next_link(request, token)} if token else {}
    if fmt is Format.csv:
        table = csv_text(page.records, flatten, columns)
        return Response(table, media_type="text/csv", headers=headers)
    if fmt is Format.geojson:
        body = {
            "type": "FeatureCollection",
            "features": [feature(r, flatten) for r in page.records],
            "next": token,
        }
        return _json(body, "application/geo+json", headers)
    # the records go out as the JSON text the store holds: no parsing and re-encoding
    text = f'{{"{key}":[{",".join(page.texts)}],"next":{json.dumps(token)}}}'
    return Response(text, media_type="application/json", headers=headers)


def _json(body: Any, media_type: str, headers: dict[str, str]) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, media_type=media_type, headers=headers)


@router.get("/events", response_model=EventsPage, responses=LIST_RESPONSES)
def list_events(
    request: Request,
    ctx: Ctx,
    where: Filter,
    after: After,
    limit: Limit = 100,
    format: FormatQuery = Format.json,
) -> Response:
    """Events matching the filters, oldest first (undated last), one page at a time."""
    return page_response(request, ctx.queries.page(where, limit, after), format)


@router.get("/events/{event_id}", responses={404: {"description": "No such event."}})
def get_event(ctx: Ctx, event_id: EventId) -> JSONResponse:
    """One event record."""
    record = ctx.queries.event(event_id)
    if record is None:
        raise HTTPException(404, f"no event {event_id!r} in this store")
    return JSONResponse(record)


@router.get("/stats", response_model=Stats)
def stats(ctx: Ctx, where: Filter) -> Stats:
    """Counts by start day and type of the events matching the filters."""
    total, undated = ctx.queries.count(where)
    days = [DayCount(date=d.date, type=d.type, count=d.count) for d in ctx.queries.by_day(where)]
    return Stats(total=total, undated=undated, types=ctx.queries.by_type(where), days=days)
