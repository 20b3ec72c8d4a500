"""The knowledge dotterel extracts with, loaded from readable data files.

Every fact the stages use (countries, organisations, people, armed groups, sector
words, trigger lexicon, modality cues, units, modes, ACLED rules) lives in
``knowledge/data/``; this module reads and validates it into typed records.
Load it once per pipeline (or per worker) and pass it down; nothing here is global.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dotterel.errors import KnowledgeError
from dotterel.knowledge.inflect import noun_forms, verb_forms
from dotterel.records import EVENT_TYPES

__all__ = [
    "AcledRule",
    "ActorEntry",
    "Area",
    "Country",
    "Cues",
    "Knowledge",
    "PairRule",
    "Region",
    "Role",
    "TriggerEntry",
    "data_path",
    "load_knowledge",
]


def data_path(name: str) -> Path:
    """Path of a file in the package's ``knowledge/data`` folder."""
    return Path(str(resources.files("dotterel.knowledge") / "data" / name))


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    iso2: str
    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    capital: str
    metonyms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Region:
    """A first-level administrative region (or a named territory) with a centroid."""

    iso3: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    lat: float | None
    lon: float | None
    population: int


@dataclass(frozen=True, slots=True)
class Area:
    """A sea, strait, river, continent or world region, placed at an approximate point."""

    name: str
    aliases: tuple[str, ...]
    lat: float
    lon: float
    kind: str


@dataclass(frozen=True, slots=True)
class Role:
    role: str
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """One name the actor stage can match, and what it codes to."""

    text: str
    canonical: str | None
    country: str | None
    sector: str | None
    wikidata: str | None
    kind: str  # country | demonym | metonym | organisation | person | group
    roles: tuple[Role, ...] = ()


@dataclass(frozen=True, slots=True)
class TriggerEntry:
    """One matchable trigger form and the event it signals."""

    form: str  # lower-case token sequence as written
    type: str
    cameo: str
    mode: str | None
    kind: str  # verb | noun | phrase | pair
    lemma: str
    interception: bool = False
    symmetric: bool = False
    mutual: bool = False


@dataclass(frozen=True, slots=True)
class PairRule:
    """A verb followed within ``gap`` words by an object noun (``stopped military assistance``)."""

    verbs: frozenset[str]
    objects: frozenset[str]
    gap: int
    type: str
    cameo: str
    mode: str | None
    mutual: bool = False
    interception: bool = False


@dataclass(frozen=True, slots=True)
class AcledRule:
    """One line of acled.yaml: the ACLED type of events that fit every condition given.

    ``words`` holds groups of phrases: each group must have a phrase in the sentence;
    ``after`` phrases must be found from the trigger on.
    Sectors name actor sectors, plus ``none`` (no such actor) and ``unknown`` (an actor
    without a sector).
    """

    types: frozenset[str]
    event_type: str
    sub_event_type: str
    modes: frozenset[str] = frozenset()
    flag: str | None = None
    lemmas: frozenset[str] = frozenset()
    words: tuple[tuple[str, ...], ...] = ()
    unless: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    source_sectors: frozenset[str] = frozenset()
    target_sectors: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Cues:
    negation: tuple[str, ...]
    future: tuple[str, ...]
    hypothetical: tuple[str, ...]
    speech: tuple[str, ...]
    context_prepositions: tuple[str, ...]
    complement_heads: frozenset[str]
    killed: frozenset[str]
    injured: frozenset[str]
    qualifiers: dict[str, str]
    number_words: dict[str, int]
    multipliers: dict[str, int]
    vague_numbers: dict[str, int]
    sport: tuple[str, ...] = ()
    restatement: tuple[str, ...] = ()
    pair_phrases: tuple[str, ...] = ()
    into_water: tuple[str, ...] = ()
    protest_story: frozenset[str] = frozenset()
    crowds: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the stages know about the world, as typed records."""

    countries: dict[str, Country]
    actors: list[ActorEntry]
    sectors: dict[str, str]
    triggers: list[TriggerEntry]
    pairs: list[PairRule]
    exclusions: tuple[str, ...]
    cues: Cues
    modes: list[tuple[str, tuple[str, ...]]]
    units: dict[str, str]
    acled: list[AcledRule]
    cameo: dict[tuple[str, str], str] = field(default_factory=dict)
    irregular_verbs: dict[str, tuple[str, str]] = field(default_factory=dict)
    regions: list[Region] = field(default_factory=list)
    districts: list[Region] = field(default_factory=list)
    org_heads: dict[str, str] = field(default_factory=dict)
    areas: list[Area] = field(default_factory=list)
    country_points: dict[str, tuple[float, float]] = field(default_factory=dict)


def _read_yaml(name: str) -> Any:
    try:
        with data_path(name).open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise KnowledgeError(f"knowledge file missing: {name}; reinstall dotterel") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"knowledge file {name} is not valid YAML: {exc}") from exc


def _read_tsv(name: str) -> list[dict[str, str]]:
    try:
        with data_path(name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    except FileNotFoundError as exc:
        raise KnowledgeError(f"knowledge file missing: {name}; reinstall dotterel") from exc


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def _coordinate(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def load_regions() -> list[Region]:
    """First-level regions and named territories (regions.tsv)."""
    regions = []
    for row in _read_tsv("regions.tsv"):
        regions.append(
            Region(
                iso3=row["iso3"].strip(),
                name=row["name"].strip(),
                aliases=_split(row.get("aliases")),
                kind=(row.get("kind") or "region").strip(),
                lat=_coordinate(row.get("lat")),
                lon=_coordinate(row.get("lon")),
                population=int(row.get("population") or 0),
            )
        )
    return regions


def load_districts() -> list[Region]:
    """Second-level divisions named with their kind ("Orange County", "Herat District")."""
    return [
        Region(
            iso3=row["iso3"].strip(),
            name=row["name"].strip(),
            aliases=(),
            kind="district",
            lat=_coordinate(row.get("lat")),
            lon=_coordinate(row.get("lon")),
            population=int(row.get("population") or 0),
        )
        for row in _read_tsv("districts.tsv")
    ]


def load_areas(name: str) -> list[Area]:
    """Areas beyond countries: seas.tsv (waters) or continents.tsv (world regions)."""
    areas = []
    for row in _read_tsv(name):
        lat, lon = _coordinate(row.get("lat")), _coordinate(row.get("lon"))
        if lat is None or lon is None:
            raise KnowledgeError(f"{name}: {row.get('name')!r} has no coordinates")
        areas.append(
            Area(row["name"].strip(), _split(row.get("aliases")), lat, lon, row["kind"].strip())
        )
    return areas


def load_country_points() -> dict[str, tuple[float, float]]:
    """A representative point per country (country_points.tsv), as gold sets place them."""
    points = {}
    for row in _read_tsv("country_points.tsv"):
        lat, lon = _coordinate(row.get("lat")), _coordinate(row.get("lon"))
        if lat is not None and lon is not None:
            points[row["iso3"].strip()] = (lat, lon)
    return points


def load_countries() -> dict[str, Country]:
    countries: dict[str, Country] = {}
    for row in _read_tsv("countries.tsv"):
        iso3 = (row.get("iso3") or "").strip()
        if len(iso3) != 3 or not row.get("name"):
            raise KnowledgeError(f"countries.tsv: bad row {row!r}")
        countries[iso3] = Country(
            iso3=iso3,
            iso2=row["iso2"].strip(),
            name=row["name"].strip(),
            aliases=_split(row.get("aliases")),
            demonyms=_split(row.get("demonyms")),
            capital=(row.get("capital") or "").strip(),
            metonyms=_split(row.get("metonyms")),
        )
    return countries


def _country_entries(countries: dict[str, Country]) -> list[ActorEntry]:
    entries: list[ActorEntry] = []
    for c in countries.values():
        for text in (c.name, *c.aliases):
            entries.append(ActorEntry(text, c.name, c.iso3, None, None, "country"))
        for text in c.demonyms:
            entries.append(ActorEntry(text, c.name, c.iso3, None, None, "demonym"))
        for text in {c.capital, *c.metonyms} - {""}:
            entries.append(ActorEntry(text, c.name, c.iso3, "GOV", None, "metonym"))
    return entries


def _org_entries() -> list[ActorEntry]:
    entries: list[ActorEntry] = []
    for org in _read_yaml("organisations.yaml") or []:
        code, name = org["code"], org["name"]
        sector, qid = org.get("sector", "IGO"), org.get("wikidata")
        for text in {name, *(org.get("aliases") or [])}:
            entries.append(ActorEntry(text, name, code, sector, qid, "organisation"))
        for text in org.get("adjectives") or []:
            entries.append(ActorEntry(text, name, code, sector, qid, "demonym"))
    return entries


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _people_entries() -> list[ActorEntry]:
    entries: list[ActorEntry] = []
    for person in _read_yaml("people.yaml") or []:
        roles = tuple(
            Role(r["role"], _date(r.get("start")), _date(r.get("end")))
            for r in person.get("roles") or []
        )
        for text in {person["name"], *(person.get("variants") or [])}:
            entries.append(
                ActorEntry(
                    text,
                    person["name"],
                    person.get("country"),
                    person.get("sector", "GOV"),
                    person.get("wikidata"),
                    "person",
                    roles,
                )
            )
    return entries


def _group_entries() -> list[ActorEntry]:
    entries: list[ActorEntry] = []
    for group in _read_yaml("groups.yaml") or []:
        names = {group["name"], *(group.get("aliases") or [])}
        names.update(group.get("case_sensitive_aliases") or [])
        kind = "franchise" if group.get("franchise") else "group"
        for text in names:
            entries.append(
                ActorEntry(
                    text,
                    group["name"],
                    group.get("country"),
                    group.get("sector", "REB"),
                    group.get("wikidata"),
                    kind,
                )
            )
    return entries


def _force_entries() -> list[ActorEntry]:
    """Named state forces (forces.yaml): "the People's Liberation Army" is China's."""
    entries: list[ActorEntry] = []
    for force in _read_yaml("forces.yaml") or []:
        names = {force["name"], *(force.get("aliases") or [])}
        names.update(force.get("case_sensitive_aliases") or [])
        for text in names:
            entries.append(
                ActorEntry(
                    text,
                    force["name"],
                    force["country"],
                    force.get("sector", "MIL"),
                    force.get("wikidata"),
                    "organisation",
                )
            )
    return entries


def load_sectors() -> dict[str, str]:
    sectors: dict[str, str] = {}
    for sector, words in (_read_yaml("sectors.yaml") or {}).items():
        for word in words:
            sectors.setdefault(str(word).lower(), sector)
    return sectors


def load_org_heads() -> dict[str, str]:
    """Head words of organisation names -> sector (org_heads.yaml)."""
    heads: dict[str, str] = {}
    for sector, words in (_read_yaml("org_heads.yaml") or {}).items():
        for word in words:
            heads.setdefault(str(word), str(sector))
    return heads


def load_irregular_verbs() -> dict[str, tuple[str, str]]:
    return {r["base"]: (r["past"], r["participle"]) for r in _read_tsv("irregular_verbs.tsv")}


def _trigger_entries(
    raw: dict[str, Any], irregular: dict[str, tuple[str, str]]
) -> tuple[list[TriggerEntry], list[PairRule]]:
    triggers: list[TriggerEntry] = []
    pairs: list[PairRule] = []
    for item in raw.get("triggers") or []:
        kind_type = item["type"]
        if kind_type not in EVENT_TYPES:
            raise KnowledgeError(f"triggers.yaml: unknown PLOVER type {kind_type!r}")
        common = {
            "type": kind_type,
            "cameo": str(item["cameo"]),
            "mode": item.get("mode"),
            "interception": bool(item.get("interception")),
            "symmetric": bool(item.get("symmetric")),
            "mutual": bool(item.get("mutual")),
        }
        for lemma in item.get("verbs") or []:
            for form in verb_forms(lemma, irregular):
                triggers.append(TriggerEntry(form=form, kind="verb", lemma=lemma, **common))
        for lemma in item.get("nouns") or []:
            for form in noun_forms(lemma):
                triggers.append(TriggerEntry(form=form, kind="noun", lemma=lemma, **common))
        for phrase in item.get("phrases") or []:
            triggers.append(TriggerEntry(form=phrase, kind="phrase", lemma=phrase, **common))
        for pair in item.get("pairs") or []:
            verbs = {f for v in pair["verbs"] for f in verb_forms(v, irregular)}
            objects = {f for o in pair["objects"] for f in noun_forms(o)}
            pairs.append(
                PairRule(
                    verbs=frozenset(verbs),
                    objects=frozenset(objects),
                    gap=int(pair.get("gap", 4)),
                    type=kind_type,
                    cameo=str(item["cameo"]),
                    mode=item.get("mode"),
                    mutual=bool(item.get("mutual")),
                    interception=bool(item.get("interception")),
                )
            )
    return triggers, pairs


def load_cues() -> Cues:
    raw = _read_yaml("cues.yaml") or {}

    def words(key: str) -> tuple[str, ...]:
        return tuple(str(w).lower() for w in raw.get(key) or [])

    return Cues(
        negation=words("negation"),
        future=words("future"),
        hypothetical=words("hypothetical"),
        speech=words("speech"),
        context_prepositions=words("context_prepositions"),
        complement_heads=frozenset(raw.get("complement_heads") or []),
        killed=frozenset(words("killed")),
        injured=frozenset(words("injured")),
        qualifiers={str(k): str(v) for k, v in (raw.get("qualifiers") or {}).items()},
        number_words={str(k): int(v) for k, v in (raw.get("number_words") or {}).items()},
        multipliers={str(k): int(v) for k, v in (raw.get("multipliers") or {}).items()},
        vague_numbers={str(k): int(v) for k, v in (raw.get("vague_numbers") or {}).items()},
        sport=words("sport"),
        restatement=words("restatement"),
        pair_phrases=words("pair_phrases"),
        into_water=words("into_water"),
        protest_story=frozenset(words("protest_story")),
        crowds=frozenset(words("crowds")),
    )


def load_modes() -> list[tuple[str, tuple[str, ...]]]:
    raw = _read_yaml("modes.yaml") or {}
    return [(str(mode), tuple(str(w).lower() for w in words)) for mode, words in raw.items()]


def load_units() -> dict[str, str]:
    units: dict[str, str] = {}
    for unit, words in (_read_yaml("units.yaml") or {}).items():
        for word in words:
            units.setdefault(str(word).lower(), str(unit))
    return units


def _phrases(values: Any) -> tuple[str, ...]:
    return tuple(str(v).lower() for v in values or [])


def _word_groups(values: Any) -> tuple[tuple[str, ...], ...]:
    """``words`` as written: one list of phrases, or a list of such lists."""
    if not values:
        return ()
    if all(isinstance(v, list) for v in values):
        return tuple(_phrases(group) for group in values)
    return (_phrases(values),)


def load_acled() -> list[AcledRule]:
    rules = []
    for item in _read_yaml("acled.yaml") or []:
        types = item["type"]
        rules.append(
            AcledRule(
                types=frozenset([types] if isinstance(types, str) else types),
                event_type=item["event_type"],
                sub_event_type=item["sub_event_type"],
                modes=frozenset(item.get("mode") or []),
                flag=item.get("flag"),
                lemmas=frozenset(_phrases(item.get("lemma"))),
                words=_word_groups(item.get("words")),
                unless=_phrases(item.get("unless")),
                after=_phrases(item.get("after")),
                source_sectors=frozenset(item.get("source") or []),
                target_sectors=frozenset(item.get("target") or []),
            )
        )
    return rules


def load_cameo() -> dict[tuple[str, str], str]:
    """(PLOVER type, mode) -> CAMEO code, from cameo.yaml."""
    codes: dict[tuple[str, str], str] = {}
    for kind, modes in (_read_yaml("cameo.yaml") or {}).items():
        for mode, code in (modes or {}).items():
            codes[(str(kind), str(mode))] = str(code)
    return codes


def load_knowledge() -> Knowledge:
    """Read and validate every knowledge file in the package."""
    countries = load_countries()
    irregular = load_irregular_verbs()
    raw_triggers = _read_yaml("triggers.yaml") or {}
    triggers, pairs = _trigger_entries(raw_triggers, irregular)
    actors = [
        *_country_entries(countries),
        *_org_entries(),
        *_group_entries(),
        *_force_entries(),
        *_people_entries(),
    ]
    return Knowledge(
        countries=countries,
        actors=actors,
        sectors=load_sectors(),
        triggers=triggers,
        pairs=pairs,
        exclusions=tuple(str(p).lower() for p in raw_triggers.get("exclude") or []),
        cues=load_cues(),
        modes=load_modes(),
        units=load_units(),
        acled=load_acled(),
        cameo=load_cameo(),
        irregular_verbs=irregular,
        regions=load_regions(),
        districts=load_districts(),
        org_heads=load_org_heads(),
        areas=[*load_areas("seas.tsv"), *load_areas("continents.tsv")],
        country_points=load_country_points(),
    )
