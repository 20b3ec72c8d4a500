"""Times: date expressions resolved against the publication date.

Needs: tokens and sentences. Adds: ``times`` (``TimeMention``) with a ``When``
(start, end, UCDP precision) and a TIMEX3-style value. Relative expressions
("on Saturday", "last week", "overnight") need ``Article.published``; without it
they are listed unresolved rather than guessed.

An expression that leaves the year open ("in June", "March 3", "the third quarter")
takes the occurrence nearest to publication, the next one when the clause before it
speaks of the future ("will", "is due to", "scheduled"), the last one after "since";
a weekday is the most recent such day unless the clause speaks of the future.
Vague references ("now", "recently", "the past") are left out: they name no period.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from dotterel.document import Document, Sentence, TimeMention
from dotterel.records import When

__all__ = ["TimeTagger", "timex"]

DAY, SPAN, WEEK, MONTH, YEAR = 1, 2, 3, 4, 5

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve"
_NUMBERS = {word: i for i, word in enumerate(_NUMBER_WORDS.split(" "), start=1)}
_NUMBERS.update({"a": 1, "an": 1})
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4}
_ORDINALS.update({"1st": 1, "2nd": 2, "3rd": 3, "4th": 4})
_ABBREVIATIONS = {m for m in _MONTHS if len(m) <= 4} - {"may", "june", "july"}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_SEASON_CODES = {3: "SP", 6: "SU", 9: "FA", 12: "WI"}

# Month names are matched capitalised only: "this may", "the march" are not dates.
_MONTH = "(?-i:{})".format("|".join(sorted({m.title() for m in _MONTHS}, key=len, reverse=True)))
_DAY_RE = "|".join(_WEEKDAYS)
# A year: not part of a longer number, an amount, "9-1999" or "2000-tonne";
# "2009-2010" gives two.
_YEAR = (
    r"(?<![$£€#.,/\d])(?:(?<=\d{4}[-–])|(?<!\d[-–]))(?:19|20)\d\d"
    r"(?![\d,.]\d|-\d\d(?!\d)|-[a-z]|\s*(?:%|percent|per cent))"
)
_NUM = "(?:{}|\\d{{1,2}})".format("|".join(sorted(_NUMBERS, key=len, reverse=True)))
_PART = r"(?:\s+(?:night|morning|evening|afternoon))?"
_EDGE_WORDS = r"early|late|mid|the end of|the beginning of|the start of|the middle of"
_EDGE = rf"(?:{_EDGE_WORDS})[\s-]+"
_LAST = r"(?P<which>last|this|next|this past|this coming|the past|the coming|the current)"
_QUARTER = r"(?P<q>first|second|third|fourth|final|1st|2nd|3rd|4th|last(?=[\s-]+quarter\s+of\b))"
_YEAR_OF = rf"(?:(?P<y>{_YEAR})|(?P<yrel>last|this|next) year)"
# The "day_range" and "month" patterns from their month name on (see _CORES).
_DAY_RANGE_ON = (
    rf"(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|and|to|through)\s*"
    rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>{_YEAR}))?\b(?!\.\d)"
)
_MONTH_ON = (
    rf"(?P<m>{_MONTH})\b(?:\.?,?\s+(?:of\s+)?{_YEAR_OF}|(?=\s+(?:and|to|through|until|-|–)\s+"
    rf"{_MONTH}\.?,?\s+(?:of\s+)?(?P<y2>{_YEAR})))?(?!\.?\s*\d)"
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "last_week_day",
        re.compile(rf"\blast week,?\s+on\s+(?P<wd>{_DAY_RE}){_PART}\b", re.I),
    ),
    (
        "since_day",
        re.compile(rf"\bsince\s+(?:late\s+|early\s+)?(?P<wd>{_DAY_RE}){_PART}\b", re.I),
    ),
    (
        "day_and_day",
        re.compile(rf"\bon\s+(?P<wd>{_DAY_RE})\s+and\s+(?:{_DAY_RE})\b", re.I),
    ),
    (
        "iso_date",
        re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<mo>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"),
    ),
    (
        "day_range",
        re.compile(rf"\b(?:(?P<cue>between|from)\s+)?{_DAY_RANGE_ON}", re.I),
    ),
    (
        "month_day",
        re.compile(
            rf"\b(?:(?P<cue>on|since|by|until|till|from|through|before|after)\s+)?"
            rf"(?:(?:{_DAY_RE}),?\s+)?"
            rf"(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?)"
            rf"(?:,?\s+(?P<y>{_YEAR}))?\b(?!\.\d)",
            re.I,
        ),
    ),
    (
        "quarter",
        re.compile(
            rf"\b(?:(?P<yrel0>this|last|next) year's\s+|(?:the|its|their|a|that)\s+"
            rf"(?:(?P<y0>{_YEAR})\s+)?)?(?:fiscal[\s-]+)?{_QUARTER}[\s-]+quarter"
            rf"(?:\s+of\s+(?:the\s+)?(?:fiscal\s+)?{_YEAR_OF})?\b",
            re.I,
        ),
    ),
    ("q_quarter", re.compile(rf"\b(?-i:Q)(?P<q>[1-4])(?:\s+(?P<y>{_YEAR}))?\b")),
    (
        "recent_quarter",
        re.compile(
            r"\b(?:the|this|its)\s+(?P<which>latest|last|past|most recent|just-ended|current)"
            r"\s+quarter\b|\b(?P<this>this) quarter\b",
            re.I,
        ),
    ),
    (
        "half",
        re.compile(
            rf"\b(?:the\s+)?(?P<h>first|second|last)[\s-]+half\s+of\s+(?:the\s+)?{_YEAR_OF}\b",
            re.I,
        ),
    ),
    (
        "season",
        re.compile(
            rf"\b(?:(?:early|late|mid)[\s-]+)?(?:{_LAST}\s+|(?P<cue>in|during|over|through"
            r"|since|by|until|the)\s+(?:the\s+)?(?:(?:early|late)\s+)?)?"
            r"(?P<s>spring|summer|autumn|fall|winter)"
            rf"(?:,?\s+(?:of\s+)?(?P<y>{_YEAR}))?\b(?!\s+of\s+(?!(?:19|20)\d\d))",
            re.I,
        ),
    ),
    (
        "named_month",
        re.compile(
            rf"\b(?:(?:early|late|mid)[\s-]+)?{_LAST}\s+(?P<m>{_MONTH})\b(?!\.?\s*\d)", re.I
        ),
    ),
    (
        "month",
        re.compile(
            rf"\b(?:(?P<cue>in|since|by|until|till|through|from|during|of|between|and|to|for"
            rf"|before|after|around|as of|{_EDGE_WORDS})[\s-]+)?{_MONTH_ON}",
            re.I,
        ),
    ),
    (
        "decade",
        re.compile(
            rf"\b(?:the\s+)?(?:{_EDGE})?(?P<dec>(?:19|20)\d0)'?s\b"
            r"|\bthe\s+(?:(?:early|mid|late)[\s-]+)?'?(?P<dd>[1-9]0)'?s\b|'(?P<da>[1-9]0)s\b",
            re.I,
        ),
    ),
    (
        "century",
        re.compile(
            r"\b(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?P<c>1[1-9]|2[01])(?:st|nd|rd|th)"
            r"[\s-]+century\b",
            re.I,
        ),
    ),
    (
        "fiscal_year",
        re.compile(
            r"\b(?:(?P<which>this|last|next|the current|the latest|the|its)\s+)?"
            rf"(?:fiscal|financial)\s+year(?:\s+(?P<y>{_YEAR}))?\b|\bFY\s?(?P<fy>{_YEAR})\b",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(
            r"\b(?:(?P<cue>in|since|by|until|till|through|from|during|of|before|after|for|to"
            rf"|between|and|around|fiscal|calendar|the end of|the start of|the beginning of"
            rf"|the middle of)\s+)?(?:(?:early|mid|late)[\s-]+)?(?P<y>{_YEAR})\b(?!'?s\b)",
            re.I,
        ),
    ),
    ("short_year", re.compile(r"\b(?:in|since)\s+'(?P<yy>\d\d)\b", re.I)),
    (
        "weekday",
        re.compile(
            rf"\b(?:(?P<which>last|this|next|this past|this coming|coming)\s+"
            rf"|(?:late|early|earlier|later)\s+(?:on\s+)?|on\s+)?"
            rf"(?P<wd>{_DAY_RE}){_PART}\b(?!\s*,\s*\d)",
            re.I,
        ),
    ),
    (
        "yesterday",
        re.compile(
            rf"\b(?:(?:earlier|later|late|early)\s+)?yesterday{_PART}\b|\blast night\b", re.I
        ),
    ),
    ("tomorrow", re.compile(rf"\btomorrow{_PART}\b", re.I)),
    # TIMEX3 reference values: the speech time and the vague past and future.
    ("present_ref", re.compile(r"\b(?:now|currently)\b(?!-)", re.I)),
    ("past_ref", re.compile(r"\b(?:the past)\b(?!\s+[a-z0-9])", re.I)),
    ("future_ref", re.compile(r"\b(?:the future)\b(?!\s+[a-z0-9])", re.I)),
    (
        "today",
        re.compile(
            r"\b(?:(?:earlier|later)\s+)?(?:today|tonight)\b|\b(?:overnight|before dawn"
            r"|this morning|this afternoon|this evening)\b",
            re.I,
        ),
    ),
    (
        "weekend",
        re.compile(
            r"\b(?:(?P<which>last|this|next|this past|this coming|the coming|the past)|the)\s+"
            r"weekend\b",
            re.I,
        ),
    ),
    (
        "ago",
        re.compile(
            rf"\b(?P<n>{_NUM})\s+(?P<unit>day|week|month|year)s?\s+ago\b"
            rf"|\b(?P<ny>{_NUM})\s+(?P<uy>month|year)s?\s+earlier\b",
            re.I,
        ),
    ),
    (
        "relative",
        re.compile(
            rf"\b(?:(?:earlier|later|late|early)\s+)?{_LAST}\s+(?P<unit>week|month|year)\b(?!-)"
            r"|\bthe last\s+(?P<last>week|month|year)\b(?!-)"
            r"|\b(?:earlier|later) in the (?P<in>week|month|year)\b",
            re.I,
        ),
    ),
    ("hours_later", re.compile(r"\b(?:hours|minutes) (?:later|before)\b", re.I)),
    (
        "day_later",
        re.compile(
            rf"\b(?:the next day|the following day|the previous day"
            rf"|(?P<n>{_NUM})\s+(?P<unit>day|week)s?\s+(?P<dir>later|earlier|after|before))\b",
            re.I,
        ),
    ),
]

# Cheap checks before the patterns: a pattern runs on a sentence only if one of its
# words is in it (lower-cased), and a sentence with none of them is skipped outright.
_MONTH_KEYS = tuple(m for m in _MONTHS if len(m) == 3)
_DAY_KEYS = tuple(_WEEKDAYS)
_KEYS: dict[str, tuple[str, ...]] = {
    "last_week_day": ("last week",),
    "since_day": ("since",),
    "day_and_day": ("day and",),
    "iso_date": ("19", "20"),
    "month_day": _MONTH_KEYS,
    "day_range": _MONTH_KEYS,
    "quarter": ("quarter",),
    "q_quarter": ("q1", "q2", "q3", "q4"),
    "recent_quarter": ("quarter",),
    "half": ("half",),
    "season": ("spring", "summer", "autumn", "fall", "winter"),
    "named_month": _MONTH_KEYS,
    "month": _MONTH_KEYS,
    "decade": ("0s", "0's"),
    "century": ("century",),
    "fiscal_year": ("fiscal", "financial", "fy"),
    "year": ("19", "20"),
    "short_year": ("'",),
    "weekday": _DAY_KEYS,
    "yesterday": ("yesterday", "last night"),
    "tomorrow": ("tomorrow",),
    "present_ref": ("now", "currently"),
    "past_ref": ("past",),
    "future_ref": ("future",),
    "today": (
        "today",
        "tonight",
        "overnight",
        "dawn",
        "this morning",
        "this afternoon",
        "this evening",
    ),
    "weekend": ("weekend",),
    "ago": ("ago", "earlier"),
    "relative": ("week", "month", "year"),
    "hours_later": ("later", "before"),
    "day_later": ("day", "later", "earlier"),
}
# A lone apostrophe lets the patterns run only before two digits ("since '98").
_APOSTROPHE_YEAR = re.compile(r"'\d\d")
# Words a pattern needs besides one of its keys: "last March" needs the "last", "last
# week on Monday" the day, an ISO date its hyphen, "two days later" its "later". Keep
# these (and the keys) in step with the patterns: a pattern never runs on a sentence
# without them.
_ALSO: dict[str, tuple[str, ...]] = {
    "named_month": ("last", "this", "next", "past", "coming", "current"),
    "last_week_day": _DAY_KEYS,
    "iso_date": ("-",),
    "day_later": (
        "next day",
        "following day",
        "previous day",
        "later",
        "earlier",
        "after",
        "before",
    ),
}
_ALL_KEYS = tuple(sorted({k for keys in (*_KEYS.values(), *_ALSO.values()) for k in keys}))
_KEY_SETS = {kind: frozenset(keys) for kind, keys in _KEYS.items()}
_ALSO_SETS = {kind: frozenset(keys) for kind, keys in _ALSO.items()}
# The month patterns match only a capitalised month name ("May", not "may"): without one
# in the sentence, their lower-case keys ("may", "mar") are dropped.
_MONTH_NAME = re.compile(_MONTH)
_MONTH_KEY_SET = frozenset(_MONTH_KEYS)
# Two month patterns rarely match where their keys are: they run only where the part from
# their month name on is found. That part alone starts with a capital letter, so the regex
# engine skips from capital to capital instead of trying the whole pattern at every character.
_CORES: dict[str, re.Pattern[str]] = {
    "day_range": re.compile(_DAY_RANGE_ON, re.I),
    "month": re.compile(_MONTH_ON, re.I),
}

# Words before a date in its clause that put it in the future ("will meet on Friday").
_FUTURE = re.compile(
    r"\b(?:will|shall|won't|wo n't|'ll|would|should(?! have)|going to|due to be"
    r"|(?:is|are|was|were) due|(?:is|are) to|set to|scheduled|slated|expected to|expects? to"
    r"|plans? to|planned (?:to|for)|intends? to|aims? to|to be held|upcoming|until|till"
    r"|ahead of|as (?:soon|early) as|next(?! to))\b",
    re.I,
)
_CLAUSE = re.compile(r"[,;:()\"\u201c\u201d]|\s[-\u2013\u2014]\s")
# Words that make a bare four-digit number a count, not a year ("some 2000 troops").
_COUNTING = re.compile(
    r"\b(?:about|some|nearly|almost|least|than|over|around|roughly|approximately|estimated"
    r"|up to|only|just|another|additional|all)\s*$",
    re.I,
)
_PLURAL = re.compile(r"^\s+(?:[a-z]+[^isu\W]s|million|billion|thousand|hundred)\b")
_DETERMINER = re.compile(r"(?:\b(?:the|its|his|her|their|our|this|that|a|an)|'s)\s*$", re.I)
_NAMED_DAY = re.compile(
    r"\b(?-i:Black|Bloody|Good|Holy|Easter|Ash|Palm|Cyber|Super|Maundy|Shrove)\W{0,2}$"
)
_STRONG_CUES = {"in", "since", "by", "until", "till", "through", "during", "before", "after"}
_STRONG_CUES |= {"fiscal", "calendar", "the end of", "the start of", "the beginning of"}


def timex(when: When) -> str:
    """TIMEX3-style value: 2025-03-08, 2025-W10, 2025-W10-WE, 2025-03, 2025-Q1,
    2025-SU, 2025-H1, 2025, 199 (a decade) or 19 (a century)."""
    if when.precision == WEEK:
        year, week, _ = when.start.isocalendar()
        weekend = when.start.weekday() == 5 and when.end == when.start + timedelta(days=1)
        return f"{year}-W{week:02d}" + ("-WE" if weekend else "")
    if when.precision in (MONTH, YEAR):
        return _period_value(when)
    return when.start.isoformat()


def _period_value(when: When) -> str:
    start, end = when.start, when.end
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 3 and start.day == 1 and start.month % 3 == 1:
        return f"{start.year}-Q{start.month // 3 + 1}"
    if months == 3 and start.day == 1 and start.month in _SEASON_CODES:
        return f"{end.year}-{_SEASON_CODES[start.month]}"
    if months == 6 and start.month in (1, 7):
        return f"{start.year}-H{1 if start.month == 1 else 2}"
    if months == 120 and start.year % 10 == 0:
        return str(start.year)[:3]
    if months == 1200 and start.year % 100 == 0:
        return str(start.year)[:2]
    if when.precision == MONTH:
        return start.strftime("%Y-%m")
    return str(start.year)


@dataclass(slots=True, unsafe_hash=True)
class _Context:
    """What a match is resolved against: the publication date and the clause's tense."""

    published: date | None
    future: bool


@dataclass(slots=True, unsafe_hash=True)
class _Anchor:
    published: date
    future: bool


class TimeTagger:
    name = "times"

    def __call__(self, doc: Document) -> Document:
        published = doc.article.published
        mentions: list[TimeMention] = []
        for sentence in doc.sentences:
            mentions.extend(self._sentence(doc, sentence, published))
        doc.times = mentions
        return doc

    def _sentence(
        self, doc: Document, sentence: Sentence, published: date | None
    ) -> list[TimeMention]:
        lower = sentence.text.lower()
        present = {key for key in _ALL_KEYS if key in lower}
        if not present or (present == {"'"} and not _APOSTROPHE_YEAR.search(lower)):
            return []
        taken: list[tuple[int, int]] = []
        found: list[TimeMention] = []
        if not present.isdisjoint(_MONTH_KEY_SET) and not _MONTH_NAME.search(sentence.text):
            present -= _MONTH_KEY_SET
        if "'" in present and not _APOSTROPHE_YEAR.search(lower):
            present.discard("'")  # "Ukraine's": no short year to look for
        for kind, pattern in _PATTERNS:
            if present.isdisjoint(_KEY_SETS[kind]):
                continue
            if kind in _ALSO_SETS and present.isdisjoint(_ALSO_SETS[kind]):
                continue
            if kind in _CORES and _CORES[kind].search(sentence.text) is None:
                continue
            for match in pattern.finditer(sentence.text):
                a, b = match.span()
                if any(a < e and s < b for s, e in taken):
                    continue
                resolved = _resolve(kind, match, _Context(published, _future(match)))
                if resolved is _SKIP:
                    continue
                taken.append((a, b))
                found.append(_mention(doc, sentence, match, kind, resolved))
        found.sort(key=lambda m: m.start_char)
        return found


class _Skip:
    pass


_SKIP = _Skip()


def _future(match: re.Match[str]) -> bool:
    """Whether the clause before the match speaks of the future ("will meet on Friday")."""
    before = match.string[max(0, match.start() - 60) : match.start()]
    clause = _CLAUSE.split(before)[-1]
    return _FUTURE.search(clause) is not None


_REFERENCES = {"present_ref": "PRESENT_REF", "past_ref": "PAST_REF", "future_ref": "FUTURE_REF"}


def _mention(
    doc: Document,
    sentence: Sentence,
    match: re.Match[str],
    kind: str,
    resolved: When | _Skip | None,
) -> TimeMention:
    a, b = match.span()
    start_char, end_char = sentence.start_char + a, sentence.start_char + b
    tokens = doc.tokens
    assert tokens is not None
    span = tokens.char_span(start_char, end_char, alignment_mode="expand")
    when = resolved if isinstance(resolved, When) else None
    if when is not None:
        when = When(when.start, when.end, when.precision, (start_char, end_char))
    return TimeMention(
        start=span.start if span is not None else sentence.start,
        end=span.end if span is not None else sentence.start,
        start_char=start_char,
        end_char=end_char,
        text=match.group(0),
        when=when,
        value=timex(when) if when else _REFERENCES.get(kind),
        sentence=sentence.index,
        relative=_offset(kind, match),
    )


def _offset(kind: str, match: re.Match[str]) -> int | None:
    """Days from the previous event: "hours later" 0, "a day later" 1, "a week earlier" -7."""
    if kind == "hours_later":
        return 0
    if kind != "day_later":
        return None
    text = match.group(0).lower()
    if match.group("n") is None:
        return -1 if "previous" in text else 1
    days = _number(match.group("n")) * (7 if match.group("unit").lower() == "week" else 1)
    return days if match.group("dir").lower() in {"later", "after"} else -days


def _number(text: str) -> int:
    word = text.lower()
    return int(word) if word.isdigit() else _NUMBERS[word]


# Periods: one day, a calendar month, a quarter, a season, a year.


def _day(d: date, precision: int = DAY) -> When:
    return When(d, d, precision, None)


def _month(year: int, month: int) -> When:
    last = calendar.monthrange(year, month)[1]
    return When(date(year, month, 1), date(year, month, last), MONTH, None)


def _months(year: int, first: int, count: int) -> When:
    """``count`` months from ``first`` of ``year`` (``first`` may be 0 or less)."""
    start_year, start_month = _add_months(date(year, 1, 1), first - 1)
    end_year, end_month = _add_months(date(year, 1, 1), first - 2 + count)
    last = calendar.monthrange(end_year, end_month)[1]
    return When(date(start_year, start_month, 1), date(end_year, end_month, last), YEAR, None)


def _year(year: int, years: int = 1) -> When:
    return When(date(year, 1, 1), date(year + years - 1, 12, 31), YEAR, None)


def _add_months(d: date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


def _week(d: date) -> When:
    monday = d - timedelta(days=d.weekday())
    return When(monday, monday + timedelta(days=6), WEEK, None)


def _last_weekday(published: date, weekday: int, strictly_before: bool = False) -> date:
    delta = (published.weekday() - weekday) % 7
    if strictly_before and delta == 0:
        delta = 7
    return published - timedelta(days=delta)


def _next_weekday(published: date, weekday: int, strictly_after: bool = False) -> date:
    delta = (weekday - published.weekday()) % 7
    if strictly_after and delta == 0:
        delta = 7
    return published + timedelta(days=delta)


# Choosing the year of a period that leaves it open.

_Period = Callable[[int], When | None]


def _distance(when: When, published: date) -> int:
    if when.start <= published <= when.end:
        return 0
    return min(abs((when.start - published).days), abs((when.end - published).days))


def _pick(period: _Period, published: date, mode: str) -> When | None:
    """The occurrence of a yearly period meant: ``nearest`` publication, or the
    ``past`` / ``future`` one, ``strict_*`` excluding the one under way, or ``this``."""
    options = [w for y in range(published.year - 1, published.year + 2) if (w := period(y))]
    rule = _PICKS.get(mode)
    chosen = [w for w in options if rule(w, published)] if rule else []
    if chosen:
        return chosen[-1] if mode in {"past", "strict_past"} else chosen[0]
    return min(options, key=lambda w: (_cost(w, published), w.start), default=None)


def _cost(when: When, published: date) -> int:
    """Distance from publication; news looks back, so a later occurrence counts double."""
    return _distance(when, published) * (2 if when.start > published else 1)


_PICKS: dict[str, Callable[[When, date], bool]] = {
    "past": lambda w, p: w.start <= p,
    "strict_past": lambda w, p: w.end < p,
    "future": lambda w, p: w.end >= p,
    "strict_future": lambda w, p: w.start > p,
    "this": lambda w, p: _distance(w, p) == 0 or w.end.year == p.year,
}


def _mode(which: str | None, cue: str | None, future: bool) -> str:
    which, cue = (which or "").lower(), (cue or "").lower()
    if which in {"last", "this past", "the past"}:
        return "strict_past"
    if which in {"next", "this coming", "the coming"}:
        return "strict_future"
    if which in {"this", "the current"}:
        return "this"
    if cue in {"since", "as of"}:
        return "past"
    return "future" if future else "nearest"


def _relative_year(which: str | None, published: date | None) -> int | None:
    if which is None or published is None:
        return None
    return published.year + {"last": -1, "this": 0, "next": 1}[which.lower()]


# Resolvers, one per kind: a When, None (relative, no anchor known) or _SKIP (no date).

_Resolver = Callable[[re.Match[str], _Context], When | _Skip | None]


def _resolve(kind: str, match: re.Match[str], context: _Context) -> When | _Skip | None:
    gate = _GATES.get(kind)
    if gate is not None and not gate(match):
        return _SKIP
    if kind in _ABSOLUTE:
        return _ABSOLUTE[kind](match, context)
    if kind not in _ANCHORED:
        return None
    if context.published is None:
        return None
    return _ANCHORED[kind](match, _Anchor(context.published, context.future))


def _iso_date(match: re.Match[str], context: _Context) -> When | _Skip:
    try:
        return _day(date(int(match["y"]), int(match["mo"]), int(match["d"])))
    except ValueError:
        return _SKIP


def _explicit_day(match: re.Match[str], context: _Context) -> When | _Skip | None:
    month = _MONTHS[(match["m1"] or match["m2"]).lower()]
    day = int(match["d1"] or match["d2"])
    if match["y"] is not None:
        try:
            return _day(date(int(match["y"]), month, day))
        except ValueError:
            return _SKIP  # "February 30": not a date
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:
        return _SKIP
    if context.published is None:
        return None

    def period(year: int) -> When | None:
        try:
            return _day(date(year, month, day))
        except ValueError:  # 29 February
            return None

    return _pick(period, context.published, _mode(None, match["cue"], context.future))


def _day_range(match: re.Match[str], context: _Context) -> When | _Skip | None:
    """ "between March 3 and 5", "March 3-5": the first day, a span of up to a week (UCDP 2)
    or more (3)."""
    first, last = int(match["d1"]), int(match["d2"])
    if not first < last <= 31:
        return _SKIP
    month = _MONTHS[match["m1"].lower()]
    if match["y"] is not None:
        year = int(match["y"])
    elif context.published is not None:
        year = context.published.year
        if date(year, month, min(first, 28)) > context.published + timedelta(days=7):
            year -= 1
    else:
        return None
    try:
        start, end = date(year, month, first), date(year, month, last)
    except ValueError:
        return _SKIP
    return When(start, end, 2 if (end - start).days <= 6 else 3, None)


def _named_month(match: re.Match[str], anchor: _Anchor) -> When | None:
    month = _MONTHS[match["m"].lower().rstrip(".")]
    mode = _mode(match["which"], None, anchor.future)
    return _pick(lambda year: _month(year, month), anchor.published, mode)


def _month_period(match: re.Match[str], context: _Context) -> When | None:
    month = _MONTHS[match["m"].lower().rstrip(".")]
    year_text = match["y"] or match["y2"]  # "between June and December of 2015"
    year = int(year_text) if year_text else _relative_year(match["yrel"], context.published)
    if year is not None:
        return _month(year, month)
    if context.published is None:
        return None
    mode = _mode(None, match["cue"], context.future)
    return _pick(lambda y: _month(y, month), context.published, mode)


def _quarter(match: re.Match[str], context: _Context) -> When | None:
    number = _ORDINALS.get(match["q"].lower()) or int(match["q"])
    groups = match.groupdict()
    year_text = groups.get("y") or groups.get("y0")
    year = int(year_text) if year_text else None
    if year is None:
        year = _relative_year(groups.get("yrel") or groups.get("yrel0"), context.published)
    if year is not None:
        return _months(year, 3 * number - 2, 3)
    if context.published is None:
        return None
    # Tense says nothing here: "expects to report third-quarter results" is a past quarter.
    return _pick(lambda y: _months(y, 3 * number - 2, 3), context.published, "nearest")


def _recent_quarter(match: re.Match[str], anchor: _Anchor) -> When | None:
    current = (anchor.published.month - 1) // 3
    which = (match["which"] or "current").lower()
    shift = 0 if which == "current" or match["this"] else -1
    year, month = _add_months(date(anchor.published.year, 3 * current + 1, 1), 3 * shift)
    return _months(year, month, 3)


def _half(match: re.Match[str], context: _Context) -> When | None:
    year = int(match["y"]) if match["y"] else _relative_year(match["yrel"], context.published)
    if year is None:
        return None
    return _months(year, 1 if match["h"].lower() == "first" else 7, 6)


def _season(match: re.Match[str], context: _Context) -> When | None:
    first = _SEASONS[match["s"].lower()]
    if match["y"]:
        return _months(int(match["y"]), first - 12 if first == 12 else first, 3)
    if context.published is None:
        return None
    mode = _mode(match["which"], match["cue"], context.future)

    def period(year: int) -> When:
        return _months(year, first - 12 if first == 12 else first, 3)

    return _pick(period, context.published, mode)


def _decade(match: re.Match[str], context: _Context) -> When | None:
    if match["dec"]:
        return _year(int(match["dec"]), 10)
    tens = int(match["dd"] or match["da"])
    this_year = context.published.year if context.published else 1999
    return _year(2000 + tens if 2000 + tens <= this_year else 1900 + tens, 10)


def _century(match: re.Match[str], context: _Context) -> When:
    return _year((int(match["c"]) - 1) * 100, 100)


def _fiscal_year(match: re.Match[str], context: _Context) -> When | None:
    year_text = match["y"] or match["fy"]
    if year_text:
        return _year(int(year_text))
    which = (match["which"] or "this").lower()
    shift = {"last": -1, "next": 1}.get(which, 0)
    return _year(context.published.year + shift) if context.published else None


def _explicit_year(match: re.Match[str], context: _Context) -> When:
    return _year(int(match["y"]))


def _short_year(match: re.Match[str], anchor: _Anchor) -> When:
    year = 2000 + int(match["yy"])
    return _year(year if year <= anchor.published.year else year - 100)


def _weekday(match: re.Match[str], anchor: _Anchor) -> When:
    weekday, published = _WEEKDAYS[match["wd"].lower()], anchor.published
    which = (match.groupdict().get("which") or "").lower()
    if which in {"next", "this coming", "coming"}:
        return _day(_next_weekday(published, weekday, strictly_after=True))
    if which in {"last", "this past"}:
        return _day(_last_weekday(published, weekday, strictly_before=True))
    if anchor.future:
        return _day(_next_weekday(published, weekday))
    return _day(_last_weekday(published, weekday))


def _last_week_day(match: re.Match[str], anchor: _Anchor) -> When:
    monday = anchor.published - timedelta(days=anchor.published.weekday() + 7)
    return _day(monday + timedelta(days=_WEEKDAYS[match["wd"].lower()]))


def _day_span(match: re.Match[str], anchor: _Anchor) -> When:
    """ "since Monday night", "on Saturday and Sunday": the start day, week precision."""
    d = _last_weekday(anchor.published, _WEEKDAYS[match["wd"].lower()])
    since = match.group(0).lower().startswith("since")
    return When(d, anchor.published if since else d, WEEK, None)


def _yesterday(match: re.Match[str], anchor: _Anchor) -> When:
    return _day(anchor.published - timedelta(days=1))


def _tomorrow(match: re.Match[str], anchor: _Anchor) -> When:
    return _day(anchor.published + timedelta(days=1))


def _today(match: re.Match[str], anchor: _Anchor) -> When:
    return _day(anchor.published)


def _weekend(match: re.Match[str], anchor: _Anchor) -> When:
    """The weekend under way or the last one; the coming one if the clause looks ahead."""
    published = anchor.published
    which = (match["which"] or "").lower()
    if which in {"next", "this coming", "the coming"} or (anchor.future and not which):
        saturday = published + timedelta(days=5 - published.weekday())
    else:
        saturday = _last_weekday(published, 5)
        if which in {"last", "this past", "the past"} and published.weekday() >= 5:
            saturday -= timedelta(days=7)
    return When(saturday, saturday + timedelta(days=1), WEEK, None)


def _ago(match: re.Match[str], anchor: _Anchor) -> When:
    count = _number(match["n"] or match["ny"])
    unit = (match["unit"] or match["uy"]).lower()
    published = anchor.published
    if unit == "day":
        return _day(published - timedelta(days=count))
    if unit == "week":
        return _week(published - timedelta(weeks=count))
    if unit == "month":
        return _month(*_add_months(published, -count))
    return _year(published.year - count)


def _relative(match: re.Match[str], anchor: _Anchor) -> When:
    """ "last week", "this month", "the past year", "earlier this year", "the next week"."""
    which = (match["which"] or "").lower()
    shift = -1 if match["last"] or which in {"last", "this past", "the past"} else 0
    shift = 1 if which in {"next", "this coming", "the coming"} else shift
    unit = (match["unit"] or match["last"] or match["in"]).lower()
    published = anchor.published
    if unit == "week":
        return _week(published + timedelta(weeks=shift))
    if unit == "month":
        return _month(*_add_months(published, shift))
    return _year(published.year + shift)


_ABSOLUTE: dict[str, _Resolver] = {
    "iso_date": _iso_date,
    "month_day": _explicit_day,
    "day_range": _day_range,
    "quarter": _quarter,
    "q_quarter": _quarter,
    "half": _half,
    "season": _season,
    "month": _month_period,
    "decade": _decade,
    "century": _century,
    "fiscal_year": _fiscal_year,
    "year": _explicit_year,
}
_ANCHORED: dict[str, Callable[[re.Match[str], _Anchor], When | None]] = {
    "last_week_day": _last_week_day,
    "since_day": _day_span,
    "day_and_day": _day_span,
    "recent_quarter": _recent_quarter,
    "named_month": _named_month,
    "short_year": _short_year,
    "weekday": _weekday,
    "yesterday": _yesterday,
    "tomorrow": _tomorrow,
    "today": _today,
    "weekend": _weekend,
    "ago": _ago,
    "relative": _relative,
}


# Gates: a match that is not a date after all ("Theresa May", "some 2000 troops").


def _plausible_month(match: re.Match[str]) -> bool:
    """A month must look like one: "Jan" needs its full stop or a year ("Jan Kavan"),
    and one named alone, with no preposition and no year, no name around it."""
    if match["y"] or match["yrel"] or match["y2"]:
        return True
    name = match["m"]
    after = match.string[match.end() :]
    if name.lower() in _ABBREVIATIONS and not after.startswith("."):
        return False
    if match["cue"]:
        return True
    before = match.string[: match.start()].rstrip()
    return (
        name not in {"May", "March"}
        and not re.search(r"\b[A-Z][\w.'-]*$", before)
        and not after.lstrip()[:1].isupper()
    )


def _titled(match: re.Match[str]) -> bool:
    """ "This Week", "VOA Today": a capitalised time word inside a sentence is a title."""
    words = match.group(0).split()
    inside = match.start() > 0 and not match.string[: match.start()].rstrip().endswith(('"', "``"))
    return not (inside and words[-1][:1].isupper())


def _plausible_year(match: re.Match[str]) -> bool:
    """A year after "in", "since", "by" is one; a bare four-digit number that counts
    something ("some 2000 troops", "2000 civilians") is not."""
    cue = (match["cue"] or "").lower()
    if cue in _STRONG_CUES:
        return True
    before = match.string[: match.start()]
    after = match.string[match.end() :]
    if _COUNTING.search(before):
        return False
    return _DETERMINER.search(before) is not None or _PLURAL.match(after) is None


def _plausible_season(match: re.Match[str]) -> bool:
    """ "in the spring" or "this fall" is a season; "fall" alone is not, nor "the fall"
    or "the summer capital"."""
    if match["which"] or match["y"]:
        return True
    cue = (match["cue"] or "").lower()
    if cue != "the":
        return bool(cue)
    after = match.string[match.end() :]
    return match["s"].lower() != "fall" and re.match(r"\s+[a-z]", after) is None


def _plausible_weekday(match: re.Match[str]) -> bool:
    """ "Black Monday", "Good Friday" name a day of their own, not last week's."""
    return _NAMED_DAY.search(match.string[: match.start()]) is None


_GATES: dict[str, Callable[[re.Match[str]], bool]] = {
    "relative": _titled,
    "today": _titled,
    "tomorrow": _titled,
    "weekday": _plausible_weekday,
    "month": _plausible_month,
    "year": _plausible_year,
    "season": _plausible_season,
}
