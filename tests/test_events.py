"""Events: one sentence in, one coded event out, field by field (published Tue 11 March 2025).

Each row names only the fields it pins; every field it names must match exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event

PUBLISHED = date(2025, 3, 11)
DAY, WEEK, MONTH = 1, 3, 4


def summary(event: Event) -> dict[str, Any]:
    """The fields a gold row holds, flat."""
    return {
        "type": event.type,
        "mode": event.mode,
        "source": event.source.country if event.source else None,
        "target": event.target.country if event.target else None,
        "modality": event.modality,
        "place": event.place.name if event.place else None,
        "country": event.place.country if event.place else None,
        "precision": event.place.precision if event.place else None,
        "date": event.date.start.isoformat() if event.date else None,
        "date_precision": event.date.precision if event.date else None,
        "fatalities": event.fatalities.best if event.fatalities else None,
        "fatalities_high": event.fatalities.high if event.fatalities else None,
        "quantities": [(q.value, q.qualifier, q.unit) for q in event.quantities],
    }


@pytest.fixture(scope="module")
def code(pipeline: Pipeline) -> Callable[[str], list[Event]]:
    def run(text: str) -> list[Event]:
        return pipeline.extract(text, published=PUBLISHED)

    return run


def row(sentence: str, id: str, **expected: Any) -> Any:
    return pytest.param(sentence, expected, id=id)


ASSAULTS = [
    row(
        "An airstrike hit a market in Gaza, killing at least three people.",
        "airstrike-toll",
        type="ASSAULT",
        mode="airstrike",
        source=None,
        target="PSE",
        place="Gaza",
        country="PSE",
        date="2025-03-11",
        date_precision=DAY,
        fatalities=3,
        fatalities_high=3,
        modality="asserted",
    ),
    row(
        "Israeli strikes killed 23 people in Gaza on Sunday.",
        "strikes-killed",
        type="ASSAULT",
        source="ISR",
        target="PSE",
        place="Gaza",
        date="2025-03-09",
        fatalities=23,
        modality="asserted",
    ),
    row(
        "Five soldiers were killed by militants in northern Mali on Sunday.",
        "passive-by",
        type="ASSAULT",
        source="MLI",
        target="MLI",
        country="MLI",
        date="2025-03-09",
        fatalities=5,
        modality="asserted",
    ),
    row(
        "Between seven and nine soldiers were killed in the ambush.",
        "range-toll",
        type="ASSAULT",
        fatalities=7,
        fatalities_high=9,
    ),
    row(
        "Police said 20 people were killed in the clashes, while hospital officials put the "
        "toll at 52.",
        "conflicting-tolls",
        type="ASSAULT",
        fatalities=20,
        fatalities_high=52,
    ),
    row(
        "More than 300 people were injured in the blasts.",
        "injured-are-not-dead",
        type="ASSAULT",
        fatalities=None,
        quantities=[(300, "at_least", "person")],
    ),
    row(
        "Russia launched at least 91 drones at Ukraine overnight.",
        "launched-drones",
        type="ASSAULT",
        mode="drone",
        source="RUS",
        target="UKR",
        date="2025-03-11",
        quantities=[(91, "at_least", "drone")],
        modality="asserted",
    ),
    row(
        "Houthi rebels fired a ballistic missile at Israel on Friday.",
        "missile-at-country",
        type="ASSAULT",
        mode="missile",
        source="YEM",
        target="ISR",
        country="ISR",
        precision=6,
        date="2025-03-07",
    ),
    row(
        "Polish jets shot down Russian drones over eastern Poland.",
        "interception",
        type="ASSAULT",
        mode="drone",
        source="RUS",
        target="POL",
        country="POL",
        modality="asserted",
    ),
    row(
        "Ukrainian air defences shot down 40 Russian drones overnight.",
        "interception-count",
        type="ASSAULT",
        source="RUS",
        target="UKR",
        date="2025-03-11",
        quantities=[(40, "exact", "drone")],
    ),
    row(
        "Russian drones attacked Ukraine's energy grid overnight, Kyiv said.",
        "claimed-attack",
        type="ASSAULT",
        mode="drone",
        source="RUS",
        target="UKR",
        date="2025-03-11",
    ),
    row(
        "Russia denied attacking the hospital in Sumy.",
        "denied-attack",
        type="ASSAULT",
        source="RUS",
        place="Sumy",
        country="UKR",
        modality="negated",
    ),
]

VERBAL = [
    row(
        "India and Pakistan held talks in Geneva on Monday.",
        "talks",
        type="CONSULT",
        source="IND",
        target="PAK",
        place="Geneva",
        country="CHE",
        date="2025-03-10",
        modality="asserted",
    ),
    row(
        "Russia and China held talks in Beijing on Friday.",
        "talks-host-named-first",
        type="CONSULT",
        source="RUS",
        target="CHN",
        place="Beijing",
        date="2025-03-07",
    ),
    row(
        "The Iranian foreign minister will meet his Saudi counterpart next week.",
        "future-meeting",
        type="CONSULT",
        source="IRN",
        target="SAU",
        modality="future",
        date="2025-03-17",
        date_precision=WEEK,
    ),
    row(
        "South Korea and Japan will hold talks next month.",
        "future-talks",
        type="CONSULT",
        source="KOR",
        target="JPN",
        modality="future",
        date="2025-04-01",
        date_precision=MONTH,
    ),
    row(
        "China accused Japan of provoking tensions in the East China Sea.",
        "accuse",
        type="ACCUSE",
        source="CHN",
        target="JPN",
        modality="asserted",
    ),
    row(
        "Poland accused Belarus of pushing migrants across the border.",
        "accuse-of",
        type="ACCUSE",
        source="POL",
        target="BLR",
        modality="asserted",
    ),
    row(
        "Germany urged Russia to withdraw its troops from Ukraine.",
        "urged",
        type="REQUEST",
        source="DEU",
        target="RUS",
        place=None,
        modality="asserted",
    ),
    row(
        "France asked Algeria to take back its citizens.",
        "asked",
        type="REQUEST",
        source="FRA",
        target="DZA",
        modality="asserted",
    ),
    row(
        "The UN urged Israel and Hamas to agree on a ceasefire.",
        "un-urged",
        type="REQUEST",
        source="UN",
        target="ISR",
        modality="asserted",
    ),
    row(
        "North Korea warned South Korea of a merciless response.",
        "warned",
        type="THREATEN",
        source="PRK",
        target="KOR",
        modality="asserted",
    ),
    row(
        "Iran vowed revenge against Israel.",
        "vowed",
        type="THREATEN",
        source="IRN",
        target="ISR",
        modality="asserted",
    ),
    row(
        "The Kremlin rejected the proposal on Tuesday.",
        "rejected",
        type="REJECT",
        source="RUS",
        date="2025-03-11",
        modality="asserted",
    ),
    row(
        "The White House welcomed the decision.",
        "welcomed",
        type="SUPPORT",
        source="USA",
        modality="asserted",
    ),
    row(
        "Russia and Ukraine agreed to a prisoner exchange on Friday.",
        "agreed",
        type="AGREE",
        source="RUS",
        target="UKR",
        date="2025-03-07",
        modality="asserted",
    ),
    row(
        "Egypt and Qatar signed a trade agreement in Cairo.",
        "signed",
        type="AGREE",
        source="EGY",
        target="QAT",
        place="Cairo",
        country="EGY",
    ),
    row(
        "Hamas said it would release the hostages if Israel halted its offensive.",
        "hypothetical-release",
        type="CONCEDE",
        source="PSE",
        target="ISR",
        modality="hypothetical",
        date=None,
    ),
    row(
        "Hungary said it could veto the sanctions package if Ukraine did not guarantee gas "
        "transit.",
        "hypothetical-veto",
        type="REJECT",
        source="HUN",
        target="UKR",
        modality="hypothetical",
        date=None,
    ),
]

MATERIAL = [
    row(
        "The Netherlands suspended aid to Rwanda on Tuesday.",
        "suspended-aid",
        type="SANCTION",
        mode="aid",
        source="NLD",
        target="RWA",
        date="2025-03-11",
        modality="asserted",
    ),
    row(
        "The US imposed sanctions on Iranian oil exports.",
        "sanctions",
        type="SANCTION",
        mode="sanctions",
        source="USA",
        target="IRN",
    ),
    row(
        "The United States resumed intelligence sharing with Ukraine on Wednesday.",
        "resumed-sharing",
        type="COOPERATE",
        source="USA",
        target="UKR",
        date="2025-03-05",
    ),
    row(
        "Georgian police arrested 40 protesters in Tbilisi on Saturday.",
        "arrest",
        type="COERCE",
        mode="arrest",
        source="GEO",
        target="GEO",
        place="Tbilisi",
        country="GEO",
        date="2025-03-08",
        modality="asserted",
    ),
    row(
        "Serbian authorities detained two opposition activists in Belgrade.",
        "detained",
        type="COERCE",
        mode="arrest",
        source="SRB",
        target="SRB",
        place="Belgrade",
    ),
    row(
        "Nepal's government imposed a curfew in Kathmandu.",
        "curfew",
        type="COERCE",
        mode="curfew",
        source="NPL",
        place="Kathmandu",
        country="NPL",
    ),
    row(
        "Turkish police fired tear gas at protesters in Istanbul on Sunday.",
        "tear-gas",
        type="COERCE",
        mode="tear gas",
        source="TUR",
        target="TUR",
        place="Istanbul",
        date="2025-03-09",
    ),
    row(
        "Russia deployed troops to the Belarusian border last week.",
        "deployed",
        type="MOBILIZE",
        source="RUS",
        date="2025-03-03",
        date_precision=WEEK,
        modality="asserted",
    ),
    row(
        "Kenya deployed police officers to Haiti.",
        "deployed-abroad",
        type="MOBILIZE",
        source="KEN",
        target="HTI",
        country="HTI",
    ),
    row(
        "Russia will hold naval drills next week.",
        "future-drills",
        type="MOBILIZE",
        source="RUS",
        modality="future",
        date="2025-03-17",
        date_precision=WEEK,
    ),
    row(
        "Japan sent humanitarian aid to Myanmar after the earthquake.",
        "aid",
        type="AID",
        source="JPN",
        target="MMR",
        modality="asserted",
    ),
    row(
        "The European Union pledged military aid to Moldova.",
        "pledged-aid",
        type="AID",
        source="EU",
        target="MDA",
    ),
    row(
        "Russian troops withdrew from the village on Friday.",
        "withdrew",
        type="RETREAT",
        source="RUS",
        date="2025-03-07",
    ),
    row(
        "Russia released 175 Ukrainian prisoners of war on Saturday.",
        "released",
        type="CONCEDE",
        mode="release",
        source="RUS",
        target="UKR",
        date="2025-03-08",
    ),
    row(
        "Thousands of people protested in Serbia against the government.",
        "protest",
        type="PROTEST",
        source="SRB",
        target="SRB",
        country="SRB",
        modality="asserted",
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), ASSAULTS + VERBAL + MATERIAL)
def test_one_sentence_one_event(
    code: Callable[[str], list[Event]], sentence: str, expected: dict[str, Any]
) -> None:
    events = code(sentence)
    assert [e.type for e in events] == [expected["type"]]
    got = summary(events[0])
    assert {key: got[key] for key in expected} == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "A truck bomb killed 500 people in Mogadishu in 2017.",
        "There have been more than 100 attacks since mid-October.",
        "Aid workers handed out blankets in the camp.",
        "The minister spoke at a press conference in Kyiv.",
        "Residents celebrated the new year in the capital.",
        "Flights were suspended at Vnukovo airport.",
        "The panel will review the death toll figures.",
        "Oil prices rose on Monday.",
    ],
)
def test_background_and_human_interest_are_not_events(
    code: Callable[[str], list[Event]], sentence: str
) -> None:
    assert code(sentence) == []


def test_every_event_rests_on_its_sentence(code: Callable[[str], list[Event]]) -> None:
    text = (
        "Russian drones struck Kharkiv overnight. Ukraine's foreign minister urged allies to "
        "send more air defence systems. Germany pledged military aid to Ukraine."
    )
    events = code(text)
    assert [e.type for e in events] == ["ASSAULT", "REQUEST", "AID"]
    for event in events:
        assert text[event.evidence.start : event.evidence.end] == event.evidence.sentence
        assert event.trigger is not None
        assert text[event.trigger.start : event.trigger.end] == event.trigger.text
        assert event.evidence.start <= event.trigger.start < event.evidence.end


def test_a_restated_attack_is_one_event(code: Callable[[str], list[Event]]) -> None:
    events = code(
        "Israeli strikes hit Beirut on Monday. The strikes killed six people, "
        "Lebanon's health ministry said."
    )
    assert [summary(e) | {"quantities": None} for e in events] == [
        summary(events[0]) | {"quantities": None}
    ]
    got = summary(events[0])
    assert (got["type"], got["source"], got["target"], got["date"], got["fatalities"]) == (
        "ASSAULT",
        "ISR",
        "LBN",
        "2025-03-10",
        6,
    )
    assert events[0].fatalities is not None
    assert events[0].fatalities.claimed_by == ["Lebanon's health ministry"]


def test_accusation_and_denial_are_two_events(code: Callable[[str], list[Event]]) -> None:
    events = code(
        "Poland accused Belarus of pushing migrants across the border. "
        "Russia denied attacking the hospital in Sumy."
    )
    assert [(e.type, e.modality) for e in events] == [
        ("ACCUSE", "asserted"),
        ("ASSAULT", "negated"),
    ]


@pytest.mark.parametrize(
    ("sentence", "event_type", "event_type_sub"),
    [
        (
            "An airstrike hit a market in Gaza, killing at least three people.",
            "ASSAULT",
            ("Explosions/Remote violence", "Air/drone strike"),
        ),
        (
            "Polish jets shot down Russian drones over eastern Poland.",
            "ASSAULT",
            ("Strategic developments", "Disrupted weapons use"),
        ),
        (  # arrests at a protest are an intervention in it (ACLED codebook)
            "Georgian police arrested 40 protesters in Tbilisi on Saturday.",
            "COERCE",
            ("Protests", "Protest with intervention"),
        ),
        (
            "Georgian police arrested two opposition leaders in Tbilisi on Saturday.",
            "COERCE",
            ("Strategic developments", "Arrests"),
        ),
        (
            "Police shot dead three demonstrators in Nairobi on Tuesday.",
            "ASSAULT",
            ("Protests", "Excessive force against protesters"),
        ),
        (
            "Protesters hurled stones at police and torched cars in Dhaka on Monday.",
            "PROTEST",
            ("Riots", "Violent demonstration"),
        ),
        (
            "A suicide bomber blew himself up at a market in Maiduguri, killing five people.",
            "ASSAULT",
            ("Explosions/Remote violence", "Suicide bomb"),
        ),
        (
            "Militants threw a grenade at a bus stand in Srinagar, wounding 12 people.",
            "ASSAULT",
            ("Explosions/Remote violence", "Grenade"),
        ),
        (
            "Gunmen attacked a village in Zamfara, killing 20 residents.",
            "ASSAULT",
            ("Violence against civilians", "Attack"),
        ),
        (
            "Taliban fighters attacked a checkpoint in Kunduz, killing six soldiers.",
            "ASSAULT",
            ("Battles", "Armed clash"),
        ),
        (
            "Soldiers raped two women in a village in Ituri, a rights group said.",
            "ASSAULT",
            ("Violence against civilians", "Sexual violence"),
        ),
        (
            "Police seized 40 rifles and 2,000 rounds of ammunition in a raid in Mindanao.",
            "COERCE",
            ("Strategic developments", "Disrupted weapons use"),
        ),
        (
            "Turkish forces set up a new military base in Idlib province.",
            "MOBILIZE",
            ("Strategic developments", "Headquarters or base established"),
        ),
        (
            "Forty rebels surrendered to the army in Cauca on Sunday.",
            "CONCEDE",
            ("Strategic developments", "Agreement"),
        ),
        (
            "Iraqi security forces freed several villages from Islamic State militants.",
            "ASSAULT",
            ("Battles", "Government regains territory"),
        ),
        (
            "Al-Shabaab fighters captured the town of Bardaale on Monday.",
            "ASSAULT",
            ("Battles", "Non-state actor overtakes territory"),
        ),
        (  # no one named, but a verb says it happened: kept
            "Two shops were looted overnight.",
            "COERCE",
            ("Strategic developments", "Looting/property destruction"),
        ),
        (
            "Armed men looted shops and burned houses in Beni on Thursday.",
            "COERCE",
            ("Strategic developments", "Looting/property destruction"),
        ),
        (
            "Thousands of people protested in Serbia against the government.",
            "PROTEST",
            ("Protests", "Peaceful protest"),
        ),
    ],
)
def test_acled_types(
    code: Callable[[str], list[Event]],
    sentence: str,
    event_type: str,
    event_type_sub: tuple[str, str],
) -> None:
    event = code(sentence)[0]
    assert event.type == event_type
    assert event.acled == {"event_type": event_type_sub[0], "sub_event_type": event_type_sub[1]}


def test_events_need_no_publication_date(pipeline: Pipeline) -> None:
    [event] = pipeline.extract("India and Pakistan held talks in Geneva on Monday.")
    assert (event.type, event.date) == ("CONSULT", None)


def test_event_ids_belong_to_the_article(pipeline: Pipeline) -> None:
    article = Article(
        text="Russia and China held talks in Beijing on Friday.",
        published=PUBLISHED,
        ref="beijing.txt",
    )
    [event] = pipeline.process(article).events
    assert (event.article_id, event.article_ref) == (article.id, "beijing.txt")
    assert 0 < event.confidence <= 1


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Forty rifles and 2,000 rounds of ammunition were seized by police in Mindanao.",
            ("COERCE", "seizure", None, "POL", "Disrupted weapons use"),
        ),
        (
            "More troops were deployed by India along the border on Friday.",
            ("MOBILIZE", "military", "IND", None, "Change to group/activity"),
        ),
    ],
)
def test_a_verb_object_pair_is_found_in_the_passive_too(
    code: Callable[[str], list[Event]],
    sentence: str,
    expected: tuple[str, str, str | None, str | None, str],
) -> None:
    [event] = code(sentence)
    assert event.source is not None and event.acled is not None
    assert (
        event.type,
        event.mode,
        event.source.country,
        event.source.sector,
        event.acled["sub_event_type"],
    ) == expected


@pytest.mark.parametrize(
    ("sentence", "cameo"),
    [
        ("An airstrike hit a market in Idlib, killing nine civilians.", "195"),
        ("Georgian police arrested two opposition leaders in Tbilisi on Saturday.", "173"),
        ("Thousands of people protested in Serbia against the government.", "141"),
        ("Poland accused Belarus of pushing migrants across the border.", "112"),
    ],
)
def test_cameo_codes_follow_the_mode(
    code: Callable[[str], list[Event]], sentence: str, cameo: str
) -> None:
    assert code(sentence)[0].cameo == cameo
