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


# The forms of date news English uses beyond the conventions table, published Tuesday
# 11 March 2025. Quarters, halves, seasons, decades and centuries keep their TIMEX3
# value while ``When`` covers the whole period at year precision.
@pytest.mark.parametrize(
    ("sentence", "text", "start", "end", "precision", "value"),
    [
        ("The war began in 2022.", "in 2022", date(2022, 1, 1), date(2022, 12, 31), YEAR, "2022"),
        (
            "The 2014 annexation of Crimea was condemned.",
            "2014",
            date(2014, 1, 1),
            date(2014, 12, 31),
            YEAR,
            "2014",
        ),
        (
            "The 1990s were turbulent.",
            "The 1990s",
            date(1990, 1, 1),
            date(1999, 12, 31),
            YEAR,
            "199",
        ),
        (
            "Fighters returned in the '90s.",
            "the '90s",
            date(1990, 1, 1),
            date(1999, 12, 31),
            YEAR,
            "199",
        ),
        (
            "The region was colonised in the 19th century.",
            "the 19th century",
            date(1800, 1, 1),
            date(1899, 12, 31),
            YEAR,
            "18",
        ),
        (
            "Officials met on Jan. 8.",
            "on Jan. 8",
            date(2025, 1, 8),
            date(2025, 1, 8),
            DAY,
            "2025-01-08",
        ),
        (
            "The truce was signed on January 8, 2024.",
            "on January 8, 2024",
            date(2024, 1, 8),
            date(2024, 1, 8),
            DAY,
            "2024-01-08",
        ),
        (
            "The offensive began in October 2023.",
            "in October 2023",
            date(2023, 10, 1),
            date(2023, 10, 31),
            MONTH,
            "2023-10",
        ),
        (
            "The militia was formed late last July.",
            "late last July",
            date(2024, 7, 1),
            date(2024, 7, 31),
            MONTH,
            "2024-07",
        ),
        (
            "The embassy reopened this month.",
            "this month",
            date(2025, 3, 1),
            date(2025, 3, 31),
            MONTH,
            "2025-03",
        ),
        (
            "Troops withdrew earlier this year.",
            "earlier this year",
            date(2025, 1, 1),
            date(2025, 12, 31),
            YEAR,
            "2025",
        ),
        (
            "A summit is planned later this year.",
            "later this year",
            date(2025, 1, 1),
            date(2025, 12, 31),
            YEAR,
            "2025",
        ),
        (
            "Elections are due next year.",
            "next year",
            date(2026, 1, 1),
            date(2026, 12, 31),
            YEAR,
            "2026",
        ),
        (
            "Shelling intensified over the past week.",
            "the past week",
            date(2025, 3, 3),
            date(2025, 3, 9),
            WEEK,
            "2025-W10",
        ),
        (
            "Drone strikes hit the city over the weekend.",
            "the weekend",
            date(2025, 3, 8),
            date(2025, 3, 9),
            WEEK,
            "2025-W10-WE",
        ),
        (
            "Rebels seized the base two days ago.",
            "two days ago",
            date(2025, 3, 9),
            date(2025, 3, 9),
            DAY,
            "2025-03-09",
        ),
        (
            "The ceasefire collapsed three weeks ago.",
            "three weeks ago",
            date(2025, 2, 17),
            date(2025, 2, 23),
            WEEK,
            "2025-W08",
        ),
        (
            "The mayor was arrested a month ago.",
            "a month ago",
            date(2025, 2, 1),
            date(2025, 2, 28),
            MONTH,
            "2025-02",
        ),
        (
            "The border was closed a year ago.",
            "a year ago",
            date(2024, 1, 1),
            date(2024, 12, 31),
            YEAR,
            "2024",
        ),
        (
            "Militants attacked a checkpoint Friday.",
            "Friday",
            date(2025, 3, 7),
            date(2025, 3, 7),
            DAY,
            "2025-03-07",
        ),
        (
            "Militants attacked a checkpoint Friday morning.",
            "Friday morning",
            date(2025, 3, 7),
            date(2025, 3, 7),
            DAY,
            "2025-03-07",
        ),
        (
            "Profits fell in the third quarter.",
            "the third quarter",
            date(2024, 7, 1),
            date(2024, 9, 30),
            YEAR,
            "2024-Q3",
        ),
        (
            "Exports fell in the first quarter of 2024.",
            "the first quarter of 2024",
            date(2024, 1, 1),
            date(2024, 3, 31),
            YEAR,
            "2024-Q1",
        ),
        (
            "Exports rose in Q3 2024.",
            "Q3 2024",
            date(2024, 7, 1),
            date(2024, 9, 30),
            YEAR,
            "2024-Q3",
        ),
        (
            "Output doubled in the first half of 2024.",
            "the first half of 2024",
            date(2024, 1, 1),
            date(2024, 6, 30),
            YEAR,
            "2024-H1",
        ),
        (
            "Spending rose in the fiscal year.",
            "the fiscal year",
            date(2025, 1, 1),
            date(2025, 12, 31),
            YEAR,
            "2025",
        ),
        (
            "Talks are expected this summer.",
            "this summer",
            date(2025, 6, 1),
            date(2025, 8, 31),
            YEAR,
            "2025-SU",
        ),
        (
            "The front barely moved last winter.",
            "last winter",
            date(2024, 12, 1),
            date(2025, 2, 28),
            YEAR,
            "2025-WI",
        ),
    ],
)
def test_news_date_forms(
    make_doc: MakeDoc,
    sentence: str,
    text: str,
    start: date,
    end: date,
    precision: int,
    value: str,
) -> None:
    found = only_time(make_doc(sentence))
    assert found.when is not None
    assert (found.text, found.when.start, found.when.end, found.when.precision, found.value) == (
        text,
        start,
        end,
        precision,
        value,
    )
    assert sentence[found.start_char : found.end_char] == text


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        # A date whose year is open takes the nearest occurrence, a later one counting
        # double: news mostly looks back.
        ("The rebels seized the town in December.", "2024-12"),
        ("The curfew runs through June.", "2025-06"),
        # A clause speaking of the future takes the next occurrence.
        ("Elections will be held in May.", "2025-05"),
        ("Talks will resume on March 20.", "2025-03-20"),
        ("The envoys will meet on Friday.", "2025-03-14"),
        ("Both delegations are due to arrive on Monday.", "2025-03-17"),
        # "since" looks back however near the next one is.
        ("The militants have held the town since April.", "2024-04"),
    ],
)
def test_an_open_year_or_week_is_chosen_by_tense(
    make_doc: MakeDoc, sentence: str, value: str
) -> None:
    assert only_time(make_doc(sentence)).value == value


@pytest.mark.parametrize(
    ("sentence", "values"),
    [
        ("The drought of 2009-2010 killed livestock.", ["2009", "2010"]),
        ("Assaults were reported between June and December of 2015.", ["2015-06", "2015-12"]),
        ("Output fell from January to March 2024.", ["2024-01", "2024-03"]),
    ],
)
def test_a_range_gives_both_ends_their_year(
    make_doc: MakeDoc, sentence: str, values: list[str]
) -> None:
    assert [t.value for t in make_doc(sentence).times] == values


@pytest.mark.parametrize(
    "sentence",
    [
        "Attacks have risen in recent years.",
        "Theresa May said the talks had failed.",
        "Some 2000 troops were deployed.",
        "Jan Egeland visited the camp.",
        "The Arab Spring began in Tunisia.",
        "The fall of Kabul shocked the world.",
        "A grenade hit Srinagar, the summer capital of Kashmir.",
        "The 2000-tonne ship sank.",
        "He spoke on ABC's This Week program.",
        "Markets crashed on Black Monday.",
        "This may take time.",
    ],
)
def test_words_that_are_not_dates_give_none(make_doc: MakeDoc, sentence: str) -> None:
    assert make_doc(sentence).times == []


@pytest.mark.parametrize(
    ("sentence", "relative"),
    [
        ("Rebels attacked again a week later.", 7),
        ("Rebels attacked again two days earlier.", -2),
        ("Rebels attacked again the following day.", 1),
    ],
)
def test_a_shift_from_the_previous_event_is_kept_as_an_offset(
    make_doc: MakeDoc, sentence: str, relative: int
) -> None:
    found = only_time(make_doc(sentence))
    assert (found.when, found.relative) == (None, relative)


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("The war began in 2022.", "2022"),
        ("Exports fell in the first quarter of 2024.", "2024-Q1"),
        ("The offensive began in October 2023.", "2023-10"),
        ("The 1990s were turbulent.", "199"),
    ],
)
def test_a_stated_period_needs_no_publication_date(
    make_doc: MakeDoc, sentence: str, value: str
) -> None:
    assert only_time(make_doc(sentence, published=None)).value == value


@pytest.mark.parametrize(
    "sentence",
    [
        "Profits fell in the third quarter.",
        "Talks are expected this summer.",
        "Rebels seized the base two days ago.",
        "Drone strikes hit the city over the weekend.",
    ],
)
def test_an_open_period_stays_unresolved_without_a_publication_date(
    make_doc: MakeDoc, sentence: str
) -> None:
    found = only_time(make_doc(sentence, published=None))
    assert (found.when, found.value) == (None, None)


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("Talks were held between March 3 and 5 in Doha.", "2025-03-03", "2025-03-05", 2),
        ("Fighting raged on March 1-4, 2024.", "2024-03-01", "2024-03-04", 2),
        ("Strikes continued from March 1 to 9.", "2025-03-01", "2025-03-09", 3),
    ],
)
def test_a_day_range_is_its_first_day_and_a_span(
    make_doc: MakeDoc, text: str, start: str, end: str, precision: int
) -> None:
    mention = only_time(make_doc(text, TUESDAY))
    assert mention.when is not None
    assert (mention.when.start.isoformat(), mention.when.end.isoformat()) == (start, end)
    assert mention.when.precision == precision
    assert not mention.text.startswith(" ")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The army now controls the town.", "PRESENT_REF"),
        ("Talks are currently stalled.", "PRESENT_REF"),
        ("Such raids were rare in the past.", "PAST_REF"),
        ("Peace may come in the future.", "FUTURE_REF"),
    ],
)
def test_reference_times_have_timex_values_and_no_date(
    make_doc: MakeDoc, text: str, value: str
) -> None:
    mention = only_time(make_doc(text, TUESDAY))
    assert (mention.value, mention.when) == (value, None)
