"""Records: JSON-ready dicts that turn back into equal records; stable article ids."""

from __future__ import annotations

import json
from datetime import date

import pytest

from dotterel.pipeline import Pipeline
from dotterel.records import (
    Actor,
    Article,
    Attribution,
    Estimate,
    Event,
    Evidence,
    Place,
    Quantity,
    Span,
    When,
    article_id_for,
    event_from_dict,
    to_dict,
)

SENTENCE = (
    "Russian drones struck Odesa on Saturday, killing between two and four people, "
    "Ukrainian officials said."
)


def odesa_strike(**changes: object) -> Event:
    fields: dict[str, object] = {
        "id": "e1",
        "article_id": article_id_for(SENTENCE),
        "type": "ASSAULT",
        "mode": "drone",
        "context": ["military"],
        "modality": "asserted",
        "source": Actor("Russian drones", "Russia", "RUS", "MIL", "Q159", (0, 14)),
        "target": Actor("Odesa", None, "UKR", None, None, (22, 27)),
        "place": Place("Odesa", 698740, 46.48, 30.74, "UKR", "17", 1, (22, 27)),
        "date": When(date(2025, 3, 8), date(2025, 3, 8), 1, (28, 39)),
        "fatalities": Estimate(2, 2, 4, ["Ukrainian officials"]),
        "injured": None,
        "quantities": [
            Quantity(
                2,
                "range",
                "person",
                (49, 76),
                high=4,
                claimed_by="Ukrainian officials",
                role="killed",
            ),
        ],
        "attribution": Attribution("Ukrainian officials", (78, 97), "UKR"),
        "acled": {"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike"},
        "cameo": "190",
        "evidence": Evidence(SENTENCE, 0, len(SENTENCE)),
        "confidence": 0.85,
        "trigger": Span(15, 21, "struck"),
        "article_ref": "odesa.txt",
    }
    fields.update(changes)
    return Event(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "event",
    [
        odesa_strike(),
        odesa_strike(
            source=None,
            target=None,
            place=None,
            date=None,
            fatalities=None,
            quantities=[],
            attribution=None,
            acled=None,
            trigger=None,
            article_ref=None,
            context=[],
        ),
        odesa_strike(
            place=Place("Ukraine", None, None, None, "UKR", None, 6, None),
            date=When(date(2025, 3, 3), date(2025, 3, 9), 3, None),
            injured=Estimate(5, 5, 5),
        ),
    ],
    ids=["full", "sparse", "country-and-week"],
)
def test_event_survives_a_json_round_trip(event: Event) -> None:
    plain = json.loads(json.dumps(to_dict(event)))
    assert event_from_dict(plain) == event


def test_to_dict_writes_the_contract_field_names() -> None:
    plain = to_dict(odesa_strike())
    assert plain["date"] == {
        "start": "2025-03-08",
        "end": "2025-03-08",
        "precision": 1,
        "span": [28, 39],
    }
    assert plain["fatalities"] == {
        "low": 2,
        "best": 2,
        "high": 4,
        "claimed_by": ["Ukrainian officials"],
    }
    assert plain["source"]["country"] == "RUS"
    assert plain["place"]["precision"] == 1
    assert plain["evidence"]["sentence"] == SENTENCE


def test_to_dict_refuses_what_is_not_a_record() -> None:
    with pytest.raises(TypeError):
        to_dict("not a record")


def test_coded_events_round_trip(pipeline: Pipeline) -> None:
    events = pipeline.extract(SENTENCE, published=date(2025, 3, 11))
    assert events
    for event in events:
        assert event_from_dict(json.loads(json.dumps(to_dict(event)))) == event


@pytest.mark.parametrize(
    "variant",
    [
        "Kyiv\u2019s troops  held the line,\nofficials said \u201cfirmly\u201d.",
        '  Kyiv\'s troops held the line, officials said "firmly".\n',
        'Kyiv\'s troops\theld the line,   officials said "firmly".',
    ],
)
def test_article_id_ignores_whitespace_and_curly_quotes(variant: str) -> None:
    plain = 'Kyiv\'s troops held the line, officials said "firmly".'
    assert article_id_for(variant) == article_id_for(plain)


def test_article_id_tells_different_texts_apart() -> None:
    assert article_id_for("Kyiv's troops held the line.") != article_id_for(
        "Kyiv's troops lost the line."
    )


def test_article_takes_its_id_from_the_text() -> None:
    article = Article(text="Kyiv\u2019s troops held the line.")
    assert article.id == article_id_for("Kyiv's troops held the line.")
    assert len(article.id) == 16
    assert Article(text="x", id="given").id == "given"
