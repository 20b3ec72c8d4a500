"""Offices: a role word resolves to its holder by country and date."""

from __future__ import annotations

from datetime import date

import pytest

from dotterel.knowledge import load_knowledge
from dotterel.pipeline import Pipeline
from dotterel.stages.offices import Offices


@pytest.fixture(scope="module")
def offices() -> Offices:
    return Offices(load_knowledge())


@pytest.mark.parametrize(
    ("text", "country", "on", "name"),
    [
        ("the president", "UKR", date(2025, 3, 11), "Volodymyr Zelensky"),
        ("the president", "USA", date(2025, 3, 11), "Donald Trump"),
        ("the president", "USA", date(2022, 6, 1), "Joe Biden"),
        ("the president", "USA", date(2018, 6, 1), "Donald Trump"),
        ("the prime minister", "GBR", date(2023, 1, 1), "Rishi Sunak"),
    ],
)
def test_a_role_resolves_by_country_and_date(
    offices: Offices, text: str, country: str, on: date, name: str
) -> None:
    holder = offices.holder(text, country, on)
    assert holder is not None and holder[0] == name


def test_no_date_or_no_holder_gives_nothing(offices: Offices) -> None:
    assert offices.holder("the president", "UKR", None) is None
    assert offices.holder("the chief baker", "UKR", date(2025, 3, 11)) is None


def test_an_event_actor_named_by_role_gets_the_holder(pipeline: Pipeline) -> None:
    text = "KYIV, March 11 — The president met European leaders in Kyiv on Monday."
    events = pipeline.extract(text, date(2025, 3, 11))
    consult = [e for e in events if e.type == "CONSULT"]
    assert consult and consult[0].source is not None
    assert consult[0].source.country == "UKR"
    assert consult[0].source.canonical == "Volodymyr Zelensky"
