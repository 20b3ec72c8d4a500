"""Fusion inside a store transaction: link near-copies, attach new events, rebuild incidents.

For each new fusable event the candidates are fused events of the same type, in the
same place country, starting within a week and a day of it: one range scan of
``ix_events_type_place_country_date_start``, whose size depends on how many such events
happen at once, not on the size of the store. The incidents of the compatible
candidates merge with the new event; only the incidents so touched (and those of
articles whose near-duplicate cluster changed) are rebuilt, from their members.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
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
from dotterel.store._dedupe import Sketcher, link_article
from dotterel.store.models import ArticleRow, ArticleSketchRow, EventRow, IncidentRow

__all__ = ["Fuser", "incident_row"]

_CHUNK = 500
_LOCK_KEY = 0x646F7474  # PostgreSQL advisory lock serialising fusing writers ("dott")

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


class Fuser:
    """Links near-copies and fuses events into incidents, within the caller's transaction."""

    def __init__(self, regions: Regions | None = None, sketcher: Sketcher | None = None) -> None:
        self.regions = regions or Regions.load()
        self.sketcher = sketcher or Sketcher()

    def fuse(self, session: Session, items: Sequence[tuple[Article, Sequence[Event]]]) -> None:
        """Fuse newly inserted articles and their events (already in ``session``)."""
        if not items:
            return
        if session.get_bind().dialect.name == "postgresql":
            session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
        changed: set[str] = set()
        for article, _ in items:
            changed |= link_article(session, self.sketcher, article)
        dirty: set[str] = set()
        for _, events in items:
            for event in events:
                if fusable(event):
                    self._attach(session, trace_of(event), dirty)
        if changed:
            dirty |= self._incidents_of_articles(session, changed)
        self._rebuild(session, dirty)

    def _attach(self, session: Session, new: Trace, dirty: set[str]) -> None:
        groups = {
            row.incident_id
            for row in session.execute(_candidates(new))
            if compatible(new, _trace(row), self.regions)
        }
        first = new.id
        if groups:
            lowest = session.scalar(
                select(func.min(EventRow.id)).where(EventRow.incident_id.in_(groups))
            )
            first = min(first, lowest or first)
        incident_id = incident_id_for([first])
        if groups - {incident_id}:
            session.execute(
                update(EventRow)
                .where(EventRow.incident_id.in_(groups - {incident_id}))
                .values(incident_id=incident_id)
            )
            session.execute(delete(IncidentRow).where(IncidentRow.id.in_(groups - {incident_id})))
        session.execute(
            update(EventRow).where(EventRow.id == new.id).values(incident_id=incident_id)
        )
        dirty.difference_update(groups)
        dirty.add(incident_id)

    def _incidents_of_articles(self, session: Session, article_ids: set[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(article_ids)):
            found.update(
                i
                for i in session.scalars(
                    select(EventRow.incident_id)
                    .where(EventRow.article_id.in_(chunk))
                    .where(EventRow.incident_id.is_not(None))
                    .distinct()
                )
                if i is not None
            )
        return found

    def _rebuild(self, session: Session, dirty: set[str]) -> None:
        for chunk in _chunks(sorted(dirty)):
            members: dict[str, list[Event]] = {}
            rows = session.execute(
                select(EventRow.incident_id, EventRow.record).where(EventRow.incident_id.in_(chunk))
            )
            for incident_id, record in rows:
                members.setdefault(incident_id, []).append(event_from_dict(record))
            articles = sorted({e.article_id for found in members.values() for e in found})
            clusters, outlets = _article_facts(session, articles)
            incidents = [build_incident(found, clusters, outlets) for found in members.values()]
            session.execute(delete(IncidentRow).where(IncidentRow.id.in_(chunk)))
            if incidents:
                session.execute(insert(IncidentRow), [incident_row(i) for i in incidents])


def _candidates(new: Trace) -> Any:
    """Fused events that could be the same happening: same type and place country, near
    in time, from another article."""
    earliest = new.start - DAY_SLACK - timedelta(days=MAX_SPAN)
    query = select(*_TRACE_COLUMNS).where(
        EventRow.type == new.type,
        EventRow.date_start >= earliest,
        EventRow.date_start <= new.end + DAY_SLACK,
        EventRow.date_end >= new.start - DAY_SLACK,
        EventRow.incident_id.is_not(None),
        EventRow.article_id != new.article_id,
    )
    if new.place_country is None:
        return query.where(EventRow.place_country.is_(None))
    return query.where(EventRow.place_country == new.place_country)


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
    session: Session, article_ids: list[str]
) -> tuple[dict[str, str], dict[str, str | None]]:
    clusters: dict[str, str] = {}
    outlets: dict[str, str | None] = {}
    for chunk in _chunks(article_ids):
        for article_id, cluster_id in session.execute(
            select(ArticleSketchRow.article_id, ArticleSketchRow.cluster_id).where(
                ArticleSketchRow.article_id.in_(chunk)
            )
        ):
            clusters[article_id] = cluster_id
        for article_id, outlet in session.execute(
            select(ArticleRow.id, ArticleRow.outlet).where(ArticleRow.id.in_(chunk))
        ):
            outlets[article_id] = outlet
    return clusters, outlets


def incident_row(incident: Incident) -> dict[str, Any]:
    """The ``incidents`` row of one incident: filter columns plus the full record."""
    place, when, deaths = incident.place, incident.date, incident.fatalities
    return {
        "id": incident.id,
        "type": incident.type,
        "mode": incident.mode,
        "source_country": incident.source.country if incident.source else None,
        "target_country": incident.target.country if incident.target else None,
        "place_country": place.country if place else None,
        "place_name": place.name if place else None,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "date_start": when.start if when else None,
        "date_end": when.end if when else None,
        "date_precision": when.precision if when else None,
        "fatalities_best": deaths.best if deaths else None,
        "fatalities_low": deaths.low if deaths else None,
        "fatalities_high": deaths.high if deaths else None,
        "sources": incident.sources,
        "n_events": len(incident.events),
        "record": to_dict(incident),
    }


def _chunks(items: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])
