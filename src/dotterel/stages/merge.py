"""Within-article coreference: one happening restated in several sentences is one event.

Two candidate events are the same happening when they share a type and modality,
their actors do not contradict each other (same country, or one side unknown),
their explicit dates agree and their places lie in the same country. The merged
event keeps the first statement's evidence and fills what later ones add.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dotterel.records import Actor, Estimate, Event, Place, When

__all__ = ["Candidate", "merge_events"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """An event as first coded, with what merging needs to know about its wording."""

    event: Event
    sentence: int
    anaphoric: bool  # a definite noun ("the strike") that points back to an earlier event


def _weak(actor: Actor | None) -> bool:
    """No actor, or one known only by a common noun ("people", "police") whose country
    was inferred from the story, not read from the text."""
    return actor is None or actor.country is None or actor.canonical is None


def _actor_fits(a: Actor | None, b: Actor | None) -> bool:
    if a is None or b is None or _weak(a) or _weak(b):
        return True
    return a.country == b.country


def _date_fits(a: When | None, b: When | None) -> bool:
    if a is None or b is None or a.span is None or b.span is None:
        return True
    return a.start <= b.end and b.start <= a.end


def _place_fits(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None or a.country is None or b.country is None:
        return True
    if a.precision <= 2 and b.precision <= 2 and a.name != b.name:
        return False  # two named towns: two happenings
    return a.country == b.country


def same_happening(a: Event, b: Event) -> bool:
    return (
        a.type == b.type
        and a.modality == b.modality
        and _actor_fits(a.source, b.source)
        and _actor_fits(a.target, b.target)
        and _date_fits(a.date, b.date)
        and _place_fits(a.place, b.place)
        and (a.mode is None or b.mode is None or a.mode == b.mode or a.type == "ASSAULT")
    )


def _better_actor(a: Actor | None, b: Actor | None) -> Actor | None:
    if _weak(a) and not _weak(b):
        return b
    return a or b


def _better_place(a: Place | None, b: Place | None) -> Place | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if b.precision < a.precision else a


def _better_date(a: When | None, b: When | None) -> When | None:
    if a is None or (a.span is None and b is not None and b.span is not None):
        return b
    return a


def _combine(a: Estimate | None, b: Estimate | None) -> Estimate | None:
    if a is None or b is None:
        return a or b
    claims = list(dict.fromkeys([*a.claimed_by, *b.claimed_by]))
    return Estimate(min(a.low, b.low), min(a.best, b.best), max(a.high, b.high), claims)


def _absorb(a: Event, b: Event) -> Event:
    spans = {q.span for q in a.quantities}
    return replace(
        a,
        mode=a.mode or b.mode,
        source=_better_actor(a.source, b.source),
        target=_better_actor(a.target, b.target),
        place=_better_place(a.place, b.place),
        date=_better_date(a.date, b.date),
        fatalities=_combine(a.fatalities, b.fatalities),
        injured=_combine(a.injured, b.injured),
        quantities=[*a.quantities, *(q for q in b.quantities if q.span not in spans)],
        attribution=a.attribution or b.attribution,
        acled=a.acled or b.acled,
        confidence=max(a.confidence, b.confidence),
    )


def _may_restate(earlier: Candidate, later: Candidate) -> bool:
    """A later mention restates an earlier one when it is in the same sentence, points
    back ("the strike"), or is partial (one side unnamed); a new full clause is new."""
    if later.sentence == earlier.sentence or later.anaphoric:
        return True
    event = later.event
    if _weak(event.source) or _weak(event.target):
        return not _new_scene(earlier.event, event)
    return _same_scene(earlier.event, event)


def _new_scene(a: Event, b: Event) -> bool:
    """A partial mention with its own day or town is another happening."""
    own_day = a.date is not None and b.date is not None and b.date.span is not None
    if own_day and (b.date.start > a.date.end or a.date.start > b.date.end):  # type: ignore[union-attr]
        return True
    return a.place is not None and b.place is not None and a.place.name != b.place.name


def _same_scene(a: Event, b: Event) -> bool:
    """Both sides named, same countries, same day, same place: told twice."""
    return (
        a.source is not None
        and b.source is not None
        and a.target is not None
        and b.target is not None
        and a.source.country == b.source.country
        and a.target.country == b.target.country
        and a.date is not None
        and b.date is not None
        and a.date.start == b.date.start
        and a.place is not None
        and b.place is not None
        and a.place.geonames_id == b.place.geonames_id
        and a.place.name == b.place.name
    )


def merge_events(candidates: list[Candidate]) -> list[Event]:
    """Fold each candidate into the latest earlier event of the same happening, if any."""
    merged: list[Candidate] = []
    for candidate in candidates:
        for i in range(len(merged) - 1, -1, -1):
            earlier = merged[i]
            if _may_restate(earlier, candidate) and same_happening(earlier.event, candidate.event):
                merged[i] = replace(earlier, event=_absorb(earlier.event, candidate.event))
                break
        else:
            merged.append(candidate)
    events = [c.event for c in merged]
    return [e for e in events if not _denied_detail(e, events)]


def _denied_detail(event: Event, events: list[Event]) -> bool:
    """A denial of a happening the article also reports ("denied hitting the cathedral"
    after the strike is told): one asserted event, no negated duplicate."""
    if event.modality != "negated":
        return False
    return any(
        other.modality == "asserted"
        and other.type == event.type
        and _actor_fits(other.source, event.source)
        and _actor_fits(other.target, event.target)
        for other in events
    )
