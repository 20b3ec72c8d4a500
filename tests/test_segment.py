"""Segment: sentences with offsets that point back into the article text."""

from __future__ import annotations

import pytest

from dotterel.document import Document
from dotterel.records import Article
from dotterel.stages.segment import Segmenter, make_nlp


@pytest.fixture(scope="module")
def segment() -> Segmenter:
    return Segmenter(make_nlp(10_000))


def sentences_of(segment: Segmenter, text: str) -> list[str]:
    doc = segment(Document(Article(text=text)))
    return [s.text for s in doc.sentences]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ukrainian and US officials met in Jeddah. Talks lasted eight hours.",
            ["Ukrainian and US officials met in Jeddah.", "Talks lasted eight hours."],
        ),
        (
            "U.S. envoys arrived on Monday. Did they agree? Officials would not say!",
            ["U.S. envoys arrived on Monday.", "Did they agree?", "Officials would not say!"],
        ),
        (
            "\n\nSirens sounded over Kyiv.\nThe air force reported 40 drones.\n",
            ["Sirens sounded over Kyiv.", "The air force reported 40 drones."],
        ),
        (
            "Rebels shelled the town.\n\n\nResidents fled on foot.",
            ["Rebels shelled the town.", "Residents fled on foot."],
        ),
        ("Shelling continued into the night", ["Shelling continued into the night"]),
    ],
    ids=["two", "abbreviation-and-marks", "leading-newlines", "paragraphs", "no-full-stop"],
)
def test_sentences(segment: Segmenter, text: str, expected: list[str]) -> None:
    assert sentences_of(segment, text) == expected


def test_offsets_point_into_the_text(segment: Segmenter) -> None:
    text = "\n  Moscow said 91 drones were downed.  Three people died.\n\nAirports closed."
    doc = segment(Document(Article(text=text)))
    expected = ["Moscow said 91 drones were downed.", "Three people died.", "Airports closed."]
    assert [(s.start_char, s.end_char) for s in doc.sentences] == [
        (text.index(e), text.index(e) + len(e)) for e in expected
    ]
    for index, sentence in enumerate(doc.sentences):
        assert sentence.index == index
        assert text[sentence.start_char : sentence.end_char] == sentence.text


def test_sentence_tokens_exclude_leading_newlines(segment: Segmenter) -> None:
    text = "\n\n\nKyiv was quiet. Then the sirens sounded.\n"
    doc = segment(Document(Article(text=text)))
    assert doc.tokens is not None
    first = doc.sentences[0]
    assert doc.tokens[first.start].text == "Kyiv"
    for sentence in doc.sentences:
        words = doc.tokens[sentence.start : sentence.end]
        assert not words[0].is_space and not words[-1].is_space
        assert doc.tokens.span(sentence.start, sentence.end).text == sentence.text
        assert doc.tokens.text(sentence.start, sentence.end) == sentence.text
    assert doc.sentences[1].start == first.end


def test_sentence_of_finds_the_sentence_holding_a_token(segment: Segmenter) -> None:
    doc = segment(Document(Article(text="Talks began. Talks ended.")))
    assert doc.sentence_of(0).index == 0
    assert doc.sentence_of(4).index == 1
    with pytest.raises(IndexError):
        doc.sentence_of(99)


def test_whitespace_only_text_has_no_sentences(segment: Segmenter) -> None:
    assert sentences_of(segment, "\n \n\t") == []
