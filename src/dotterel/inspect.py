"""What the pipeline recognised, mention by mention: places, times and actors.

Users check a geoparser or a date resolver before they trust it. These functions
turn a processed article (a ``Result`` from ``Pipeline.process`` or its ``Document``)
into one typed row per mention, with the text as written, its character offsets in
the article text and what it was resolved to. Every mention the stages found is
listed, not only those that ended up in an event.
"""

from __future__ import annotations

from dataclasses import dataclass

from dotterel.document import Document
from dotterel.errors import InputError
from dotterel.pipeline import Result

__all__ = [
    "ActorRow",
    "PlaceRow",
    "TimeRow",
    "actor_mentions",
    "place_mentions",
    "time_mentions",
]


@dataclass(frozen=True, slots=True)
class PlaceRow:
    """One place mention and the gazetteer entry it resolved to."""

    article_ref: str
    text: str
    start: int
    end: int
    name: str
    geonames_id: int | None
    lat: float | None
    lon: float | None
    country: str | None
    admin1: str | None
    precision: int  # UCDP where_prec: 1 exact place … 4 ADM1 … 6 country, 7 sea


@dataclass(frozen=True, slots=True)
class TimeRow:
    """One time expression and its TIMEX3-style value (None when left unresolved)."""

    article_ref: str
    text: str
    start: int
    end: int
    value: str | None  # 2025-03-08, 2025-W10, 2025-03, 2025
    precision: int | None  # UCDP date_prec: 1 day, 2 span, 3 week, 4 month, 5 year


@dataclass(frozen=True, slots=True)
class ActorRow:
    """One actor mention and how it was coded."""

    article_ref: str
    text: str
    start: int
    end: int
    canonical: str | None
    country: str | None
    sector: str | None
    wikidata: str | None
    kind: str  # country|demonym|metonym|organisation|person|group|generic|pronoun|territory


def _document(processed: Result | Document) -> Document:
    if isinstance(processed, Document):
        return processed
    if processed.document is None:
        ref = processed.article.ref or processed.article.id
        raise InputError(f"{ref}: the article was not processed, so it has no mentions")
    return processed.document


def _ref(doc: Document) -> str:
    return doc.article.ref or doc.article.id


def place_mentions(processed: Result | Document) -> list[PlaceRow]:
    """Every place mention the places stage recognised, in text order."""
    doc = _document(processed)
    ref = _ref(doc)
    return [
        PlaceRow(
            article_ref=ref,
            text=m.text,
            start=m.start_char,
            end=m.end_char,
            name=m.place.name,
            geonames_id=m.place.geonames_id,
            lat=m.place.lat,
            lon=m.place.lon,
            country=m.place.country,
            admin1=m.place.admin1,
            precision=m.place.precision,
        )
        for m in sorted(doc.places, key=lambda m: m.start_char)
    ]


def time_mentions(processed: Result | Document) -> list[TimeRow]:
    """Every time expression the times stage recognised, in text order."""
    doc = _document(processed)
    ref = _ref(doc)
    return [
        TimeRow(
            article_ref=ref,
            text=m.text,
            start=m.start_char,
            end=m.end_char,
            value=m.value,
            precision=m.when.precision if m.when is not None else None,
        )
        for m in sorted(doc.times, key=lambda m: m.start_char)
    ]


def actor_mentions(processed: Result | Document) -> list[ActorRow]:
    """Every actor mention the actors stage recognised (pronouns too), in text order."""
    doc = _document(processed)
    ref = _ref(doc)
    return [
        ActorRow(
            article_ref=ref,
            text=m.text,
            start=m.start_char,
            end=m.end_char,
            canonical=m.canonical,
            country=m.country,
            sector=m.sector,
            wikidata=m.wikidata,
            kind=m.kind,
        )
        for m in sorted(doc.actors, key=lambda m: m.start_char)
    ]
