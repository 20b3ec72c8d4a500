"""WHERE conditions shared by the event and incident queries, each served by an index.

* ``in_bbox``: a (west, south, east, north) box in degrees on ``lat``/``lon`` columns
  (``ix_*_lat_lon``, and ``ix_events_lon_lat`` for a box in busy latitudes); west > east
  means a box across the antimeridian.
* ``evidence_contains``: a case-insensitive substring of the evidence sentence. It
  compiles per backend: on SQLite to a lookup in the FTS5 trigram table ``events_text``,
  on PostgreSQL to ``ILIKE``, which the pg_trgm GIN index serves (migration 0002).

Both bind their values by name, so that a statement built once serves other values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from dotterel.store.models import EventRow

__all__ = [
    "BBox",
    "EvidenceContains",
    "bbox_values",
    "check_bbox",
    "evidence_contains",
    "in_bbox",
    "like_pattern",
]

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


def in_bbox(lat: Any, lon: Any, bbox: BBox, name: str = "bbox") -> ColumnElement[bool]:
    """Rows whose point lies in the box (edges included). The corners are bound as
    ``{name}_west`` ... ``{name}_north`` (see ``bbox_values``): a statement built for one
    box serves another on the same side of the antimeridian."""
    west, _, east, _ = check_bbox(bbox)
    corners: list[BindParameter[float]] = [
        bindparam(key, value) for key, value in bbox_values(bbox, name).items()
    ]
    w, s, e, n = corners
    longitude = or_(lon >= w, lon <= e) if west > east else and_(lon >= w, lon <= e)
    return and_(lat >= s, lat <= n, longitude)


def bbox_values(bbox: BBox, name: str = "bbox") -> dict[str, float]:
    """The values ``in_bbox`` binds, by name."""
    return {f"{name}_{side}": value for side, value in zip(_SIDES, bbox, strict=True)}


_SIDES = ("west", "south", "east", "north")


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape character ``\\``) for ``text`` anywhere in a string."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class EvidenceContains(ColumnElement[bool]):
    """Events whose evidence sentence contains ``text`` (case-insensitive); its pattern
    is bound as ``name`` (a statement built for one text serves another)."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("pattern", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, text: str, name: str = "text_pattern") -> None:
        self.text = text
        self.pattern: BindParameter[str] = bindparam(name, like_pattern(text))


def evidence_contains(text: str, name: str = "text_pattern") -> ColumnElement[bool]:
    """The condition on ``events`` for a text filter; refuses an empty text."""
    if not text.strip():
        raise ValueError("the text filter is empty; give at least one character")
    return EvidenceContains(text.strip(), name)


@compiles(EvidenceContains, "sqlite")
def _sqlite_contains(element: EvidenceContains, compiler: SQLCompiler, **kw: Any) -> str:
    matching = select(events_text.c.event_id).where(
        events_text.c.evidence.like(element.pattern, escape="\\")
    )
    return compiler.process(EventRow.id.in_(matching), **kw)


@compiles(EvidenceContains)
def _default_contains(element: EvidenceContains, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(EventRow.evidence.ilike(element.pattern, escape="\\"), **kw)
