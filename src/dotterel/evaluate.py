"""Scoring against gold files in the project's JSONL standard (shared/gold/CONVENTIONS.md).

Events are matched per article on (type, source country, target country); precision,
recall and F1 are computed over those triples, and date, place, fatality and
modality accuracy over the matched pairs.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotterel.errors import InputError
from dotterel.pipeline import Pipeline
from dotterel.records import Article, Event
from dotterel.sources import parse_date

__all__ = ["GoldArticle", "Report", "Score", "evaluate", "read_gold", "to_gold"]

PRECISION_NAMES = {1: "day", 2: "week", 3: "week", 4: "month", 5: "year"}
COORD_TOLERANCE = 0.3


@dataclass(frozen=True, slots=True)
class GoldArticle:
    article: Article
    events: list[dict[str, Any]]


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(slots=True)
class Report:
    """Scores of one evaluation run."""

    gold: str
    articles: int = 0
    failed: int = 0
    events: Score = field(default_factory=Score)
    types: Score = field(default_factory=Score)
    by_type: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    matched: int = 0
    date_correct: int = 0
    place_correct: int = 0
    fatalities_correct: int = 0
    modality_correct: int = 0

    def accuracy(self, correct: int) -> float:
        return round(correct / self.matched, 4) if self.matched else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "articles": self.articles,
            "failed": self.failed,
            "events": self.events.as_dict(),
            "types": self.types.as_dict(),
            "by_type": {k: v.as_dict() for k, v in sorted(self.by_type.items())},
            "matched": self.matched,
            "date_accuracy": self.accuracy(self.date_correct),
            "place_accuracy": self.accuracy(self.place_correct),
            "fatalities_accuracy": self.accuracy(self.fatalities_correct),
            "modality_accuracy": self.accuracy(self.modality_correct),
        }


def read_gold(path: Path) -> Iterator[GoldArticle]:
    """Gold articles from a JSONL file; a malformed line raises InputError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read gold file {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            article = Article(
                text=record["text"],
                ref=str(record.get("id", f"{path}:{number}")),
                title=record.get("title"),
                published=parse_date(record.get("published")),
            )
            events = list(record.get("events") or [])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: not a gold article ({exc})") from exc
        yield GoldArticle(article, events)


def to_gold(event: Event) -> dict[str, Any]:
    """An event in the gold standard's flat form (CONVENTIONS.md)."""
    place = event.place
    specific = place is not None and place.precision < 6
    fatalities = event.fatalities
    return {
        "type": event.type,
        "mode": event.mode,
        "source": event.source.country if event.source else None,
        "target": event.target.country if event.target else None,
        "place": place.name if specific and place else None,
        "lat": round(place.lat, 2) if specific and place and place.lat is not None else None,
        "lon": round(place.lon, 2) if specific and place and place.lon is not None else None,
        "country": place.country if place else None,
        "date": event.date.start.isoformat() if event.date else None,
        "date_precision": PRECISION_NAMES.get(event.date.precision) if event.date else None,
        "fatalities": fatalities.best if fatalities else None,
        "fatalities_high": fatalities.high
        if fatalities and fatalities.high != fatalities.best
        else None,
        "modality": event.modality,
        "evidence": event.evidence.sentence,
    }


def _key(e: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return (e["type"], e.get("source"), e.get("target"))


def _place_ok(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    if gold.get("place") is None:
        return pred.get("place") is None
    if pred.get("place") is None:
        return False
    if (
        gold["place"].lower() in pred["place"].lower()
        or pred["place"].lower() in gold["place"].lower()
    ):
        return True
    if None in (gold.get("lat"), gold.get("lon"), pred.get("lat"), pred.get("lon")):
        return False
    return bool(
        abs(gold["lat"] - pred["lat"]) <= COORD_TOLERANCE
        and abs(gold["lon"] - pred["lon"]) <= COORD_TOLERANCE
    )


def _score_pair(report: Report, gold: dict[str, Any], pred: dict[str, Any]) -> None:
    report.matched += 1
    report.date_correct += (gold.get("date"), gold.get("date_precision")) == (
        pred["date"],
        pred["date_precision"],
    )
    report.place_correct += _place_ok(gold, pred)
    report.fatalities_correct += (gold.get("fatalities"), gold.get("fatalities_high")) == (
        pred["fatalities"],
        pred["fatalities_high"],
    )
    report.modality_correct += gold.get("modality") == pred["modality"]


def _score_article(report: Report, gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> None:
    unmatched = list(pred)
    for g in gold:
        match = next((p for p in unmatched if _key(p) == _key(g)), None)
        if match is None:
            report.events.fn += 1
            report.by_type[g["type"]].fn += 1
            continue
        unmatched.remove(match)
        report.events.tp += 1
        report.by_type[g["type"]].tp += 1
        _score_pair(report, g, match)
    for p in unmatched:
        report.events.fp += 1
        report.by_type[p["type"]].fp += 1
    gold_types = Counter(g["type"] for g in gold)
    pred_types = Counter(p["type"] for p in pred)
    report.types.tp += sum((gold_types & pred_types).values())
    report.types.fp += sum((pred_types - gold_types).values())
    report.types.fn += sum((gold_types - pred_types).values())


def evaluate(gold_path: Path, pipeline: Pipeline) -> Report:
    """Run the pipeline on every gold article and score its events."""
    report = Report(gold=str(gold_path))
    for item in read_gold(gold_path):
        report.articles += 1
        result = pipeline.process(item.article)
        if result.error is not None:
            report.failed += 1
        predicted = [to_gold(e) for e in result.events]
        _score_article(report, item.events, predicted)
    return report
