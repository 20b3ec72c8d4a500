"""Date normalisation on public TIMEX3 gold: TempEval-3 platinum, TimeBank/AQUAINT, MEANTIME.

Each document's text is fed with its creation time (DCT) as the publication date; the
time stage's mentions are then compared with the gold ``TIMEX3`` of type DATE. A gold
date counts as correct when a mention overlaps its span with the same TIMEX3 value
("value accuracy given the document creation time"); values are compared in a plain
form (``normalise``: "1998-W9" is "1998-W09", "199X" is "199"). Gold values that name
no calendar period (``PRESENT_REF``, ``PAST_REF``, ``XXXX-WI``, ...) are
*unresolvable*: they count in ``value_accuracy`` (as misses, since the stage never
emits them) and are left out of ``value_accuracy_resolvable``.

Span recall is the share of gold dates overlapped by some mention; span precision the
share of mentions that overlap any gold TIMEX3 of the text (a mention of a TIME or a
DURATION is a time expression, not a false alarm); ``span_precision_date`` counts
only gold dates. The DCT itself is never scored (MEANTIME has it in the text: it counts
for precision only), nor are MEANTIME's empty TIMEX3 (no tokens); MEANTIME marks up
only an article's first sentences, so mentions after them are not counted at all.
MEANTIME text is rebuilt from its tokens (no space before punctuation, a line break
between sentences). A document that cannot be read (no DCT, broken XML) or processed
is counted in ``failed``; one whose text repeats an earlier document's is counted in
``duplicates`` and skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dotterel.document import TimeMention
from dotterel.errors import InputError
from dotterel.pipeline import Pipeline
from dotterel.records import Article

__all__ = [
    "SETS",
    "GoldTimex",
    "TimexDoc",
    "evaluate_timex",
    "normalise",
    "read_set",
    "resolvable",
]

SETS = {
    "tempeval3-platinum": ("te3-platinum/*.tml",),
    "timebank-tbaq": ("TimeBank/*.tml", "AQUAINT/*.tml"),
    "meantime-en": ("intra-doc_annotation/*/*.xml",),
}
# A TIMEX3 value that names a calendar period: day, week, weekend, month, quarter,
# half, season, year, decade or century.
_RESOLVABLE = re.compile(r"\d{2,4}(?:-(?:\d\d(?:-\d\d)?|W\d\d(?:-WE)?|Q[1-4]|H[12]|SP|SU|FA|WI))?")
_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "%", "'s", "'", "n't", "'re", "'ve"}
_NO_SPACE_AFTER = {"(", "[", "$", "``"}


@dataclass(frozen=True, slots=True)
class GoldTimex:
    start: int
    end: int
    type: str
    value: str
    dct: bool = False


@dataclass(frozen=True, slots=True)
class TimexDoc:
    ref: str
    text: str
    published: date
    timexes: list[GoldTimex]
    annotated_end: int | None = None  # MEANTIME marks up only the first sentences


@dataclass(slots=True)
class _Tally:
    documents: int = 0
    failed: int = 0
    duplicates: int = 0
    gold_dates: int = 0
    resolvable: int = 0
    correct: int = 0
    correct_resolvable: int = 0
    overlapped: int = 0
    predicted: int = 0
    predicted_on_timex: int = 0
    predicted_on_date: int = 0
    seen: set[str] = field(default_factory=set)


def normalise(value: str) -> str:
    """A TIMEX3 value in its plain form: trimmed, upper case, weeks with two digits,
    and a decade or century written with placeholders ("199X", "19XX") as "199", "19"."""
    value = re.sub(r"-W(\d)(?!\d)", r"-W0\1", value.strip().upper())  # 1998-W9
    return re.sub(r"^(\d{2,3})X+$", r"\1", value)


def resolvable(value: str) -> bool:
    """Whether a DATE value names a calendar period (not PRESENT_REF, XXXX-WI, ...)."""
    return _RESOLVABLE.fullmatch(normalise(value)) is not None


def _dct(value: str | None, ref: str) -> date:
    if not value or not re.match(r"\d{4}-\d\d-\d\d", value):
        raise InputError(f"{ref}: no document creation time (DCT); fix or drop the file")
    return date.fromisoformat(value[:10])


class _TextBuilder:
    """Plain text of a TimeML ``TEXT`` element, with the offsets of its TIMEX3."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.timexes: list[GoldTimex] = []

    def add(self, text: str | None) -> None:
        if text:
            self.pieces.append(text)
            self.length += len(text)

    def walk(self, node: ET.Element) -> None:
        start = self.length
        self.add(node.text)
        for child in node:
            self.walk(child)
            self.add(child.tail)
        if node.tag == "TIMEX3":
            value = node.get("value") or ""
            self.timexes.append(GoldTimex(start, self.length, node.get("type") or "", value))


def _read_timeml(path: Path) -> TimexDoc:
    root = ET.parse(path).getroot()
    dct = root.find("DCT/TIMEX3")
    body = root.find("TEXT")
    if body is None:
        raise InputError(f"{path.name}: no TEXT element")
    builder = _TextBuilder()
    builder.walk(body)
    published = _dct(dct.get("value") if dct is not None else None, path.name)
    return TimexDoc(path.stem, "".join(builder.pieces), published, builder.timexes)


def _join_tokens(tokens: list[ET.Element]) -> tuple[str, dict[str, tuple[int, int]]]:
    """MEANTIME tokens back into text: spaces between words, none before punctuation,
    a line break between sentences; with each token's character span."""
    pieces: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    length, sentence, previous = 0, None, ""
    for token in tokens:
        word = token.text or ""
        if pieces:
            gap = "\n" if token.get("sentence") != sentence else " "
            if gap == " " and (word in _NO_SPACE_BEFORE or previous in _NO_SPACE_AFTER):
                gap = ""
            pieces.append(gap)
            length += len(gap)
        spans[token.get("t_id") or ""] = (length, length + len(word))
        pieces.append(word)
        length += len(word)
        sentence, previous = token.get("sentence"), word
    return "".join(pieces), spans


def _annotated_end(root: ET.Element, spans: dict[str, tuple[int, int]]) -> int:
    """Where the last sentence with any markable ends: MEANTIME annotates only the
    first sentences, so a mention after it is neither right nor wrong."""
    sentence = {t.get("t_id") or "": t.get("sentence") or "" for t in root.iter("token")}
    marked = {sentence[a.get("t_id") or ""] for a in root.iter("token_anchor")}
    last = max(marked, key=int, default="-1")
    return max((spans[t] for t, s in sentence.items() if s == last), default=(0, 0))[1]


def _read_meantime(path: Path) -> TimexDoc:
    root = ET.parse(path).getroot()
    text, spans = _join_tokens(root.findall("token"))
    timexes: list[GoldTimex] = []
    published: str | None = None
    for node in root.iter("TIMEX3"):
        dct = node.get("functionInDocument") == "CREATION_TIME"
        if dct:
            published = node.get("value")
        anchored = [spans[a.get("t_id") or ""] for a in node.findall("token_anchor")]
        if anchored:
            start, end = min(s for s, _ in anchored), max(e for _, e in anchored)
            timexes.append(
                GoldTimex(start, end, node.get("type") or "", node.get("value") or "", dct)
            )
    published_on = _dct(published, path.name)
    return TimexDoc(path.stem, text, published_on, timexes, _annotated_end(root, spans))


def _paths(name: str, root: Path) -> list[Path]:
    if name not in SETS:
        raise InputError(f"unknown TIMEX3 set {name!r}; use one of {', '.join(SETS)}")
    folder = root / name
    if not folder.is_dir():
        raise InputError(f"{folder} does not exist; point root at the shared eval folder")
    return [path for pattern in SETS[name] for path in sorted(folder.glob(pattern))]


def read_set(name: str, root: Path) -> Iterator[TimexDoc | InputError]:
    """Every document of a set, in a stable order; an unreadable one as its error."""
    reader = _read_meantime if name == "meantime-en" else _read_timeml
    for path in _paths(name, root):
        try:
            yield reader(path)
        except (OSError, ET.ParseError, KeyError, ValueError, InputError) as exc:
            yield InputError(f"cannot read {path}: {exc}")


def _overlaps(mention: TimeMention, gold: GoldTimex) -> bool:
    return mention.start_char < gold.end and gold.start < mention.end_char


def _score(doc: TimexDoc, found: list[TimeMention], tally: _Tally) -> None:
    dates = [g for g in doc.timexes if g.type == "DATE" and not g.dct]
    for gold in dates:
        hits = [m for m in found if _overlaps(m, gold)]
        value = normalise(gold.value)
        right = any(m.value is not None and normalise(m.value) == value for m in hits)
        tally.gold_dates += 1
        tally.overlapped += bool(hits)
        tally.correct += right
        if resolvable(value):
            tally.resolvable += 1
            tally.correct_resolvable += right
    if doc.annotated_end is not None:
        found = [m for m in found if m.start_char < doc.annotated_end]
    tally.predicted += len(found)
    tally.predicted_on_timex += sum(any(_overlaps(m, g) for g in doc.timexes) for m in found)
    tally.predicted_on_date += sum(any(_overlaps(m, g) for g in dates) for m in found)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _process(doc: TimexDoc, pipeline: Pipeline, tally: _Tally) -> None:
    if doc.text in tally.seen:
        tally.duplicates += 1
        return
    tally.seen.add(doc.text)
    tally.documents += 1
    result = pipeline.process(Article(text=doc.text, published=doc.published, ref=doc.ref))
    if result.error is not None or result.document is None:
        tally.failed += 1
        _score(doc, [], tally)  # its dates still count, as misses
        return
    _score(doc, result.document.times, tally)


def evaluate_timex(name: str, root: Path, pipeline: Pipeline) -> dict[str, object]:
    """Value accuracy and span recall/precision of DATE expressions on one TIMEX3 set
    read from ``root / name``."""
    tally = _Tally()
    for doc in read_set(name, root):
        if isinstance(doc, InputError):
            tally.documents += 1
            tally.failed += 1
            continue
        _process(doc, pipeline, tally)
    return {
        "documents": tally.documents,
        "failed": tally.failed,
        "duplicates": tally.duplicates,
        "gold_dates": tally.gold_dates,
        "gold_dates_resolvable": tally.resolvable,
        "value_accuracy": _ratio(tally.correct, tally.gold_dates),
        "value_accuracy_resolvable": _ratio(tally.correct_resolvable, tally.resolvable),
        "span_recall": _ratio(tally.overlapped, tally.gold_dates),
        "span_precision": _ratio(tally.predicted_on_timex, tally.predicted),
        "span_precision_date": _ratio(tally.predicted_on_date, tally.predicted),
        "predicted": tally.predicted,
    }
