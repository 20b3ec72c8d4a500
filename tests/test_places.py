"""Places: gazetteer names that read as places, resolved by the countries of the story."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dotterel.document import Document, PlaceMention
from dotterel.knowledge import load_country_points
from dotterel.pipeline import Pipeline

MakeDoc = Callable[..., Document]


def place(doc: Document, name: str) -> PlaceMention:
    found = [p for p in doc.places if p.text == name]
    assert len(found) == 1, [p.text for p in doc.places]
    return found[0]


@pytest.mark.parametrize(
    ("text", "name", "country", "lat", "lon"),
    [
        ("Saudi Arabia hosted the talks in Jeddah on Tuesday.", "Jeddah", "SAU", 21.5, 39.2),
        (
            "Russian drones hit a port in Odesa overnight, Ukrainian officials said.",
            "Odesa",
            "UKR",
            46.5,
            30.7,
        ),
        (
            "Rival militias clashed in Tripoli on Sunday, Libya's interior ministry said.",
            "Tripoli",
            "LBY",
            32.9,
            13.2,
        ),
        (
            "Lebanon's army deployed troops in Tripoli after clashes in the northern city. "
            "Lebanese officials said calm had returned.",
            "Tripoli",
            "LBN",
            34.4,
            35.8,
        ),
        ("Drones were shot down over Moscow.", "Moscow", "RUS", 55.8, 37.6),
        ("The attack took place in Kursk, Russia.", "Kursk", "RUS", 51.7, 36.2),
        ("A blast hit a mosque in Peshawar, Pakistan.", "Peshawar", "PAK", 34.0, 71.6),
        ("Clashes broke out in Goma, Congo.", "Goma", "COD", -1.7, 29.2),
        ("Heavy fighting continued near Bakhmut.", "Bakhmut", "UKR", 48.6, 38.0),
        (
            "The strike on Kharkiv, Ukraine's second-largest city, killed five.",
            "Kharkiv",
            "UKR",
            50.0,
            36.3,
        ),
        ("A Russian missile hit Sumy on Sunday.", "Sumy", "UKR", 50.9, 34.8),
        ("Officials met in Paris on Monday.", "Paris", "FRA", 48.9, 2.35),
    ],
)
def test_populated_places(
    make_doc: MakeDoc, text: str, name: str, country: str, lat: float, lon: float
) -> None:
    mention = place(make_doc(text), name)
    found = mention.place
    assert found.country == country
    # UCDP where_prec: the town itself 1, somewhere "near" or "outside" it 2.
    assert found.precision == (2 if mention.prep in {"near", "outside"} else 1)
    assert found.geonames_id is not None
    assert found.lat == pytest.approx(lat, abs=0.3)
    assert found.lon == pytest.approx(lon, abs=0.3)


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("Protesters gathered in Georgia on Sunday.", "Georgia", "GEO"),
        ("Fighting was reported in Sudan.", "Sudan", "SDN"),
        ("Troops were sent to Mali.", "Mali", "MLI"),
        ("Israeli warplanes struck targets in Syria overnight.", "Syria", "SYR"),
    ],
)
def test_a_country_after_a_preposition_is_a_country_level_place(
    make_doc: MakeDoc, text: str, name: str, country: str
) -> None:
    found = place(make_doc(text), name)
    assert found.prep is not None
    assert (found.place.country, found.place.precision) == (country, 6)
    point = load_country_points()[country]  # the country's representative point
    assert (found.place.lat, found.place.lon) == point
    assert found.place.geonames_id is None


def test_a_country_named_as_an_actor_is_not_a_place(make_doc: MakeDoc) -> None:
    doc = make_doc("Ukraine accused Russia of stalling.")
    assert doc.places == []


def test_place_offsets_point_into_the_text(make_doc: MakeDoc) -> None:
    text = "Ukrainian drones hit an oil depot in Bryansk, Russia, overnight."
    found = place(make_doc(text), "Bryansk")
    assert text[found.start_char : found.end_char] == "Bryansk"
    assert found.place.span == (found.start_char, found.end_char)
    assert found.place.country == "RUS"


def test_the_story_decides_an_ambiguous_name(make_doc: MakeDoc) -> None:
    story = (
        "Russian drones struck Kyiv overnight. Ukraine's air force said 40 drones were "
        "downed. Another drone hit a warehouse in Odessa."
    )
    assert place(make_doc(story), "Odessa").place.country == "UKR"


@pytest.mark.parametrize(
    ("text", "name", "country", "lat", "lon"),
    [
        ("Shelling hit villages in the Kursk region overnight.", "Kursk region", "RUS", 51.7, 36.2),
        ("Fighting spread across Tigray on Monday.", "Tigray", "ETH", 14.0, 39.0),
        ("Rebels advanced in North Kivu province.", "North Kivu province", "COD", -0.8, 29.0),
    ],
)
def test_a_first_level_region_is_placed_at_its_centroid(
    make_doc: MakeDoc, text: str, name: str, country: str, lat: float, lon: float
) -> None:
    found = place(make_doc(text), name)
    assert (found.place.country, found.place.precision) == (country, 4)
    assert found.place.lat == pytest.approx(lat, abs=1.5)
    assert found.place.lon == pytest.approx(lon, abs=1.5)


def test_a_sea_is_a_water_body_without_a_country(make_doc: MakeDoc) -> None:
    found = place(make_doc("A drone boat struck a tanker in the Black Sea."), "Black Sea")
    assert (found.place.country, found.place.precision) == (None, 7)
    assert found.place.lat == pytest.approx(43.0, abs=2.0)


def test_a_regions_town_wins_its_bare_name(make_doc: MakeDoc) -> None:
    found = place(make_doc("Drones hit Kursk overnight."), "Kursk")
    assert (found.place.country, found.place.precision) == ("RUS", 1)


def test_near_a_town_is_precision_two(make_doc: MakeDoc) -> None:
    doc = make_doc("In western Niger, jihadists ambushed a patrol near Tillaberi on Thursday.")
    found = place(doc, "Tillaberi")
    assert (found.place.country, found.place.precision) == ("NER", 2)


def test_a_stated_region_picks_the_town_inside_it(make_doc: MakeDoc) -> None:
    doc = make_doc("Russian forces shelled Pokrovsk in the Donetsk region on Monday.")
    found = place(doc, "Pokrovsk")
    assert found.place.country == "UKR"
    assert found.place.lat == pytest.approx(48.28, abs=0.3)


@pytest.mark.parametrize(
    ("text", "reference", "city", "country"),
    [
        (
            "KHARTOUM, May 4 — Army jets bombed paramilitary positions in the capital on Friday.",
            "the capital",
            "Khartoum",
            "SDN",
        ),
        (
            "Rival militias clashed in the Libyan capital overnight, officials said.",
            "the Libyan capital",
            "Tripoli",
            "LBY",
        ),
    ],
)
def test_a_reference_to_the_capital_is_that_city(
    make_doc: MakeDoc, text: str, reference: str, city: str, country: str
) -> None:
    found = place(make_doc(text), reference)
    assert (found.place.name, found.place.country, found.place.precision) == (city, country, 1)
    assert found.place.lat is not None and found.prep == "in"


def test_capital_in_another_sense_is_no_place(make_doc: MakeDoc) -> None:
    doc = make_doc("Iraq restored capital punishment and raised capital spending on Monday.")
    assert [p.text for p in doc.places] == []


def test_part_of_a_country_keeps_its_words_without_a_point(make_doc: MakeDoc) -> None:
    found = place(
        make_doc("Jets shot down drones over eastern Poland overnight."), "eastern Poland"
    )
    assert (found.place.country, found.place.precision, found.place.lat) == ("POL", 5, None)
    assert found.prep == "over"


def test_a_named_base_is_placed_at_the_region_it_lies_in(make_doc: MakeDoc) -> None:
    doc = make_doc("Drones struck bombers at the Shaykovka air base in the Kaluga region.")
    found = place(doc, "Shaykovka air base")
    region = place(doc, "Kaluga region")
    assert (found.place.country, found.prep) == ("RUS", "at")
    assert (found.place.lat, found.place.lon) == (region.place.lat, region.place.lon)
    assert found.place.precision == region.place.precision


def test_a_base_named_after_a_town_is_at_the_town(make_doc: MakeDoc) -> None:
    doc = make_doc("Drones struck bombers at the Engels air base in the Saratov region.")
    found = place(doc, "Engels air base")
    assert (found.place.country, found.place.precision, found.prep) == ("RUS", 1, "at")
    assert found.place.lat == pytest.approx(51.5, abs=0.2)


def test_a_country_in_a_compound_modifier_is_no_place(make_doc: MakeDoc) -> None:
    doc = make_doc("Rockets were fired at the US-run Ain al-Asad air base in Iraq.")
    assert [p.text for p in doc.places] == ["Ain al-Asad air base", "Iraq"]


@pytest.mark.parametrize(
    ("text", "name", "country", "precision"),
    [
        (
            "Paramilitary fighters shelled the southern district of Mbau on Sunday.",
            "Mbau",
            None,
            1,
        ),
        (
            "KHARTOUM, May 4 — Drones hit a market in Um Dawwanban, a small town east of "
            "the capital, on Friday.",
            "Um Dawwanban",
            "SDN",
            1,
        ),
        (
            "The army said it had killed 30 fighters near Wad Ashana in Gezira state.",
            "Wad Ashana",
            "SDN",
            4,
        ),
    ],
)
def test_a_place_the_gazetteer_lacks_is_kept_where_the_text_marks_it(
    make_doc: MakeDoc, text: str, name: str, country: str | None, precision: int
) -> None:
    found = place(make_doc(text), name)
    assert (found.place.country, found.place.precision) == (country, precision)
    assert found.place.geonames_id is None


def test_an_unlisted_place_in_a_region_takes_the_regions_point(make_doc: MakeDoc) -> None:
    doc = make_doc("The army said it had killed 30 fighters near Wad Ashana in Gezira state.")
    assert (place(doc, "Wad Ashana").place.lat, place(doc, "Wad Ashana").place.lon) == (
        place(doc, "Gezira state").place.lat,
        place(doc, "Gezira state").place.lon,
    )


def test_a_capitalised_word_after_in_is_no_place_without_a_marker(make_doc: MakeDoc) -> None:
    doc = make_doc("Officials met in Parliament on Monday to debate the budget.")
    assert "Parliament" not in [p.text for p in doc.places]


def test_a_town_a_distance_is_given_from_is_a_reference_point(make_doc: MakeDoc) -> None:
    doc = make_doc("Gunmen attacked a village about 40 km north of Diffa on Monday.")
    assert place(doc, "Diffa").place.precision == 2


def test_an_island_named_after_a_comma_decides_the_town(make_doc: MakeDoc) -> None:
    doc = make_doc(
        "The two ministers met in Argyle, on the Caribbean island of St Vincent, on Monday."
    )
    found = place(doc, "Argyle")
    assert (found.place.country, found.place.precision) == ("VCT", 1)


def test_the_first_word_index_knows_where_names_begin(pipeline: Pipeline) -> None:
    places = next(stage for name, stage in pipeline.stages if name == "places")
    gazetteer = places.gazetteer  # type: ignore[attr-defined]
    assert gazetteer.may_start("Kharkiv") and gazetteer.may_start("Deir")
    assert gazetteer.may_start("New")  # "New Delhi", "New York"
    assert not gazetteer.may_start("Zzyzzyqx")
    for name, first in (("Rostov-on-Don", "Rostov"), ("Al Hasakah", "Al"), ("Deir ez-Zor", "Deir")):
        assert name in gazetteer and gazetteer.may_start(first)
