"""Actors: named and described actors, coded to a country (or organisation) and a sector."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from dotterel.document import ActorMention, Document

MakeDoc = Callable[..., Document]


def mention(doc: Document, words: str) -> ActorMention:
    """The one actor mention covering the first occurrence of ``words`` in the text."""
    match = re.search(rf"\b{re.escape(words)}\b", doc.article.text)
    assert match is not None
    found = [m for m in doc.actors if m.start_char <= match.start() and match.end() <= m.end_char]
    assert len(found) == 1, [m.text for m in doc.actors]
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "text", "country", "sector"),
    [
        ("Russian officials said the convoy was turned back.", "Russian officials", "RUS", "GOV"),
        ("Kyiv's troops held their positions near Pokrovsk.", "Kyiv's troops", "UKR", "MIL"),
        ("The Israeli military said its jets hit the site.", "Israeli military", "ISR", "MIL"),
        (
            "Russia's Defence Ministry said 30 drones were downed.",
            "Russia's Defence Ministry",
            "RUS",
            "GOV",
        ),
        ("The Kremlin dismissed the report as propaganda.", "Kremlin", "RUS", "GOV"),
        ("A Kremlin spokesman dismissed the report.", "Kremlin spokesman", "RUS", "GOV"),
        ("The White House said talks would go ahead.", "White House", "USA", "GOV"),
        ("Downing Street confirmed the call.", "Downing Street", "GBR", "GOV"),
        ("The Elysee said the meeting would continue.", "Elysee", "FRA", "GOV"),
        ("Ankara summoned the Swedish ambassador.", "Ankara", "TUR", "GOV"),
        ("Ankara summoned the Swedish ambassador.", "Swedish ambassador", "SWE", "GOV"),
        ("The Pentagon announced a new weapons package.", "Pentagon", "USA", "GOV"),
        ("NATO allies agreed to boost spending.", "NATO", "NATO", "IGO"),
        ("The UN Security Council met on Monday.", "UN Security Council", "UN", "IGO"),
        ("The IAEA chief visited the plant.", "IAEA", "IAEA", "IGO"),
        ("The Houthis fired a missile at Israel.", "Houthis", "YEM", "REB"),
        ("Militants from al-Shabaab stormed a hotel.", "al-Shabaab", "SOM", "REB"),
        ("Pakistani Taliban fighters attacked a checkpoint.", "Pakistani Taliban", "PAK", "REB"),
        ("The Rapid Support Forces shelled the city.", "Rapid Support Forces", "SDN", "REB"),
        ("Tigrayan forces clashed with the Ethiopian army.", "Tigrayan forces", "ETH", "REB"),
        ("Tigrayan forces clashed with the Ethiopian army.", "Ethiopian army", "ETH", "MIL"),
        ("Sudan's army retook the presidential palace.", "Sudan's army", "SDN", "MIL"),
        ("Starmer said Britain would help.", "Starmer", "GBR", "GOV"),
        ("Zelenskiy thanked the allies.", "Zelenskiy", "UKR", "GOV"),
        ("Zelensky thanked the allies.", "Zelensky", "UKR", "GOV"),
        ("Zelenskyy thanked the allies.", "Zelenskyy", "UKR", "GOV"),
        (
            "President Volodymyr Zelenskiy thanked the allies.",
            "President Volodymyr Zelenskiy",
            "UKR",
            "GOV",
        ),
    ],
)
def test_named_and_described_actors(
    make_doc: MakeDoc, sentence: str, text: str, country: str, sector: str
) -> None:
    found = mention(make_doc(sentence), text)
    assert (found.country, found.sector) == (country, sector)


@pytest.mark.parametrize(
    ("sentence", "name", "country"),
    [
        ("US President Joe Biden spoke with the emir of Qatar.", "Joe Biden", "USA"),
        ("British Prime Minister Keir Starmer spoke with Zelenskiy.", "Keir Starmer", "GBR"),
        ("Iranian Foreign Minister Abbas Araqchi arrived in Oman.", "Abbas Araqchi", "IRN"),
        ("French President Emmanuel Macron called Putin.", "Emmanuel Macron", "FRA"),
        ("Ecuador's President Daniel Noboa declared a state of emergency.", "Daniel Noboa", "ECU"),
    ],
)
def test_a_titled_person_takes_the_country_of_the_title(
    make_doc: MakeDoc, sentence: str, name: str, country: str
) -> None:
    doc = make_doc(sentence)
    holding = [m for m in doc.actors if name in m.text]
    assert holding
    assert {(m.country, m.sector) for m in holding} == {(country, "GOV")}


@pytest.mark.parametrize(
    ("text", "pronoun", "country", "canonical"),
    [
        (
            "Zelenskiy flew to Washington. He met Trump at the White House.",
            "He",
            "UKR",
            "Volodymyr Zelensky",
        ),
        ("Netanyahu said he would not back down.", "he", "ISR", "Benjamin Netanyahu"),
        ("The Israeli military said it struck a depot.", "it", "ISR", None),
        ("Ukraine's SBU security service said it hit an oil refinery.", "it", "UKR", None),
    ],
)
def test_pronouns_take_their_antecedent(
    make_doc: MakeDoc, text: str, pronoun: str, country: str, canonical: str | None
) -> None:
    found = mention(make_doc(text), pronoun)
    assert found.kind == "pronoun"
    assert found.country == country
    if canonical is not None:
        assert found.canonical == canonical


def test_a_pronoun_with_no_antecedent_is_not_an_actor(make_doc: MakeDoc) -> None:
    doc = make_doc("He said the convoy was turned back.")
    assert [m.text for m in doc.actors if m.kind == "pronoun"] == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Rebels advanced on Russian soil overnight.",
        "The drones flew through Ukrainian airspace.",
    ],
)
def test_a_demonym_describing_a_place_is_not_an_actor(make_doc: MakeDoc, sentence: str) -> None:
    assert [m.kind for m in make_doc(sentence).actors if m.kind == "demonym"] == []


def test_sector_words_alone_are_generic_actors(make_doc: MakeDoc) -> None:
    doc = make_doc("Police detained several protesters outside parliament.")
    generic = {(m.text, m.sector) for m in doc.actors if m.kind == "generic"}
    assert {("Police", "POL"), ("protesters", "OPP")} <= generic
    assert all(m.country is None for m in doc.actors if m.kind == "generic")


def test_focus_country_is_the_most_mentioned(make_doc: MakeDoc) -> None:
    doc = make_doc(
        "Sudan's army shelled the market. Sudanese officials blamed the RSF. Egypt called for calm."
    )
    assert doc.focus_country == "SDN"


def test_an_unknown_body_is_kept_as_written_without_a_code(make_doc: MakeDoc) -> None:
    doc = make_doc("The Emergency Medicine Centre said 55 people were killed.")
    [body] = [m for m in doc.actors if m.kind == "unknown"]
    assert (body.text, body.country, body.sector) == ("Emergency Medicine Centre", None, "GOV")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("The Houthis said their fighters had downed a US drone.", "fighters"),
        ("The Kurdish-led SDF said dozens of its fighters were wounded.", "fighters"),
        ("Hamas said two of its commanders were killed in the strike.", "commanders"),
    ],
)
def test_a_speakers_own_forces_are_the_speaker_by_name(
    make_doc: MakeDoc, text: str, word: str
) -> None:
    doc = make_doc(text)
    speaker = doc.actors[0]
    [owned] = [m for m in doc.actors if m.text == word]
    assert (owned.country, owned.canonical) == (speaker.country, speaker.canonical)
    assert owned.canonical is not None
