"""Typed records: the contract of dotterel's JSON output and of its store.

Field names here are the names in ``--format json/jsonl`` output and in the API.
Add fields freely; rename none without a migration note.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

__all__ = [
    "CLAIM_FIELDS",
    "EVENT_TYPES",
    "MODALITIES",
    "QUALIFIERS",
    "Actor",
    "Article",
    "Attribution",
    "Claim",
    "Estimate",
    "Event",
    "Evidence",
    "Incident",
    "Place",
    "Quantity",
    "Span",
    "When",
    "article_id_for",
    "event_from_dict",
    "normalise_text",
    "to_dict",
]

EVENT_TYPES: tuple[str, ...] = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)

Modality = Literal["asserted", "negated", "future", "hypothetical"]
MODALITIES: tuple[str, ...] = ("asserted", "negated", "future", "hypothetical")

Qualifier = Literal["exact", "at_least", "at_most", "about", "range", "vague"]
QUALIFIERS: tuple[str, ...] = ("exact", "at_least", "at_most", "about", "range", "vague")

_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Unicode NFC, straight quotes, collapsed whitespace: what the article id hashes."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return _SPACE.sub(" ", text).strip()


def article_id_for(text: str) -> str:
    """The article id: a short SHA-256 of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of article text, by character offsets (end exclusive)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """One news article: text plus the metadata that anchors it."""

    text: str
    id: str = ""
    ref: str | None = None
    url: str | None = None
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    language: str = "en"

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", article_id_for(self.text))


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts or is acted on, as written and as coded."""

    name: str
    canonical: str | None
    country: str | None
    sector: str | None
    wikidata: str | None
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Place:
    """Where something happened; precision follows UCDP where_prec (1 exact … 6 country, 7 sea)."""

    name: str
    geonames_id: int | None
    lat: float | None
    lon: float | None
    country: str | None
    admin1: str | None
    precision: int
    span: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class When:
    """An ISO date range; precision is UCDP date_prec (1 day, 2 span, 3 week, 4 month, 5 year)."""

    start: date
    end: date
    precision: int
    span: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Estimate:
    """UCDP-style low/best/high figure with who claims it."""

    low: int
    best: int
    high: int
    claimed_by: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A counted thing in the text: value, how hedged, what it counts and who says so."""

    value: int
    qualifier: Qualifier
    unit: str | None
    span: tuple[int, int]
    high: int | None = None
    claimed_by: str | None = None
    role: str | None = None  # "killed", "injured" or None


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who the article says reported the event."""

    name: str
    span: tuple[int, int]
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence an event rests on, by offsets into the article text."""

    sentence: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Event:
    """One coded happening in one article."""

    id: str
    article_id: str
    type: str
    mode: str | None
    context: list[str]
    modality: Modality
    source: Actor | None
    target: Actor | None
    place: Place | None
    date: When | None
    fatalities: Estimate | None
    injured: Estimate | None
    quantities: list[Quantity]
    attribution: Attribution | None
    acled: dict[str, str] | None
    cameo: str | None
    evidence: Evidence
    confidence: float
    trigger: Span | None = None
    article_ref: str | None = None


_LEAVES = (str, int, float, bool, type(None))


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    if isinstance(value, _LEAVES):  # most values: return before the slower checks
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_dict(record: Any) -> dict[str, Any]:
    """A record as plain JSON-ready data (dates as ISO strings, spans as lists)."""
    plain = _plain(record)
    if not isinstance(plain, dict):
        raise TypeError(f"expected a record, got {type(record).__name__}")
    return plain


def _span(value: Any) -> tuple[int, int] | None:
    return (int(value[0]), int(value[1])) if value is not None else None


def _actor(d: dict[str, Any] | None) -> Actor | None:
    if d is None:
        return None
    return Actor(
        name=d["name"],
        canonical=d.get("canonical"),
        country=d.get("country"),
        sector=d.get("sector"),
        wikidata=d.get("wikidata"),
        span=_span(d["span"]) or (0, 0),
    )


def _estimate(d: dict[str, Any] | None) -> Estimate | None:
    if d is None:
        return None
    return Estimate(d["low"], d["best"], d["high"], list(d.get("claimed_by") or []))


def event_from_dict(d: dict[str, Any]) -> Event:
    """Rebuild an Event from the plain data ``to_dict`` made (store rows, JSONL files)."""
    place = d.get("place")
    when = d.get("date")
    attribution = d.get("attribution")
    trigger = d.get("trigger")
    return Event(
        id=d["id"],
        article_id=d["article_id"],
        type=d["type"],
        mode=d.get("mode"),
        context=list(d.get("context") or []),
        modality=d["modality"],
        source=_actor(d.get("source")),
        target=_actor(d.get("target")),
        place=None
        if place is None
        else Place(
            name=place["name"],
            geonames_id=place.get("geonames_id"),
            lat=place.get("lat"),
            lon=place.get("lon"),
            country=place.get("country"),
            admin1=place.get("admin1"),
            precision=place["precision"],
            span=_span(place.get("span")),
        ),
        date=None
        if when is None
        else When(
            start=date.fromisoformat(when["start"]),
            end=date.fromisoformat(when["end"]),
            precision=when["precision"],
            span=_span(when.get("span")),
        ),
        fatalities=_estimate(d.get("fatalities")),
        injured=_estimate(d.get("injured")),
        quantities=[
            Quantity(
                value=q["value"],
                qualifier=q["qualifier"],
                unit=q.get("unit"),
                span=_span(q["span"]) or (0, 0),
                high=q.get("high"),
                claimed_by=q.get("claimed_by"),
                role=q.get("role"),
            )
            for q in d.get("quantities") or []
        ],
        attribution=None
        if attribution is None
        else Attribution(
            attribution["name"], _span(attribution["span"]) or (0, 0), attribution.get("country")
        ),
        acled=d.get("acled"),
        cameo=d.get("cameo"),
        evidence=Evidence(**d["evidence"]),
        confidence=float(d["confidence"]),
        trigger=None
        if trigger is None
        else Span(trigger["start"], trigger["end"], trigger["text"]),
        article_ref=d.get("article_ref"),
    )


# --- incidents (cross-article fusion) ---------------------------------------------------

CLAIM_FIELDS: tuple[str, ...] = ("fatalities", "injured")


@dataclass(frozen=True, slots=True)
class Claim:
    """One source's figure for an incident: which field, how many, where and on whose word.

    ``value`` is the figure the article gives (its conservative reading), ``high`` the top of
    a range it gives ("14 to 16") or None; ``article`` is the article id (for syndicated
    copies, the smallest id among the copies saying the same); ``event`` the member event.
    """

    field: str
    value: int
    article: str
    claimant: str | None
    event: str
    high: int | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    """One happening told by one or more articles: member events fused, every claim kept.

    ``id`` depends only on the member events (not on the order they arrived in).
    ``source``, ``target``, ``place`` and ``date`` are the most specific values the members
    give (actor and place spans point into the text of the member they were taken from);
    ``fatalities`` and ``injured`` merge the claims: ``low`` the smallest figure, ``high``
    the largest, ``best`` the most conservative (the smallest, ACLED's rule). ``sources``
    counts distinct articles, syndicated copies once; ``events`` and ``articles`` list the
    members' ids, ``outlets`` their articles' outlets. ``acled``, ``cameo`` and ``evidence``
    come from the member the actors were taken from.
    """

    id: str
    type: str
    mode: str | None
    source: Actor | None
    target: Actor | None
    place: Place | None
    date: When | None
    fatalities: Estimate | None
    injured: Estimate | None
    sources: int
    events: list[str]
    articles: list[str]
    claims: list[Claim]
    outlets: list[str] = field(default_factory=list)
    acled: dict[str, str] | None = None
    cameo: str | None = None
    evidence: Evidence | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the contract of ``dotterel incidents --format json``."""
        return to_dict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Incident:
        """Rebuild an Incident from ``to_dict`` output (store rows, JSONL files)."""
        return cls(
            id=d["id"],
            type=d["type"],
            mode=d.get("mode"),
            source=_actor(d.get("source")),
            target=_actor(d.get("target")),
            place=_place(d.get("place")),
            date=_when(d.get("date")),
            fatalities=_estimate(d.get("fatalities")),
            injured=_estimate(d.get("injured")),
            sources=int(d["sources"]),
            events=list(d["events"]),
            articles=list(d.get("articles") or []),
            claims=[
                Claim(
                    field=c["field"],
                    value=int(c["value"]),
                    article=c["article"],
                    claimant=c.get("claimant"),
                    event=c["event"],
                    high=c.get("high"),
                )
                for c in d.get("claims") or []
            ],
            outlets=list(d.get("outlets") or []),
            acled=d.get("acled"),
            cameo=d.get("cameo"),
            evidence=None if d.get("evidence") is None else Evidence(**d["evidence"]),
        )


def _place(d: dict[str, Any] | None) -> Place | None:
    if d is None:
        return None
    return Place(
        name=d["name"],
        geonames_id=d.get("geonames_id"),
        lat=d.get("lat"),
        lon=d.get("lon"),
        country=d.get("country"),
        admin1=d.get("admin1"),
        precision=d["precision"],
        span=_span(d.get("span")),
    )


def _when(d: dict[str, Any] | None) -> When | None:
    if d is None:
        return None
    return When(
        start=date.fromisoformat(d["start"]),
        end=date.fromisoformat(d["end"]),
        precision=d["precision"],
        span=_span(d.get("span")),
    )
