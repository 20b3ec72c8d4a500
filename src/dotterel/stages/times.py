"""Times: date expressions resolved against the publication date.

Needs: tokens and sentences. Adds: ``times`` (``TimeMention``) with a ``When``
(start, end, UCDP precision) and a TIMEX3-style value. Relative expressions
("on Saturday", "last week", "overnight") need ``Article.published``; without it
they are listed unresolved rather than guessed.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from dotterel.document import Document, Sentence, TimeMention
from dotterel.records import When

__all__ = ["TimeTagger", "timex"]

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_RE = "|".join(_WEEKDAYS)
_PART = r"(?:\s+(?:night|morning|evening|afternoon))?"

DAY, SPAN, WEEK, MONTH, YEAR = 1, 2, 3, 4, 5

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
        "month_day",
        re.compile(
            rf"\b(?:on\s+)?(?:(?P<m1>{_MONTH_RE})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH_RE})\.?)"
            rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?\b",
            re.I,
        ),
    ),
    (
        "weekday",
        re.compile(
            rf"\b(?:(?:late|early)\s+(?:on\s+)?|on\s+)?(?P<wd>{_DAY_RE}){_PART}\b(?!\s*,\s*\d)",
            re.I,
        ),
    ),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("tomorrow", re.compile(r"\btomorrow\b", re.I)),
    (
        "today",
        re.compile(
            r"\b(?:today|tonight|overnight|before dawn|earlier today|this morning|"
            r"this evening)\b",
            re.I,
        ),
    ),
    ("relative_week", re.compile(r"\b(?P<which>last|this|next)\s+week\b", re.I)),
    (
        "relative_month",
        re.compile(r"\b(?P<which>last|this|next|earlier this|later this)\s+month\b", re.I),
    ),
    ("relative_year", re.compile(r"\b(?P<which>last|this|next)\s+year\b", re.I)),
    (
        "in_month",
        re.compile(
            rf"\b(?:in|since|mid-|early|late)\s*-?(?P<m>{_MONTH_RE})(?:\s+(?P<y>(?:19|20)\d\d))?\b",
            re.I,
        ),
    ),
    ("in_year", re.compile(r"\b(?:in|since|by)\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("hours_later", re.compile(r"\b(?:hours|minutes) (?:later|before)\b", re.I)),
    ("day_later", re.compile(r"\b(?:a day later|the next day|the following day)\b", re.I)),
]


_ANY = re.compile(
    rf"\b(?:{_DAY_RE}|{_MONTH_RE}|yesterday|tomorrow|today|tonight|overnight|dawn|morning|evening|"
    rf"week|month|year|later|next day|following day|(?:19|20)\d\d)",
    re.I,
)


def timex(when: When) -> str:
    """TIMEX3-style value: 2025-03-08, 2025-W10, 2025-03 or 2025."""
    if when.precision == MONTH:
        return when.start.strftime("%Y-%m")
    if when.precision == YEAR:
        return str(when.start.year)
    if when.precision == WEEK:
        year, week, _ = when.start.isocalendar()
        return f"{year}-W{week:02d}"
    return when.start.isoformat()


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
        if not _ANY.search(sentence.text):
            return []
        taken: list[tuple[int, int]] = []
        found: list[TimeMention] = []
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(sentence.text):
                a, b = match.span()
                if any(a < e and s < b for s, e in taken):
                    continue
                resolved = _resolve(kind, match, published)
                if resolved is _SKIP:
                    continue
                taken.append((a, b))
                found.append(_mention(doc, sentence, a, b, match.group(0), kind, resolved))
        found.sort(key=lambda m: m.start_char)
        return found


class _Skip:
    pass


_SKIP = _Skip()


def _mention(
    doc: Document,
    sentence: Sentence,
    a: int,
    b: int,
    text: str,
    kind: str,
    resolved: When | _Skip | None,
) -> TimeMention:
    start_char, end_char = sentence.start_char + a, sentence.start_char + b
    tokens = doc.tokens
    assert tokens is not None
    span = tokens.char_span(start_char, end_char, alignment_mode="expand")
    when = resolved if isinstance(resolved, When) else None
    if when is not None:
        when = When(when.start, when.end, when.precision, (start_char, end_char))
    relative = {"hours_later": 0, "day_later": 1}.get(kind)
    return TimeMention(
        start=span.start if span is not None else sentence.start,
        end=span.end if span is not None else sentence.start,
        start_char=start_char,
        end_char=end_char,
        text=text,
        when=when,
        value=timex(when) if when else None,
        sentence=sentence.index,
        relative=relative,
    )


def _day(d: date, precision: int = DAY) -> When:
    return When(d, d, precision, None)


def _last_weekday(published: date, weekday: int, strictly_before: bool = False) -> date:
    delta = (published.weekday() - weekday) % 7
    if strictly_before and delta == 0:
        delta = 7
    return published - timedelta(days=delta)


def _month(year: int, month: int) -> When:
    last = calendar.monthrange(year, month)[1]
    return When(date(year, month, 1), date(year, month, last), MONTH, None)


def _add_months(d: date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


def _resolve(kind: str, match: re.Match[str], published: date | None) -> When | _Skip | None:
    groups = match.groupdict()
    if kind in {"hours_later", "day_later"}:
        return None
    if kind == "month_day":
        return _explicit_day(match, published)
    if kind in {"in_month", "in_year"}:
        return _explicit_period(groups, published)
    if published is None:
        return None
    if kind == "last_week_day":
        monday = published - timedelta(days=published.weekday() + 7)
        return _day(monday + timedelta(days=_WEEKDAYS[groups["wd"].lower()]))
    if kind in {"weekday", "since_day", "day_and_day"}:
        d = _last_weekday(published, _WEEKDAYS[groups["wd"].lower()])
        precision = DAY if kind == "weekday" else WEEK
        return When(d, published if kind == "since_day" else d, precision, None)
    if kind == "yesterday":
        return _day(published - timedelta(days=1))
    if kind == "tomorrow":
        return _day(published + timedelta(days=1))
    if kind == "today":
        return _day(published)
    if kind == "relative_week":
        shift = {"last": -7, "this": 0, "next": 7}[groups["which"].lower()]
        monday = published - timedelta(days=published.weekday()) + timedelta(days=shift)
        return When(monday, monday + timedelta(days=6), WEEK, None)
    if kind == "relative_month":
        shift = {"last": -1, "next": 1}.get(groups["which"].lower(), 0)
        return _month(*_add_months(published, shift))
    if kind == "relative_year":
        year = published.year + {"last": -1, "this": 0, "next": 1}[groups["which"].lower()]
        return When(date(year, 1, 1), date(year, 12, 31), YEAR, None)
    return _SKIP


def _explicit_day(match: re.Match[str], published: date | None) -> When | _Skip | None:
    groups = match.groupdict()
    if groups["y"] is None and published is None:
        return None
    month = _MONTHS[(groups["m1"] or groups["m2"]).lower().rstrip(".")]
    day = int(groups["d1"] or groups["d2"])
    year = int(groups["y"]) if groups["y"] else published.year  # type: ignore[union-attr]
    try:
        found = date(year, month, day)
    except ValueError:
        return _SKIP  # "February 30": not a date
    if groups["y"] is None and published is not None and found > published + timedelta(days=7):
        found = found.replace(year=found.year - 1)  # "Dec 30" in a January story
    return _day(found)


def _explicit_period(groups: dict[str, str | None], published: date | None) -> When | None:
    year_text = groups.get("y")
    month_text = groups.get("m")
    if year_text is None and published is None:
        return None
    year = int(year_text) if year_text else None
    if month_text is None:
        assert year is not None
        return When(date(year, 1, 1), date(year, 12, 31), YEAR, None)
    month = _MONTHS[month_text.lower().rstrip(".")]
    if year is None:
        assert published is not None
        year = published.year if month <= published.month else published.year - 1
    return _month(year, month)
