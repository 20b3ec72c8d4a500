"""Bare synthetic events for the paging tests: only what a filter or a page looks at."""

from __future__ import annotations

from datetime import date

from dotterel.records import Actor, Article, Event, Evidence, Place, When


def bare_event(
    event_id: str,
    article: Article,
    sentence: str,
    at: int,
    *,
    type: str,
    source: Actor,
    day: date | None,
    place: Place | None = None,
    mode: str | None = None,
    modality: str = "asserted",
) -> Event:
    """An event told by ``sentence`` at offset ``at`` of ``article``, on ``day``."""
    return Event(
        id=event_id,
        article_id=article.id,
        type=type,
        mode=mode,
        context=[],
        modality=modality,  # type: ignore[arg-type]
        source=source,
        target=None,
        place=place,
        date=None if day is None else When(day, day, 1, None),
        fatalities=None,
        injured=None,
        quantities=[],
        attribution=None,
        acled=None,
        cameo=None,
        evidence=Evidence(sentence, at, at + len(sentence)),
        confidence=0.5,
        article_ref=article.ref,
    )
