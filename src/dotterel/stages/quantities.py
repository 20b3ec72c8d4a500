"""Quantities: counted things, their hedges, their units, deaths and injuries, and who says so.

Needs: tokens, sentences, actors. Adds: ``attributions`` (who reports each clause:
"according to Moscow", ", Russian officials said") and ``quantities``
("at least 91 drones", "between seven and nine soldiers were killed"), each with the
claimant of its clause.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from dotterel.document import AttributionMention, Document, QuantityMention, Sentence, Tokens
from dotterel.knowledge import Cues
from dotterel.records import Attribution, Quantity

__all__ = ["QuantityTagger"]

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")
# Words after a number that make it a date, an age, a measure or a name, not a count.
_NOT_COUNT = frozenset(
    [
        "year",
        "years",
        "-year",
        "old",
        "percent",
        "per",
        "%",
        "km",
        "kilometres",
        "kilometers",
        "miles",
        "metres",
        "meters",
        "hours",
        "hour",
        "minutes",
        "days",
        "day",
        "weeks",
        "months",
        "am",
        "pm",
        "p.m.",
        "a.m.",
        "o'clock",
        "st",
        "nd",
        "rd",
        "th",
        "degrees",
    ]
)
_BOUNDARY = frozenset({",", ";", ":", "—", "–", "(", ")", "while", "but", "whereas"})
_LINKS = frozenset({"of", "its", "their", "his", "her", "the", "whom", "them"})


class QuantityTagger:
    name = "quantities"

    def __init__(self, cues: Cues, units: dict[str, str]) -> None:
        self.cues = cues
        self.units = units
        self.speech = {tuple(s.split()) for s in cues.speech}
        self.unit_lengths = sorted({len(u.split()) for u in units}, reverse=True)
        self.number_starts = {w.split()[0] for w in (*cues.number_words, *cues.vague_numbers)}

    def __call__(self, doc: Document) -> Document:
        tokens = doc.tokens
        if tokens is None:
            raise ValueError("quantities needs the segment stage first")
        doc.attributions = []
        doc.quantities = []
        for sentence in doc.sentences:
            attributions = self._attributions(doc, tokens, sentence)
            doc.attributions.extend(attributions)
            doc.quantities.extend(self._quantities(tokens, sentence, attributions))
        return doc

    # -- attribution ----------------------------------------------------------

    def _attributions(
        self, doc: Document, tokens: Tokens, sentence: Sentence
    ) -> list[AttributionMention]:
        found: list[AttributionMention] = []
        i = sentence.start
        while i < sentence.end:
            word = tokens.lower[i]
            if word == "according" and i + 1 < sentence.end and tokens.lower[i + 1] == "to":
                end = _clause_end(tokens, i + 2, sentence.end)
                first = i == sentence.start
                scope = (end, sentence.end) if first else (sentence.start, i)
                found.append(self._make(doc, tokens, sentence, i + 2, end, *scope, final=not first))
                i = end
                continue
            if (word,) in self.speech and i > sentence.start:
                begin = _clause_start(tokens, i, sentence.start)
                begin = _skip_adverbs(tokens, begin, i)
                if begin < i:
                    final = _is_clause_final(tokens, i, sentence.end)
                    scope = (
                        (sentence.start, begin)
                        if final
                        else (i + 1, _report_end(tokens, i, sentence.end))
                    )
                    found.append(self._make(doc, tokens, sentence, begin, i, *scope, final=final))
            i += 1
        return found

    def _make(
        self,
        doc: Document,
        tokens: Tokens,
        sentence: Sentence,
        start: int,
        end: int,
        scope_start: int,
        scope_end: int,
        final: bool = False,
    ) -> AttributionMention:
        span = tokens.chars(start, end)
        country = next(
            (
                m.country
                for m in doc.by_sentence("actors", sentence.index)
                if start <= m.start < end and m.country
            ),
            None,
        )
        return AttributionMention(
            attribution=Attribution(span.text, (span.start_char, span.end_char), country),
            sentence=sentence.index,
            start=scope_start,
            end=scope_end,
            speaker=(start, end),
            final=final,
        )

    # -- numbers --------------------------------------------------------------

    def _quantities(
        self, tokens: Tokens, sentence: Sentence, attributions: list[AttributionMention]
    ) -> list[QuantityMention]:
        found: list[QuantityMention] = []
        i = sentence.start
        while i < sentence.end:
            number = self._number(tokens, i, sentence.end)
            if number is None:
                i += 1
                continue
            value, after, vague = number
            if _is_date_or_measure(tokens, i, after, sentence):
                i = after
                continue
            high, after = self._range_high(tokens, after, sentence.end)
            qualifier, start = self._qualifier(tokens, i, sentence.start)
            if high is not None:
                qualifier = "range"
                if start == i and i > sentence.start and tokens.lower[i - 1] == "between":
                    start = i - 1
            if vague:
                qualifier = "vague"
            unit, unit_end = self._unit(tokens, after, sentence.end)
            if unit == "person" and not vague and high is None:
                value, unit_end = self._and_more(tokens, value, unit_end, sentence.end)
            role = self._role(tokens, start, unit_end, sentence, unit)
            if unit is None and role is not None:
                unit = "person"
            if unit is None:
                i = after
                continue
            span = tokens.chars(start, unit_end)
            claimant = _claimant(attributions, start)
            quantity = Quantity(
                value=value,
                qualifier=qualifier,  # type: ignore[arg-type]
                unit=unit,
                span=(span.start_char, span.end_char),
                high=high,
                claimed_by=claimant,
                role=role,
            )
            found.append(QuantityMention(start, unit_end, quantity, sentence.index))
            i = unit_end
        return found

    def _number(self, tokens: Tokens, i: int, stop: int) -> tuple[int, int, bool] | None:
        """(value, token after the number, vague?) for a number starting at ``i``."""
        word = tokens.lower[i]
        if word not in self.number_starts and not word[:1].isdigit():
            return None
        # Looked up within the sentence only: "dozens" ending a text is no "dozens of".
        two = tokens.words(i, min(i + 2, stop)) if i + 2 <= stop else ""
        three = tokens.words(i, i + 3) if i + 3 <= stop else ""
        if three in self.cues.vague_numbers:
            return self.cues.vague_numbers[three], i + 3, True
        if two in self.cues.vague_numbers:
            return self.cues.vague_numbers[two], i + 2, True
        if word in self.cues.vague_numbers:
            return self.cues.vague_numbers[word], i + 1, True
        if two in self.cues.number_words:
            value, end = self.cues.number_words[two], i + 2
        elif _DIGITS.match(tokens.texts[i]):
            value, end = int(float(tokens.texts[i].replace(",", ""))), i + 1
        elif word in self.cues.number_words:
            value, end = self.cues.number_words[word], i + 1
            if (
                end + 1 < stop
                and tokens.texts[end] == "-"
                and tokens.lower[end + 1] in (self.cues.number_words)
            ):
                value += self.cues.number_words[tokens.lower[end + 1]]
                end += 2
        else:
            return None
        while end < stop and tokens.lower[end] in self.cues.multipliers:
            value *= self.cues.multipliers[tokens.lower[end]]
            end += 1
        return value, end, False

    def _and_more(self, tokens: Tokens, value: int, end: int, stop: int) -> tuple[int, int]:
        """ "two soldiers and a policeman": counts of people joined by "and" add up."""
        if end + 1 >= stop or tokens.lower[end] != "and":
            return value, end
        nxt = end + 1
        number = self._number(tokens, nxt, stop)
        if number is None and tokens.lower[nxt] in {"a", "an"}:
            number = (1, nxt + 1, False)
        if number is None or number[2]:
            return value, end
        unit, unit_end = self._unit(tokens, number[1], stop)
        if unit != "person":
            return value, end
        return value + number[0], unit_end

    def _range_high(self, tokens: Tokens, after: int, stop: int) -> tuple[int | None, int]:
        if after + 1 < stop and tokens.lower[after] in {"and", "to", "-", "–"}:
            number = self._number(tokens, after + 1, stop)
            if number is not None and not number[2]:
                return number[0], number[1]
        return None, after

    def _qualifier(self, tokens: Tokens, i: int, floor: int) -> tuple[str, int]:
        for n in (3, 2, 1):
            if i - n < floor:
                continue
            words = tokens.words(i - n, i)
            if words in self.cues.qualifiers:
                return self.cues.qualifiers[words], i - n
        return "exact", i

    def _unit(self, tokens: Tokens, after: int, stop: int) -> tuple[str | None, int]:
        """The counted noun after the number, past up to three modifiers or "of its"."""
        j = after
        skipped = 0
        while j < stop and skipped <= 3:
            for n in self.unit_lengths:
                words = tokens.words(j, j + n)
                if j + n <= stop and words in self.units:
                    return self.units[words], j + n
            if (tokens[j].is_punct and tokens.texts[j] != "-") or tokens[j].like_num:
                break
            j += 1
            if tokens.lower[j - 1] not in _LINKS:
                skipped += 1
        return None, after

    def _role(
        self, tokens: Tokens, start: int, end: int, sentence: Sentence, unit: str | None
    ) -> str | None:
        """killed / injured from the nearest cue in the clause, before or after the count
        ("killing 12 people", "12 people were killed"; in "20 killed and 73 wounded" the
        73 are the wounded). On a tie the cue before wins."""
        if tokens.lower[end - 1] in self.cues.killed and unit == "person":
            return "killed"
        before = self._nearest_cue(tokens, range(start - 1, max(sentence.start, start - 5) - 1, -1))
        after = self._nearest_cue(tokens, range(end, min(sentence.end, end + 5)))
        if before is None or (after is not None and after[0] < before[0]):
            return after[1] if after else None
        return before[1]

    def _nearest_cue(self, tokens: Tokens, positions: range) -> tuple[int, str] | None:
        """(distance, role) of the first cue along ``positions``, stopping at a clause
        boundary."""
        for distance, j in enumerate(positions):
            if tokens.texts[j] in _BOUNDARY:
                return None
            role = self._cue(tokens[j])
            if role:
                return distance, role
        return None

    def _cue(self, token: Token) -> str | None:
        if token.lower_ in self.cues.killed:
            return "killed"
        if token.lower_ in self.cues.injured:
            return "injured"
        return None


def _is_date_or_measure(tokens: Tokens, i: int, after: int, sentence: Sentence) -> bool:
    if (
        after + 1 < sentence.end
        and tokens.lower[after] == "of"
        and tokens.lower[after + 1] in {"which", "whom", "them", "these", "those", "us"}
    ):
        return True  # "one of which": a pointer, not a count
    if after < sentence.end and tokens.lower[after] in _NOT_COUNT:
        return True
    if after + 1 < sentence.end and tokens.texts[after] == "-":
        return tokens.lower[after + 1] in _NOT_COUNT
    if i > sentence.start:
        before = tokens.lower[i - 1]
        if before in {"in", "since", "article", "no", "number", "resolution", "$", "page"}:
            return tokens.texts[i].isdigit() and (len(tokens.texts[i]) == 4 or before != "in")
        if (
            before[:3]
            in {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
            and tokens[i - 1].is_title
        ):
            return True
    return False


def _clause_start(tokens: Tokens, i: int, floor: int) -> int:
    j = i
    while j > floor and tokens.texts[j - 1] not in _BOUNDARY:
        j -= 1
    return j


def _skip_adverbs(tokens: Tokens, begin: int, end: int) -> int:
    while begin < end and tokens.lower[begin] in {"and", "but", "while", "as", "also", "later"}:
        begin += 1
    return begin


def _clause_end(tokens: Tokens, i: int, stop: int) -> int:
    j = i
    while j < stop and tokens.texts[j] not in _BOUNDARY and not tokens[j].is_punct:
        j += 1
    return j


def _report_end(tokens: Tokens, i: int, stop: int) -> int:
    """A report ("X said that ...") covers its clause, up to "while", "but" or ";"."""
    j = i + 1
    while j < stop and tokens.lower[j] not in {"while", "but", "whereas", ";"}:
        j += 1
    return j


_TIME_WORDS = frozenset(
    [
        "on",
        "late",
        "early",
        "in",
        "last",
        "this",
        "week",
        "month",
        "year",
        "yesterday",
        "today",
        "tonight",
        "overnight",
        "later",
        "earlier",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "night",
        "morning",
        "evening",
        "afternoon",
        "also",
    ]
)


def _is_clause_final(tokens: Tokens, i: int, stop: int) -> bool:
    """`X said.` or `X said on Sunday.`: the report covers what came before."""
    j = i + 1
    while j < stop and not tokens[j].is_punct:
        if tokens.lower[j] not in _TIME_WORDS:
            return False
        j += 1
    return True


def _claimant(attributions: list[AttributionMention], token: int) -> str | None:
    """The report whose clause holds the token; the innermost when reports nest."""
    holding = [m for m in attributions if m.start <= token < m.end]
    if not holding:
        return None
    return max(holding, key=lambda m: m.start).attribution.name
