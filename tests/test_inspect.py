"""Mention by mention: what ``dotterel.inspect`` reports for places, times and actors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from dotterel.document import Document
from dotterel.errors import InputError, StageError
from dotterel.inspect import (
    ActorRow,
    PlaceRow,
    TimeRow,
    actor_mentions,
    place_mentions,
    time_mentions,
)
from dotterel.pipeline import Pipeline, Result
from dotterel.records import Article, to_dict

MakeDoc = Callable[..., Document]

PUBLISHED = date(2025, 3, 11)  # a Tuesday (the make_doc fixture's default anchor too)

TALKS = (
    "Ukrainian and US officials met in Jeddah on Saturday. "
    "Russian officials said the talks would change nothing."
)


def test_a_place_mention_carries_its_offsets_and_gazetteer_entry(make_doc: MakeDoc) -> None:
    [jeddah] = place_mentions(make_doc(TALKS))
    assert isinstance(jeddah, PlaceRow)
    assert TALKS[jeddah.start : jeddah.end] == jeddah.text == "Jeddah"
    assert (jeddah.name, jeddah.country, jeddah.precision) == ("Jeddah", "SAU", 1)
    assert jeddah.lat == pytest.approx(21.5, abs=0.1)
    assert jeddah.lon == pytest.approx(39.2, abs=0.1)
    assert jeddah.geonames_id is not None
    assert set(to_dict(jeddah)) == {
        "article_ref", "text", "start", "end", "name", "geonames_id",
        "lat", "lon", "country", "admin1", "precision",
    }  # fmt: skip


def test_every_place_is_listed_not_only_event_places(make_doc: MakeDoc) -> None:
    text = "The weather in Jeddah and in Riyadh was mild this spring."
    doc = make_doc(text)
    assert not any(e.place for e in doc.events)
    assert [(p.text, p.country) for p in place_mentions(doc)] == [
        ("Jeddah", "SAU"),
        ("Riyadh", "SAU"),
    ]


@pytest.mark.parametrize(
    ("text", "published", "written", "value", "precision"),
    [
        (TALKS, PUBLISHED, "on Saturday", "2025-03-08", 1),  # the Saturday before Tue 11 March
        ("Talks were held last week.", PUBLISHED, "last week", "2025-W10", 3),
        ("Talks were held in March 2025.", PUBLISHED, "in March 2025", "2025-03", 4),
        ("Talks were held in 2024.", PUBLISHED, "in 2024", "2024", 5),
        (TALKS, None, "on Saturday", None, None),  # no anchor: left unresolved, not guessed
    ],
)
def test_a_time_mention_has_its_timex_value_and_precision(
    make_doc: MakeDoc,
    text: str,
    published: date | None,
    written: str,
    value: str | None,
    precision: int | None,
) -> None:
    [when] = time_mentions(make_doc(text, published=published))
    assert isinstance(when, TimeRow)
    assert text[when.start : when.end] == when.text == written
    assert (when.value, when.precision) == (value, precision)


def test_actor_mentions_carry_country_sector_and_kind(make_doc: MakeDoc) -> None:
    rows = actor_mentions(make_doc(TALKS))
    assert all(isinstance(r, ActorRow) for r in rows)
    assert all(TALKS[r.start : r.end] == r.text for r in rows)
    russian = next(r for r in rows if r.text == "Russian officials")
    assert (russian.canonical, russian.country, russian.sector, russian.kind) == (
        "Russia",
        "RUS",
        "GOV",
        "demonym",
    )
    assert [r.country for r in rows] == ["UKR", "USA", "RUS"]


def test_a_pronoun_is_listed_with_its_resolution(make_doc: MakeDoc) -> None:
    text = "Russian forces shelled Kharkiv, and then they struck Odesa."
    rows = actor_mentions(make_doc(text))
    pronouns = [r for r in rows if r.kind == "pronoun"]
    assert [(r.text, r.country) for r in pronouns] == [("they", "RUS")]


def test_a_result_and_its_document_give_the_same_rows(pipeline: Pipeline) -> None:
    result = pipeline.process(Article(text=TALKS, ref="talks-1", published=PUBLISHED))
    assert result.document is not None
    for rows_of in (place_mentions, time_mentions, actor_mentions):
        rows = rows_of(result)
        assert rows == rows_of(result.document)
        assert {r.article_ref for r in rows} == {"talks-1"}


def test_an_unprocessed_article_has_no_mentions_to_show() -> None:
    article = Article(text="x", ref="broken")
    failed = Result(article, error=StageError("segment", "broken", ValueError("boom")))
    with pytest.raises(InputError, match="broken"):
        place_mentions(failed)
