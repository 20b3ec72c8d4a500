"""Times: date expressions resolved against the publication date, Tuesday 11 March 2025."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from dotterel.document import Document, TimeMention

MakeDoc = Callable[..., Document]
DAY, WEEK, MONTH, YEAR = 1, 3, 4, 5
TUESDAY = date(2025, 3, 11)


def only_time(doc: Document) -> TimeMention:
    assert len(doc.times) == 1, [t.text for t in doc.times]
    return doc.times[0]


@pytest.mark.parametrize(
    ("sentence", "text", "start", "precision", "value"),
    [
        (
            "Russian missiles struck Kharkiv on Saturday.",
            "on Saturday",
            date(2025, 3, 8),
            DAY,
            "2025-03-08",
        ),
        (
            "The two ministers spoke by phone on Monday.",
            "on Monday",
            date(2025, 3, 10),
            DAY,
            "2025-03-10",
        ),
        ("Shelling resumed on Tuesday.", "on Tuesday", TUESDAY, DAY, "2025-03-11"),
        ("The raid took place early on Tuesday.", "early on Tuesday", TUESDAY, DAY, "2025-03-11"),
        (
            "Israeli troops raided the town yesterday.",
            "yesterday",
            date(2025, 3, 10),
            DAY,
            "2025-03-10",
        ),
        (
            "Sudanese paramilitaries shelled El Fasher overnight.",
            "overnight",
            TUESDAY,
            DAY,
            "2025-03-11",
        ),
        ("The convoy was hit before dawn.", "before dawn", TUESDAY, DAY, "2025-03-11"),
        (
            "Ukrainian forces recaptured the village last week.",
            "last week",
            date(2025, 3, 3),
            WEEK,
            "2025-W10",
        ),
        (
            "Ethiopian troops clashed with rebels last week, on Thursday.",
            "last week, on Thursday",
            date(2025, 3, 6),
            DAY,
            "2025-03-06",
        ),
        ("Troops arrived this week.", "this week", date(2025, 3, 10), WEEK, "2025-W11"),
        ("Talks are planned next week.", "next week", date(2025, 3, 17), WEEK, "2025-W12"),
        (
            "Army units killed 12 insurgents last month.",
            "last month",
            date(2025, 2, 1),
            MONTH,
            "2025-02",
        ),
        (
            "Protests grew earlier this month.",
            "earlier this month",
            date(2025, 3, 1),
            MONTH,
            "2025-03",
        ),
        ("Elections will be held next month.", "next month", date(2025, 4, 1), MONTH, "2025-04"),
        ("The deal was signed in February.", "in February", date(2025, 2, 1), MONTH, "2025-02"),
        (
            "The rebels seized the town in December.",
            "in December",
            date(2024, 12, 1),
            MONTH,
            "2024-12",
        ),
        ("The embassy was closed last year.", "last year", date(2024, 1, 1), YEAR, "2024"),
        (
            "The militants have held the town since 2017.",
            "since 2017",
            date(2017, 1, 1),
            YEAR,
            "2017",
        ),
        (
            "Officials said the ceasefire collapsed on Feb. 28, 2025.",
            "on Feb. 28, 2025",
            date(2025, 2, 28),
            DAY,
            "2025-02-28",
        ),
        (
            "Aid deliveries resumed on 5 March 2025.",
            "on 5 March 2025",
            date(2025, 3, 5),
            DAY,
            "2025-03-05",
        ),
        (
            "Fighting has raged since Monday night.",
            "since Monday night",
            date(2025, 3, 10),
            WEEK,
            "2025-W11",
        ),
        (
            "Strikes hit the city on Saturday and Sunday.",
            "on Saturday and Sunday",
            date(2025, 3, 8),
            WEEK,
            "2025-W10",
        ),
    ],
)
def test_time_expressions(
    make_doc: MakeDoc, sentence: str, text: str, start: date, precision: int, value: str
) -> None:
    found = only_time(make_doc(sentence))
    assert found.when is not None
    assert (found.text, found.when.start, found.when.precision, found.value) == (
        text,
        start,
        precision,
        value,
    )
    assert sentence[found.start_char : found.end_char] == text
    assert found.when.span == (found.start_char, found.end_char)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("Russian missiles struck Kharkiv on Saturday.", date(2025, 3, 8)),
        ("Ukrainian forces recaptured the village last week.", date(2025, 3, 9)),
        ("Army units killed 12 insurgents last month.", date(2025, 2, 28)),
        ("The embassy was closed last year.", date(2024, 12, 31)),
    ],
)
def test_a_period_ends_where_it_ends(make_doc: MakeDoc, text: str, end: date) -> None:
    when = only_time(make_doc(text)).when
    assert when is not None and when.end == end


@pytest.mark.parametrize(
    "sentence",
    [
        "Russian missiles struck Kharkiv on Saturday.",
        "Israeli troops raided the town yesterday.",
        "Sudanese paramilitaries shelled El Fasher overnight.",
        "Ukrainian forces recaptured the village last week.",
        "Army units killed 12 insurgents last month.",
        "The rebels seized the town in December.",
        "Pakistani police arrested 30 protesters on March 3.",
    ],
)
def test_relative_dates_stay_unresolved_without_a_publication_date(
    make_doc: MakeDoc, sentence: str
) -> None:
    found = only_time(make_doc(sentence, published=None))
    assert (found.when, found.value) == (None, None)


def test_a_full_date_needs_no_publication_date(make_doc: MakeDoc) -> None:
    found = only_time(make_doc("Aid deliveries resumed on 5 March 2025.", published=None))
    assert found.when is not None
    assert (found.when.start, found.value) == (date(2025, 3, 5), "2025-03-05")


def test_a_sentence_without_a_time_has_none(make_doc: MakeDoc) -> None:
    assert make_doc("Both sides traded accusations.").times == []
