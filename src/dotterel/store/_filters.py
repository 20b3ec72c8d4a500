"""WHERE conditions shared by the event and incident queries, each served by an index.

* ``in_bbox``: a (west, south, east, north) box in degrees on ``lat``/``lon`` columns
  (``ix_*_lat_lon``, and ``ix_events_lon_lat`` for a box in busy latitudes); west > east
  means a box across the antimeridian.
* ``evidence_contains``: a case-insensitive substring of the evidence sentence. It
  compiles per backend: on SQLite to a lookup in the FTS5 trigram table ``events_text``,
  on PostgreSQL to ``ILIKE``, which the pg_trgm GIN index serves (migration 0002).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, MetaData, String, Table, Text, and_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import Boolean

from dotterel.store.models import EventRow

__all__ = ["BBox", "EvidenceContains", "check_bbox", "evidence_contains", "in_bbox"]

BBox = tuple[float, float, float, float]

# The SQLite FTS5 table made by migration 0002 (not part of the models).
events_text = Table("events_text", MetaData(), Column("event_id", String), Column("evidence", Text))


def check_bbox(bbox: BBox) -> BBox:
    """The box if its corners are valid degrees, else ValueError saying which is not."""
    west, south, east, north = bbox
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValueError(f"bbox longitudes must lie in -180..180, got {west} and {east}")
    if not (-90 <= south <= north <= 90):
        raise ValueError(
            f"bbox latitudes must satisfy -90 <= south <= north <= 90, got {south}, {north}"
        )
    return bbox


def in_bbox(lat: Any, lon: Any, bbox: BBox) -> ColumnElement[bool]:
    """Rows whose point lies in the box (edges included)."""
    west, south, east, north = check_bbox(bbox)
    across = west > east
    longitude = or_(lon >= west, lon <= east) if across else and_(lon >= west, lon <= east)
    return and_(lat >= south, lat <= north, longitude)


class EvidenceContains(ColumnElement[bool]):
    """Events whose evidence sentence contains ``text`` (case-insensitive)."""

    type = Boolean()
    inherit_cache = False  # the pattern is bound at compile time

    def __init__(self, text: str) -> None:
        self.text = text

    @property
    def pattern(self) -> str:
        escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"


def evidence_contains(text: str) -> ColumnElement[bool]:
    """The condition on ``events`` for a text filter; refuses an empty text."""
    if not text.strip():
        raise ValueError("the text filter is empty; give at least one character")
    return EvidenceContains(text.strip())


@compiles(EvidenceContains, "sqlite")
def _sqlite_contains(element: EvidenceContains, compiler: SQLCompiler, **kw: Any) -> str:
    matching = select(events_text.c.event_id).where(
        events_text.c.evidence.like(element.pattern, escape="\\")
    )
    return compiler.process(EventRow.id.in_(matching), **kw)


@compiles(EvidenceContains)
def _default_contains(element: EvidenceContains, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(EventRow.evidence.ilike(element.pattern, escape="\\"), **kw)
