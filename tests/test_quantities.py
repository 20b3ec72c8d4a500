"""Quantities: counts with their hedge, unit, role (killed/injured) and claimant."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dotterel.document import Document

MakeDoc = Callable[..., Document]

# (value, qualifier, unit, high, role, claimed_by)
Count = tuple[int, str, str, "int | None", "str | None", "str | None"]


def counts(doc: Document) -> list[Count]:
    return [
        (q.value, q.qualifier, q.unit, q.high, q.role, q.claimed_by)  # type: ignore[misc]
        for q in (m.quantity for m in doc.quantities)
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Russia launched at least 91 drones at Ukraine overnight.",
            [(91, "at_least", "drone", None, None, None)],
        ),
        (
            "An airstrike hit a market in Gaza, killing at least three people.",
            [(3, "at_least", "person", None, "killed", None)],
        ),
        (
            "Between seven and nine soldiers were killed in the ambush.",
            [(7, "range", "person", 9, "killed", None)],
        ),
        (
            "More than 300 people were injured in the blasts.",
            [(300, "at_least", "person", None, "injured", None)],
        ),
        (
            "Gunmen killed up to 15 villagers in Zamfara state.",
            [(15, "at_most", "person", None, "killed", None)],
        ),
        (
            "A car bomb exploded in Mogadishu, killing about 20 people and injuring 50 others.",
            [
                (20, "about", "person", None, "killed", None),
                (50, "exact", "person", None, "injured", None),
            ],
        ),
        (
            "Russia fired nearly 200 missiles and 1,200 drones at Ukraine this month.",
            [
                (200, "about", "missile", None, None, None),
                (1200, "exact", "drone", None, None, None),
            ],
        ),
        (
            "The war has displaced two million people.",
            [(2_000_000, "exact", "person", None, None, None)],
        ),
        (
            "About 40 trucks carrying aid crossed into Gaza.",
            [(40, "about", "vehicle", None, None, None)],
        ),
        (
            "Around 120 prisoners were released on Sunday.",
            [(120, "about", "person", None, None, None)],
        ),
    ],
)
def test_counts(make_doc: MakeDoc, sentence: str, expected: list[Count]) -> None:
    assert counts(make_doc(sentence)) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Ukraine fired 40 drones at the Crimean bridge, Russian officials said.",
            [(40, "exact", "drone", None, None, "Russian officials")],
        ),
        (
            "Four civilians died in the shelling, according to the health ministry.",
            [(4, "exact", "person", None, "killed", "the health ministry")],
        ),
        (
            "According to Moscow, 337 drones were downed over Russia.",
            [(337, "exact", "drone", None, None, "Moscow")],
        ),
        (
            "Some 30 soldiers were wounded, the army said.",
            [(30, "about", "person", None, "injured", "the army")],
        ),
        (
            "The blast killed 12 people and wounded 30 others, police said.",
            [
                (12, "exact", "person", None, "killed", "police"),
                (30, "exact", "person", None, "injured", "police"),
            ],
        ),
        (
            "Israeli strikes killed 23 people, the Gaza health ministry said, while the army "
            "said it hit 15 militants.",
            [
                (23, "exact", "person", None, "killed", "the Gaza health ministry"),
                (15, "exact", "person", None, None, "the army"),
            ],
        ),
    ],
)
def test_claimants(make_doc: MakeDoc, sentence: str, expected: list[Count]) -> None:
    assert counts(make_doc(sentence)) == expected


@pytest.mark.parametrize(
    ("sentence", "unit"),
    [
        ("The strikes forced dozens of flights to be diverted.", "flight"),
        ("Hundreds of people fled the fighting.", "person"),
        ("Thousands of people protested in Serbia against the government.", "person"),
    ],
)
def test_vague_counts_are_kept_as_vague(make_doc: MakeDoc, sentence: str, unit: str) -> None:
    [count] = counts(make_doc(sentence))
    assert (count[1], count[2], count[4]) == ("vague", unit, None)


@pytest.mark.parametrize(
    "sentence",
    [
        "The militants have held the town since 2017.",
        "A seven-year-old girl was among the wounded.",
        "A 45-year-old man was detained at the scene.",
        "The Security Council adopted Resolution 2334 in 2016.",
        "The attack came 10 days after a similar raid.",
        "Talks resumed on March 9, 2025 in Riyadh.",
    ],
)
def test_years_ages_and_durations_are_not_counts(make_doc: MakeDoc, sentence: str) -> None:
    assert counts(make_doc(sentence)) == []


def test_quantity_span_covers_hedge_number_and_unit(make_doc: MakeDoc) -> None:
    text = "Russia launched at least 91 drones at Ukraine overnight."
    [mention] = make_doc(text).quantities
    start, end = mention.quantity.span
    assert text[start:end] == "at least 91 drones"


def test_attributions_name_the_reporter(make_doc: MakeDoc) -> None:
    doc = make_doc("Ukraine fired 40 drones at the Crimean bridge, Russian officials said.")
    [attribution] = [a.attribution for a in doc.attributions]
    assert (attribution.name, attribution.country) == ("Russian officials", "RUS")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The attack killed 17 people and wounded dozens",
            [(17, "exact", "killed"), (24, "vague", "injured")],
        ),
        (
            "The deaths raise the total number of those killed to five",
            [(5, "exact", "killed")],
        ),
    ],
)
def test_a_count_ending_the_text_is_read_without_running_past_it(
    make_doc: MakeDoc, text: str, expected: list[tuple[int, str, str]]
) -> None:
    quantities = [m.quantity for m in make_doc(text).quantities]
    assert [(q.value, q.qualifier, q.role) for q in quantities] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The strike left 20 killed and 73 wounded.", [(20, "killed"), (73, "injured")]),
        ("Gunmen killed 12 people and wounded 30.", [(12, "killed"), (30, "injured")]),
        ("12 people were killed and 40 injured.", [(12, "killed"), (40, "injured")]),
    ],
)
def test_each_count_takes_its_nearest_cue(
    make_doc: MakeDoc, text: str, expected: list[tuple[int, str]]
) -> None:
    quantities = [m.quantity for m in make_doc(text).quantities]
    assert [(q.value, q.role) for q in quantities] == expected
