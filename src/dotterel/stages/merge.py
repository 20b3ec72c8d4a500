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


# Acts in the world, which a party may deny a detail of while the article reports them.
_ACTS = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "RETREAT", "PROTEST"})


@dataclass(slots=True, unsafe_hash=True)
class Candidate:
    """An event as first coded, with what merging needs to know about its wording."""

    event: Event
    sentence: int
    anaphoric: bool  # a definite noun ("the strike") that points back to an earlier event
    interception: bool = False  # "air defences intercepted them": part of an attack told


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
    if a.precision <= 2 and b.precision <= 2 and not _same_place(a, b):
        return False  # two named towns: two happenings
    if a.precision == b.precision <= 4 and not _same_place(a, b):
        return False  # two regions, or two bases placed by their regions
    return a.country == b.country


def _same_place(a: Place, b: Place) -> bool:
    """One place, however spelled ("Odesa", "Odessa")."""
    if a.geonames_id is not None and b.geonames_id is not None:
        return a.geonames_id == b.geonames_id
    return a.name == b.name


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
    if event.type not in _ACTS:  # a statement: another sentence, another speaker's
        a, b = earlier.event.source, event.source
        return a is not None and b is not None and a.country == b.country
    if _weak(event.source) or _weak(event.target):
        return not _new_scene(earlier.event, event)
    return _same_scene(earlier.event, event)


def _intercepts(earlier: Candidate, later: Candidate) -> bool:
    """ "Iran fired missiles at the base, but Qatari air defences intercepted them": the
    interception is part of the attack just told (same launcher), whoever it targets."""
    a, b = earlier.event, later.event
    return (
        later.interception
        and not earlier.interception
        and later.sentence - earlier.sentence <= 1
        and a.type == b.type == "ASSAULT"
        and a.modality == b.modality
        and a.source is not None
        and b.source is not None
        and a.source.country == b.source.country
    )


def _new_scene(a: Event, b: Event) -> bool:
    """A partial mention with its own day or town is another happening."""
    own_day = a.date is not None and b.date is not None and b.date.span is not None
    if own_day and (b.date.start > a.date.end or a.date.start > b.date.end):  # type: ignore[union-attr]
        return True
    return a.place is not None and b.place is not None and not _same_place(a.place, b.place)


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
            if _intercepts(earlier, candidate) or (
                _may_restate(earlier, candidate) and same_happening(earlier.event, candidate.event)
            ):
                merged[i] = replace(earlier, event=_absorb(earlier.event, candidate.event))
                break
        else:
            merged.append(candidate)
    events = [c.event for c in merged]
    return [_alleged(e, events) for e in events if not _denied_detail(e, events)]


def _accusation(event: Event, events: list[Event]) -> Event | None:
    """The latest earlier accusation against the party that denies ``event``."""
    if event.source is None or event.source.country is None:
        return None
    found = None
    for other in events:
        if other is event:
            return found
        if (
            other.type == "ACCUSE"
            and other.target is not None
            and other.target.country == event.source.country
        ):
            found = other  # the latest one before the denial
    return None


def _alleged(event: Event, events: list[Event]) -> Event:
    """A denied act with no target named was alleged against the accuser: the accuser's
    side is its target ("Israel accused Iran of firing ...; Iran denied launching any")."""
    if event.modality != "negated" or event.target is not None or event.type not in _ACTS:
        return event
    accusation = _accusation(event, events)
    if accusation is None or accusation.source is None:
        return event
    return replace(event, target=accusation.source)


def _denied_detail(event: Event, events: list[Event]) -> bool:
    """A denial of a happening the article also reports ("denied hitting the cathedral"
    after the strike is told): one asserted event, no negated duplicate. Only acts in the
    world are disputed so; a failed agreement is not a denied one ("agreed not to use
    force" and "failed to agree on the border" are two events)."""
    if event.modality != "negated" or event.type not in _ACTS:
        return False
    if _accusation(event, events) is not None:
        return False  # "Israel accused Iran of firing ...; Iran denied launching any"
    return any(
        other.modality == "asserted"
        and other.type == event.type
        and _actor_fits(other.source, event.source)
        and _actor_fits(other.target, event.target)
        for other in events
    )
