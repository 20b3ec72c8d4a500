"""Acceptance: the Jeddah talks article (published 11 March 2025), where the project began."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event

ARTICLE = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "examples"
    / "jeddah-talks-2025-03-11.txt"
)


@pytest.fixture(scope="module")
def events(pipeline: Pipeline) -> list[Event]:
    text = ARTICLE.read_text(encoding="utf-8")
    result = pipeline.process(Article(text=text, published=date(2025, 3, 11), ref=ARTICLE.name))
    assert result.ok, result.error
    return result.events


def find(
    events: list[Event],
    kind: str,
    source: str,
    target: str,
    clue: str,
    trigger: str | None = None,
) -> Event:
    """The one event of that type and direction whose evidence sentence holds ``clue``
    (and whose trigger starts with ``trigger``, when two events share a sentence)."""
    found = [
        e
        for e in events
        if e.type == kind
        and e.source is not None
        and e.source.country == source
        and e.target is not None
        and e.target.country == target
        and clue in e.evidence.sentence
        and (trigger is None or (e.trigger is not None and e.trigger.text.startswith(trigger)))
    ]
    assert len(found) == 1, [(e.type, e.trigger and e.trigger.text) for e in events]
    return found[0]


# (type, source, target, a phrase of the evidence sentence, fields that must match)
EXPECTED: list[tuple[str, str, str, str, dict[str, Any]]] = [
    (
        "CONSULT",
        "UKR",
        "USA",
        "urgent meeting",
        {"place": "Jeddah", "country": "SAU", "date": date(2025, 3, 11)},
    ),
    ("AGREE", "UKR", "RUS", "air and sea truce with Russia", {}),
    ("SANCTION", "USA", "UKR", "stopped military assistance", {"trigger": "stopped"}),
    ("SANCTION", "USA", "UKR", "paused intelligence sharing", {"trigger": "paused"}),
    ("REQUEST", "GBR", "USA", "Keir Starmer told Trump", {"date": date(2025, 3, 10)}),
    (
        "ASSAULT",
        "UKR",
        "RUS",
        "heaviest drone attack on Moscow",
        {
            "mode": "drone",
            "place": "Moscow",
            "country": "RUS",
            "date": date(2025, 3, 11),
            "fatalities": 3,
        },
    ),
    (
        "ASSAULT",
        "RUS",
        "UKR",
        "killed 14 people on Saturday",
        {"date": date(2025, 3, 8), "fatalities": 14},
    ),
    ("ACCUSE", "USA", "UKR", "accused the Ukrainian leader", {}),
    ("CONSULT", "USA", "RUS", "direct negotiations with Russia", {}),
    ("REQUEST", "UKR", "EU", "urging his European partners", {}),
    ("ASSAULT", "RUS", "UKR", "Kursk area", {"place": "Kursk area", "country": "RUS"}),
]


def fields(event: Event) -> dict[str, Any]:
    return {
        "mode": event.mode,
        "place": event.place.name if event.place else None,
        "country": event.place.country if event.place else None,
        "date": event.date.start if event.date else None,
        "fatalities": event.fatalities.best if event.fatalities else None,
        "trigger": event.trigger.text.split()[0] if event.trigger else None,
    }


@pytest.mark.parametrize(
    ("kind", "source", "target", "clue", "expected"),
    EXPECTED,
    ids=[f"{k}-{s}-{t}-{c.split()[0]}" for k, s, t, c, _ in EXPECTED],
)
def test_expected_events(
    events: list[Event],
    kind: str,
    source: str,
    target: str,
    clue: str,
    expected: dict[str, Any],
) -> None:
    event = find(events, kind, source, target, clue, expected.get("trigger"))
    got = fields(event)
    assert {key: got[key] for key in expected} == expected
    assert event.modality == "asserted"


def test_every_event_rests_on_a_sentence_holding_its_trigger(events: list[Event]) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    for event in events:
        assert text[event.evidence.start : event.evidence.end] == event.evidence.sentence
        assert event.trigger is not None
        assert event.evidence.start <= event.trigger.start < event.trigger.end
        assert event.trigger.end <= event.evidence.end
        assert text[event.trigger.start : event.trigger.end] == event.trigger.text


def test_only_the_three_attacks_are_assaults(events: list[Event]) -> None:
    assaults = [e for e in events if e.type == "ASSAULT"]
    assert len(assaults) == 3
    assert {(e.source and e.source.country, e.target and e.target.country) for e in assaults} == {
        ("UKR", "RUS"),
        ("RUS", "UKR"),
    }


def test_moscow_attack_keeps_both_drone_counts_with_their_claimants(events: list[Event]) -> None:
    attack = find(events, "ASSAULT", "UKR", "RUS", "heaviest drone attack on Moscow")
    drones = [q for q in attack.quantities if q.unit == "drone"]
    assert (91, "at_least") in [(q.value, q.qualifier) for q in drones]
    [downed] = [q for q in drones if q.value == 337]
    assert downed.claimed_by is not None and "Moscow" in downed.claimed_by
    assert attack.fatalities is not None
    assert (attack.fatalities.best, attack.fatalities.high) == (3, 3)


def test_the_saturday_strike_counts_its_dead(events: list[Event]) -> None:
    strike = find(events, "ASSAULT", "RUS", "UKR", "killed 14 people on Saturday")
    assert strike.fatalities is not None
    assert (strike.fatalities.low, strike.fatalities.best, strike.fatalities.high) == (14, 14, 14)
    assert strike.date is not None and strike.date.precision == 1


def test_the_article_codes_the_same_ids_twice(pipeline: Pipeline, events: list[Event]) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    again = pipeline.process(Article(text=text, published=date(2025, 3, 11), ref=ARTICLE.name))
    assert [e.id for e in again.events] == [e.id for e in events]
