"""Records to table rows and back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from dotterel.errors import StoreError
from dotterel.records import Actor, Article, Estimate, Event, Place, When, to_dict
from dotterel.store.models import ArticleRow

__all__ = ["article_from_row", "article_row", "event_row", "filter_columns", "rows_for"]


def _day(value: date | None) -> date | None:
    """The calendar day of a date or datetime (the column stores days)."""
    return value.date() if isinstance(value, datetime) else value


def article_row(article: Article, ingested_at: datetime) -> dict[str, Any]:
    """The ``articles`` row for one article."""
    return {
        "id": article.id,
        "ref": article.ref,
        "url": article.url,
        "title": article.title,
        "published": _day(article.published),
        "outlet": article.outlet,
        "language": article.language,
        "text": article.text,
        "ingested_at": ingested_at,
    }


def filter_columns(
    source: Actor | None,
    target: Actor | None,
    place: Place | None,
    when: When | None,
    deaths: Estimate | None,
) -> dict[str, Any]:
    """The plain columns events and incidents are filtered on, copied from the record."""
    return {
        "source_country": source.country if source else None,
        "target_country": target.country if target else None,
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
    }


def event_row(event: Event) -> dict[str, Any]:
    """The ``events`` row for one event: filter columns plus the full record."""
    place = event.place
    return {
        "id": event.id,
        "article_id": event.article_id,
        "type": event.type,
        "mode": event.mode,
        "modality": event.modality,
        **filter_columns(event.source, event.target, place, event.date, event.fatalities),
        "evidence": event.evidence.sentence,
        "confidence": event.confidence,
        "record": to_dict(event),
        "place_precision": place.precision if place else None,
        "place_admin1": place.admin1 if place else None,
        "incident_id": None,
    }


def rows_for(
    article: Article, events: Sequence[Event], ingested_at: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The article row and its event rows; every event must belong to the article."""
    for event in events:
        if event.article_id != article.id:
            raise StoreError(
                f"event {event.id!r} belongs to article {event.article_id!r}, not to "
                f"{article.id!r} ({article.ref or 'no ref'}); add each article with its own events"
            )
    return article_row(article, ingested_at), [event_row(e) for e in events]


def article_from_row(row: ArticleRow) -> Article:
    """Rebuild the Article record from its row."""
    return Article(
        text=row.text,
        id=row.id,
        ref=row.ref,
        url=row.url,
        title=row.title,
        published=row.published,
        outlet=row.outlet,
        language=row.language,
    )
