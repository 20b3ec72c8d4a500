"""Fusion inside a store transaction: link near-copies, attach new events, rebuild incidents.

For each new fusable event the candidates are fused events of the same type, in the
same place country, starting within a week and a day of it: one range scan of
``ix_events_type_place_country_date_start``, whose size depends on how many such events
happen at once, not on the size of the store. Events of the same batch are compared in
memory. The new events and the incidents they match form groups (union-find); each
group becomes one incident, named by its smallest member event id. Only the incidents
so touched (and those of articles whose near-duplicate cluster changed) are rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from dotterel.fusion import (
    DAY_SLACK,
    MAX_SPAN,
    Regions,
    Trace,
    build_incident,
    compatible,
    fusable,
    incident_id_for,
    trace_of,
)
from dotterel.records import Article, Event, Incident, event_from_dict, to_dict
from dotterel.store._dedupe import Sketcher, link_articles
from dotterel.store._groups import Groups
from dotterel.store._rows import filter_columns
from dotterel.store.models import ArticleRow, ArticleSketchRow, EventRow, IncidentRow

__all__ = ["Fuser", "incident_row"]

_CHUNK = 500
_LOCK_KEY = 0x646F7474  # PostgreSQL advisory locks serialising a store's fusing writers
_WINDOW = DAY_SLACK + timedelta(days=MAX_SPAN)

_TRACE_COLUMNS = (
    EventRow.id,
    EventRow.article_id,
    EventRow.type,
    EventRow.source_country,
    EventRow.target_country,
    EventRow.place_name,
    EventRow.place_country,
    EventRow.place_admin1,
    EventRow.lat,
    EventRow.lon,
    EventRow.place_precision,
    EventRow.date_start,
    EventRow.date_end,
    EventRow.incident_id,
)
_NEAR_IN_TIME = and_(
    EventRow.type == bindparam("type"),
    EventRow.date_start >= bindparam("earliest"),
    EventRow.date_start <= bindparam("latest"),
    EventRow.date_end >= bindparam("ends_after"),
    EventRow.incident_id.is_not(None),
)
# Fused events that could be the same happening: same type and place country, near in time.
_CANDIDATES_IN = select(*_TRACE_COLUMNS).where(
    _NEAR_IN_TIME, EventRow.place_country == bindparam("country")
)
_CANDIDATES_NOWHERE = select(*_TRACE_COLUMNS).where(_NEAR_IN_TIME, EventRow.place_country.is_(None))
_RENAME = (
    update(EventRow)
    .where(EventRow.incident_id == bindparam("old"))
    .values(incident_id=bindparam("new"))
)
_ASSIGN = (
    update(EventRow).where(EventRow.id == bindparam("event")).values(incident_id=bindparam("new"))
)

Node = tuple[str, str]  # ("incident", stored incident id) or ("event", new event id)


@dataclass(slots=True)
class _Batch:
    """The new fusable events of one batch and what they were found to match."""

    groups: Groups[Node] = field(default_factory=Groups)
    events: dict[str, Event] = field(default_factory=dict)
    seen: dict[tuple[str, str | None], list[Trace]] = field(default_factory=dict)


class Fuser:
    """Links near-copies and fuses events into incidents, within the caller's transaction."""

    def __init__(self, regions: Regions | None = None, sketcher: Sketcher | None = None) -> None:
        self.regions = regions or Regions.load()
        self.sketcher = sketcher or Sketcher()

    def fuse(self, session: Session, items: Sequence[tuple[Article, Sequence[Event]]]) -> None:
        """Fuse newly stored articles and their (stored, not yet fused) events."""
        if not items:
            return
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            schema = func.hashtext(func.current_schema())  # one lock per store, not per server
            conn.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY, schema)))
        links = link_articles(conn, self.sketcher, [article for article, _ in items])
        batch = _Batch()
        for _, events in items:
            for event in events:
                if fusable(event):
                    self._attach(conn, batch, event)
        outlets = {article.id: article.outlet for article, _ in items}
        rebuilt = self._settle(conn, batch, links.clusters, outlets)
        if links.changed:
            stale = _incidents_of_articles(conn, links.changed) - rebuilt
            self._rebuild_stored(conn, stale)

    def _attach(self, conn: Connection, batch: _Batch, event: Event) -> None:
        new = trace_of(event)
        node: Node = ("event", new.id)
        batch.groups.add(node)
        batch.events[new.id] = event
        params: dict[str, Any] = {
            "type": new.type,
            "earliest": new.start - _WINDOW,
            "latest": new.end + DAY_SLACK,
            "ends_after": new.start - DAY_SLACK,
        }
        if new.place_country is None:
            rows = conn.execute(_CANDIDATES_NOWHERE, params)
        else:
            rows = conn.execute(_CANDIDATES_IN, {**params, "country": new.place_country})
        for row in rows:
            if compatible(new, _trace(row), self.regions):
                batch.groups.join(node, ("incident", row.incident_id))
        bucket = batch.seen.setdefault((new.type, new.place_country), [])
        for other in bucket:
            if compatible(new, other, self.regions):
                batch.groups.join(node, ("event", other.id))
        bucket.append(new)

    def _settle(
        self,
        conn: Connection,
        batch: _Batch,
        clusters: dict[str, str],
        outlets: dict[str, str | None],
    ) -> set[str]:
        """Name each group, move stored members to it, store the rebuilt incidents."""
        groups = batch.groups.groups()
        stored = sorted({name for group in groups for kind, name in group if kind == "incident"})
        first_of = _first_events(conn, stored)
        renames: list[dict[str, str]] = []
        assigns: list[dict[str, str]] = []
        merged: set[str] = set()
        fresh: list[Incident] = []
        for group in groups:
            olds = [name for kind, name in group if kind == "incident"]
            news = [name for kind, name in group if kind == "event"]
            incident_id = incident_id_for([*news, *(first_of[o] for o in olds)])
            renames += [{"old": o, "new": incident_id} for o in olds if o != incident_id]
            assigns += [{"event": e, "new": incident_id} for e in news]
            if olds:
                merged.add(incident_id)
            else:
                members = [batch.events[e] for e in news]
                fresh.append(build_incident(members, clusters, outlets))
        if renames:
            conn.execute(_RENAME, renames)
            gone = sorted({r["old"] for r in renames})
            for chunk in _chunks(gone):
                conn.execute(delete(IncidentRow).where(IncidentRow.id.in_(chunk)))
        if assigns:
            conn.execute(_ASSIGN, assigns)
        if fresh:
            conn.execute(insert(IncidentRow), [incident_row(i) for i in fresh])
        self._rebuild_stored(conn, merged)
        return merged | {i.id for i in fresh}

    def _rebuild_stored(self, conn: Connection, incident_ids: Iterable[str]) -> None:
        """Recompute incidents from their stored members."""
        for chunk in _chunks(sorted(incident_ids)):
            members: dict[str, list[Event]] = {}
            rows = conn.execute(
                select(EventRow.incident_id, EventRow.record).where(EventRow.incident_id.in_(chunk))
            )
            for incident_id, record in rows:
                members.setdefault(incident_id, []).append(event_from_dict(record))
            articles = sorted({e.article_id for found in members.values() for e in found})
            clusters, outlets = _article_facts(conn, articles)
            incidents = [build_incident(found, clusters, outlets) for found in members.values()]
            conn.execute(delete(IncidentRow).where(IncidentRow.id.in_(chunk)))
            if incidents:
                conn.execute(insert(IncidentRow), [incident_row(i) for i in incidents])


def _first_events(conn: Connection, incident_ids: list[str]) -> dict[str, str]:
    """The smallest member event id of each stored incident."""
    found: dict[str, str] = {}
    for chunk in _chunks(incident_ids):
        query = (
            select(EventRow.incident_id, func.min(EventRow.id))
            .where(EventRow.incident_id.in_(chunk))
            .group_by(EventRow.incident_id)
        )
        found.update({str(incident): first for incident, first in conn.execute(query)})
    return found


def _incidents_of_articles(conn: Connection, article_ids: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(article_ids)):
        query = (
            select(EventRow.incident_id)
            .where(EventRow.article_id.in_(chunk), EventRow.incident_id.is_not(None))
            .distinct()
        )
        found.update(i for i in conn.scalars(query) if i is not None)
    return found


def _trace(row: Any) -> Trace:
    return Trace(
        id=row.id,
        article_id=row.article_id,
        type=row.type,
        source=row.source_country,
        target=row.target_country,
        place_name=row.place_name,
        place_country=row.place_country,
        admin1=row.place_admin1,
        lat=row.lat,
        lon=row.lon,
        precision=row.place_precision,
        start=row.date_start,
        end=row.date_end,
    )


def _article_facts(
    conn: Connection, article_ids: list[str]
) -> tuple[dict[str, str], dict[str, str | None]]:
    clusters: dict[str, str] = {}
    outlets: dict[str, str | None] = {}
    for chunk in _chunks(article_ids):
        for article_id, cluster_id in conn.execute(
            select(ArticleSketchRow.article_id, ArticleSketchRow.cluster_id).where(
                ArticleSketchRow.article_id.in_(chunk)
            )
        ):
            clusters[article_id] = cluster_id
        for article_id, outlet in conn.execute(
            select(ArticleRow.id, ArticleRow.outlet).where(ArticleRow.id.in_(chunk))
        ):
            outlets[article_id] = outlet
    return clusters, outlets


def incident_row(incident: Incident) -> dict[str, Any]:
    """The ``incidents`` row of one incident: filter columns plus the full record."""
    return {
        "id": incident.id,
        "type": incident.type,
        "mode": incident.mode,
        **filter_columns(
            incident.source, incident.target, incident.place, incident.date, incident.fatalities
        ),
        "sources": incident.sources,
        "n_events": len(incident.events),
        "record": to_dict(incident),
    }


def _chunks(items: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])
