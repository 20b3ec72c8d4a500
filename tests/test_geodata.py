"""Geographic knowledge: regions.tsv, country_points.tsv and seas.tsv are well formed and hold
the places conflict news names most."""

from __future__ import annotations

import csv
import math

import pytest

from dotterel.knowledge import data_path

REGION_KINDS = {
    "oblast",
    "province",
    "state",
    "region",
    "governorate",
    "county",
    "district",
    "krai",
    "republic",
    "territory",
    "other",
}
WATER_KINDS = {"sea", "gulf", "strait", "lake", "river", "ocean", "reef"}


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with data_path(name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def iso3s() -> set[str]:
    _, rows = _read("countries.tsv")
    return {row["iso3"] for row in rows}


@pytest.fixture(scope="module")
def regions() -> list[dict[str, str]]:
    header, rows = _read("regions.tsv")
    assert header == ["iso3", "name", "aliases", "kind", "lat", "lon", "population"]
    return rows


@pytest.fixture(scope="module")
def points() -> list[dict[str, str]]:
    header, rows = _read("country_points.tsv")
    assert header == ["iso3", "lat", "lon"]
    return rows


@pytest.fixture(scope="module")
def seas() -> list[dict[str, str]]:
    header, rows = _read("seas.tsv")
    assert header == ["name", "aliases", "lat", "lon", "kind"]
    return rows


def _in_range(lat: str, lon: str) -> bool:
    return -90 <= float(lat) <= 90 and -180 <= float(lon) <= 180


def _region(regions: list[dict[str, str]], iso3: str, name: str) -> dict[str, str]:
    found = [r for r in regions if r["iso3"] == iso3 and r["name"] == name]
    assert len(found) == 1, f"{name} ({iso3}): {len(found)} rows"
    return found[0]


def test_regions_are_well_formed(regions: list[dict[str, str]], iso3s: set[str]) -> None:
    assert len(regions) >= 2500
    seen = set()
    for row in regions:
        assert None not in row and None not in row.values(), row
        assert row["iso3"] in iso3s, row
        assert row["name"].strip() == row["name"] and row["name"], row
        assert row["kind"] in REGION_KINDS, row
        assert _in_range(row["lat"], row["lon"]), row
        assert int(row["population"]) >= 0, row
        aliases = row["aliases"].split("|") if row["aliases"] else []
        assert all(a.strip() == a and a for a in aliases), row
        assert row["name"] not in aliases, row
        key = (row["iso3"], row["name"])
        assert key not in seen, f"duplicate region {key}"
        seen.add(key)


@pytest.mark.parametrize(
    ("iso3", "name", "lat", "lon"),
    [
        ("RUS", "Kursk", 51.7, 36.2),
        ("UKR", "Donetsk", 48.0, 37.8),
        ("COD", "North Kivu", -0.8, 29.0),
        ("MOZ", "Cabo Delgado", -12.3, 39.5),
        ("ETH", "Tigray", 14.0, 39.0),
        ("PSE", "Gaza Strip", 31.42, 34.37),
        ("PSE", "West Bank", 31.95, 35.25),
        ("UKR", "Crimea", 45.0, 34.1),
        ("SDN", "Darfur", 13.5, 24.0),
    ],
)
def test_conflict_regions_sit_near_their_centre(
    regions: list[dict[str, str]], iso3: str, name: str, lat: float, lon: float
) -> None:
    row = _region(regions, iso3, name)
    assert abs(float(row["lat"]) - lat) <= 1.5
    assert abs(float(row["lon"]) - lon) <= 1.5


@pytest.mark.parametrize(
    ("iso3", "name", "alias"),
    [
        ("UKR", "Zaporizhzhia", "Zaporozhye"),
        ("UKR", "Odesa", "Odessa"),
        ("UKR", "Kharkiv", "Kharkov"),
        ("UKR", "Donetsk", "Donetsk Oblast"),
        ("RUS", "Kursk", "Kursk Oblast"),
        ("COD", "North Kivu", "Nord-Kivu"),
        ("MOZ", "Cabo Delgado", "Cabo Delgado Province"),
        ("PAK", "Balochistan", "Baluchistan"),
        ("SOM", "Hiiraan", "Hiran"),
        ("SDN", "Gezira", "Al Jazirah"),
        ("PSE", "Gaza Strip", "Gaza"),
    ],
)
def test_news_spellings_are_aliases(
    regions: list[dict[str, str]], iso3: str, name: str, alias: str
) -> None:
    assert alias in _region(regions, iso3, name)["aliases"].split("|")


def test_no_alias_is_a_lone_region_word(regions: list[dict[str, str]]) -> None:
    words = {"region", "province", "oblast", "state", "governorate", "county", "district"}
    for row in regions:
        for alias in row["aliases"].split("|") if row["aliases"] else []:
            assert alias.lower() not in words, row


def test_country_points_cover_every_country(points: list[dict[str, str]], iso3s: set[str]) -> None:
    by_iso3 = {row["iso3"]: row for row in points}
    assert len(by_iso3) == len(points)
    assert set(by_iso3) == iso3s
    for row in points:
        if row["lat"] or row["lon"]:
            assert _in_range(row["lat"], row["lon"]), row
    russia = by_iso3["RUS"]
    assert math.isclose(float(russia["lat"]), 60.0, abs_tol=0.5)
    assert math.isclose(float(russia["lon"]), 100.0, abs_tol=0.5)


def test_seas_are_well_formed(seas: list[dict[str, str]]) -> None:
    names = set()
    for row in seas:
        assert None not in row and None not in row.values(), row
        assert row["kind"] in WATER_KINDS, row
        assert _in_range(row["lat"], row["lon"]), row
        names.add(row["name"])
        names.update(row["aliases"].split("|") if row["aliases"] else [])
    assert {"Black Sea", "Bab el-Mandeb", "Bab al-Mandab", "Red Sea", "Strait of Hormuz"} <= names


def test_districts_load_with_their_region_and_centroid() -> None:
    from dotterel.knowledge import load_districts

    districts = load_districts()
    assert len(districts) >= 3000
    orange = [d for d in districts if d.name == "Orange County" and d.iso3 == "USA"]
    assert len(orange) >= 5  # one per state that has an Orange County
    assert all(-90 <= (d.lat or 0) <= 90 and -180 <= (d.lon or 0) <= 180 for d in districts)
