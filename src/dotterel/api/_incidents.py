"""Read routes over incidents: filtered pages (JSON, GeoJSON, CSV) and one incident."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dotterel.api._auth import require_reader
from dotterel.api._context import Context, context
from dotterel.api._events import LIST_RESPONSES, Filter, FormatQuery, Limit, page_response
from dotterel.api._formats import INCIDENT_COLUMNS, flat_incident
from dotterel.api._params import Format, incident_cursor
from dotterel.store._query import Cursor

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(require_reader)], tags=["incidents"])

Ctx = Annotated[Context, Depends(context)]
After = Annotated[Cursor | None, Depends(incident_cursor)]
IncidentId = Annotated[str, Path(max_length=200, description="The incident's id.")]


class IncidentsPage(BaseModel):
    """One page of incidents; pass ``next`` as ``cursor`` for the following page."""

    incidents: list[dict[str, Any]] = Field(description="Incident records, claims included.")
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


@router.get("/incidents", response_model=IncidentsPage, responses=LIST_RESPONSES)
def list_incidents(
    request: Request,
    ctx: Ctx,
    where: Filter,
    after: After,
    limit: Limit = 100,
    format: FormatQuery = Format.json,
) -> Response:
    """Incidents (events fused across articles) matching the filters, oldest first
    (undated last). ``modality`` and ``text`` match any member event."""
    page = ctx.incidents.page(where, limit, after)
    return page_response(request, page, format, "incidents", flat_incident, INCIDENT_COLUMNS)


@router.get("/incidents/{incident_id}", responses={404: {"description": "No such incident."}})
def get_incident(ctx: Ctx, incident_id: IncidentId) -> JSONResponse:
    """One incident with every claim (which source gave which figure, on whose word) and
    ``members``: the records of the events fused into it, each with its evidence span."""
    record = ctx.incidents.incident(incident_id)
    if record is None:
        raise HTTPException(404, f"no incident {incident_id!r} in this store")
    return JSONResponse({**record, "members": ctx.incidents.members(incident_id)})
